package hostprobe

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestEliminationKeepsTheWorkerOfTheHostingSystem: the container's compute
// system names the system that hosts it (HostingSystemId in the HCS schema's
// ComputeSystemProperties); when that system is listed under a GUID id with
// no RuntimeId, its worker, which names that GUID, is the container's own and
// must survive elimination: only workers naming OTHER listed systems go. The
// worker naming a VM that is neither (WSL's) is eliminated beside it.
func TestEliminationKeepsTheWorkerOfTheHostingSystem(t *testing.T) {
	before, after := eliminationHost(&HCSView{}, []ComputeSystem{
		{ID: cpCID, SystemType: "Container", Owner: "containerd-shim-runhcs-v1.exe", RuntimeID: zeroGUID, HostingSystemID: cpUVM},
		{ID: cpUVM, SystemType: "VirtualMachine", Owner: "containerd-shim-runhcs-v1.exe"},
		{ID: cpOther, SystemType: "VirtualMachine", Owner: "WSL"},
	}, cpWorker(2960, "", cpUVM), cpWorker(3000, "", cpOther))
	a := AttributeWorkers(before, after, cpCID)
	assert.Check(t, is.Equal(a.Method, AttributionElimination))
	assert.Assert(t, is.Len(a.Workers, 1), "%+v", a)
	assert.Check(t, is.Equal(a.Workers[0].PID, 2960))
	assert.DeepEqual(t, a.ForeignWhy, []string{"names " + cpOther + ", another compute system HCS lists: compute system " + cpOther + " (type VirtualMachine, owner WSL)"})
}
