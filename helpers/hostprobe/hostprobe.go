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
	"time"
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
	// ParentPID is the PID of the process that created it (Windows keeps the
	// number even after the parent exits, so a parent is only trusted when
	// it was created before the child: see ParentOf).
	ParentPID int `json:"parent_pid,omitempty"`
	// CreateTime is when the process was created; zero when unknown. With the
	// PID it identifies a process: Windows reuses PIDs at once.
	CreateTime time.Time `json:"create_time,omitzero"`
	// OwnerSID is the user SID of the process's primary token; empty when it
	// could not be read.
	OwnerSID string `json:"owner_sid,omitempty"`
	// Owner is the account OwnerSID names ("NT VIRTUAL MACHINE\<VM id>"),
	// resolved only for Hyper-V virtual machine accounts (S-1-5-83-1-...).
	Owner string `json:"owner,omitempty"`
	// CommandLineIDs are the GUIDs on the process's command line, read for
	// vmwp.exe only (a VM worker names its VM there); CommandLineErr says why
	// the command line could not be read. Only the GUIDs are kept.
	CommandLineIDs []string `json:"command_line_ids,omitempty"`
	CommandLineErr string   `json:"command_line_error,omitempty"`
}

// Snapshot is the process table at one moment, with the harness's own PID so
// that a claim can tell a sound snapshot (it contains the harness) from a broken
// probe before it trusts an absence.
type Snapshot struct {
	SelfPID int `json:"self_pid"`
	// TakenAt is the host clock when the table was read; zero when unknown.
	// Two snapshots bound a window in which a new process must have been
	// created to belong to what happened between them.
	TakenAt   time.Time `json:"taken_at,omitzero"`
	Processes []Process `json:"processes"`
	// OwnersErr says why owner SIDs could not be read (Windows); empty when
	// they were.
	OwnersErr string `json:"owners_error,omitempty"`
	// HCS is the Host Compute Service's view when the table was read
	// (Windows; nil where there is none): what ties a container to its
	// utility VM.
	HCS *HCSView `json:"hcs,omitempty"`
}

// HCSView is the list of HCS compute systems, or why it could not be read.
type HCSView struct {
	Systems []ComputeSystem `json:"systems"`
	Err     string          `json:"error,omitempty"`
}

// ComputeSystem is one HCS compute system as HcsEnumerateComputeSystems
// reports it (hcsshim internal/hcs/schema1 ContainerProperties: Id,
// SystemType, Owner, RuntimeId, IsRuntimeTemplate, RuntimeImagePath; the HCS
// schema reference's ComputeSystemProperties adds HostingSystemId).
type ComputeSystem struct {
	ID         string `json:"id"`
	SystemType string `json:"system_type,omitempty"`
	Owner      string `json:"owner,omitempty"`
	// RuntimeID is the Hyper-V VM GUID behind the system; empty or the zero
	// GUID when it has none (a process-isolated container, and in the one
	// public dump a v1 Hyper-V container too).
	RuntimeID string `json:"runtime_id,omitempty"`
	// IsRuntimeTemplate marks a template VM ("Hyper-V Container Template"),
	// which HCS keeps to clone utility VMs from; RuntimeImagePath is the
	// utility VM image it was made from (moby terminates templates whose
	// path names a deleted layer: daemon/graphdriver/windows/windows.go).
	IsRuntimeTemplate bool   `json:"is_runtime_template,omitempty"`
	RuntimeImagePath  string `json:"runtime_image_path,omitempty"`
	// HostingSystemID is the utility VM a container runs in, where HCS
	// lists the container as a system of its own (older containerd shims).
	HostingSystemID string `json:"hosting_system_id,omitempty"`
}

// Self returns the harness's own entry in the snapshot.
func (s Snapshot) Self() (Process, bool) {
	return s.Find(s.SelfPID)
}

// Find returns the process with the given PID. A snapshot holds each PID at
// most once, since it is one moment of the table.
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
	// PID is the service's process while it runs (SERVICE_STATUS_PROCESS);
	// 0 when stopped or not reported. It tells the harness which host
	// processes must be in any sound snapshot.
	PID int `json:"pid,omitempty"`
	// StartTypeNote says why the start type is less precise than it could
	// be: an automatic service whose delayed-start flag could not be read
	// is reported "auto", with the OS's answer here. Empty when all was read.
	StartTypeNote string `json:"start_type_note,omitempty"`
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
	// InContainer lists what shows that the harness itself runs inside a
	// container; empty when nothing does. Inside a container the process
	// table is the container's, so no host-side claim can be judged. Each
	// OS's probe decides: on Linux containerSignals (PID namespace, cgroup,
	// bind mounts, /.dockerenv); on Windows WindowsInContainerSignals (a
	// container agent, CExecSvc.exe, in the harness's own session).
	InContainer []string `json:"in_container,omitempty"`
	// Unknown names each fact the probe could not read ("revision",
	// "edition") with the OS's answer: such a fact is reported as unknown,
	// never guessed, and the claims that need it say so.
	Unknown map[string]string `json:"unknown,omitempty"`
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

// SameProcess reports whether a and b are one process: the same PID, and,
// when both create times are known, the same create time (a PID reused by
// another program, or by another run of the same one, is another process).
// Without create times the name has to agree.
func SameProcess(a, b Process) bool {
	if a.PID != b.PID {
		return false
	}
	if !a.CreateTime.IsZero() && !b.CreateTime.IsZero() {
		return a.CreateTime.Equal(b.CreateTime)
	}
	return SameImageName(a.Name, b.Name)
}

// Contains reports whether p, identified by PID and create time, is in the
// snapshot.
func (s Snapshot) Contains(p Process) bool {
	q, ok := s.Find(p.PID)
	return ok && SameProcess(p, q) && SameImageName(p.Name, q.Name)
}

// NewProcesses lists the processes named name in after that were not in
// before, by identity: a PID that before held another process (reused) counts
// as new. Only a before/after difference ties a process to what happened
// between two snapshots.
func NewProcesses(before, after Snapshot, name string) []Process {
	var out []Process
	for _, p := range after.Named(name) {
		if !before.Contains(p) {
			out = append(out, p)
		}
	}
	return out
}

// ParentOf returns p's parent in s: the process with p's ParentPID, provided
// it was created before p (otherwise the parent exited and its PID was
// reused, and the process found is not the parent).
func (s Snapshot) ParentOf(p Process) (Process, bool) {
	if p.ParentPID == 0 {
		return Process{}, false
	}
	q, ok := s.Find(p.ParentPID)
	if !ok {
		return Process{}, false
	}
	if !q.CreateTime.IsZero() && !p.CreateTime.IsZero() && q.CreateTime.After(p.CreateTime) {
		return Process{}, false
	}
	return q, true
}
