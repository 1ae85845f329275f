package harness

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/jsonmessage"
	"gotest.tools/v3/poll"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// WindowsServices are the services the provisioning claims read: the engine,
// the Containers feature's host compute service and Hyper-V's management service.
var WindowsServices = []string{"docker", "vmcompute", "vmms"}

// Daemon gathers the provisioning evidence but the base image, which
// BaseImage adds once the daemon is known to be the right one. The error is a
// fixture error only: everything the daemon or host says, failures included,
// is evidence.
func (s *Session) Daemon(ctx context.Context) (evidence.Daemon, error) {
	d := evidence.Daemon{Target: s.Target, Local: s.Local}
	ctx, cancel := s.stepContext(ctx)
	defer cancel()
	if _, err := s.Client.Ping(ctx); err != nil {
		d.Unreachable = s.connectionFailure(err)
		// The host's own facts do not depend on the daemon: a report of a
		// host whose daemon is down still says what the host is.
		if s.Local {
			if osInfo, err := s.Host.OS(ctx, "provisioning/os"); err == nil {
				d.Host = &osInfo
				s.AddRedaction(osInfo.Hostname)
				if osInfo.OS == "windows" {
					// Why the daemon is silent decides the fix: the docker
					// service's state and start type, Docker Desktop's
					// processes, a dockerd started by hand, vmms.
					d.Services, err = s.Host.Services(ctx, "provisioning/services", WindowsServices)
					d.ServicesErr = evidence.FailureOf(err)
					if snap, err := s.Host.Processes(ctx, "provisioning/processes"); err != nil {
						d.ProcessesErr = evidence.FailureOf(err)
					} else {
						d.Processes = &snap
					}
				}
			}
		}
		return d, s.fixtureErr()
	}
	// Once the daemon answers, version, info and the host's OS are asked at
	// once; all three are asked whatever the others answer, so that a
	// recording and its replay make the same requests.
	var versionErr, infoErr, osErr error
	var osInfo hostprobe.OSInfo
	s.together(
		func() { d.Version, versionErr = s.Client.ServerVersion(ctx) },
		func() { d.Info, infoErr = s.Client.Info(ctx) },
		func() {
			if s.Local {
				osInfo, osErr = s.Host.OS(ctx, "provisioning/os")
			}
		},
	)
	if err := cmp.Or(versionErr, infoErr); err != nil {
		d.Unreachable = s.connectionFailure(err)
		return d, s.fixtureErr()
	}
	s.AddRedaction(d.Info.Name)
	if s.Local {
		if osErr != nil {
			d.HostErr = evidence.FailureOf(osErr)
		} else {
			d.Host = &osInfo
			s.AddRedaction(osInfo.Hostname)
			s.harnessContained = len(osInfo.InContainer) > 0
		}
		if d.Info.OSType == "windows" {
			var err error
			d.Services, err = s.Host.Services(ctx, "provisioning/services", WindowsServices)
			d.ServicesErr = evidence.FailureOf(err)
			// One snapshot before any row says how VM workers will be
			// attributed (exact or elimination, or timing), for the log.
			snap, err := s.Host.Processes(ctx, "provisioning/processes")
			if err != nil {
				d.ProcessesErr = evidence.FailureOf(err)
			} else {
				d.Processes = &snap
				s.exactAttribution = hostprobe.ExactAttributionPossible(snap)
				s.windowsHost = true
			}
		}
	}
	return d, s.fixtureErr()
}

// together runs independent steps at once in live and record runs, and one
// after the other, in the order given, for a constructed fixture (whose
// recording must be byte-for-byte reproducible) and in replay (where the
// answers are in memory and the order of requests to different URLs does not
// matter).
func (s *Session) together(steps ...func()) {
	if !s.overlap {
		for _, step := range steps {
			step()
		}
		return
	}
	var wg sync.WaitGroup
	for _, step := range steps[1:] {
		wg.Go(step)
	}
	steps[0]()
	wg.Wait()
}

