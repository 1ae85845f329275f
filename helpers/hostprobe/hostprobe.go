// Package hostprobe reads the facts about the container host that the Engine API
// cannot give: the host's own process table, its services and its OS build.
//
// Claims never call a probe: the harness takes snapshots at named steps and hands
// them to the claims as evidence, so that the same claims run on recorded
// snapshots in replay on any OS. One file per OS implements Host
// (hostprobe_linux.go, hostprobe_windows.go); Recorded replays a fixture and
// Recording captures a live probe into one.
package hostprobe

import (
	"context"
	"errors"
	"strings"
)

// Host is the one interface between the harness and the machine it runs on.
// Every call names the harness step that takes it, so that a recording can key
// the answer by step and a replay can hand back the same answer at the same step.
type Host interface {
	// Processes snapshots the host's process table.
	Processes(ctx context.Context, step string) (Snapshot, error)
	// Services reads the state of the named services from the service control
	// manager. A service that does not exist is returned with Exists false.
	Services(ctx context.Context, step string, names []string) ([]Service, error)
	// OS describes the host operating system.
	OS(ctx context.Context, step string) (OSInfo, error)
}

// ErrNotSupported is returned for a fact the host's OS does not have, such as
// Windows services on Linux.
var ErrNotSupported = errors.New("not supported on this operating system")

// Process is one entry of a host process table.
type Process struct {
	PID  int    `json:"pid"`
	Name string `json:"name"`
	// Session is the Windows session id; nil when it could not be read (never 0
	// by default: session 0 is where host services run, so a guessed 0 would lie).
	Session *uint32 `json:"session,omitempty"`
	// PIDNamespace is the Linux PID namespace, as the /proc/<pid>/ns/pid link
	// reads ("pid:[4026531836]"); empty when it could not be read.
	PIDNamespace string `json:"pid_namespace,omitempty"`
}

// Snapshot is the process table at one moment, with the harness's own PID so
// that a claim can tell a sound snapshot (it contains the harness) from a broken
// probe before it trusts an absence.
type Snapshot struct {
	SelfPID   int       `json:"self_pid"`
	Processes []Process `json:"processes"`
}

// Self returns the harness's own entry in the snapshot.
func (s Snapshot) Self() (Process, bool) {
	return s.Find(s.SelfPID)
}

// Find returns the process with the given PID.
func (s Snapshot) Find(pid int) (Process, bool) {
	for _, p := range s.Processes {
		if p.PID == pid {
			return p, true
		}
	}
	return Process{}, false
}

// Named returns every process whose image name matches name, compared the way
// Windows compares file names (case-insensitive, ".exe" optional).
func (s Snapshot) Named(name string) []Process {
	var out []Process
	for _, p := range s.Processes {
		if SameImageName(p.Name, name) {
			out = append(out, p)
		}
	}
	return out
}

// SameImageName reports whether two process image names denote the same
// program: "PING.EXE", "ping.exe" and "ping" are one name. Linux truncates comm
// to 15 bytes, so a longer name matches on its first 15.
func SameImageName(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		if i := strings.LastIndexAny(s, `/\`); i >= 0 {
			s = s[i+1:]
		}
		s = strings.TrimSuffix(s, ".exe")
		if len(s) > 15 {
			s = s[:15]
		}
		return s
	}
	return norm(a) != "" && norm(a) == norm(b)
}

// Service is the state of one service as the service control manager reports it.
type Service struct {
	Name   string `json:"name"`
	Exists bool   `json:"exists"`
	// State is "running", "stopped", "start-pending", ... (lower case).
	State string `json:"state,omitempty"`
	// StartType is "auto", "delayed-auto", "manual", "disabled" or "boot"/"system".
	StartType string `json:"start_type,omitempty"`
}

// OSInfo describes the host operating system.
type OSInfo struct {
	// OS is "windows" or "linux".
	OS string `json:"os"`
	// Build is the Windows build number (17763) or the Linux kernel release.
	Build string `json:"build"`
	// Revision is the Windows update build revision (UBR); 0 when unknown or Linux.
	Revision int `json:"revision,omitempty"`
	// Edition is "server" or "client" on Windows (InstallationType); empty on Linux.
	Edition string `json:"edition,omitempty"`
	// ProductType is RtlGetVersion's product type on Windows: "workstation"
	// (a client edition), "server" or "domain-controller"; empty on Linux or
	// when unknown. The daemon picks its default isolation from it (moby
	// pkg/parsers/operatingsystem IsWindowsClient: ProductType ==
	// VER_NT_WORKSTATION), so the claims do too.
	ProductType string `json:"product_type,omitempty"`
	// Hostname is only used to redact it from recordings; it is never saved.
	Hostname string `json:"-"`
}

// IsClient reports whether the host is a Windows client edition (Windows
// 10/11), as the daemon decides it: by the product type when known, else by
// the installation type.
func (o OSInfo) IsClient() bool {
	if o.ProductType != "" {
		return o.ProductType == ProductWorkstation
	}
	return o.Edition == "client"
}

// NewProcesses lists the processes named name in after whose PID was not in
// before: only a before/after difference ties a process to what happened
// between two snapshots.
func NewProcesses(before, after Snapshot, name string) []Process {
	old := map[int]bool{}
	for _, p := range before.Named(name) {
		old[p.PID] = true
	}
	var out []Process
	for _, p := range after.Named(name) {
		if !old[p.PID] {
			out = append(out, p)
		}
	}
	return out
}
