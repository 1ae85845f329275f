package hostprobe

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// WorkerName is the Hyper-V VM worker process: one per running VM, a
// Hyper-V container's utility VM included.
const WorkerName = "vmwp.exe"

// Attribution methods: how the VM workers that appeared around a container's
// start were tied to it, in the order they are tried (docs/hyperv-attribution.md).
const (
	// AttributionExact: HCS names the container's utility VM (the RuntimeId
	// of its compute system, or of "<id>@vm"), and a new worker runs as that
	// VM's account NT VIRTUAL MACHINE\<VM id> or names the id on its command
	// line.
	AttributionExact = "exact"
	// AttributionElimination: HCS and owners are readable but the exact step
	// did not apply (a zero RuntimeId, or no new worker keyed to it): the
	// candidates are the new vmwp.exe created by vmcompute.exe inside the
	// start window, less every worker whose account or command line names
	// another compute system HCS lists (template VMs, WSL, other containers'
	// utility VMs).
	AttributionElimination = "elimination"
	// AttributionTiming: HCS or process owners are unreadable (the gate is
	// not elevated): a vmwp.exe that is new by PID and create time, created
	// inside the start window, by vmcompute.exe or vmms.exe.
	AttributionTiming = "timing"
)

// Attribution and elimination, like timing, hold only while no other row of
// the harness starts a VM inside the window: whether the exact step will
// apply is known only after the start (a zero RuntimeId), so the harness
// serialises every Windows row's start window.

// Attribution is which VM workers belong to one container.
type Attribution struct {
	Method string
	// Why says why the exact step did not apply (elimination and timing).
	Why string
	// VMID is the container's utility VM id as HCS reports it; empty when HCS
	// reports none (a process-isolated container, a zero RuntimeId) or was
	// not used.
	VMID string
	// VMIDFrom names the compute system whose RuntimeId gave VMID.
	VMIDFrom string
	// Workers are the vmwp.exe processes attributed to the container.
	Workers []Process
	// Foreign are new vmwp.exe processes not attributed to it, with the
	// reason for each in ForeignWhy.
	Foreign    []Process
	ForeignWhy []string
	// NewTemplates are template VMs HCS lists after the start and not
	// before: created in the window (never the container's worker).
	NewTemplates []ComputeSystem
	// Facts says, for each fact the exact step rests on that no public
	// source confirms for container utility VMs, whether it held on this
	// host (docs/hyperv-attribution.md, "First run on a real host").
	Facts []string
}

// Ambiguous: several candidates are left and nothing tells which is the
// container's.
func (a Attribution) Ambiguous() bool {
	return a.Method != AttributionExact && len(a.Workers) > 1
}

// ExactAttributionPossible says whether a snapshot carries what the exact
// and elimination steps need: the HCS compute systems and the owners of
// processes. Without them attribution is by timing.
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

// guidPattern is a GUID in its registry form, braces optional.
var guidPattern = regexp.MustCompile(`(?i)\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?`)

