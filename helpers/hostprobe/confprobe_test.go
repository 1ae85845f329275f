package hostprobe

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// Rows that pin the probe's decisions on host situations the fixtures never
// carry: PIDs that belong to other programs, parents that exited, windows
// without a bound, HCS views without the container's hosting VM, and the
// whole wording of what each decision says.

const (
	cpCID      = "3f7c795918db21fb76720502fefc51210e8d037ebcacb5e4dd505aec35f322ac"
	cpUVM      = "5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418"
	cpTemplate = "0ACF54A5-CEEF-454A-BDC7-56D2C9A223B9"
	cpOther    = "C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35"
)

// TestRequiredProcessWhosePIDIsAnotherPrograms: the service control manager
// says dockerd runs as PID 2740, but the snapshot holds another program at
// 2740 (the service died and Windows reused its PID at once, issue 17: "a
// snapshot whose dockerd/vmcompute PIDs belong to other programs"): the
// snapshot lacks the docker service's process.
func TestRequiredProcessWhosePIDIsAnotherPrograms(t *testing.T) {
	s := Snapshot{Processes: []Process{{PID: 2740, Name: "svchost.exe"}, {PID: 1876, Name: "vmcompute.exe"}}}
	req := []Required{{What: "the docker service's", Name: "dockerd.exe", PID: 2740}, {What: "the host compute service's", Name: "vmcompute.exe", PID: 1876}}
	assert.DeepEqual(t, MissingRequired(s, req), []string{"the docker service's dockerd.exe PID 2740"})
	s.Processes[0].Name = "DOCKERD.EXE"
	assert.Check(t, is.Len(MissingRequired(s, req), 0), "the same program, as Windows spells it")
	assert.Check(t, is.Len(MissingRequired(s, []Required{{What: "any", Name: "dockerd"}}), 0), "no PID reported: any process of the name counts")
	assert.DeepEqual(t, MissingRequired(Snapshot{}, req[:1]), []string{"the docker service's dockerd.exe PID 2740"})
}

// TestInContainerSignalWording: the evidence names the agent, its PID and
// the session it shares with the harness; without the harness's own entry
// or session nothing is claimed, and an agent whose session is unknown is
// not counted.
func TestInContainerSignalWording(t *testing.T) {
	inside := Snapshot{SelfPID: 10, Processes: []Process{
		{PID: 10, Name: "conformance.test.exe", Session: u32(3)},
		{PID: 6216, Name: "CExecSvc.exe", Session: u32(3)},
		{PID: 6300, Name: "cexecsvc.exe"},
	}}
	assert.DeepEqual(t, WindowsInContainerSignals(inside), []string{"CExecSvc.exe (PID 6216) runs in the harness's session 3"})

	noSelf := inside
	noSelf.SelfPID = 11
	assert.Check(t, is.Len(WindowsInContainerSignals(noSelf), 0), "the harness is not in the table: nothing to compare")
	noSession := Snapshot{SelfPID: 10, Processes: []Process{{PID: 10, Name: "conformance.test.exe"}, {PID: 6216, Name: "CExecSvc.exe", Session: u32(3)}}}
	assert.Check(t, is.Len(WindowsInContainerSignals(noSession), 0), "the harness's session unknown: nothing claimed")
}

