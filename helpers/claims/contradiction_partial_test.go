package claims

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// Readings of a row whose host snapshots are partly missing: an unsound
// snapshot says nothing (no disagreement is built on it), and a disagreement
// without any worker attribution asks for a plain rerun.
func TestDisagreementOnPartialSnapshots(t *testing.T) {
	// The daemon reports hyperv, but the workload's PID is a host process
	// (the container runs process-isolated whatever its field says),
	// and the before-start snapshot was not taken: no attribution to cite.
	hypervByInspectOnly := change(processWorkload(), func(w *evidence.Workload) {
		w.Row, w.Isolation, w.Inspect = windowsHyperV, "hyperv", running("hyperv")
	})
	t.Run("no before-start snapshot: the field and the process table disagree, the rerun is plain", func(t *testing.T) {
		w := change(hypervByInspectOnly, func(w *evidence.Workload) { w.Before = nil })
		got, ok := RowDisagreement(ws2019(), w)
		assert.Assert(t, ok)
		assert.Check(t, is.Equal(got.Says, `the row's evidence disagrees: the daemon says hyperv (inspect reports "hyperv"); the host process table says process (PING.EXE PID 4872 is a host process (session 3))`))
		assert.Check(t, is.Equal(got.Unseen, ""))
		assert.Check(t, is.Equal(got.Rerun, "run the gate again on the host; attach this evidence to a report"))
	})
	t.Run("no after-start snapshot: only the daemon's field is read, nothing disagrees", func(t *testing.T) {
		w := change(hypervByInspectOnly, func(w *evidence.Workload) { w.After = nil })
		_, ok := RowDisagreement(ws2019(), w)
		assert.Check(t, !ok)
	})
}