// GUIDsIn returns the GUIDs a text holds (a vmwp.exe command line), in order,
// normalised, without duplicates and without the zero GUID. The VM GUID is a
// parameter of vmwp.exe's command line (peter-docker/peter-kbase
// MobyLinuxVM_hangs_on_shutdown: "A parameter on the command will be the
// GUID"; tired-labs/techniques PR #15 trr0000: "the username (as well as
// CommandLine) will contain the GUID of the VM").
func GUIDsIn(text string) []string {
	var out []string
	for _, m := range guidPattern.FindAllStringSubmatch(text, -1) {
		id := normGUID(m[1])
		if id != zeroGUID && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// isGUID reports whether s is one GUID and nothing else.
func isGUID(s string) bool {
	ids := GUIDsIn(s)
	return len(ids) == 1 && len(normGUID(s)) == len(zeroGUID)
}

// containerSystems returns the compute systems HCS lists for the container:
// moby's built-in Windows runtime creates one named by the container id
// (daemon/internal/libcontainerd/local/local_windows.go:
// hcsshim.CreateContainer(id, ...), Owner "docker", HvPartition for
// Hyper-V); containerd's shim names the utility VM "<container id>@vm"
// (hcsshim cmd/containerd-shim-runhcs-v1/task_hcs.go,
// fmt.Sprintf("%s@vm", req.ID); SystemType VirtualMachine, Owner the shim's
// executable name), and with the external GCS bridge (default since hcsshim
// v0.8.10) the container itself is not a host compute system.
func containerSystems(v HCSView, containerID string) (own, uvm *ComputeSystem) {
	for i := range v.Systems {
		switch cs := &v.Systems[i]; {
		case strings.EqualFold(cs.ID, containerID):
			own = cs
		case strings.EqualFold(cs.ID, containerID+"@vm"):
			uvm = cs
		}
	}
	return own, uvm
}

// UtilityVMID finds the container's utility VM id in the HCS view: the
// non-zero RuntimeId of its own compute system, else of "<id>@vm" (hcsshim
// internal/uvm/create.go caches properties.RuntimeID as the utility VM's
// "Hyper-V VM GUID"; vmmem runs as NT VIRTUAL MACHINE\<that id>,
// internal/uvm/stats.go). That a v1 HvPartition container's own RuntimeId
// names its utility VM is not confirmed by any public source: the one public
// HCS dump of a v1 HvPartition system (hcsshim v0.6.0 container.go, a comment
// of commit ffd0daf83) shows RuntimeId all zeros, so a zero RuntimeId is no
// finding, only the end of the exact step. A RuntimeId that names a template
// VM is not the container's (templates are separate compute systems: moby
// daemon/graphdriver/windows/windows.go terminates them by
// IsRuntimeTemplate).
//
// found is false when HCS lists no system for the container at all; zero is
// the system whose RuntimeId was zero, when that ended the search.
func UtilityVMID(v HCSView, containerID string) (vmID, from string, found bool) {
	own, uvm := containerSystems(v, containerID)
	candidates := []*ComputeSystem{own, uvm}
	if own != nil && own.HostingSystemID != "" {
		// A container HCS lists as hosted in a utility VM (hcsshim
		// internal/uvm/create.go, without a GCS bridge: HostingSystemId)
		// is no VM itself: its VM is the hosting system.
		candidates = []*ComputeSystem{uvm}
		for i := range v.Systems {
			if strings.EqualFold(v.Systems[i].ID, own.HostingSystemID) {
				candidates = []*ComputeSystem{&v.Systems[i], uvm}
			}
		}
	}
	for _, cs := range candidates {
		if cs == nil {
			continue
		}
		id := normGUID(cs.RuntimeID)
		if id != "" && id != zeroGUID && !namesTemplate(v, id) {
			return id, "RuntimeId of compute system " + cs.ID, true
		}
	}
	return "", "", own != nil || uvm != nil
}

func namesTemplate(v HCSView, id string) bool {
	for _, cs := range v.Systems {
		if cs.IsRuntimeTemplate && (normGUID(cs.ID) == id || normGUID(cs.RuntimeID) == id) {
			return true
		}
	}
	return false
}

// vmKeys are the VM ids a worker names: its account's and those on its
// command line.
func vmKeys(p Process) []string {
	var keys []string
	if id, ok := VMOfOwner(p.Owner); ok {
		keys = append(keys, id)
	}
	for _, id := range p.CommandLineIDs {
		if id = normGUID(id); id != zeroGUID && !slices.Contains(keys, id) {
			keys = append(keys, id)
		}
	}
	return keys
}

// namesVM says how p names the VM id: by its account, by its command line,
// or not ("").
func namesVM(p Process, id string) string {
	var how []string
	if own, ok := VMOfOwner(p.Owner); ok && own == id {
		how = append(how, "runs as "+VMAccountDomain+`\`+id)
	}
	for _, c := range p.CommandLineIDs {
		if normGUID(c) == id {
			how = append(how, "names "+id+" on its command line")
			break
		}
	}
	return strings.Join(how, " and ")
}

// listedVM finds, among the compute systems HCS lists other than the
// container's own, the one a worker's keys name: by the system's non-zero
// RuntimeId, or by its id when that is a GUID (a VM's or a template's id,
// as hcsdiag lists them: roy-n-roy.github.io HostComputeService.md).
func listedVM(v HCSView, containerID string, p Process) (ComputeSystem, string, bool) {
	hosting := ""
	if own, _ := containerSystems(v, containerID); own != nil {
		hosting = own.HostingSystemID
	}
	for _, key := range vmKeys(p) {
		for _, cs := range v.Systems {
			if strings.EqualFold(cs.ID, containerID) || strings.EqualFold(cs.ID, containerID+"@vm") || (hosting != "" && strings.EqualFold(cs.ID, hosting)) {
				continue
			}
			if normGUID(cs.RuntimeID) == key || (isGUID(cs.ID) && normGUID(cs.ID) == key) {
				return cs, key, true
			}
		}
	}
	return ComputeSystem{}, "", false
}

// DescribeSystem names a compute system for the evidence.
func DescribeSystem(cs ComputeSystem) string {
	kind := "compute system"
	if cs.IsRuntimeTemplate {
		kind = "template VM"
	}
	s := kind + " " + cs.ID
	var attrs []string
	if cs.SystemType != "" {
		attrs = append(attrs, "type "+cs.SystemType)
	}
	if cs.Owner != "" {
		attrs = append(attrs, "owner "+cs.Owner)
	} else {
		attrs = append(attrs, "no owner")
	}
	if cs.RuntimeID != "" {
		attrs = append(attrs, "RuntimeId "+normGUID(cs.RuntimeID))
	}
	if cs.IsRuntimeTemplate {
		attrs = append(attrs, "IsRuntimeTemplate")
	}
	if cs.RuntimeImagePath != "" {
		attrs = append(attrs, "RuntimeImagePath "+cs.RuntimeImagePath)
	}
	if cs.HostingSystemID != "" {
		attrs = append(attrs, "HostingSystemId "+cs.HostingSystemID)
	}
	return s + " (" + strings.Join(attrs, ", ") + ")"
}

// AttributeWorkers ties the VM workers of after to the container, trying in
// order: exact, elimination, and timing when HCS or process owners cannot be
// read. Each step says why the one before did not apply.
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
	if why != "" {
		a := timing(before, after, fresh)
		a.Why = why
		a.Facts = unreadableFacts(why)
		return a
	}
	hcs := *after.HCS
	a := Attribution{NewTemplates: newTemplates(before.HCS, hcs)}
	vmID, from, found := UtilityVMID(hcs, containerID)
	a.VMID, a.VMIDFrom = vmID, from
	// Exact (sources at UtilityVMID and VMOfOwner): a new worker runs as
	// the container's utility VM or names it on its command line.
	if vmID != "" {
		for _, p := range fresh {
			if namesVM(p, vmID) != "" {
				a.Workers = append(a.Workers, p)
			}
		}
	}
	a.Facts = facts(hcs, containerID, vmID, found, fresh, a.Workers, a.NewTemplates)
	if len(a.Workers) > 0 {
		a.Method = AttributionExact
		for _, p := range fresh {
			if !containsProcess(a.Workers, p) {
				a.Foreign = append(a.Foreign, p)
				a.ForeignWhy = append(a.ForeignWhy, notTheContainers(hcs, containerID, p))
			}
		}
		return a
	}
	// Elimination (the order; the candidates as timing's, less the
	// workers of every other listed compute system).
	a.Method = AttributionElimination
	switch {
	case !found:
		a.Why = fmt.Sprintf("HCS lists no compute system named %s or %s@vm among %d", ShortID(containerID), ShortID(containerID), len(hcs.Systems))
	case vmID == "":
		a.Why = "the container's compute system reports no utility VM id (a zero or empty RuntimeId)"
	default:
		a.Why = fmt.Sprintf("no new vmwp.exe runs as %s\\%s or names it on its command line", VMAccountDomain, vmID)
	}
	for _, p := range fresh {
		// Utility VMs are started by vmcompute.exe (HCS); a worker that
		// vmms.exe created is a Hyper-V Manager VM's.
		if reason := notCandidate(before, after, p, "vmcompute.exe"); reason != "" {
			a.Foreign = append(a.Foreign, p)
			a.ForeignWhy = append(a.ForeignWhy, reason)
			continue
		}
		if cs, key, listed := listedVM(hcs, containerID, p); listed {
			a.Foreign = append(a.Foreign, p)
			a.ForeignWhy = append(a.ForeignWhy, fmt.Sprintf("names %s, another compute system HCS lists: %s", key, DescribeSystem(cs)))
			continue
		}
		a.Workers = append(a.Workers, p)
	}
	return a
}

// notTheContainers says why a new worker beside the container's own is not
// its: the VM it names, listed or not, or that it names none.
func notTheContainers(hcs HCSView, containerID string, p Process) string {
	if cs, key, ok := listedVM(hcs, containerID, p); ok {
		return fmt.Sprintf("names %s: %s", key, DescribeSystem(cs))
	}
	if keys := vmKeys(p); len(keys) > 0 {
		return "names " + strings.Join(keys, ", ") + ", a VM HCS does not list"
	}
	return fmt.Sprintf("names no VM (owner %q, SID %q)", p.Owner, p.OwnerSID)
}

func newTemplates(before *HCSView, after HCSView) []ComputeSystem {
	var out []ComputeSystem
	for _, cs := range after.Systems {
		if !cs.IsRuntimeTemplate {
			continue
		}
		listed := false
		if before != nil {
			for _, b := range before.Systems {
				listed = listed || strings.EqualFold(b.ID, cs.ID)
			}
		}
		if !listed {
			out = append(out, cs)
		}
	}
	return out
}

// facts answers, for the first run on a real host, the questions the exact
// step rests on.
func facts(hcs HCSView, containerID, vmID string, found bool, fresh, exact []Process, created []ComputeSystem) []string {
	own, uvm := containerSystems(hcs, containerID)
	var out []string
	switch {
	case vmID != "":
		out = append(out, "RuntimeId present: yes, "+vmID)
	case !found:
		out = append(out, "RuntimeId present: unknown, HCS lists no compute system for the container")
	default:
		var zero []string
		for _, cs := range []*ComputeSystem{own, uvm} {
			if cs != nil {
				zero = append(zero, fmt.Sprintf("%s reports %q", cs.ID, cs.RuntimeID))
			}
		}
		out = append(out, "RuntimeId present: no, "+strings.Join(zero, "; "))
	}
	byAccount, byCommandLine := "no new vmwp.exe", "no new vmwp.exe"
	if len(fresh) > 0 {
		var accounts, lines []string
		for _, p := range fresh {
			switch {
			case p.Owner != "":
				accounts = append(accounts, fmt.Sprintf("%d as %s", p.PID, p.Owner))
			case p.OwnerSID != "":
				accounts = append(accounts, fmt.Sprintf("%d as SID %s, no VM account", p.PID, p.OwnerSID))
			default:
				accounts = append(accounts, fmt.Sprintf("%d owner not read", p.PID))
			}
			switch {
			case p.CommandLineErr != "":
				lines = append(lines, fmt.Sprintf("%d unreadable (%s)", p.PID, p.CommandLineErr))
			case len(p.CommandLineIDs) == 0:
				lines = append(lines, fmt.Sprintf("%d no GUID read from it", p.PID))
			default:
				lines = append(lines, fmt.Sprintf("%d names %s", p.PID, strings.Join(p.CommandLineIDs, ", ")))
			}
		}
		byAccount, byCommandLine = "new vmwp.exe "+strings.Join(accounts, ", "), "new vmwp.exe "+strings.Join(lines, ", ")
	}
	account, commandLine := "unknown (no RuntimeId to compare)", "unknown (no RuntimeId to compare)"
	if vmID != "" {
		account, commandLine = "no", "no"
		for _, p := range exact {
			if own, ok := VMOfOwner(p.Owner); ok && own == vmID {
				account = "yes"
			}
			for _, c := range p.CommandLineIDs {
				if normGUID(c) == vmID {
					commandLine = "yes"
				}
			}
		}
	}
	out = append(out, "worker account = RuntimeId: "+account+"; "+byAccount,
		"command line = RuntimeId: "+commandLine+"; "+byCommandLine)
	var templates []string
	for _, cs := range hcs.Systems {
		if cs.IsRuntimeTemplate {
			when := "listed before the start"
			if slices.ContainsFunc(created, func(c ComputeSystem) bool { return c.ID == cs.ID }) {
				when = "created in the start window"
			}
			templates = append(templates, cs.ID+" ("+when+")")
		}
	}
	if len(templates) == 0 {
		out = append(out, "template VM seen: no")
	} else {
		out = append(out, "template VM seen: yes, "+strings.Join(templates, ", "))
	}
	return out
}

func unreadableFacts(why string) []string {
	return []string{"RuntimeId present: unknown, " + why, "worker account = RuntimeId: unknown", "command line = RuntimeId: unknown", "template VM seen: unknown"}
}

// parentOf returns p's parent from after, else from before; known is false
// when p's parent PID is not recorded.
func parentOf(before, after Snapshot, p Process) (parent Process, ok, known bool) {
	if p.ParentPID == 0 {
		return Process{}, false, false
	}
	parent, ok = after.ParentOf(p)
	if !ok {
		parent, ok = before.ParentOf(p)
	}
	return parent, ok, true
}

// timing keeps the new workers created by vmcompute.exe or vmms.exe (HCS
// starts utility VMs through vmcompute, Hyper-V Manager VMs through vmms)
// inside the window between the two snapshots.
func timing(before, after Snapshot, fresh []Process) Attribution {
	a := Attribution{Method: AttributionTiming}
	for _, p := range fresh {
		if reason := notCandidate(before, after, p, "vmcompute.exe", "vmms.exe"); reason != "" {
			a.Foreign = append(a.Foreign, p)
			a.ForeignWhy = append(a.ForeignWhy, reason)
			continue
		}
		a.Workers = append(a.Workers, p)
	}
	return a
}

// notCandidate says why a new worker cannot have come with the container
// by when and by whom it was created: outside the start window, or by a
// process other than parents (when its parent is recorded); "" when it can.
func notCandidate(before, after Snapshot, p Process, parents ...string) string {
	if reason := outsideWindow(before.TakenAt, after.TakenAt, p.CreateTime); reason != "" {
		return reason
	}
	parent, ok, known := parentOf(before, after, p)
	if known && (!ok || !slices.ContainsFunc(parents, func(n string) bool { return SameImageName(parent.Name, n) })) {
		return fmt.Sprintf("created by %s, not by %s", describeParent(parent, ok, p.ParentPID), strings.Join(parents, " or "))
	}
	return ""
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
