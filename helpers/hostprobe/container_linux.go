package hostprobe

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// initialPIDNamespace is the host's initial PID namespace as /proc/<pid>/ns/pid
// names it: the kernel gives it the fixed inode PROC_PID_INIT_INO (0xEFFFFFFC,
// include/linux/proc_ns.h). A process in any other PID namespace runs in a
// container (or a sandbox like one) and its /proc shows only that namespace.
const initialPIDNamespace = "pid:[4026531836]"

// containerSignals reads, under root ("/" live), what shows that this process
// runs inside a container. A signal counts only when it shows that the
// process table the probe reads is not the host's, or that the process was
// started by a container runtime:
//
//   - its PID namespace is not the host's initial one, or differs from PID 1's
//     (a host's /proc mounted into a container);
//   - its cgroup path is a container's (docker, kubepods, libpod, lxc);
//   - /etc/hostname, /etc/hosts or /etc/resolv.conf are bind mounts of a
//     runtime's per-container files (/var/lib/docker/containers/<id>/...).
//
// /.dockerenv and /run/.containerenv are quoted beside such a signal but never
// decide alone: a machine image built from a container image keeps the file
// (this project's CI host has a /.dockerenv, yet its harness runs in the
// initial PID namespace and sees every host process).
func containerSignals(root string) []string {
	var signals []string
	self, selfErr := os.Readlink(filepath.Join(root, "proc/self/ns/pid"))
	if selfErr == nil && self != initialPIDNamespace {
		signals = append(signals, fmt.Sprintf("the harness's PID namespace is %s, not the host's initial %s", self, initialPIDNamespace))
	}
	if first, err := os.Readlink(filepath.Join(root, "proc/1/ns/pid")); err == nil && selfErr == nil && first != self {
		signals = append(signals, fmt.Sprintf("the harness's PID namespace %s differs from PID 1's %s", self, first))
	}
	var cgroups []string
	eachLine(filepath.Join(root, "proc/self/cgroup"), func(line string) {
		// hierarchy-ID:controllers:path
		parts := strings.SplitN(line, ":", 3)
		if len(parts) == 3 && containerPath(parts[2]) {
			cgroups = append(cgroups, line)
		}
	})
	switch len(cgroups) {
	case 0:
	case 1:
		signals = append(signals, "cgroup "+cgroups[0])
	default: // cgroup v1 lists every controller: one line says it
		signals = append(signals, fmt.Sprintf("cgroup %s (and %d more)", cgroups[0], len(cgroups)-1))
	}
	eachLine(filepath.Join(root, "proc/self/mountinfo"), func(line string) {
		// mount-ID parent-ID major:minor root mount-point options ...
		f := strings.Fields(line)
		if len(f) < 5 {
			return
		}
		switch f[4] {
		case "/etc/hostname", "/etc/hosts", "/etc/resolv.conf":
			if strings.Contains(f[3], "/containers/") || strings.Contains(f[3], "/pods/") {
				signals = append(signals, fmt.Sprintf("%s is a bind mount of %s", f[4], f[3]))
			}
		}
	})
	if len(signals) == 0 {
		return nil
	}
	for _, marker := range []string{"/.dockerenv", "/run/.containerenv"} {
		if _, err := os.Stat(filepath.Join(root, marker)); err == nil {
			signals = append(signals, marker+" exists")
		}
	}
	return signals
}

// containerPath reports whether a cgroup path is one a container runtime made.
func containerPath(path string) bool {
	for _, part := range []string{"/docker/", "/docker-", "/kubepods", "/libpod-", "/libpod_", "/lxc/", "/lxc.payload"} {
		if strings.Contains(path, part) {
			return true
		}
	}
	return false
}

func eachLine(path string, f func(string)) {
	file, err := os.Open(path)
	if err != nil {
		return
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		f(sc.Text())
	}
}
