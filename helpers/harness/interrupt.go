package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// interruptCleanupBound bounds what an interrupted run does before it exits:
// a pipeline that sends SIGTERM usually sends SIGKILL some seconds later.
const interruptCleanupBound = 20 * time.Second

// exitAfterInterrupt is how an interrupted run ends; tests of the handler
// replace it.
var exitAfterInterrupt = os.Exit

// interrupts holds the live and recording sessions of this process: at
// SIGINT or SIGTERM each one's run is cancelled, its containers are removed
// with a fresh bounded context, its staging folder is deleted, and the
// process exits with 128 + the signal's number (130, 143).
var interrupts struct {
	mu       sync.Mutex
	sessions map[*Session]context.CancelFunc
	watching bool
	// creating is held for reading by every create in flight: the handler
	// takes it for writing, so that no create lands after its listing.
	creating sync.RWMutex
	// interrupted is closed by the handler; creates refuse from then on, and
	// a run that ends meanwhile waits for the handler's exit.
	interrupted chan struct{}
}

func init() { interrupts.interrupted = make(chan struct{}) }

// Interrupted reports whether SIGINT or SIGTERM arrived: a recording is then
// never saved.
func Interrupted() bool {
	select {
	case <-interrupts.interrupted:
		return true
	default:
		return false
	}
}

// errInterrupted refuses a create once the run is interrupted.
var errInterrupted = errors.New("the run was interrupted: no container is created any more")

// beginCreate admits a create unless the run was interrupted; end releases it.
func beginCreate() (end func(), err error) {
	interrupts.creating.RLock()
	select {
	case <-interrupts.interrupted:
		interrupts.creating.RUnlock()
		return nil, errInterrupted
	default:
		return interrupts.creating.RUnlock, nil
	}
}

// RunContext is the context of the session's run: cancelled at SIGINT and
// SIGTERM, after which the handler removes the run's containers and exits.
// stop unregisters the session (call it when the run is over).
func (s *Session) RunContext(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	interrupts.mu.Lock()
	defer interrupts.mu.Unlock()
	if interrupts.sessions == nil {
		interrupts.sessions = map[*Session]context.CancelFunc{}
	}
	interrupts.sessions[s] = cancel
	if !interrupts.watching {
		interrupts.watching = true
		signals := make(chan os.Signal, 1)
		signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
		go func() { onInterrupt(<-signals) }()
	}
	return ctx, func() {
		select {
		case <-interrupts.interrupted:
			select {} // the handler is cleaning up and exits the process
		default:
		}
		interrupts.mu.Lock()
		delete(interrupts.sessions, s)
		interrupts.mu.Unlock()
		cancel()
	}
}

func onInterrupt(sig os.Signal) {
	close(interrupts.interrupted)
	interrupts.mu.Lock()
	sessions := make([]*Session, 0, len(interrupts.sessions))
	for s, cancel := range interrupts.sessions {
		cancel()
		sessions = append(sessions, s)
	}
	interrupts.mu.Unlock()
	sort.Slice(sessions, func(i, j int) bool { return sessions[i].RunID < sessions[j].RunID })
	code := 130
	if sig == syscall.SIGTERM {
		code = 143
	}
	ctx, cancel := context.WithTimeout(context.Background(), interruptCleanupBound)
	defer cancel()
	// The cancelled creates return at once; wait for them (bounded), so
	// that the listing below sees every container this run made.
	locked := make(chan struct{})
	go func() { interrupts.creating.Lock(); close(locked) }()
	select {
	case <-locked:
	case <-ctx.Done():
	}
	var lines []string
	for _, s := range sessions {
		lines = append(lines, s.cleanUpInterrupted(ctx))
	}
	fmt.Fprintf(os.Stderr, "conformance: interrupted by %s: %s; exit %d\n", signalName(sig), strings.Join(lines, "; "), code)
	exitAfterInterrupt(code)
}

func signalName(sig os.Signal) string {
	if sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	if sig == os.Interrupt {
		return "SIGINT"
	}
	return sig.String()
}

// cleanUpInterrupted removes this run's containers and staging folder. A
// create or removal already sent may land after a listing (the run's own
// cleanup may be removing a container at the same moment), so it lists again,
// a moment later, until a listing is empty or the bound is reached.
func (s *Session) cleanUpInterrupted(ctx context.Context) string {
	if s.CRI != nil {
		return s.cleanUpInterruptedCRI(ctx)
	}
	seen, lastErr := map[string]bool{}, map[string]error{}
	var left []container.Summary
	cli := s.sweepClient()
	for cli != nil {
		list, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", LabelRunID+"="+s.RunID))})
		if err != nil {
			lastErr["list"] = err
			break
		}
		if left = list; len(list) == 0 {
			break
		}
		for _, c := range list {
			seen[c.ID] = true
			if err := cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
				lastErr[hostprobe.ShortID(c.ID)] = err
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
		if ctx.Err() != nil {
			break
		}
	}
	failed := []string{}
	for _, c := range left {
		delete(seen, c.ID)
		failed = append(failed, fmt.Sprintf("%s (%v)", hostprobe.ShortID(c.ID), lastErr[hostprobe.ShortID(c.ID)]))
	}
	if err := lastErr["list"]; err != nil {
		failed = append(failed, "list: "+err.Error())
	}
	removed := len(seen)
	msg := fmt.Sprintf("removed %d container(s) of run %s", removed, s.RunID)
	if len(failed) > 0 {
		msg += fmt.Sprintf(" (could not remove: %s; the next run removes them)", strings.Join(failed, ", "))
	}
	if s.recording() {
		s.DiscardRecording()
		msg += ", recording discarded"
	}
	return msg
}
