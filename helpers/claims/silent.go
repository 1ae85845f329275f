package claims

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/Microsoft/hcsshim/osversion"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// Docker Desktop's own processes: the app and its backend (Docker Desktop
// 4.x runs no docker service for its Linux engine; docker/for-win#7186 and
// the Desktop troubleshooting page restart it from the app).
var desktopProcesses = []string{"Docker Desktop.exe", "com.docker.backend.exe"}

// silentDaemonFix says why nothing answers at the daemon's address, and what
// to do, from what the host probe read while the daemon was silent: the
// host's build, the docker service's state and start type, Docker Desktop's
// processes, a dockerd started by hand. It returns "" when the host gave no
// facts (a remote daemon, a Linux host, a probe that failed), and the caller
// falls back to the generic fix.
func silentDaemonFix(d evidence.Daemon) string {
	if !d.Local || d.Host == nil || d.Host.OS != "windows" {
		return ""
	}
	build, _ := strconv.Atoi(d.Host.Build)
	svc, known := d.Service("docker")
	var desktop, dockerd []hostprobe.Process
	if d.Processes != nil {
		for _, name := range desktopProcesses {
			desktop = append(desktop, d.Processes.Named(name)...)
		}
		dockerd = d.Processes.Named("dockerd.exe")
	}
	switch {
	case build > 0 && build < osversion.RS5:
		// moby daemon/daemon_windows.go checkSystem (23.0 and later).
		state := ""
		if known && svc.Exists && svc.State != "running" {
			state = fmt.Sprintf(" (the docker service is %s: starting it again fails the same way)", svc.State)
		}
		return fmt.Sprintf("this host is build %d: Docker Engine 23.0 and later refuse to start below build %d (\"this version of Windows does not support the docker daemon (Windows build %d or higher is required)\")%s, so the supported path for this host is gone: move the image to Windows Server 2019 or later (serviced: Windows Server 2022, 2025)",
			build, osversion.RS5, osversion.RS5, state)
	case len(desktop) > 0:
		return fmt.Sprintf("Docker Desktop runs (%s) but its engine does not answer at %s: restart Docker Desktop's engine (Troubleshoot > Restart, or quit and start Docker Desktop) in Windows containers mode; Docker Desktop 4.x runs no docker service to start",
			processList(desktop), d.Target)
	case len(dockerd) > 0 && (!known || !svc.Exists || svc.PID != dockerd[0].PID):
		return fmt.Sprintf("a dockerd.exe started by hand runs (%s), outside the docker service, and does not answer at %s: stop it (Stop-Process -Id %d) and Start-Service docker, or point DOCKER_HOST at the address it listens on",
			processList(dockerd), d.Target, dockerd[0].PID)
	case known && svc.Exists && svc.StartType == "disabled":
		return "the docker service is disabled: Set-Service docker -StartupType Automatic; Start-Service docker"
	case known && svc.Exists && svc.State != "running":
		return fmt.Sprintf("the docker service is %s (start type %s): Start-Service docker, and read the Application event log (source docker) if it stops again", svc.State, nonEmpty(svc.StartType, "unknown"))
	case known && !svc.Exists:
		return "no docker service on this host and no engine runs: install the engine as a service (dockerd --register-service, Microsoft's install-docker-ce.ps1 or the Mirantis installer), or on Windows 10/11 start Docker Desktop in Windows containers mode"
	case known && svc.State == "running":
		pid := ""
		if svc.PID > 0 {
			pid = fmt.Sprintf(" (PID %d)", svc.PID)
		}
		return fmt.Sprintf("the docker service runs%s but nothing answers at %s: the engine listens elsewhere (daemon.json \"hosts\"); point DOCKER_HOST at it, or Restart-Service docker", pid, d.Target)
	}
	return ""
}

func processList(ps []hostprobe.Process) string {
	parts := make([]string, 0, len(ps))
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%s PID %d", p.Name, p.PID))
	}
	return strings.Join(parts, ", ")
}

// hostFactsLines quote what the host showed while the daemon was silent.
func hostFactsLines(d evidence.Daemon) []string {
	var ev []string
	if d.Host != nil {
		ev = append(ev, fmt.Sprintf("host probe: %s build %s.%d, product type %s", d.Host.OS, d.Host.Build, d.Host.Revision, nonEmpty(d.Host.ProductType, "unknown")))
	}
	for _, name := range []string{"docker", "vmms"} {
		if _, ok := d.Service(name); ok {
			line, _, _ := serviceLine(name, d)
			ev = append(ev, line)
		}
	}
	if d.Processes != nil {
		var seen []hostprobe.Process
		for _, name := range append([]string{"dockerd.exe"}, desktopProcesses...) {
			seen = append(seen, d.Processes.Named(name)...)
		}
		if len(seen) > 0 {
			ev = append(ev, "engine processes: "+processList(seen))
		} else {
			ev = append(ev, "engine processes: none (no dockerd.exe, no Docker Desktop)")
		}
	}
	return ev
}