// WorkerAttribution says, for the log, how this run will attribute VM
// workers on a local Windows daemon, and so whether its Windows rows run
// concurrently; "" when no Windows row snapshots the host.
func (s *Session) WorkerAttribution() string {
	switch {
	case !s.Local || !s.windowsHost:
		return ""
	case s.exactAttribution:
		return "VM worker attribution: exact, else elimination (HCS compute systems and process owners readable): the Windows rows' start windows take turns"
	}
	return "VM worker attribution: timing (HCS compute systems or process owners unreadable at provisioning): the Windows rows' start windows take turns"
}

// connectionFailure keeps the daemon's own words. A recorded connection
// failure is replayed as the words the transport said, without the address
// the recording client used internally.
func (s *Session) connectionFailure(err error) *evidence.Failure {
	var te *fixture.TransportError
	if errors.As(err, &te) {
		return &evidence.Failure{Kind: evidence.KindConnection, Message: te.Message}
	}
	f := evidence.FailureOf(err)
	f.Kind = evidence.KindConnection
	return f
}

// ImageRef is the configured base image, or the default for the daemon's
// platform and host build.
func ImageRef(d evidence.Daemon, e config.Expectations) (string, *evidence.Failure) {
	if e.Image != "" {
		return e.Image, nil
	}
	if d.Info.OSType != "windows" {
		return config.LinuxTestImage, nil
	}
	build := evidence.WindowsBuild(d.Info.KernelVersion)
	if ref := claims.DefaultBaseImage(build); ref != "" {
		return ref, nil
	}
	return "", &evidence.Failure{Kind: evidence.KindOther, Message: fmt.Sprintf(
		"no default base image for Windows build %d (KernelVersion %q): set %s", build, d.Info.KernelVersion, config.EnvImage)}
}

// BaseImage finds the base image, pulling it as the pull policy allows. It is
// asked only of a daemon whose platform passed: a wrong daemon is never asked
// to pull anything. The error is a fixture error only.
func (s *Session) BaseImage(ctx context.Context, d evidence.Daemon) (evidence.Image, error) {
	ref, refErr := ImageRef(d, s.Expect)
	img := evidence.Image{Ref: ref, RefErr: refErr}
	var cancels cancelList
	defer cancels.run()
	if refErr != nil {
		return img, nil
	}
	inspect, err := s.Client.ImageInspect(s.request(ctx, &cancels), ref)
	img.PresentBefore = err == nil
	pull := s.Expect.Pull == config.PullAlways || (s.Expect.Pull == config.PullMissing && !img.PresentBefore)
	if pull {
		img.PullErr = evidence.FailureOf(s.pull(ctx, ref))
		img.Pulled = img.PullErr == nil
		inspect, err = s.Client.ImageInspect(s.request(ctx, &cancels), ref)
	}
	if err != nil {
		img.InspectErr = evidence.FailureOf(err)
	} else {
		img.Inspect = &inspect
	}
	return img, s.fixtureErr()
}

// pull shows the daemon's progress while it runs: a Windows base image is
// hundreds of megabytes, and a silent gate looks hung.
func (s *Session) pull(ctx context.Context, ref string) error {
	s.Logf("pulling %s (%s=%s)", ref, config.EnvPull, s.Expect.Pull)
	rc, err := s.Client.ImagePull(ctx, ref, image.PullOptions{})
	if err != nil {
		return fmt.Errorf("pull %s: %w", ref, err)
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	last := ""
	for {
		var m jsonmessage.JSONMessage
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("read pull progress of %s: %w", ref, err)
		}
		if m.Error != nil {
			return fmt.Errorf("pull %s: %s", ref, m.Error.Message)
		}
		line := strings.TrimSpace(m.ID + " " + m.Status)
		if line != last && m.Status != "Downloading" && m.Status != "Extracting" {
			s.Logf("pull %s: %s", ref, line)
			last = line
		}
	}
}

// WorkloadCommand is the documented session's workload: ping that never ends.
func WorkloadCommand(platform string) []string {
	if platform == "windows" {
		return []string{"ping", "localhost", "-t"}
	}
	return []string{"ping", "localhost"}
}