// TestApplyOwnersSkipsWhatItCannotTie: an owner entry for a process that
// exited between the two reads, or one without a SID, sets nothing.
func TestApplyOwnersSkipsWhatItCannotTie(t *testing.T) {
	procs := []Process{{PID: 7312, Name: "vmwp.exe", OwnerSID: "S-1-5-18"}}
	ApplyOwners(procs, []OwnerEntry{
		{PID: 9999, Name: "vmwp.exe", SID: "S-1-5-83-1-1", VMAccount: `NT VIRTUAL MACHINE\` + cpUVM},
		{PID: 7312, Name: "vmwp.exe", SID: "", VMAccount: `NT VIRTUAL MACHINE\` + cpUVM},
	})
	assert.DeepEqual(t, procs, []Process{{PID: 7312, Name: "vmwp.exe", OwnerSID: "S-1-5-18"}})
}

// TestClientEditionWhenLittleIsKnown: moby's IsWindowsClient is true only
// for VER_NT_WORKSTATION; with neither product type nor installation type
// read, or an installation type that names no client, the host is not a
// client.
func TestClientEditionWhenLittleIsKnown(t *testing.T) {
	assert.Check(t, !OSInfo{}.IsClient())
	assert.Check(t, !OSInfo{Edition: "embedded"}.IsClient())
	assert.Check(t, !OSInfo{ProductType: ProductDomainController}.IsClient())
	assert.Check(t, OSInfo{ProductType: ProductWorkstation, Edition: "server"}.IsClient())
}

// TestParentOfEdges: a parent is trusted when either create time is
// unknown (a fixture recorded before create times were), and not found for
// a worker without a recorded parent or whose parent is not in the table.
func TestParentOfEdges(t *testing.T) {
	vmcompute := Process{PID: 1876, Name: "vmcompute.exe", CreateTime: t0.Add(-time.Hour)}
	s := Snapshot{Processes: []Process{vmcompute}}
	p, ok := s.ParentOf(Process{PID: 7312, ParentPID: 1876})
	assert.Check(t, ok && p.PID == 1876, "the child's create time unknown: the parent is trusted")
	s.Processes[0].CreateTime = time.Time{}
	p, ok = s.ParentOf(Process{PID: 7312, ParentPID: 1876, CreateTime: t0})
	assert.Check(t, ok && p.PID == 1876, "the parent's create time unknown: trusted")
	s.Processes[0].CreateTime = t0
	p, ok = s.ParentOf(Process{PID: 7312, ParentPID: 1876, CreateTime: t0})
	assert.Check(t, ok && p.PID == 1876, "created at the same tick: still the parent")
	_, ok = s.ParentOf(Process{PID: 7312, ParentPID: 4444, CreateTime: t0})
	assert.Check(t, !ok, "a parent not in the table")
	_, ok = s.ParentOf(Process{PID: 7312, CreateTime: t0})
	assert.Check(t, !ok, "no parent recorded")
}

// timingHost is an unelevated gate's pair of snapshots (owners unreadable,
// so attribution is by timing) around a Hyper-V container's start.
func timingHost(before, after []Process) (Snapshot, Snapshot) {
	return Snapshot{TakenAt: t0, Processes: before},
		Snapshot{TakenAt: t0.Add(5 * time.Second), Processes: after, OwnersErr: "WTSEnumerateProcessesExW: Access is denied.", HCS: &HCSView{Systems: []ComputeSystem{}}}
}

// TestTimingCandidates: the rows of docs/hyperv-attribution.md's timing
// step, each with the whole reason a foreign worker gets.
func TestTimingCandidates(t *testing.T) {
	vmcompute := Process{PID: 1876, Name: "vmcompute.exe", CreateTime: t0.Add(-time.Hour)}
	vmms := Process{PID: 2604, Name: "vmms.exe", CreateTime: t0.Add(-time.Hour)}
	svchost := Process{PID: 900, Name: "svchost.exe", CreateTime: t0.Add(-time.Hour)}
	worker := func(parent int, created time.Time) Process {
		return Process{PID: 2960, Name: "vmwp.exe", ParentPID: parent, CreateTime: created}
	}
	in := t0.Add(time.Second)
	tests := []struct {
		doc           string
		before, after []Process
		candidate     bool
		why           string
	}{
		{doc: "created by vmcompute.exe inside the window", before: []Process{vmcompute}, after: []Process{vmcompute, worker(1876, in)}, candidate: true},
		{doc: "created by vmms.exe inside the window (timing keeps both starters)", before: []Process{vmms}, after: []Process{vmms, worker(2604, in)}, candidate: true},
		{doc: "no parent PID recorded: judged by time alone", before: nil, after: []Process{worker(0, in)}, candidate: true},
		{doc: "no create time read: judged by parent alone", before: []Process{vmcompute}, after: []Process{vmcompute, worker(1876, time.Time{})}, candidate: true},
		{doc: "vmcompute.exe exited after the start: found in the snapshot before", before: []Process{vmcompute}, after: []Process{worker(1876, in)}, candidate: true},
		{doc: "created by another program", before: []Process{svchost}, after: []Process{svchost, worker(900, in)},
			why: "created by svchost.exe (PID 900), not by vmcompute.exe or vmms.exe"},
		{doc: "its parent is in neither snapshot", before: nil, after: []Process{worker(1876, in)},
			why: "created by PID 1876 (no longer running), not by vmcompute.exe or vmms.exe"},
		{doc: "created after the window closed", before: []Process{vmcompute}, after: []Process{vmcompute, worker(1876, t0.Add(5*time.Second+100))},
			why: "created at 2026-11-29T01:00:05.0000001Z, after the start window closed (2026-11-29T01:00:05Z)"},
		{doc: "created before the window opened", before: []Process{vmcompute}, after: []Process{vmcompute, worker(1876, t0.Add(-time.Second))},
			why: "created at 2026-11-29T00:59:59Z, before the start window opened (2026-11-29T01:00:00Z)"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			before, after := timingHost(tc.before, tc.after)
			a := AttributeWorkers(before, after, cpCID)
			assert.Check(t, is.Equal(a.Method, AttributionTiming))
			assert.Check(t, is.Equal(a.Why, "process owners unreadable: WTSEnumerateProcessesExW: Access is denied."))
			if tc.candidate {
				assert.Check(t, is.Len(a.Workers, 1))
				assert.Check(t, is.Len(a.ForeignWhy, 0))
				return
			}
			assert.Check(t, is.Len(a.Workers, 0))
			assert.DeepEqual(t, a.ForeignWhy, []string{tc.why})
		})
	}
}

// TestWindowWithoutABound: snapshots without a clock (a fixture recorded
// before TakenAt existed) bound nothing on that side.
func TestWindowWithoutABound(t *testing.T) {
	assert.Check(t, is.Equal(outsideWindow(time.Time{}, t0, t0.Add(-time.Hour)), ""))
	assert.Check(t, is.Equal(outsideWindow(t0, time.Time{}, t0.Add(time.Hour)), ""))
	assert.Check(t, is.Equal(outsideWindow(t0, t0.Add(time.Second), time.Time{}), ""))
}

// TestUtilityVMIDWhenTheHostingVMIsNotListed: an older containerd shim's
// container names its hosting system, but HCS did not list that system in
// this answer (it stopped, or the list raced the start): the container's
// own RuntimeId is not its VM's, so no VM id is found, though HCS lists the
// container.
func TestUtilityVMIDWhenTheHostingVMIsNotListed(t *testing.T) {
	v := HCSView{Systems: []ComputeSystem{{ID: cpCID, Owner: "containerd-shim-runhcs-v1.exe", RuntimeID: cpOther, HostingSystemID: "uvm-" + cpCID}}}
	id, from, found := UtilityVMID(v, cpCID)
	assert.Check(t, is.Equal(id, ""))
	assert.Check(t, is.Equal(from, ""))
	assert.Check(t, found)

	v.Systems = append(v.Systems, ComputeSystem{ID: cpCID + "@vm", SystemType: "VirtualMachine", RuntimeID: cpUVM})
	id, from, found = UtilityVMID(v, cpCID)
	assert.Check(t, is.Equal(id, cpUVM))
	assert.Check(t, is.Equal(from, "RuntimeId of compute system "+cpCID+"@vm"))
	assert.Check(t, found)
}

// TestRuntimeIdNamingATemplateEitherWay: a template VM may be named by its
// id or by its RuntimeId (hcsdiag lists both: roy-n-roy.github.io
// HostComputeService.md); a container RuntimeId equal to either is the
// template's, not the container's utility VM.
func TestRuntimeIdNamingATemplateEitherWay(t *testing.T) {
	tpl := ComputeSystem{ID: cpTemplate, SystemType: "VirtualMachine", RuntimeID: cpOther, IsRuntimeTemplate: true}
	for _, runtimeID := range []string{cpTemplate, cpOther} {
		v := HCSView{Systems: []ComputeSystem{{ID: cpCID, Owner: "docker", RuntimeID: runtimeID}, tpl}}
		id, _, found := UtilityVMID(v, cpCID)
		assert.Check(t, is.Equal(id, ""), runtimeID)
		assert.Check(t, found)
	}
	lower := ComputeSystem{ID: "0acf54a5-ceef-454a-bdc7-56d2c9a223b9", SystemType: "VirtualMachine", IsRuntimeTemplate: true}
	id, _, _ := UtilityVMID(HCSView{Systems: []ComputeSystem{{ID: cpCID, RuntimeID: cpTemplate}, lower}}, cpCID)
	assert.Check(t, is.Equal(id, ""), "a template listed by a lower-case id is still the template")
	lowerRuntime := ComputeSystem{ID: "tpl-1", SystemType: "VirtualMachine", RuntimeID: "{0acf54a5-ceef-454a-bdc7-56d2c9a223b9}", IsRuntimeTemplate: true}
	id, _, _ = UtilityVMID(HCSView{Systems: []ComputeSystem{{ID: cpCID, RuntimeID: cpTemplate}, lowerRuntime}}, cpCID)
	assert.Check(t, is.Equal(id, ""), "a template RuntimeId in the registry's braced lower case is still the template's")
	notTemplate := tpl
	notTemplate.IsRuntimeTemplate = false
	id, _, _ = UtilityVMID(HCSView{Systems: []ComputeSystem{{ID: cpCID, RuntimeID: cpOther}, notTemplate}}, cpCID)
	assert.Check(t, is.Equal(id, cpOther), "a VM that is no template does not hide the RuntimeId")
}

// eliminationHost is an elevated gate's pair of snapshots around a start.
func eliminationHost(beforeHCS *HCSView, systems []ComputeSystem, workers ...Process) (Snapshot, Snapshot) {
	vmcompute := Process{PID: 1876, Name: "vmcompute.exe", CreateTime: t0.Add(-time.Hour)}
	return Snapshot{TakenAt: t0, Processes: []Process{vmcompute}, HCS: beforeHCS},
		Snapshot{TakenAt: t0.Add(5 * time.Second), Processes: append([]Process{vmcompute}, workers...), HCS: &HCSView{Systems: systems}}
}

func cpWorker(pid int, owner string, cmdline ...string) Process {
	p := Process{PID: pid, Name: "vmwp.exe", ParentPID: 1876, CreateTime: t0.Add(time.Second), CommandLineIDs: cmdline}
	if owner != "" {
		p.Owner = `NT VIRTUAL MACHINE\` + owner
	}
	return p
}

// TestShimUtilityVMWithoutRuntimeId: dockerd on containerd's runhcs shim
// lists only "<id>@vm" (hcsshim cmd/containerd-shim-runhcs-v1/task_hcs.go);
// with an empty RuntimeId HCS does list the container, so the reason is the
// missing id, not a missing system.
func TestShimUtilityVMWithoutRuntimeId(t *testing.T) {
	before, after := eliminationHost(&HCSView{}, []ComputeSystem{{ID: cpCID + "@vm", SystemType: "VirtualMachine", Owner: "containerd-shim-runhcs-v1.exe"}}, cpWorker(2960, ""))
	a := AttributeWorkers(before, after, cpCID)
	assert.Check(t, is.Equal(a.Method, AttributionElimination))
	assert.Check(t, is.Equal(a.Why, "the container's compute system reports no utility VM id (a zero or empty RuntimeId)"))
	assert.Check(t, is.Equal(a.Facts[0], `RuntimeId present: no, `+cpCID+`@vm reports ""`))
	assert.Check(t, is.Len(a.Workers, 1))
}

// TestSameProcessWithOneCreateTimeUnknown: a snapshot read without create
// times (a fixture recorded before they were) against one with them: the
// PID and the name decide.
func TestSameProcessWithOneCreateTimeUnknown(t *testing.T) {
	old := Process{PID: 2960, Name: "vmwp.exe"}
	now := Process{PID: 2960, Name: "vmwp.exe", CreateTime: t0}
	assert.Check(t, SameProcess(old, now))
	assert.Check(t, SameProcess(now, old))
	assert.Check(t, !SameProcess(Process{PID: 2960, Name: "svchost.exe"}, now))
	assert.Check(t, is.Len(NewProcesses(Snapshot{Processes: []Process{old}}, Snapshot{Processes: []Process{now}}, WorkerName), 0))
}

// TestEliminationByASystemsGUIDID: a compute system HCS lists by a GUID id
// and no RuntimeId (a VM as hcsdiag lists it) is another VM: a worker
// naming that id is not the container's.
func TestEliminationByASystemsGUIDID(t *testing.T) {
	before, after := eliminationHost(&HCSView{}, []ComputeSystem{
		{ID: cpCID, Owner: "docker", RuntimeID: zeroGUID},
		{ID: "{" + cpOther + "}", SystemType: "VirtualMachine", Owner: "WSL"},
	}, cpWorker(2960, cpOther), cpWorker(3000, ""))
	a := AttributeWorkers(before, after, cpCID)
	assert.Check(t, is.Equal(a.Method, AttributionElimination))
	assert.Check(t, is.Equal(a.Why, "the container's compute system reports no utility VM id (a zero or empty RuntimeId)"))
	assert.Check(t, is.Len(a.Workers, 1))
	assert.Check(t, is.Equal(a.Workers[0].PID, 3000))
	assert.DeepEqual(t, a.ForeignWhy, []string{"names " + cpOther + ", another compute system HCS lists: compute system {" + cpOther + "} (type VirtualMachine, owner WSL)"})
}

// TestEliminationWhyAndFactsWhole: the reason and the four facts of each
// way the exact step fails to apply (docs/hyperv-attribution.md, "First run
// on a real host"), whole.
func TestEliminationWhyAndFactsWhole(t *testing.T) {
	t.Run("a zero RuntimeId (the public v1 dump)", func(t *testing.T) {
		before, after := eliminationHost(&HCSView{}, []ComputeSystem{{ID: cpCID, Owner: "docker", RuntimeID: zeroGUID}, {ID: cpCID + "@vm", RuntimeID: ""}}, cpWorker(2960, ""))
		a := AttributeWorkers(before, after, cpCID)
		assert.Check(t, is.Equal(a.Why, "the container's compute system reports no utility VM id (a zero or empty RuntimeId)"))
		assert.DeepEqual(t, a.Facts, []string{
			`RuntimeId present: no, ` + cpCID + ` reports "` + zeroGUID + `"; ` + cpCID + `@vm reports ""`,
			"worker account = RuntimeId: unknown (no RuntimeId to compare); new vmwp.exe 2960 owner not read",
			"command line = RuntimeId: unknown (no RuntimeId to compare); new vmwp.exe 2960 no GUID read from it",
			"template VM seen: no",
		})
	})
	t.Run("HCS lists nothing for the container", func(t *testing.T) {
		before, after := eliminationHost(&HCSView{}, []ComputeSystem{{ID: "c2"}}, cpWorker(2960, cpOther))
		a := AttributeWorkers(before, after, cpCID)
		assert.Check(t, is.Equal(a.Why, "HCS lists no compute system named 3f7c795918db or 3f7c795918db@vm among 1"))
		assert.DeepEqual(t, a.Facts, []string{
			"RuntimeId present: unknown, HCS lists no compute system for the container",
			`worker account = RuntimeId: unknown (no RuntimeId to compare); new vmwp.exe 2960 as NT VIRTUAL MACHINE\` + cpOther,
			"command line = RuntimeId: unknown (no RuntimeId to compare); new vmwp.exe 2960 no GUID read from it",
			"template VM seen: no",
		})
	})
	t.Run("no new worker runs as the RuntimeId", func(t *testing.T) {
		before, after := eliminationHost(&HCSView{}, []ComputeSystem{{ID: cpCID, RuntimeID: cpUVM}}, cpWorker(2960, cpOther))
		a := AttributeWorkers(before, after, cpCID)
		assert.Check(t, is.Equal(a.Why, `no new vmwp.exe runs as NT VIRTUAL MACHINE\`+cpUVM+" or names it on its command line"))
		assert.Check(t, is.Equal(a.Facts[1], `worker account = RuntimeId: no; new vmwp.exe 2960 as NT VIRTUAL MACHINE\`+cpOther))
		assert.Check(t, is.Equal(a.Facts[2], "command line = RuntimeId: no; new vmwp.exe 2960 no GUID read from it"))
	})
	t.Run("HCS unreadable", func(t *testing.T) {
		before, after := eliminationHost(nil, nil, cpWorker(2960, ""))
		after.HCS = &HCSView{Err: "HcsEnumerateComputeSystems: no answer within 20s"}
		a := AttributeWorkers(before, after, cpCID)
		assert.Check(t, is.Equal(a.Method, AttributionTiming))
		assert.Check(t, is.Equal(a.Why, "HCS compute systems unreadable: HcsEnumerateComputeSystems: no answer within 20s"))
		assert.DeepEqual(t, a.Facts, []string{
			"RuntimeId present: unknown, HCS compute systems unreadable: HcsEnumerateComputeSystems: no answer within 20s",
			"worker account = RuntimeId: unknown", "command line = RuntimeId: unknown", "template VM seen: unknown",
		})
		after.HCS = nil
		assert.Check(t, is.Equal(AttributeWorkers(before, after, cpCID).Why, "the probe reported no HCS compute systems"))
	})
}

// TestNewTemplatesAgainstTheSnapshotBefore: a template listed before the
// start, wherever it stands in the list, is not new; with no HCS view
// before (the probe's first read failed) every template after is.
func TestNewTemplatesAgainstTheSnapshotBefore(t *testing.T) {
	tpl := ComputeSystem{ID: cpTemplate, IsRuntimeTemplate: true}
	after := HCSView{Systems: []ComputeSystem{{ID: cpCID}, tpl}}
	assert.Check(t, is.Len(newTemplates(&HCSView{Systems: []ComputeSystem{tpl, {ID: "c2"}}}, after), 0))
	assert.Check(t, is.Len(newTemplates(&HCSView{Systems: []ComputeSystem{{ID: "c2"}, {ID: cpTemplate}}}, after), 0))
	assert.DeepEqual(t, newTemplates(nil, after), []ComputeSystem{tpl})
	assert.DeepEqual(t, newTemplates(&HCSView{Systems: []ComputeSystem{{ID: "c2"}}}, after), []ComputeSystem{tpl})
}

// TestAnAccountWithoutAVMID: an "NT VIRTUAL MACHINE\" account with no name
// after the domain names no VM; another domain never does.
func TestAnAccountWithoutAVMID(t *testing.T) {
	_, ok := VMOfOwner(`NT VIRTUAL MACHINE\`)
	assert.Check(t, !ok)
	_, ok = VMOfOwner(`NT VIRTUAL MACHINE`)
	assert.Check(t, !ok)
	_, ok = VMOfOwner(`NT VIRTUAL MACHINES\` + cpUVM)
	assert.Check(t, !ok)
	id, ok := VMOfOwner(`NT VIRTUAL MACHINE\{` + cpUVM + `} `)
	assert.Check(t, ok)
	assert.Check(t, is.Equal(id, cpUVM))
}

// TestUnicodeStringOddAndPointerSizes: an odd byte count is no UTF-16
// text, and only 4- and 8-byte pointers exist.
func TestUnicodeStringOddAndPointerSizes(t *testing.T) {
	buf := unicodeStringBuffer("vmwp", 0x10000, 8)
	binary.LittleEndian.PutUint16(buf[0:], 7)
	_, err := ParseUnicodeString(buf, 0x10000, 8)
	assert.Check(t, is.ErrorContains(err, "UNICODE_STRING: text at 0x10010 (7 bytes) outside the 24-byte buffer at 0x10000"))
	_, err = ParseUnicodeString(make([]byte, 32), 0, 2)
	assert.Check(t, is.Error(err, "pointer size 2: want 4 or 8"))
	buf32 := unicodeStringBuffer("vmwp", 0x10000, 4)
	binary.LittleEndian.PutUint32(buf32[4:], 0x10000+7) // into the 8-byte header
	_, err = ParseUnicodeString(buf32, 0x10000, 4)
	assert.Check(t, is.ErrorContains(err, "outside"))
	_, err = ParseUnicodeString(make([]byte, 7), 0, 4)
	assert.Check(t, is.Error(err, "UNICODE_STRING: 7 bytes, want at least 8"))
}

// TestThirtyTwoBitRecordLaidOutByHand: a SYSTEM_PROCESS_INFORMATION record
// of a 32-bit process, laid out from winternl.h by hand (not from
// layoutFor): CreateTime at 32, ImageName's Length at 56 and Buffer at 60,
// UniqueProcessId 68, InheritedFromUniqueProcessId 72, SessionId 80.
func TestThirtyTwoBitRecordLaidOutByHand(t *testing.T) {
	const base = 0x0234_0000
	name := utf16.Encode([]rune("vmwp.exe"))
	buf := make([]byte, 84+2*len(name))
	le := binary.LittleEndian
	le.PutUint64(buf[32:], uint64(TimeToFiletime(t0)))
	le.PutUint16(buf[56:], uint16(2*len(name)))
	le.PutUint16(buf[58:], uint16(2*len(name)))
	le.PutUint32(buf[60:], base+84)
	le.PutUint32(buf[68:], 2960)
	le.PutUint32(buf[72:], 1876)
	le.PutUint32(buf[80:], 0)
	for i, u := range name {
		le.PutUint16(buf[84+2*i:], u)
	}
	got, err := ParseSystemProcessInformation(buf, base, 4)
	assert.NilError(t, err)
	assert.Check(t, is.Len(got, 1))
	assert.Check(t, is.Equal(got[0].PID, 2960))
	assert.Check(t, is.Equal(got[0].ParentPID, 1876))
	assert.Check(t, is.Equal(got[0].Name, "vmwp.exe"))
	assert.Check(t, got[0].CreateTime.Equal(t0))
	assert.Check(t, got[0].Session != nil && *got[0].Session == 0)
	le.PutUint32(buf[80:], 2)
	got, err = ParseSystemProcessInformation(buf, base, 4)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(*got[0].Session, uint32(2)))
	_, err = ParseSystemProcessInformation(buf[:83], base, 4)
	assert.Check(t, is.ErrorContains(err, "runs past"))
	le.PutUint16(buf[56:], uint16(2*len(name)-1))
	_, err = ParseSystemProcessInformation(buf, base, 4)
	assert.Check(t, is.ErrorContains(err, "process record at offset 0: image name (15 bytes at 0x2340054) lies outside the buffer"), "an odd byte count is no UTF-16 name")
}

// TestFiletimeBeforeTheEpochOfWindows: a negative FILETIME is no time.
func TestFiletimeBeforeTheEpochOfWindows(t *testing.T) {
	assert.Check(t, FiletimeToTime(-1).IsZero())
	assert.Check(t, is.Equal(TimeToFiletime(time.Time{}), int64(0)))
	assert.Check(t, FiletimeToTime(1).Equal(time.Date(1601, 1, 1, 0, 0, 0, 100, time.UTC)))
}

// TestComputeSystemAnswerErrorsWhole: what the evidence says when HCS
// answers nothing or something that is not a list (hcsshim
// GetComputeSystems: ErrUnexpectedValue on an empty answer).
func TestComputeSystemAnswerErrorsWhole(t *testing.T) {
	_, err := ParseComputeSystems("")
	assert.Check(t, is.Error(err, "HcsEnumerateComputeSystems: empty answer"))
	_, err = ParseComputeSystems(`{"Error":"x"}`)
	assert.Check(t, err != nil && strings.HasPrefix(err.Error(), "HcsEnumerateComputeSystems: decode answer: json: "), "%v", err)
	assert.Check(t, SameImageName(" vmwp.exe ", "VMWP"), "padding around a name read from a table")
}

// TestAttributionWhole: the whole attribution the Hyper-V claim turns into
// evidence, for the documented steps (docs/hyperv-attribution.md): moby's
// container whose RuntimeId a new worker runs as, beside a WSL VM's worker
// started in the same window; and, with the RuntimeId zero (the public v1
// dump) and a template VM created in the window, elimination.
func TestAttributionWhole(t *testing.T) {
	wsl := ComputeSystem{ID: cpOther, SystemType: "VirtualMachine", Owner: "WSL", RuntimeID: cpOther}
	own := cpWorker(2960, cpUVM, cpUVM)
	other := cpWorker(3000, cpOther)
	before, after := eliminationHost(&HCSView{}, []ComputeSystem{{ID: cpCID, SystemType: "Container", Owner: "docker", RuntimeID: cpUVM}, wsl}, own, other)
	assert.DeepEqual(t, AttributeWorkers(before, after, cpCID), Attribution{
		Method:     AttributionExact,
		VMID:       cpUVM,
		VMIDFrom:   "RuntimeId of compute system " + cpCID,
		Workers:    []Process{own},
		Foreign:    []Process{other},
		ForeignWhy: []string{"names " + cpOther + ": compute system " + cpOther + " (type VirtualMachine, owner WSL, RuntimeId " + cpOther + ")"},
		Facts: []string{
			"RuntimeId present: yes, " + cpUVM,
			`worker account = RuntimeId: yes; new vmwp.exe 2960 as NT VIRTUAL MACHINE\` + cpUVM + `, 3000 as NT VIRTUAL MACHINE\` + cpOther,
			"command line = RuntimeId: yes; new vmwp.exe 2960 names " + cpUVM + ", 3000 no GUID read from it",
			"template VM seen: no",
		},
	})

	tpl := ComputeSystem{ID: cpTemplate, SystemType: "VirtualMachine", RuntimeID: cpTemplate, IsRuntimeTemplate: true}
	tplWorker := cpWorker(3100, cpTemplate)
	candidate := cpWorker(2960, "")
	before, after = eliminationHost(&HCSView{}, []ComputeSystem{{ID: cpCID, SystemType: "Container", Owner: "docker", RuntimeID: zeroGUID}, tpl}, candidate, tplWorker)
	assert.DeepEqual(t, AttributeWorkers(before, after, cpCID), Attribution{
		Method:       AttributionElimination,
		Why:          "the container's compute system reports no utility VM id (a zero or empty RuntimeId)",
		Workers:      []Process{candidate},
		Foreign:      []Process{tplWorker},
		ForeignWhy:   []string{"names " + cpTemplate + ", another compute system HCS lists: template VM " + cpTemplate + " (type VirtualMachine, no owner, RuntimeId " + cpTemplate + ", IsRuntimeTemplate)"},
		NewTemplates: []ComputeSystem{tpl},
		Facts: []string{
			`RuntimeId present: no, ` + cpCID + ` reports "` + zeroGUID + `"`,
			"worker account = RuntimeId: unknown (no RuntimeId to compare); new vmwp.exe 2960 owner not read, 3100 as NT VIRTUAL MACHINE\\" + cpTemplate,
			"command line = RuntimeId: unknown (no RuntimeId to compare); new vmwp.exe 2960 no GUID read from it, 3100 no GUID read from it",
			"template VM seen: yes, " + cpTemplate + " (created in the start window)",
		},
	})
}
