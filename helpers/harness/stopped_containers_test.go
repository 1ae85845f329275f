package harness

import (
	"context"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// TestStoppedContainersAreCleanedUp: a run killed mid-row leaves its
// containers in every state, and most are no longer running (the workload
// exited, the create never started: moby lists those only with all=1). The
// sweep of a dead run and the interrupt of this run must both see them, or
// they stay on the host for good.
func TestStoppedContainersAreCleanedUp(t *testing.T) {
	t.Run("the sweep removes a dead run's exited container", func(t *testing.T) {
		engine := newFakeEngine()
		s := openAgainst(t, config.Live, engine)
		defer s.Close()
		self := Owner{Host: "h1", PID: 10, ProcessStart: "100"}
		l := ownerLabels(Owner{Host: "h1", PID: 20, ProcessStart: "200", RunStart: "2026-12-03T08:00:00Z"})
		l[LabelHarness], l[LabelRunID] = harnessLabelValue, "deadrun00001"
		dead := engine.addExited(l)
		swept, err := sweep(context.Background(), s.unrecorded, self, s.RunID, 5*time.Second, func(int, string) bool { return false })
		assert.NilError(t, err)
		assert.Assert(t, is.Len(swept, 1))
		assert.Check(t, is.Equal(swept[0].String(), "removed container "+dead[:12]+" (exited) left by dead run deadrun00001 (pid 20 started 200 on this host, run began 2026-12-03T08:00:00Z)"))
		assert.Check(t, is.Len(engine.ids(), 0))
	})
	t.Run("the interrupt removes this run's exited container", func(t *testing.T) {
		engine := newFakeEngine()
		s := openAgainst(t, config.Live, engine)
		defer s.Close()
		engine.addExited(s.labels(evidence.Row{Platform: "linux", Mode: "default"}))
		msg := s.cleanUpInterrupted(context.Background(), map[string]bool{})
		assert.Check(t, is.Equal(msg, "removed 1 container(s) of run "+s.RunID))
		assert.Check(t, is.Len(engine.ids(), 0))
	})
}