func (s *Session) labels(row evidence.Row) map[string]string {
	l := ownerLabels(s.Owner)
	l[LabelHarness], l[LabelRunID], l[LabelRow] = harnessLabelValue, s.RunID, row.String()
	return l
}

func (s *Session) containerName(row evidence.Row) string {
	return fmt.Sprintf("conformance-%s-%s-%s", s.RunID, row.Platform, row.Mode)
}

// isolationFor is what HostConfig.Isolation asks for: nothing for the
// platform default.
func isolationFor(mode string) container.Isolation {
	if mode == "default" {
		return ""
	}
	return container.Isolation(mode)
}

// Cleanups receives the removal of each container right after its creation,
// before the creation's error is checked; tests pass t.Cleanup.
type Cleanups func(func())

// RunWorkload starts the workload under the row's isolation, waits for it to
// run, snapshots the host around the start, reads the process tree, removes
// the container and waits until it and any VM worker it brought are gone.
func (s *Session) RunWorkload(ctx context.Context, row evidence.Row, imageRef string, cleanup Cleanups) (evidence.Workload, error) {
	w := evidence.Workload{Row: row, Image: imageRef, Isolation: string(isolationFor(row.Mode))}
	step := row.String()
	// Attribution by elimination or timing holds only if no other row starts
	// a container between this row's snapshots, and whether the exact step
	// applies is known only after the start (a zero RuntimeId, a worker
	// that runs as another account): every Windows row takes the lock.
	locked := row.Platform == "windows" && s.Local
	if locked {
		s.workerLock.Lock()
	}
	w.Serialized = locked
	unlock := func() {
		if locked {
			locked = false
			s.workerLock.Unlock()
		}
	}
	defer unlock()

	var cancels cancelList
	defer cancels.run()
	// The host snapshot before the start is taken while the container is
	// created on Linux, where creating starts no process. On Windows it
	// precedes the create: the VM worker difference rests on a snapshot
	// taken before anything of the row reached the host compute service.
	var created container.CreateResponse
	var gone *bool
	var err error
	// Each request's step context is made here, not in the functions that
	// run at once.
	beforeCtx, createCtx := s.request(ctx, &cancels), s.request(ctx, &cancels)
	before := func() {
		if s.Local {
			w.Before = s.snapshot(beforeCtx, step+"/before-start", &w)
		}
	}
	createRow := func() { created, gone, err = s.create(createCtx, row, imageRef, cleanup) }
	if row.Platform == "windows" {
		before()
		createRow()
	} else {
		s.together(createRow, before)
	}
	if err != nil {
		w.CreateErr = evidence.FailureOf(err)
		return w, s.fixtureErr()
	}
	w.ContainerID = created.ID
	if err := s.Client.ContainerStart(s.request(ctx, &cancels), created.ID, container.StartOptions{}); err != nil {
		w.StartErr = evidence.FailureOf(err)
	} else {
		w.Inspect, w.RunErr = s.waitRunning(ctx, created.ID)
	}
	if w.StartErr == nil && w.RunErr == nil {
		s.settle(ctx, step+"/after-start", created.ID, &w)
	} else if s.Local {
		w.After = s.snapshot(s.request(ctx, &cancels), step+"/after-start", &w)
	}
	unlock()

	if err := s.Client.ContainerRemove(s.request(ctx, &cancels), created.ID, container.RemoveOptions{Force: true}); err != nil {
		w.RemoveErr = evidence.FailureOf(err)
	} else {
		w.GoneErr = s.waitGone(ctx, created.ID)
		*gone = w.GoneErr == nil
	}
	if row.Mode == "hyperv" && w.Before != nil && w.After != nil {
		w.WorkersGoneErr = s.waitWorkersGone(ctx, step+"/after-remove", hostprobe.AttributeWorkers(*w.Before, *w.After, created.ID).Workers)
	}
	return w, s.fixtureErr()
}

