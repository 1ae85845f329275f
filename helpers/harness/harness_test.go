package harness

import (
	"context"
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

// BenchmarkReplayHost measures gathering one recorded host's evidence in
// replay: the cost every fixture adds to `go test ./...`.
func BenchmarkReplayHost(b *testing.B) {
	f, err := fixture.Load("../../fixtures/linux-debian12-docker.io-20.10")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	noCleanup := func(func()) {}
	b.ReportAllocs()
	for b.Loop() {
		s, err := OpenReplay(f)
		if err != nil {
			b.Fatal(err)
		}
		d, err := s.Daemon(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if d.Image, err = s.BaseImage(ctx, d); err != nil {
			b.Fatal(err)
		}
		for _, row := range evidence.Rows {
			if row.Platform != d.Info.OSType {
				continue
			}
			if row.Refusal() {
				_, err = s.TryRefusal(ctx, row, d.Image.Ref, noCleanup)
			} else {
				_, err = s.RunWorkload(ctx, row, d.Image.Ref, noCleanup)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.Leftovers(ctx); err != nil {
			b.Fatal(err)
		}
		if problems := s.FixtureProblems(); len(problems) > 0 {
			b.Fatal(problems)
		}
		_ = s.Close()
	}
}

// TestWaitOnLeavesNoCheckRunning: a wait that times out reports the last state
// it saw, and no check runs after it returned; a check that ran on would send
// a request that a recording saves nondeterministically.
func TestWaitOnLeavesNoCheckRunning(t *testing.T) {
	s := &Session{Expect: config.Expectations{StepTimeout: config.Duration(50 * time.Millisecond)}, PollDelay: time.Millisecond, Logf: t.Logf}
	var calls atomic.Int32
	failure := s.waitOn(func(poll.LogT) poll.Result {
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

	ok := s.waitOn(func(poll.LogT) poll.Result { return poll.Success() })
	assert.Check(t, ok == nil, "%v", ok)
}
