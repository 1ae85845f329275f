package hostprobe

import (
	"strings"
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
		{doc: "an older containerd shim: the container is hosted in its utility VM", systems: []ComputeSystem{
			{ID: cid, Owner: "containerd-shim-runhcs-v1.exe", RuntimeID: "0D6E9A41-7F22-4B8C-9A13-5E4F7B2C8D90", HostingSystemID: "uvm-" + cid},
			{ID: "uvm-" + cid, SystemType: "VirtualMachine", RuntimeID: "C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35"}},
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

// The decision order of AttributeWorkers, one row per rule: each row's
// verdict changes if its rule is removed.
func TestAttributionDecisions(t *testing.T) {
	const (
		cid      = "3f7c795918db21fb76720502fefc51210e8d037ebcacb5e4dd505aec35f322ac"
		uvm      = "5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418" // the container's utility VM
		unlisted = "7B2E4F90-1C3D-4A5B-9E8F-0D1C2B3A4F5E" // a VM account HCS does not list
		template = "0ACF54A5-CEEF-454A-BDC7-56D2C9A223B9" // hcsdiag's template row (roy-n-roy.github.io)
		wsl      = "3F098403-148F-49FE-9EA3-1729298CD01F"
	)
	vmcompute := Process{PID: 1876, Name: "vmcompute.exe", CreateTime: t0.Add(-time.Hour)}
	vmms := Process{PID: 2604, Name: "vmms.exe", CreateTime: t0.Add(-time.Hour)}
	worker := func(pid int, owner string, cmdline ...string) Process {
		p := Process{PID: pid, Name: "vmwp.exe", ParentPID: vmcompute.PID, CreateTime: t0.Add(time.Second), CommandLineIDs: cmdline}
		if owner != "" {
			p.Owner = `NT VIRTUAL MACHINE\` + owner
		}
		return p
	}
	moby := func(runtimeID string) ComputeSystem {
		return ComputeSystem{ID: cid, SystemType: "Container", Owner: "docker", RuntimeID: runtimeID}
	}
	templateVM := ComputeSystem{ID: template, SystemType: "VirtualMachine", RuntimeID: template, IsRuntimeTemplate: true, RuntimeImagePath: `C:\ProgramData\docker\windowsfilter\644e7f35\UtilityVM`}
	wslVM := ComputeSystem{ID: wsl, SystemType: "VirtualMachine", Owner: "WSL", RuntimeID: wsl}
	host := func(systems []ComputeSystem, workers ...Process) (Snapshot, Snapshot) {
		before := Snapshot{TakenAt: t0, Processes: []Process{vmcompute, vmms}, HCS: &HCSView{Systems: []ComputeSystem{}}}
		after := Snapshot{TakenAt: t0.Add(5 * time.Second), Processes: append([]Process{vmcompute, vmms}, workers...), HCS: &HCSView{Systems: systems}}
		return before, after
	}
	pidsOf := func(ps []Process) []int {
		out := []int{}
		for _, p := range ps {
			out = append(out, p.PID)
		}
		return out
	}
	tests := []struct {
		doc     string
		systems []ComputeSystem
		workers []Process
		method  string
		want    []int  // attributed workers
		why     string // in Why, or in a ForeignWhy
	}{
		{doc: "exact: the worker runs as the container's RuntimeId", systems: []ComputeSystem{moby(uvm)}, workers: []Process{worker(2960, uvm)},
			method: AttributionExact, want: []int{2960}},
		{doc: "exact: the command line names the RuntimeId though the account is no VM's", systems: []ComputeSystem{moby(uvm)}, workers: []Process{worker(2960, "", uvm)},
			method: AttributionExact, want: []int{2960}},
		{doc: "exact: containerd's <id>@vm names the utility VM", systems: []ComputeSystem{{ID: cid + "@vm", SystemType: "VirtualMachine", Owner: "containerd-shim-runhcs-v1.exe", RuntimeID: uvm}},
			workers: []Process{worker(2960, uvm, uvm)}, method: AttributionExact, want: []int{2960}},
		{doc: "exact: a second new worker of a listed VM is named as foreign", systems: []ComputeSystem{moby(uvm), wslVM}, workers: []Process{worker(2960, uvm), worker(3000, wsl)},
			method: AttributionExact, want: []int{2960}, why: "names " + wsl + ": compute system " + wsl},
		{doc: "elimination: a zero RuntimeId (the public v1 dump)", systems: []ComputeSystem{moby(zeroGUID)}, workers: []Process{worker(2960, unlisted, unlisted)},
			method: AttributionElimination, want: []int{2960}, why: "zero or empty RuntimeId"},
		{doc: "elimination: no worker runs as the RuntimeId's account", systems: []ComputeSystem{moby(uvm)}, workers: []Process{worker(2960, unlisted)},
			method: AttributionElimination, want: []int{2960}, why: "no new vmwp.exe runs as NT VIRTUAL MACHINE\\" + uvm},
		{doc: "elimination: a template VM's worker is never the container's", systems: []ComputeSystem{moby(zeroGUID), templateVM}, workers: []Process{worker(2960, unlisted), worker(3100, template, template)},
			method: AttributionElimination, want: []int{2960}, why: "template VM " + template},
		{doc: "elimination: a RuntimeId that names a template is not the container's VM", systems: []ComputeSystem{moby(template), templateVM}, workers: []Process{worker(2960, unlisted), worker(3100, template)},
			method: AttributionElimination, want: []int{2960}, why: "template VM " + template},
		{doc: "elimination: a listed foreign VM's worker leaves none", systems: []ComputeSystem{moby(uvm), wslVM}, workers: []Process{worker(3000, wsl)},
			method: AttributionElimination, want: []int{}, why: "another compute system HCS lists: compute system " + wsl},
		{doc: "elimination: a worker vmms.exe created is no utility VM's", systems: []ComputeSystem{moby(uvm)},
			workers: []Process{func() Process { p := worker(3000, unlisted); p.ParentPID = vmms.PID; return p }()},
			method:  AttributionElimination, want: []int{}, why: "created by vmms.exe (PID 2604), not by vmcompute.exe"},
		{doc: "elimination: a worker created before the window is not a candidate", systems: []ComputeSystem{moby(zeroGUID)},
			workers: []Process{func() Process { p := worker(3000, unlisted); p.CreateTime = t0.Add(-time.Second); return p }()},
			method:  AttributionElimination, want: []int{}, why: "before the start window opened"},
		{doc: "elimination: two unexplained workers are ambiguous", systems: []ComputeSystem{moby(zeroGUID)}, workers: []Process{worker(2960, unlisted), worker(3000, wsl)},
			method: AttributionElimination, want: []int{2960, 3000}},
		{doc: "elimination: HCS lists nothing for the container", systems: []ComputeSystem{wslVM}, workers: []Process{worker(2960, unlisted)},
			method: AttributionElimination, want: []int{2960}, why: "HCS lists no compute system named 3f7c795918db"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			before, after := host(tc.systems, tc.workers...)
			a := AttributeWorkers(before, after, cid)
			assert.Check(t, is.Equal(a.Method, tc.method))
			assert.Check(t, is.DeepEqual(pidsOf(a.Workers), tc.want))
			assert.Check(t, is.Equal(a.Ambiguous(), len(tc.want) > 1))
			if tc.why != "" {
				all := a.Why + " | " + strings.Join(a.ForeignWhy, " | ")
				assert.Check(t, is.Contains(all, tc.why))
			}
			assert.Check(t, is.Len(a.Facts, 4))
		})
	}
}

func TestAttributionFactsSayWhatHeld(t *testing.T) {
	const cid = "3f7c795918db21fb76720502fefc51210e8d037ebcacb5e4dd505aec35f322ac"
	const uvm, tpl = "5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418", "0ACF54A5-CEEF-454A-BDC7-56D2C9A223B9"
	w := Process{PID: 2960, Name: "vmwp.exe", CreateTime: t0.Add(time.Second), Owner: `NT VIRTUAL MACHINE\` + uvm, CommandLineErr: "OpenProcess: Access is denied."}
	before := Snapshot{TakenAt: t0, HCS: &HCSView{Systems: []ComputeSystem{}}}
	after := Snapshot{TakenAt: t0.Add(5 * time.Second), Processes: []Process{w}, HCS: &HCSView{Systems: []ComputeSystem{
		{ID: cid, RuntimeID: uvm}, {ID: tpl, RuntimeID: tpl, IsRuntimeTemplate: true}}}}
	a := AttributeWorkers(before, after, cid)
	assert.DeepEqual(t, a.Facts, []string{
		"RuntimeId present: yes, " + uvm,
		`worker account = RuntimeId: yes; new vmwp.exe 2960 as NT VIRTUAL MACHINE\` + uvm,
		"command line = RuntimeId: no; new vmwp.exe 2960 unreadable (OpenProcess: Access is denied.)",
		"template VM seen: yes, " + tpl + " (created in the start window)",
	})
	assert.Check(t, is.Len(a.NewTemplates, 1))

	before.HCS = after.HCS // the template was there before the start
	a = AttributeWorkers(before, after, cid)
	assert.Check(t, is.Contains(a.Facts[3], "(listed before the start)"))
	assert.Check(t, is.Len(a.NewTemplates, 0))

	after.OwnersErr = "WTSEnumerateProcessesExW: Access is denied."
	a = AttributeWorkers(before, after, cid)
	assert.Check(t, is.Equal(a.Method, AttributionTiming))
	assert.Check(t, is.Equal(a.Facts[1], "worker account = RuntimeId: unknown"))
}

func TestGUIDsIn(t *testing.T) {
	line := `"C:\Windows\System32\vmwp.exe" {5e0b1c37-9a4d-4f62-8c1e-7d2a90b3f418} 0x2c4 5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418 00000000-0000-0000-0000-000000000000`
	assert.DeepEqual(t, GUIDsIn(line), []string{"5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418"})
	assert.Check(t, is.Len(GUIDsIn(`vmwp.exe 0x2c4`), 0))
	assert.Check(t, isGUID("0ACF54A5-CEEF-454A-BDC7-56D2C9A223B9"))
	assert.Check(t, !isGUID("3f7c795918db21fb76720502fefc51210e8d037ebcacb5e4dd505aec35f322ac@vm"))
}

// TestExactAttributionPossible: exact attribution needs both HCS's compute
// systems and the process owners; owners unreadable while HCS is readable
// (a gate run without SeDebugPrivilege) falls back like an unreadable HCS.
func TestExactAttributionPossible(t *testing.T) {
	readable := &HCSView{Systems: []ComputeSystem{}}
	for _, tc := range []struct {
		doc  string
		s    Snapshot
		want bool
	}{
		{doc: "HCS and owners readable", s: Snapshot{HCS: readable}, want: true},
		{doc: "owners unreadable, HCS readable", s: Snapshot{HCS: readable, OwnersErr: "WTSEnumerateProcessesExW: Access is denied."}},
		{doc: "HCS unreadable", s: Snapshot{HCS: &HCSView{Err: "HcsEnumerateComputeSystems: Access is denied."}}},
		{doc: "no HCS view (an older probe, Linux)", s: Snapshot{}},
	} {
		assert.Check(t, is.Equal(ExactAttributionPossible(tc.s), tc.want), tc.doc)
	}
}