// settle reads `docker top` and, for a local daemon, snapshots the host until
// the evidence has settled: the workload is in the container's process tree
// under its own name and, unless the row runs it in a utility VM, the host
// has a process of that PID and name. A container reaches "running" before
// its runtime has exec'd the workload (Linux shows runc:[2:INIT] at that PID;
// on Windows CExecSvc starts PING.EXE after the container runs), so a single
// snapshot taken at "running" judges a process that is not yet the workload.
// The wait is bounded by the step timeout; one that never settles is
// recorded with what it saw last, and the claims judge the last answers.
func (s *Session) settle(ctx context.Context, step, id string, w *evidence.Workload) {
	want := claims.WorkloadName(w.Row.Platform)
	// The check fills seen; w takes it once the wait is over, so that a check
	// that outlives a timed-out wait cannot write into the evidence.
	var mu sync.Mutex
	seen := *w
	settleErr := s.waitOn(ctx, func(ctx context.Context) poll.Result {
		ctx, cancel := s.stepContext(ctx)
		defer cancel()
		mu.Lock()
		defer mu.Unlock()
		// docker top and the host snapshot read what runs now and change
		// nothing: they are taken at once. A snapshot that caught the PID
		// before its exec only makes the wait ask again.
		var top container.TopResponse
		var topErr error
		var snap *hostprobe.Snapshot
		s.together(
			func() { top, topErr = s.Client.ContainerTop(ctx, id, nil) },
			func() {
				if s.Local {
					snap = s.snapshot(ctx, step, &seen)
				}
			},
		)
		if topErr != nil {
			seen.Top, seen.TopErr = nil, evidence.FailureOf(topErr)
			return poll.Error(fmt.Errorf("docker top %s: %w", id[:12], topErr))
		}
		seen.Top, seen.TopErr = &top, nil
		if s.Local {
			if snap == nil {
				return poll.Error(seen.HostErr)
			}
			seen.After = snap
		}
		work, found := topProcess(&top, want)
		switch {
		case !found:
			return poll.Continue("docker top of %s lists no %s yet: %s", id[:12], want, topNames(&top))
		case snap == nil || w.Row.Mode == "hyperv" || s.harnessContained:
			// In a utility VM the workload is never a host process, and a
			// harness inside a container cannot see the host's processes.
			return poll.Success()
		}
		p, ok := snap.Find(work.PID)
		switch {
		case !ok:
			return poll.Continue("docker top lists %s PID %d; the host has no process with that PID yet", work.Name, work.PID)
		case !hostprobe.SameImageName(p.Name, work.Name):
			return poll.Continue("docker top lists %s PID %d; on the host that PID is %s", work.Name, work.PID, p.Name)
		}
		return poll.Success()
	})
	mu.Lock()
	defer mu.Unlock()
	*w = seen
	w.SettleErr = settleErr
}

// topProcess finds the named program among docker top's rows.
func topProcess(top *container.TopResponse, name string) (claims.TopProcess, bool) {
	procs, err := claims.TopProcesses(top)
	if err != nil {
		return claims.TopProcess{}, false
	}
	return claims.FindTopProcess(procs, name)
}

func topNames(top *container.TopResponse) string {
	procs, err := claims.TopProcesses(top)
	if err != nil {
		return err.Error()
	}
	return "[" + claims.TopNames(procs) + "]"
}

func (s *Session) snapshot(ctx context.Context, step string, w *evidence.Workload) *hostprobe.Snapshot {
	snap, err := s.Host.Processes(ctx, step)
	if err != nil {
		if w.HostErr == nil {
			w.HostErr = evidence.FailureOf(fmt.Errorf("snapshot at %s: %w", step, err))
		}
		return nil
	}
	return &snap
}

