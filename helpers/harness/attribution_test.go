package harness

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"gotest.tools/v3/assert"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// windowWatcher wraps a host probe and records which rows are between their
// before-start and after-start snapshots, and the most that ever were at once.
type windowWatcher struct {
	hostprobe.Host
	mu      sync.Mutex
	open    map[string]bool
	maxOpen int
	// bothOpen closes when two windows were open at once.
	bothOpen chan struct{}
}

// overlapWait bounds how long a row waits, inside its start window, for the
// other row to open one too: only a lock can keep it out that long, so a
// loaded machine does not turn a late scheduler into a serialised verdict.
const overlapWait = 500 * time.Millisecond

func (w *windowWatcher) Processes(ctx context.Context, step string) (hostprobe.Snapshot, error) {
	w.mu.Lock()
	switch {
	case strings.HasSuffix(step, "/before-start"):
		w.open[strings.TrimSuffix(step, "/before-start")] = true
	case strings.HasSuffix(step, "/after-start"):
		delete(w.open, strings.TrimSuffix(step, "/after-start"))
	}
	w.maxOpen = max(w.maxOpen, len(w.open))
	if len(w.open) == 2 {
		select {
		case <-w.bothOpen:
		default:
			close(w.bothOpen)
		}
	}
	w.mu.Unlock()
	if strings.HasSuffix(step, "/before-start") {
		select { // room for the other row to open its window too
		case <-w.bothOpen:
		case <-time.After(overlapWait):
		}
	}
	return w.Host.Processes(ctx, step)
}

// TestWindowsRowsTakeTurns runs both Windows rows at once, as the suite
// does (t.Parallel): their start windows never overlap, on a host whose
// provisioning snapshot allows exact attribution (ws2022-20348) as on one
// that falls back to timing (ws2019-17763): elimination, the exact step's
// fallback, is sound only while no other row starts a VM in the window,
// and a zero RuntimeId is seen only after the start.
func TestWindowsRowsTakeTurns(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		exact   bool
	}{
		{fixture: "ws2022-20348", exact: true},
		{fixture: "ws2019-17763", exact: false},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			f, err := fixture.Load("../../fixtures/" + tc.fixture)
			assert.NilError(t, err)
			s, err := OpenReplay(f)
			assert.NilError(t, err)
			defer s.Close()
			watcher := &windowWatcher{Host: s.Host, open: map[string]bool{}, bothOpen: make(chan struct{})}
			s.Host = watcher
			ctx := context.Background()
			d, err := s.Daemon(ctx)
			assert.NilError(t, err)
			d.Image, err = s.BaseImage(ctx, d)
			assert.NilError(t, err)
			assert.Equal(t, strings.Contains(s.WorkerAttribution(), "exact"), tc.exact, s.WorkerAttribution())

			var wg sync.WaitGroup
			var cleanupsMu sync.Mutex
			var cleanups []func()
			workloads := make([]evidence.Workload, 2)
			errs := make([]error, 2)
			for i, row := range evidence.Rows[:2] {
				wg.Go(func() {
					workloads[i], errs[i] = s.RunWorkload(ctx, row, d.Image.Ref, func(f func()) {
						cleanupsMu.Lock()
						defer cleanupsMu.Unlock()
						cleanups = append(cleanups, f)
					})
				})
			}
			wg.Wait()
			assert.NilError(t, errors.Join(errs...))
			for _, c := range cleanups {
				c()
			}
			for _, w := range workloads {
				assert.Check(t, w.Serialized, "row %s", w.Row)
			}
			assert.Equal(t, watcher.maxOpen, 1, "one start window at a time")
		})
	}
}
