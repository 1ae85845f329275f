package hostprobe

import (
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// Rows written against independently written one-line mutations of the
// attribution rules (issue 17's "fresh" set).

// TestZeroGUIDNamesNoVM: the zero GUID is hcsshim's unset id (go-winio's
// guid.GUID{}; a process-isolated container's compute system reports it as
// its RuntimeId, as the public v1 dump does), so it never names a VM: not
// as a RuntimeId, not on a command line, not as a worker's account. On a
// host that also runs another pipeline's process-isolated container (listed
// by HCS with the zero RuntimeId), a new worker whose account reads as
// "NT VIRTUAL MACHINE\<zero GUID>" must stay the container's candidate
// instead of being handed to that other container.
func TestZeroGUIDNamesNoVM(t *testing.T) {
	_, ok := VMOfOwner(`NT VIRTUAL MACHINE\` + zeroGUID)
	assert.Check(t, !ok, "the zero GUID is no VM's account")
	_, ok = VMOfOwner(`NT VIRTUAL MACHINE\{` + zeroGUID + `}`)
	assert.Check(t, !ok, "braced, as the registry writes it")

	const (
		cid   = "3f7c795918db21fb76720502fefc51210e8d037ebcacb5e4dd505aec35f322ac"
		other = "9d1e2c3b4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
	)
	vmcompute := Process{PID: 1876, Name: "vmcompute.exe", CreateTime: t0.Add(-time.Hour)}
	worker := Process{PID: 2960, Name: "vmwp.exe", ParentPID: vmcompute.PID, CreateTime: t0.Add(time.Second), Owner: `NT VIRTUAL MACHINE\` + zeroGUID}
	before := Snapshot{TakenAt: t0, Processes: []Process{vmcompute}, HCS: &HCSView{Systems: []ComputeSystem{}}}
	after := Snapshot{TakenAt: t0.Add(5 * time.Second), Processes: []Process{vmcompute, worker}, HCS: &HCSView{Systems: []ComputeSystem{
		{ID: cid, SystemType: "Container", Owner: "docker", RuntimeID: zeroGUID},
		{ID: other, SystemType: "Container", Owner: "docker", RuntimeID: zeroGUID},
	}}}
	a := AttributeWorkers(before, after, cid)
	assert.Check(t, is.Equal(a.Method, AttributionElimination))
	assert.Check(t, is.Len(a.Workers, 1), "the new worker is the container's candidate: %+v", a.ForeignWhy)
	assert.Check(t, is.Len(a.Foreign, 0))
}

// TestWindowOpensAfterTheBeforeSnapshot: the start window opens when the
// snapshot before the create was taken, and the container's create is sent
// after it; a vmwp.exe whose create time (a FILETIME, 100 ns ticks) is that
// very instant was started before the harness asked for anything (another
// pipeline's Hyper-V container on the same host), so timing attribution must
// not take it for the container's. One tick later it is a candidate.
func TestWindowOpensAfterTheBeforeSnapshot(t *testing.T) {
	vmcompute := Process{PID: 1876, Name: "vmcompute.exe", CreateTime: t0.Add(-time.Hour)}
	for _, tc := range []struct {
		doc       string
		created   time.Time
		candidate bool
	}{
		{doc: "created at the instant of the before snapshot", created: t0, candidate: false},
		{doc: "created one FILETIME tick later", created: t0.Add(100 * time.Nanosecond), candidate: true},
		{doc: "created at the instant of the after snapshot", created: t0.Add(5 * time.Second), candidate: true},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			worker := Process{PID: 2960, Name: "vmwp.exe", ParentPID: vmcompute.PID, CreateTime: tc.created}
			before := Snapshot{TakenAt: t0, Processes: []Process{vmcompute}}
			after := Snapshot{TakenAt: t0.Add(5 * time.Second), Processes: []Process{vmcompute, worker}}
			a := AttributeWorkers(before, after, "3f7c795918db21fb76720502fefc51210e8d037ebcacb5e4dd505aec35f322ac")
			assert.Check(t, is.Equal(a.Method, AttributionTiming))
			assert.Check(t, is.Equal(len(a.Workers) == 1, tc.candidate), "%+v", a.ForeignWhy)
		})
	}
}
