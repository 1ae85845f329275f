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

// createLandGrace is how long an interrupted run keeps looking for a
// container whose create was in flight at the interrupt: the daemon finishes
// a create whose client left (moby does not abandon a create half way), and a
// Windows create sets up the container's sandbox layer first, which takes
// seconds. The container is removed as soon as it is listed.
var createLandGrace = 5 * time.Second

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
	// inFlight names the containers whose create was sent and has not
	// returned (under mu).
	inFlight map[string]bool
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

// beginCreate admits the create of the named container unless the run was
// interrupted; end releases it.
func beginCreate(name string) (end func(), err error) {
	interrupts.creating.RLock()
	select {
	case <-interrupts.interrupted:
		interrupts.creating.RUnlock()
		return nil, errInterrupted
	default:
	}
	interrupts.mu.Lock()
	if interrupts.inFlight == nil {
		interrupts.inFlight = map[string]bool{}
	}
	interrupts.inFlight[name] = true
	interrupts.mu.Unlock()
	return func() {
		interrupts.mu.Lock()
		delete(interrupts.inFlight, name)
		interrupts.mu.Unlock()
		interrupts.creating.RUnlock()
	}, nil
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
	// The creates in flight now may land after their client gave up.
	pending := map[string]bool{}
	for name := range interrupts.inFlight {
		pending[name] = true
	}
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
		lines = append(lines, s.cleanUpInterrupted(ctx, pending))
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
// a moment later, until a listing is empty and every create that was in
// flight at the interrupt (pending, by container name) has been listed, or
// createLandGrace has passed, or the bound is reached.
func (s *Session) cleanUpInterrupted(ctx context.Context, pending map[string]bool) string {
	if s.CRI != nil {
		return s.cleanUpInterruptedCRI(ctx)
	}
	seen, lastErr := map[string]bool{}, map[string]error{}
	waiting := map[string]bool{}
	for name := range pending {
		if strings.HasPrefix(name, "conformance-"+s.RunID+"-") {
			waiting[name] = true
		}
	}
	grace := time.Now().Add(createLandGrace)
	var left []container.Summary
	cli := s.sweepClient()
	for cli != nil {
		list, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", LabelRunID+"="+s.RunID))})
		if err != nil {
			lastErr["list"] = err
			break
		}
		for _, c := range list {
			for _, name := range c.Names {
				delete(waiting, strings.TrimPrefix(name, "/"))
			}
		}
		if left = list; len(list) == 0 && (len(waiting) == 0 || time.Now().After(grace)) {
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
	if len(waiting) > 0 && len(lastErr) == 0 {
		names := make([]string, 0, len(waiting))
		for name := range waiting {
			names = append(names, name)
		}
		sort.Strings(names)
		msg += fmt.Sprintf(" (the create of %s, in flight at the interrupt, did not land within %s; if it lands, the next run removes it)", strings.Join(names, ", "), createLandGrace)
	}
	if len(failed) > 0 {
		msg += fmt.Sprintf(" (could not remove: %s; the next run removes them)", strings.Join(failed, ", "))
	}
	if s.recording() {
		s.DiscardRecording()
		msg += ", recording discarded"
	}
	return msg
}
