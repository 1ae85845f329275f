package harness

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
	"gotest.tools/v3/poll"

	"github.com/wincontainer-gate/conformance/helpers/config"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
)

// BenchmarkReplayHost measures loading one recorded host's fixture and
// gathering its evidence in replay: the cost every fixture adds to
// `go test ./...`.
func BenchmarkReplayHost(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		f, err := fixture.Load("../../fixtures/linux-debian12-docker.io-20.10")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := replayAll(f); err != nil {
			b.Fatal(err)
		}
	}
}

// replayAll gathers everything the suite gathers from a fixture, as the
// generator does: the daemon, the base image, every row of the daemon's
// platform, each row's cleanups.
func replayAll(f *fixture.Fixture) ([]evidence.Workload, error) {
	s, err := OpenReplay(f)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	ctx := context.Background()
	var cleanups []func()
	defer func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}()
	register := func(f func()) { cleanups = append(cleanups, f) }
	d, err := s.Daemon(ctx)
	if err != nil {
		return nil, err
	}
	if d.Image, err = s.BaseImage(ctx, d); err != nil {
		return nil, err
	}
	var workloads []evidence.Workload
	for _, row := range evidence.Rows {
		if row.Platform != d.Info.OSType || !f.Meta.Expectations.WantsMode(row.Mode) {
			continue
		}
		if row.Refusal() {
			_, err = s.TryRefusal(ctx, row, d.Image.Ref, register)
		} else {
			var w evidence.Workload
			w, err = s.RunWorkload(ctx, row, d.Image.Ref, register)
			workloads = append(workloads, w)
		}
		if err != nil {
			return nil, err
		}
	}
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	cleanups = nil
	if _, err := s.Leftovers(ctx); err != nil {
		return nil, err
	}
	return workloads, errors.Join(s.FixtureProblems()...)
}

// TestReplayWaitEndsWhenAnswersAreUsedUp: a host whose container or VM worker
// outlives its removal was recorded waiting out a 300 ms step timeout. Its
// replay ends each wait as soon as the poll gets its last recorded answer
// again, with the same evidence whatever the step timeout says.
func TestReplayWaitEndsWhenAnswersAreUsedUp(t *testing.T) {
	for _, name := range []string{"broken-container-lingers", "broken-linux-container-lingers", "broken-vmwp-outlives-container"} {
		t.Run(name, func(t *testing.T) {
			var evidenceAt []string
			for _, timeout := range []time.Duration{300 * time.Millisecond, time.Hour} {
				f, err := fixture.Load(filepath.Join("../../fixtures", name))
				assert.NilError(t, err)
				assert.Equal(t, time.Duration(f.Meta.Expectations.StepTimeout), 300*time.Millisecond, "the fixture was recorded with a 300 ms step timeout")
				f.Meta.Expectations.StepTimeout = config.Duration(timeout)
				began := time.Now()
				workloads, err := replayAll(f)
				took := time.Since(began)
				assert.NilError(t, err)
				// Replay caps a wait at replayWaitCap: a wait that went on after its
				// recorded answers were used up would take at least that long.
				assert.Check(t, took < replayWaitCap, "replay under a %s step timeout took %s: a wait went on after its recorded answers were used up", timeout, took)
				var failures []string
				for _, w := range workloads {
					for _, failure := range []*evidence.Failure{w.GoneErr, w.WorkersGoneErr} {
						if failure != nil {
							failures = append(failures, w.Row.String()+": "+string(failure.Kind)+": "+failure.Message)
						}
					}
				}
				assert.Check(t, len(failures) > 0, "the broken host's wait did not fail")
				evidenceAt = append(evidenceAt, strings.Join(failures, "\n"))
			}
			assert.Equal(t, evidenceAt[0], evidenceAt[1], "the evidence depends on the step timeout")
		})
	}
}

