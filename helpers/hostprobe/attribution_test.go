package hostprobe

import (
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

func u32(n uint32) *uint32 { return &n }

var t0 = time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC)

func TestIdentityIsPIDAndCreateTime(t *testing.T) {
	old := Process{PID: 6704, Name: "vmwp.exe", CreateTime: t0.Add(-time.Hour)}
	reused := Process{PID: 6704, Name: "vmwp.exe", CreateTime: t0}
	assert.Check(t, !SameProcess(old, reused), "a reused PID is another process")
	assert.Check(t, SameProcess(old, old))
	assert.Check(t, SameProcess(Process{PID: 5, Name: "a.exe"}, Process{PID: 5, Name: "A"}), "without create times, PID and name")
	assert.Check(t, !SameProcess(Process{PID: 5, Name: "a.exe"}, Process{PID: 5, Name: "b.exe"}))

	before := Snapshot{Processes: []Process{old}}
	after := Snapshot{Processes: []Process{reused}}
	assert.DeepEqual(t, NewProcesses(before, after, "vmwp.exe"), []Process{reused})
	assert.Check(t, is.Len(NewProcesses(before, before, "vmwp.exe"), 0))
	assert.Check(t, !after.Contains(old))
}

func TestParentOfRefusesAYoungerProcess(t *testing.T) {
	child := Process{PID: 7312, Name: "vmwp.exe", ParentPID: 1876, CreateTime: t0}
	s := Snapshot{Processes: []Process{{PID: 1876, Name: "vmcompute.exe", CreateTime: t0.Add(-time.Hour)}, child}}
	p, ok := s.ParentOf(child)
	assert.Check(t, ok && p.Name == "vmcompute.exe")
	s.Processes[0].CreateTime = t0.Add(time.Second) // the parent exited, its PID was reused
	_, ok = s.ParentOf(child)
	assert.Check(t, !ok)
}

func TestUtilityVMID(t *testing.T) {
	const cid = "3f7c795918db21fb76720502fefc51210e8d037ebcacb5e4dd505aec35f322ac"
	tests := []struct {
		doc       string
		systems   []ComputeSystem
		want      string
		wantFound bool
	}{
		{doc: "moby: the container's own system has the RuntimeId", systems: []ComputeSystem{{ID: cid, RuntimeID: "{5e0b1c37-9a4d-4f62-8c1e-7d2a90b3f418}"}},
			want: "5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418", wantFound: true},
		{doc: "containerd shim: the utility VM is <id>@vm", systems: []ComputeSystem{{ID: cid}, {ID: cid + "@vm", SystemType: "VirtualMachine", RuntimeID: "C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35"}},
			want: "C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35", wantFound: true},
		{doc: "process isolation: a zero RuntimeId is no VM", systems: []ComputeSystem{{ID: cid, RuntimeID: zeroGUID}}, wantFound: true},
		{doc: "no system for the container", systems: []ComputeSystem{{ID: "other", RuntimeID: "C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35"}}},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			got, _, found := UtilityVMID(HCSView{Systems: tc.systems}, cid)
			assert.Check(t, is.Equal(got, tc.want))
			assert.Check(t, is.Equal(found, tc.wantFound))
		})
	}
}

func TestVMOfOwner(t *testing.T) {
	id, ok := VMOfOwner(`nt virtual machine\5e0b1c37-9a4d-4f62-8c1e-7d2a90b3f418`)
	assert.Check(t, ok)
	assert.Check(t, is.Equal(id, "5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418"))
	_, ok = VMOfOwner(`NT AUTHORITY\SYSTEM`)
	assert.Check(t, !ok)
	_, ok = VMOfOwner(`NT VIRTUAL MACHINE\Virtual Machines`)
	assert.Check(t, ok, "an account name that is no GUID still names something; callers compare it with the VM id")
}

