package claims

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// A local Windows daemon that does not answer at its pipe: the fix the user
// reads and the host facts quoted as evidence, whole, for each situation the
// host probe can show. Every row compares the full fix and evidence, so a
// changed condition or a garbled wording fails it.
func TestSilentDaemonFixAndEvidence(t *testing.T) {
	const pipeAbsent = "open //./pipe/docker_engine: The system cannot find the file specified."
	const errLine = "error: " + pipeAbsent
	procs := func(ps ...hostprobe.Process) *hostprobe.Snapshot {
		return &hostprobe.Snapshot{SelfPID: 1, Processes: append([]hostprobe.Process{{PID: 1, Name: "conformance.test.exe"}}, ps...)}
	}
	docker := func(state, startType string, pid int) func(d *evidence.Daemon) {
		return func(d *evidence.Daemon) {
			setService(d, hostprobe.Service{Name: "docker", Exists: true, State: state, StartType: startType, PID: pid})
		}
	}
	tests := []struct {
		doc, source string
		change      func(d *evidence.Daemon)
		fix         string
		evidence    []string
	}{
		{
			doc:    "Server 2016 whose docker service is stopped after an engine upgrade to 23.0",
			source: "moby daemon/daemon_windows.go checkSystem refuses builds below 17763 since 23.0",
			change: func(d *evidence.Daemon) {
				d.Host.Build, d.Host.Revision, d.Host.ProductType = "14393", 5125, "server"
				docker("stopped", "auto", 0)(d)
				d.Processes = procs()
			},
			fix: `this host is build 14393: Docker Engine 23.0 and later refuse to start below build 17763 ("this version of Windows does not support the docker daemon (Windows build 17763 or higher is required)") (the docker service is stopped: starting it again fails the same way), so the supported path for this host is gone: move the image to Windows Server 2019 or later (serviced: Windows Server 2022, 2025)`,
			evidence: []string{errLine,
				"host probe: windows build 14393.5125, product type server",
				"service docker: stopped, start type auto",
				"service vmms: running, start type auto",
				"engine processes: none (no dockerd.exe, no Docker Desktop)"},
		},
		{
			doc:    "Server 2016 whose docker service shows running (an old engine listening elsewhere): the state is not quoted as a failure to start",
			source: "moby daemon/daemon_windows.go checkSystem",
			change: func(d *evidence.Daemon) {
				d.Host.Build, d.Host.Revision = "14393", 0
				docker("running", "auto", 2044)(d)
			},
			fix: `this host is build 14393: Docker Engine 23.0 and later refuse to start below build 17763 ("this version of Windows does not support the docker daemon (Windows build 17763 or higher is required)"), so the supported path for this host is gone: move the image to Windows Server 2019 or later (serviced: Windows Server 2022, 2025)`,
			evidence: []string{errLine,
				"host probe: windows build 14393.0, product type unknown",
				"service docker: running, start type auto",
				"service vmms: running, start type auto"},
		},
		{
			doc:    "a host whose build the probe could not read (empty CurrentBuildNumber) and a stopped docker service: no build rule on a build of 0",
			source: "the service control manager; hostprobe leaves Build empty when it cannot read it",
			change: func(d *evidence.Daemon) {
				d.Host.Build = ""
				docker("stopped", "delayed-auto", 0)(d)
				d.Processes = procs()
			},
			fix: "the docker service is stopped (start type delayed-auto): Start-Service docker, and read the Application event log (source docker) if it stops again",
			evidence: []string{errLine,
				"host probe: windows build .805, product type unknown",
				"service docker: stopped, start type delayed-auto",
				"service vmms: running, start type auto",
				"engine processes: none (no dockerd.exe, no Docker Desktop)"},
		},
		{
			doc: "the docker service runs (its dockerd.exe is the service's process) but the pipe is absent: daemon.json \"hosts\" moved it",
			source: "Microsoft Learn, Configure Docker in Windows (daemon.json \"hosts\"): " +
				"https://learn.microsoft.com/en-us/virtualization/windowscontainers/manage-docker/configure-docker-daemon",
			change: func(d *evidence.Daemon) {
				docker("running", "auto", 2044)(d)
				d.Processes = procs(hostprobe.Process{PID: 2044, Name: "dockerd.exe"})
			},
			fix: `the docker service runs (PID 2044) but nothing answers at npipe:////./pipe/docker_engine: the engine listens elsewhere (daemon.json "hosts"); point DOCKER_HOST at it, or Restart-Service docker`,
			evidence: []string{errLine,
				"host probe: windows build 17763.805, product type unknown",
				"service docker: running, start type auto",
				"service vmms: running, start type auto",
				"engine processes: dockerd.exe PID 2044"},
		},
		{
			doc:    "the docker service runs but the service control manager reported no PID, and no process table was read",
			source: "SERVICE_STATUS_PROCESS.dwProcessId is 0 when not reported",
			change: docker("running", "auto", 0),
			fix:    `the docker service runs but nothing answers at npipe:////./pipe/docker_engine: the engine listens elsewhere (daemon.json "hosts"); point DOCKER_HOST at it, or Restart-Service docker`,
			evidence: []string{errLine,
				"host probe: windows build 17763.805, product type unknown",
				"service docker: running, start type auto",
				"service vmms: running, start type auto"},
		},
		{
			doc:    "Docker Desktop's app runs on a Windows 11 client, its engine does not answer",
			source: "docker/for-win#7186; Docker Desktop 4.x runs no docker service",
			change: func(d *evidence.Daemon) {
				d.Host.Build, d.Host.ProductType = "22631", "workstation"
				setService(d, hostprobe.Service{Name: "docker"})
				d.Processes = procs(hostprobe.Process{PID: 4120, Name: "Docker Desktop.exe"}, hostprobe.Process{PID: 4388, Name: "com.docker.backend.exe"})
			},
			fix: "Docker Desktop runs (Docker Desktop.exe PID 4120, com.docker.backend.exe PID 4388) but its engine does not answer at npipe:////./pipe/docker_engine: restart Docker Desktop's engine (Troubleshoot > Restart, or quit and start Docker Desktop) in Windows containers mode; Docker Desktop 4.x runs no docker service to start",
			evidence: []string{errLine,
				"host probe: windows build 22631.805, product type workstation",
				"service docker: not installed",
				"service vmms: running, start type auto",
				"engine processes: Docker Desktop.exe PID 4120, com.docker.backend.exe PID 4388"},
		},
		{
			doc:    "a dockerd.exe started by hand while the docker service is stopped",
			source: "a dockerd.exe that is not the docker service's process (moby docs: dockerd --register-service runs it as the service)",
			change: func(d *evidence.Daemon) {
				docker("stopped", "auto", 0)(d)
				d.Processes = procs(hostprobe.Process{PID: 5120, Name: "dockerd.exe"})
			},
			fix: "a dockerd.exe started by hand runs (dockerd.exe PID 5120), outside the docker service, and does not answer at npipe:////./pipe/docker_engine: stop it (Stop-Process -Id 5120) and Start-Service docker, or point DOCKER_HOST at the address it listens on",
			evidence: []string{errLine,
				"host probe: windows build 17763.805, product type unknown",
				"service docker: stopped, start type auto",
				"service vmms: running, start type auto",
				"engine processes: dockerd.exe PID 5120"},
		},
		{
			doc:    "a disabled docker service",
			source: "the service control manager's start type (SERVICE_DISABLED)",
			change: docker("stopped", "disabled", 0),
			fix:    "the docker service is disabled: Set-Service docker -StartupType Automatic; Start-Service docker",
			evidence: []string{errLine,
				"host probe: windows build 17763.805, product type unknown",
				"service docker: stopped, start type disabled",
				"service vmms: running, start type auto"},
		},
		{
			doc:    "no docker service, no engine process",
			source: "the service control manager: OpenService fails with ERROR_SERVICE_DOES_NOT_EXIST",
			change: func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "docker"})
				d.Processes = procs()
			},
			fix: "no docker service on this host and no engine runs: install the engine as a service (dockerd --register-service, Microsoft's install-docker-ce.ps1 or the Mirantis installer), or on Windows 10/11 start Docker Desktop in Windows containers mode",
			evidence: []string{errLine,
				"host probe: windows build 17763.805, product type unknown",
				"service docker: not installed",
				"service vmms: running, start type auto",
				"engine processes: none (no dockerd.exe, no Docker Desktop)"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			d := with(ws2019(), tc.change)
			d.Unreachable = &evidence.Failure{Kind: evidence.KindConnection, Message: pipeAbsent}
			v := CheckDaemonReachable(d)
			assert.Check(t, is.Equal(v.Status, Fail))
			assert.Check(t, is.Equal(v.Message, "cannot reach the Docker daemon at npipe:////./pipe/docker_engine: nothing listens there"))
			assert.Check(t, is.Equal(v.Fix, tc.fix), tc.source)
			assert.Check(t, is.DeepEqual(v.Evidence, tc.evidence), tc.source)
		})
	}
}

