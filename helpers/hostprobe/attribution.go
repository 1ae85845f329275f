package hostprobe

import (
	"fmt"
	"strings"
	"time"
)

// WorkerName is the Hyper-V VM worker process: one per running VM, a
// Hyper-V container's utility VM included.
const WorkerName = "vmwp.exe"

// Attribution methods: how the VM workers that appeared around a container's
// start were tied to it.
const (
	// AttributionExact: HCS names the container's utility VM (its compute
	// system, named by the container id, has a RuntimeId), and a VM's worker
	// runs as the VM's own account NT VIRTUAL MACHINE\<VM id>.
	AttributionExact = "exact"
	// AttributionTiming: a vmwp.exe that is new by PID and create time,
	// created inside the start window, by vmcompute.exe or vmms.exe. Sound
	// only while nothing else the harness does starts a VM in the window,
	// hence the harness-wide lock for this method.
	AttributionTiming = "timing"
)

// Attribution is which VM workers belong to one container.
type Attribution struct {
	Method string
	// Why says why exact attribution was not possible (timing only).
	Why string
	// VMID is the container's utility VM id as HCS reports it; empty when HCS
	// reports none (a process-isolated container) or was not used.
	VMID string
	// VMIDFrom names the compute system whose RuntimeId gave VMID.
	VMIDFrom string
	// Workers are the vmwp.exe processes attributed to the container.
	Workers []Process
	// Foreign are new vmwp.exe processes not attributed to it, with the
	// reason for each in ForeignWhy.
	Foreign    []Process
	ForeignWhy []string
}

// Ambiguous: timing found more than one candidate and cannot tell which is
// the container's.
func (a Attribution) Ambiguous() bool {
	return a.Method == AttributionTiming && len(a.Workers) > 1
}

// ExactAttributionPossible says whether a snapshot carries what exact
// attribution needs: the HCS compute systems and the owners of processes.
// The harness decides from it, before the rows start, whether the Windows
// rows may run concurrently.
func ExactAttributionPossible(s Snapshot) bool {
	return s.HCS != nil && s.HCS.Err == "" && s.OwnersErr == ""
}

// VMAccountDomain is the domain of the per-VM virtual accounts; hcsshim
// (internal/vm/vmutils/vmmem.go, LookupVMMEM) identifies a utility VM's vmmem
// process by its token user "NT VIRTUAL MACHINE\<VM id>".
const VMAccountDomain = "NT VIRTUAL MACHINE"