// create creates the row's workload container with the harness labels and
// registers its removal before looking at the error; the caller sets *removed
// once it has seen the container gone, so that cleanup makes no request.
func (s *Session) create(ctx context.Context, row evidence.Row, imageRef string, cleanup Cleanups) (container.CreateResponse, *bool, error) {
	if s.mode != config.Replay {
		end, err := beginCreate(s.containerName(row))
		if err != nil {
			return container.CreateResponse{}, new(bool), err
		}
		defer end()
	}
	created, err := s.Client.ContainerCreate(ctx,
		&container.Config{Image: imageRef, Cmd: WorkloadCommand(row.Platform), Labels: s.labels(row)},
		&container.HostConfig{Isolation: isolationFor(row.Mode)}, nil, nil, s.containerName(row))
	removed := new(bool)
	cleanup(func() {
		// After SIGINT or SIGTERM the handler removes every container of
		// the run; a second removal would only race it.
		if created.ID != "" && !*removed && !Interrupted() {
			// A fresh context: the run's may be cancelled (interrupt, run
			// bound), and the container must go all the same.
			ctx, cancel := s.cleanupContext()
			defer cancel()
			_ = s.Client.ContainerRemove(ctx, created.ID, container.RemoveOptions{Force: true})
		}
	})
	return created, removed, err
}

// TryRefusal asks for an isolation mode the daemon must refuse. A container
// the daemon accepts anyway is removed at once.
func (s *Session) TryRefusal(ctx context.Context, row evidence.Row, imageRef string, cleanup Cleanups) (evidence.Refusal, error) {
	r := evidence.Refusal{Row: row}
	var cancels cancelList
	defer cancels.run()
	created, removed, err := s.create(s.request(ctx, &cancels), row, imageRef, cleanup)
	if err != nil {
		r.CreateErr = evidence.FailureOf(err)
		return r, s.fixtureErr()
	}
	r.ContainerID = created.ID
	*removed = s.Client.ContainerRemove(s.request(ctx, &cancels), created.ID, container.RemoveOptions{Force: true}) == nil
	return r, s.fixtureErr()
}

// RemoveLeftover removes a container of this run that was left behind.
func (s *Session) RemoveLeftover(ctx context.Context, c container.Summary) error {
	if c.Labels[LabelRunID] != s.RunID {
		return fmt.Errorf("container %s is not of run %s: not touched", c.ID, s.RunID)
	}
	ctx, cancel := s.stepContext(ctx)
	defer cancel()
	if err := s.Client.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}); err != nil {
		return fmt.Errorf("remove leftover %s: %w", c.ID, err)
	}
	return nil
}

// Leftovers lists the containers of this run that still exist.
func (s *Session) Leftovers(ctx context.Context) ([]container.Summary, error) {
	ctx, cancel := s.stepContext(ctx)
	defer cancel()
	list, err := s.Client.ContainerList(ctx, container.ListOptions{
		All:     true,
		Filters: filters.NewArgs(filters.Arg("label", LabelRunID+"="+s.RunID)),
	})
	if err != nil {
		return nil, fmt.Errorf("list containers of run %s: %w", s.RunID, err)
	}
	return list, nil
}

// stepContext bounds one Engine API request (or host probe) by the step
// timeout, under the run's context: a daemon that accepts the connection and
// never answers costs one step, not the whole run.
func (s *Session) stepContext(ctx context.Context) (context.Context, context.CancelFunc) {
	timeout := time.Duration(s.Expect.StepTimeout)
	if timeout <= 0 {
		timeout = config.DefaultStepTimeout
	}
	return context.WithTimeout(ctx, timeout)
}

// cleanupContext is a fresh context for a removal on the way out.
func (s *Session) cleanupContext() (context.Context, context.CancelFunc) {
	if s.CleanupTimeout > 0 {
		return context.WithTimeout(context.Background(), s.CleanupTimeout)
	}
	return s.stepContext(context.Background())
}

// cancelList releases the step contexts of a function's requests when it returns.
type cancelList []context.CancelFunc

func (c *cancelList) run() {
	for _, cancel := range *c {
		cancel()
	}
}

// request is stepContext for one request among several in a function.
func (s *Session) request(ctx context.Context, cancels *cancelList) context.Context {
	ctx, cancel := s.stepContext(ctx)
	*cancels = append(*cancels, cancel)
	return ctx
}