func TestAttributeWorkersFallsBackWithTheReason(t *testing.T) {
	base := []Process{{PID: 1876, Name: "vmcompute.exe"}}
	after := Snapshot{TakenAt: t0.Add(5 * time.Second), Processes: append(base, Process{PID: 7312, Name: "vmwp.exe", ParentPID: 1876, CreateTime: t0.Add(time.Second)})}
	before := Snapshot{TakenAt: t0, Processes: base}

	a := AttributeWorkers(before, after, "c1")
	assert.Check(t, is.Equal(a.Method, AttributionTiming))
	assert.Check(t, is.Contains(a.Why, "no HCS compute systems"))
	assert.Check(t, is.Len(a.Workers, 1))

	after.HCS = &HCSView{Err: "HcsEnumerateComputeSystems: Access is denied."}
	assert.Check(t, is.Contains(AttributeWorkers(before, after, "c1").Why, "Access is denied"))

	after.HCS = &HCSView{Systems: []ComputeSystem{{ID: "c1", RuntimeID: "5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418"}}}
	after.OwnersErr = "WTSEnumerateProcessesExW: Access is denied."
	assert.Check(t, is.Contains(AttributeWorkers(before, after, "c1").Why, "owners unreadable"))

	after.OwnersErr = ""
	after.Processes[1].Owner = `NT VIRTUAL MACHINE\5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418`
	a = AttributeWorkers(before, after, "c1")
	assert.Check(t, is.Equal(a.Method, AttributionExact))
	assert.Check(t, is.Len(a.Workers, 1))
	assert.Check(t, ExactAttributionPossible(after))
	assert.Check(t, !ExactAttributionPossible(before))
}

func TestWindowsInContainerSignals(t *testing.T) {
	host := Snapshot{SelfPID: 10, Processes: []Process{{PID: 10, Name: "conformance.test.exe", Session: u32(1)}, {PID: 6216, Name: "CExecSvc.exe", Session: u32(3)}}}
	assert.Check(t, is.Len(WindowsInContainerSignals(host), 0), "a container's agent in its own session says nothing about the harness")
	inside := Snapshot{SelfPID: 10, Processes: []Process{{PID: 10, Name: "conformance.test.exe", Session: u32(3)}, {PID: 6216, Name: "CExecSvc.exe", Session: u32(3)}}}
	assert.Check(t, is.Len(WindowsInContainerSignals(inside), 1))
}

func TestMissingRequired(t *testing.T) {
	s := Snapshot{Processes: []Process{{PID: 2740, Name: "dockerd.exe"}, {PID: 1876, Name: "vmcompute.exe"}}}
	assert.Check(t, is.Len(MissingRequired(s, []Required{{What: "d", Name: "dockerd.exe", PID: 2740}, {What: "v", Name: "vmcompute.exe"}}), 0))
	assert.DeepEqual(t, MissingRequired(s, []Required{{What: "the docker service's", Name: "dockerd.exe", PID: 9}}), []string{"the docker service's dockerd.exe PID 9"})
	assert.DeepEqual(t, MissingRequired(Snapshot{}, []Required{{What: "the host compute service's", Name: "vmcompute.exe"}}), []string{"the host compute service's vmcompute.exe"})
}

func TestRecordableSID(t *testing.T) {
	assert.Check(t, is.Equal(RecordableSID("S-1-5-21-3623811015-3361044348-30300820-1013"), "S-1-5-21-*-1013"))
	assert.Check(t, is.Equal(RecordableSID("S-1-5-18"), "S-1-5-18"))
	vm := "S-1-5-83-1-1577786423-1331861837-2049572492-418951056"
	assert.Check(t, is.Equal(RecordableSID(vm), vm))
}

func TestApplyOwnersMatchesPIDAndName(t *testing.T) {
	procs := []Process{{PID: 7312, Name: "vmwp.exe"}, {PID: 9000, Name: "conformance.test.exe"}, {PID: 4872, Name: "PING.EXE"}}
	ApplyOwners(procs, []OwnerEntry{
		{PID: 7312, Name: "vmwp.exe", SID: "S-1-5-83-1-1577786423-1331861837-2049572492-418951056", VMAccount: `NT VIRTUAL MACHINE\5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418`},
		{PID: 9000, Name: "conformance.test.exe", SID: "S-1-5-21-3623811015-3361044348-30300820-500"},
		{PID: 4872, Name: "cmd.exe", SID: "S-1-5-18"}, // the PID was reused between the two reads
	})
	assert.Check(t, is.Equal(procs[0].Owner, `NT VIRTUAL MACHINE\5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418`))
	assert.Check(t, is.Equal(procs[1].OwnerSID, "S-1-5-21-*-500"))
	assert.Check(t, is.Equal(procs[1].Owner, ""))
	assert.Check(t, is.Equal(procs[2].OwnerSID, ""), "an entry whose name disagrees with the table is not this process")
}