// VMOfOwner returns the VM id an owner account names
// ("NT VIRTUAL MACHINE\<VM id>"), normalised (upper case, no braces).
func VMOfOwner(owner string) (string, bool) {
	domain, account, ok := strings.Cut(owner, `\`)
	if !ok || !strings.EqualFold(domain, VMAccountDomain) {
		return "", false
	}
	id := normGUID(account)
	return id, id != "" && id != zeroGUID
}

const zeroGUID = "00000000-0000-0000-0000-000000000000"

func normGUID(s string) string {
	return strings.ToUpper(strings.Trim(strings.TrimSpace(s), "{}"))
}

// UtilityVMID finds the container's utility VM id in the HCS view. moby's
// built-in Windows runtime creates the compute system with the container id
// as its id (daemon/internal/libcontainerd/local/local_windows.go:
// hcsshim.CreateContainer(id, ...)), with HvPartition for Hyper-V; the
// containerd shim names the utility VM "<container id>@vm"
// (hcsshim cmd/containerd-shim-runhcs-v1/task_hcs.go). The VM id is the
// system's RuntimeId (hcsshim internal/uvm/create.go caches
// properties.RuntimeID as the "Hyper-V VM GUID"). That a v1 HvPartition
// container's own RuntimeId names its utility VM is not confirmed by a
// source this project read; the "@vm" system is tried second.
//
// found is false when HCS lists no system for the container at all.
func UtilityVMID(v HCSView, containerID string) (vmID, from string, found bool) {
	var own, uvm *ComputeSystem
	for i := range v.Systems {
		switch cs := &v.Systems[i]; {
		case strings.EqualFold(cs.ID, containerID):
			own = cs
		case strings.EqualFold(cs.ID, containerID+"@vm"):
			uvm = cs
		}
	}
	if own == nil && uvm == nil {
		return "", "", false
	}
	for _, cs := range []*ComputeSystem{own, uvm} {
		if cs == nil {
			continue
		}
		if id := normGUID(cs.RuntimeID); id != "" && id != zeroGUID {
			return id, "RuntimeId of compute system " + cs.ID, true
		}
	}
	return "", "", true
}

// AttributeWorkers ties the VM workers of after to the container: exactly
// when the snapshot has HCS's view and process owners, else by timing.
func AttributeWorkers(before, after Snapshot, containerID string) Attribution {
	fresh := NewProcesses(before, after, WorkerName)
	why := ""
	switch {
	case after.HCS == nil:
		why = "the probe reported no HCS compute systems"
	case after.HCS.Err != "":
		why = "HCS compute systems unreadable: " + after.HCS.Err
	case after.OwnersErr != "":
		why = "process owners unreadable: " + after.OwnersErr
	}
	if why == "" {
		vmID, from, found := UtilityVMID(*after.HCS, containerID)
		if !found {
			why = fmt.Sprintf("HCS lists no compute system named %s or %s@vm among %d", ShortID(containerID), ShortID(containerID), len(after.HCS.Systems))
		} else if a, unreadable := exact(fresh, after, vmID, from); unreadable == "" {
			return a
		} else {
			why = unreadable
		}
	}
	a := timing(before, after, fresh)
	a.Why = why
	return a
}

func exact(fresh []Process, after Snapshot, vmID, from string) (Attribution, string) {
	a := Attribution{Method: AttributionExact, VMID: vmID, VMIDFrom: from}
	if vmID != "" {
		for _, p := range after.Named(WorkerName) {
			if id, ok := VMOfOwner(p.Owner); ok && id == vmID {
				a.Workers = append(a.Workers, p)
			}
		}
	}
	var unknown []string
	for _, p := range fresh {
		if containsProcess(a.Workers, p) {
			continue
		}
		switch id, ok := VMOfOwner(p.Owner); {
		case ok:
			a.Foreign = append(a.Foreign, p)
			a.ForeignWhy = append(a.ForeignWhy, "runs as the account of VM "+id)
		default:
			unknown = append(unknown, fmt.Sprintf("%d (owner %q, SID %q)", p.PID, p.Owner, p.OwnerSID))
		}
	}
	// A new worker whose owner is no VM account cannot be told apart: if the
	// container's own worker was not found, it might be this one.
	if len(unknown) > 0 && len(a.Workers) == 0 && vmID != "" {
		return a, "the owner of new vmwp.exe " + strings.Join(unknown, ", ") + " is not a VM account"
	}
	for _, u := range unknown {
		a.ForeignWhy = append(a.ForeignWhy, "owner is not a VM account: "+u)
	}
	return a, ""
}

// timing keeps the new workers created by vmcompute.exe or vmms.exe (HCS
// starts utility VMs through vmcompute, Hyper-V Manager VMs through vmms)
// inside the window between the two snapshots.
func timing(before, after Snapshot, fresh []Process) Attribution {
	a := Attribution{Method: AttributionTiming}
	for _, p := range fresh {
		if reason := outsideWindow(before.TakenAt, after.TakenAt, p.CreateTime); reason != "" {
			a.Foreign = append(a.Foreign, p)
			a.ForeignWhy = append(a.ForeignWhy, reason)
			continue
		}
		if p.ParentPID != 0 {
			parent, ok := after.ParentOf(p)
			if !ok {
				parent, ok = before.ParentOf(p)
			}
			if !ok || (!SameImageName(parent.Name, "vmcompute.exe") && !SameImageName(parent.Name, "vmms.exe")) {
				a.Foreign = append(a.Foreign, p)
				a.ForeignWhy = append(a.ForeignWhy, fmt.Sprintf("created by %s, not by vmcompute.exe or vmms.exe", describeParent(parent, ok, p.ParentPID)))
				continue
			}
		}
		a.Workers = append(a.Workers, p)
	}
	return a
}

func outsideWindow(from, to, created time.Time) string {
	switch {
	case created.IsZero():
		return ""
	case !from.IsZero() && !created.After(from):
		return fmt.Sprintf("created at %s, before the start window opened (%s)", created.Format(time.RFC3339Nano), from.Format(time.RFC3339Nano))
	case !to.IsZero() && created.After(to):
		return fmt.Sprintf("created at %s, after the start window closed (%s)", created.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))
	}
	return ""
}

func describeParent(p Process, ok bool, pid int) string {
	if !ok {
		return fmt.Sprintf("PID %d (no longer running)", pid)
	}
	return fmt.Sprintf("%s (PID %d)", p.Name, p.PID)
}

func containsProcess(ps []Process, p Process) bool {
	for _, q := range ps {
		if SameProcess(p, q) {
			return true
		}
	}
	return false
}

// ShortID is the 12-character form Docker prints of a container or image id
// (without an image id's "sha256:").
func ShortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