// Where the host gave no facts, the generic fix stands and only the error is
// quoted: a remote daemon, a Linux host, a probe that read nothing.
func TestSilentDaemonWithoutHostFacts(t *testing.T) {
	const generic = "start the daemon (Windows: Start-Service docker; Linux: systemctl start docker, or dockerd &), or point DOCKER_HOST at the daemon to test"
	tests := []struct {
		doc    string
		change func(d *evidence.Daemon)
	}{
		{doc: "a remote daemon (tcp://) that does not answer: the local host's services say nothing about it",
			change: func(d *evidence.Daemon) { d.Target, d.Local = "tcp://10.0.0.5:2376", false }},
		{doc: "a Linux host whose dockerd is stopped",
			change: func(d *evidence.Daemon) { d.Host.OS = "linux"; d.Services = nil }},
		{doc: "a Windows host whose probe failed (no OS facts)",
			change: func(d *evidence.Daemon) { d.Host = nil; d.Services = nil }},
		{doc: "a Windows host whose services could not be read and whose process table is empty of engines",
			change: func(d *evidence.Daemon) { d.Services = nil }},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			d := with(ws2019(), tc.change)
			d.Unreachable = &evidence.Failure{Kind: evidence.KindConnection, Message: "connect: connection refused"}
			v := CheckDaemonReachable(d)
			assert.Check(t, is.Equal(v.Status, Fail))
			assert.Check(t, is.Equal(v.Fix, generic))
			assert.Check(t, is.DeepEqual(v.Evidence, []string{"error: connect: connection refused"}))
		})
	}
}