// waitRunning polls inspect until the container runs, or stops for good.
func (s *Session) waitRunning(ctx context.Context, id string) (*container.InspectResponse, *evidence.Failure) {
	var last *container.InspectResponse
	var exited string
	err := s.waitOn(ctx, func(ctx context.Context) poll.Result {
		ctx, cancel := s.stepContext(ctx)
		defer cancel()
		in, err := s.Client.ContainerInspect(ctx, id)
		if err != nil {
			return poll.Error(fmt.Errorf("inspect %s: %w", id, err))
		}
		last = &in
		switch st := in.State; {
		case st == nil:
			return poll.Continue("container %s: no state yet", id[:12])
		case st.Running:
			return poll.Success()
		case st.Status == "exited" || st.Status == "dead":
			exited = fmt.Sprintf("container %s is %s with exit code %d (error %q)", id[:12], st.Status, st.ExitCode, st.Error)
			return poll.Success()
		default:
			return poll.Continue("container %s is %s, waiting for running", id[:12], st.Status)
		}
	})
	switch {
	case err != nil:
		return last, err
	case exited != "":
		return last, &evidence.Failure{Kind: evidence.KindOther, Message: exited}
	}
	return last, nil
}

// waitGone polls inspect until the daemon no longer knows the container.
func (s *Session) waitGone(ctx context.Context, id string) *evidence.Failure {
	return s.waitOn(ctx, func(ctx context.Context) poll.Result {
		ctx, cancel := s.stepContext(ctx)
		defer cancel()
		in, err := s.Client.ContainerInspect(ctx, id)
		switch {
		case cerrdefs.IsNotFound(err):
			return poll.Success()
		case err != nil:
			return poll.Error(fmt.Errorf("inspect %s after removal: %w", id, err))
		case in.State != nil:
			return poll.Continue("container %s still present after removal: %s", id[:12], in.State.Status)
		}
		return poll.Continue("container %s still present after removal", id[:12])
	})
}

// waitWorkersGone polls the host until none of the VM workers attributed to
// the container still runs: identified by PID and create time, so that a PID
// the system reused meanwhile is not taken for a worker still running.
func (s *Session) waitWorkersGone(ctx context.Context, step string, workers []hostprobe.Process) *evidence.Failure {
	if len(workers) == 0 {
		return nil
	}
	return s.waitOn(ctx, func(ctx context.Context) poll.Result {
		ctx, cancel := s.stepContext(ctx)
		defer cancel()
		snap, err := s.Host.Processes(ctx, step)
		if err != nil {
			return poll.Error(fmt.Errorf("snapshot at %s: %w", step, err))
		}
		var still []string
		for _, w := range workers {
			if snap.Contains(w) {
				still = append(still, strconv.Itoa(w.PID))
			}
		}
		if len(still) > 0 {
			return poll.Continue("vmwp.exe %s still running after removal", strings.Join(still, ", "))
		}
		return poll.Success()
	})
}