// TestWaitOnLeavesNoCheckRunning: a wait that times out reports the last state
// it saw, and no check runs after it returned; a check that ran on would send
// a request that a recording saves nondeterministically.
func TestWaitOnLeavesNoCheckRunning(t *testing.T) {
	// The step timeout leaves a loaded machine room for a few 5 ms checks.
	s := &Session{Expect: config.Expectations{StepTimeout: config.Duration(300 * time.Millisecond)}, PollDelay: time.Millisecond, Logf: t.Logf}
	var calls atomic.Int32
	failure := s.waitOn(context.Background(), func(context.Context) poll.Result {
		time.Sleep(5 * time.Millisecond)
		calls.Add(1) // counted when the check completes: that is when its request would be recorded
		return poll.Continue("container abc still present after removal: removing")
	})
	assert.Assert(t, failure != nil, "a wait that never succeeds must fail")
	assert.Check(t, is.Equal(failure.Kind, evidence.KindTimeout))
	assert.Check(t, is.Equal(failure.Message, "timed out: container abc still present after removal: removing"))
	after := calls.Load()
	time.Sleep(30 * time.Millisecond)
	assert.Check(t, is.Equal(calls.Load(), after), "a check ran after the wait returned")

	ok := s.waitOn(context.Background(), func(context.Context) poll.Result { return poll.Success() })
	assert.Check(t, ok == nil, "%v", ok)
}

// TestWaitOnHungCheckLeaksNothing: issue 9 case 8. A check that hangs past the
// step deadline used to race (its result was written while the wait read it)
// and leaked poll.WaitOn's goroutine, blocked forever on an unbuffered send.
// Run it with -race.
func TestWaitOnHungCheckLeaksNothing(t *testing.T) {
	defer func(g time.Duration) { hungCheckGrace = g }(hungCheckGrace)
	hungCheckGrace = 100 * time.Millisecond
	// The first check answers at once; the step timeout leaves a loaded
	// machine room to run it before the deadline.
	s := &Session{Expect: config.Expectations{StepTimeout: config.Duration(300 * time.Millisecond)}, PollDelay: time.Millisecond, Logf: t.Logf}
	before := runtime.NumGoroutine()
	release := make(chan struct{})
	var n atomic.Int32
	failure := s.waitOn(context.Background(), func(context.Context) poll.Result {
		if n.Add(1) == 1 {
			return poll.Continue("container abc is created, waiting for running")
		}
		<-release // a request that never answers until its deadline cancels it
		return poll.Continue("released")
	})
	assert.Assert(t, failure != nil)
	assert.Check(t, is.Equal(failure.Kind, evidence.KindConnection))
	assert.Check(t, is.Equal(failure.Message, "timed out: a check hung: container abc is created, waiting for running"))
	close(release) // the hung request's deadline passes
	poll.WaitOn(t, func(poll.LogT) poll.Result {
		// This check runs in a goroutine of poll.WaitOn's own: one more.
		if g := runtime.NumGoroutine(); g > before+1 {
			return poll.Continue("%d goroutines, %d before the wait", g, before)
		}
		return poll.Success()
	}, poll.WithTimeout(2*time.Second), poll.WithDelay(5*time.Millisecond))
}

// TestWaitOnBacksOff: a state reached at once costs no pause; one reached
// later is asked about after 10, 20, 40 ms..., not every 10 ms and not after a
// fixed 250 ms.
func TestWaitOnBacksOff(t *testing.T) {
	// A first pause as long as a whole second would show in the elapsed time
	// even on a loaded machine.
	atOnce := &Session{Expect: config.Expectations{StepTimeout: config.Duration(time.Minute)}, PollDelay: time.Second, Logf: t.Logf}
	began := time.Now()
	assert.Check(t, atOnce.waitOn(context.Background(), func(context.Context) poll.Result { return poll.Success() }) == nil)
	assert.Check(t, time.Since(began) < time.Second, "a check that succeeds at once waited %s", time.Since(began))

	s := &Session{Expect: config.Expectations{StepTimeout: config.Duration(time.Minute)}, PollDelay: 10 * time.Millisecond, Logf: t.Logf}

	var asked []time.Duration
	began = time.Now()
	failure := s.waitOn(context.Background(), func(context.Context) poll.Result {
		asked = append(asked, time.Since(began))
		if len(asked) < 5 {
			return poll.Continue("container abc is created, waiting for running")
		}
		return poll.Success()
	})
	assert.Check(t, failure == nil, "%v", failure)
	assert.Assert(t, is.Len(asked, 5), "the check was asked %d times: %v", len(asked), asked)
	for i, min := range []time.Duration{0, 10, 30, 70, 150} {
		assert.Check(t, asked[i] >= min*time.Millisecond, "check %d asked at %s, before the back-off allows (%d ms)", i+1, asked[i], min)
	}
	// A fixed 250 ms pause would ask the fifth time after 1 s; the back-off after 150 ms.
	assert.Check(t, asked[4] < 4*maxPollInterval, "the fifth check came %s after the first: longer than the back-off", asked[4])
}
