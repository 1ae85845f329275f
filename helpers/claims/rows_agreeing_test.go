package claims

import (
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// A Hyper-V row that the daemon ran process-isolated, and says so: inspect
// reports process, the workload is a host process, no VM worker appeared.
// Every reading agrees, so the failure is the daemon's, stated plainly (an
// engine that ignores --isolation=hyperv, moby's Windows daemon picks the
// isolation from HostConfig.Isolation: daemon/daemon_windows.go).
func TestHyperVRowRunProcessIsolatedByAnAgreeingDaemon(t *testing.T) {
	w := change(hypervWorkload(), func(w *evidence.Workload) {
		w.Inspect, w.Top = running("process"), windowsTop("4872")
		w.After = hostSnapshot(containerOnHost(3)...)
	})
	v := CheckVMWorker(ws2019(), w)
	assert.Check(t, is.Equal(v.Status, Fail))
	assert.Check(t, is.Equal(v.Message, "no new vmwp.exe after the Hyper-V container started: no utility VM was seen, and the daemon's report and the process table agree"))
	assert.Check(t, is.Equal(v.Fix, "the daemon did not start a utility VM; check Hyper-V and the isolation the daemon used"))
}

// A process row whose workload is not a host process while the daemon
// reports process: the readings disagree, so the verdict says so and asks
// for the rerun that settles it instead of concluding from one reading.
func TestProcessRowWhoseWorkloadIsNotOnTheHost(t *testing.T) {
	w := change(processWorkload(), func(w *evidence.Workload) {
		w.After = hostSnapshot()
	})
	v := CheckPIDVisibility(ws2019(), w)
	assert.Check(t, is.Equal(v.Status, Fail))
	assert.Check(t, strings.HasPrefix(v.Message, "PING.EXE PID 4872 is not a host process: got no such PID, want a host PING.EXE, but the row's evidence disagrees: the daemon says process"), v.String())
	assert.Check(t, v.Fix != "under process isolation the container's processes are host processes; check the isolation the daemon really used", v.String())
	// The snapshots carry no HCS view (an unelevated probe): workers were
	// attributed by timing, so the rerun asked for is an elevated one.
	assert.Check(t, is.Equal(v.Fix, "rerun the gate elevated (as Administrator) on the host: HCS's compute systems and the process owners then say which VM each worker belongs to, and this row is judged on them"))
}