// waitOn runs poll.WaitOn within the step timeout and turns its verdict into
// evidence: a container that never runs is a finding about the host, not a
// crash of the harness. It also stops at the first fixture error, since no
// later answer can be trusted, and, in replay, as soon as the poll got its
// last recorded answer again: the answer can no longer change, so the wait
// ends with the verdict its timeout would reach.
//
// The step deadline is checked by the check itself, before it asks anything:
// poll.WaitOn's own timer fires while a check is in flight and leaves that
// check running, so its request would land after the wait, and in a recording
// after the answers were saved. Each check also runs in a goroutine of its own
// that reports on a buffered channel: a check that hangs is abandoned after
// hungCheckGrace and ends by itself when its request's deadline cancels it,
// instead of blocking forever on WaitOn's unbuffered send. WaitOn's own timer
// is set past both, so it never fires.
//
// WaitOn pauses PollDelay between checks; the pause between two requests
// doubles from there up to maxPollInterval: a state that changes at once is
// seen at once, one that takes long is not asked about 100 times a second.
func (s *Session) waitOn(ctx context.Context, check func(context.Context) poll.Result) (failure *evidence.Failure) {
	timeout := time.Duration(s.Expect.StepTimeout)
	if s.mode == config.Replay && timeout > replayWaitCap {
		timeout = replayWaitCap
	}
	deadline := time.Now().Add(timeout)
	ctx, answersUsedUp := fixture.WatchRepeats(ctx)
	interval, due := s.PollDelay, time.Time{}
	var mu sync.Mutex // last and timedOut are written by WaitOn's goroutine and read here
	var last, timedOut string
	var lastErr error
	var hung bool
	guarded := func(t poll.LogT) poll.Result {
		if err := s.fixtureErr(); err != nil {
			return poll.Error(err)
		}
		mu.Lock()
		lastSeen := last
		mu.Unlock()
		now := time.Now()
		if now.After(deadline) {
			mu.Lock()
			timedOut = nonEmpty(lastSeen, "the first check never completed")
			mu.Unlock()
			return poll.Error(errors.New("step timeout"))
		}
		if now.Before(due) {
			return poll.Continue("%s", lastSeen)
		}
		done := make(chan poll.Result, 1)
		go func() { done <- check(ctx) }()
		var r poll.Result
		select {
		case r = <-done:
		case <-time.After(time.Until(deadline) + hungCheckGrace):
			mu.Lock()
			timedOut = "a check hung: " + nonEmpty(lastSeen, "the first check never completed")
			hung = true
			mu.Unlock()
			return poll.Error(errors.New("check hung"))
		}
		mu.Lock()
		last, lastErr = r.Message(), r.Error()
		mu.Unlock()
		if !r.Done() && r.Error() == nil && answersUsedUp() {
			mu.Lock()
			timedOut = r.Message()
			mu.Unlock()
			return poll.Error(errors.New("recorded answers used up"))
		}
		due, interval = time.Now().Add(interval), min(2*interval, maxPollInterval)
		return r
	}
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		stop, ok := r.(pollStop)
		if !ok {
			panic(r)
		}
		mu.Lock()
		defer mu.Unlock()
		// The timeout's length stays out of the message: a replay may wait
		// less than the recording did and must reach the same verdict.
		switch {
		case hung:
			// A check that never returned is a request without an answer.
			failure = &evidence.Failure{Kind: evidence.KindConnection, Message: "timed out: " + timedOut}
		case timedOut != "":
			failure = &evidence.Failure{Kind: evidence.KindTimeout, Message: "timed out: " + timedOut}
		case lastErr != nil && evidence.FailureOf(lastErr).Kind == evidence.KindConnection:
			// A lost connection is not a finding about the container.
			failure = evidence.FailureOf(lastErr)
		default:
			failure = &evidence.Failure{Kind: evidence.KindOther, Message: string(stop)}
		}
	}()
	poll.WaitOn(pollT{s.Logf}, guarded, poll.WithTimeout(timeout+3*hungCheckGrace), poll.WithDelay(s.PollDelay))
	return nil
}

// maxPollInterval is the longest pause between two requests of a wait.
const maxPollInterval = 250 * time.Millisecond

// hungCheckGrace is how long past the step deadline a single check may run
// before poll.WaitOn gives up on it.
var hungCheckGrace = 30 * time.Second

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// replayWaitCap bounds a wait in replay: once a poll's recorded answers are
// used up it gets the last one again, so waiting longer cannot change a verdict.
const replayWaitCap = 2 * time.Second

// pollStop carries poll.WaitOn's failure out of its loop: WaitOn reports
// through Fatalf and expects it not to return.
type pollStop string

type pollT struct{ logf func(string, ...any) }

func (p pollT) Log(args ...any)                 { p.logf("%s", fmt.Sprint(args...)) }
func (p pollT) Logf(format string, args ...any) { p.logf(format, args...) }
func (p pollT) Fatalf(format string, args ...any) {
	panic(pollStop(fmt.Sprintf(format, args...)))
}
