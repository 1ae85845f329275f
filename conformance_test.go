// Package conformance gates Windows (and Linux) container hosts: `go test ./...`
// runs the provisioning and isolation claims against the live daemon, records a
// host into fixtures, or replays recorded hosts on any OS. See README.md.
package conformance

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
	"github.com/wincontainer-gate/conformance/helpers/harness"
	"github.com/wincontainer-gate/conformance/helpers/version"
)

// judgement says how verdicts become test outcomes.
type judgement int

const (
	// gate: a failed claim fails the test; a skipped claim skips it unless
	// the claim is required, when the skip fails the gate with its reason.
	gate judgement = iota
	// compareToFixture: a verdict that differs from the fixture's expected
	// one fails the test; an expected failure passes.
	compareToFixture
	// observe: verdicts are logged and returned for the caller to judge.
	observe
)

// hostRun is one host under test: a live daemon, or one fixture in replay.
type hostRun struct {
	// ctx is the run's context: in a live or recording run it ends at
	// SIGINT/SIGTERM and at the run bound, before go test's -timeout.
	ctx    context.Context
	s      *harness.Session
	ledger *claims.Ledger
	daemon evidence.Daemon
	// judge says what a verdict does to the test.
	judge judgement
	// expected holds the fixture's verdicts when judge is compareToFixture.
	expected map[string]fixture.Expected
	// required says which claims the gate needs to pass (claims.Requirements).
	required []claims.Requirement
	// Summary is the gate's verdict over the required claims, set once every
	// row of the host has finished (in the host test's cleanup).
	Summary claims.GateSummary

	mu sync.Mutex
	// reported lists the claims whose subtest ran: a `go test -run` filter
	// selects those, and only those count for the required-claims line.
	reported map[string]bool
	// rowsRun counts the isolation rows whose subtest ran, of rows (0:
	// every Docker row).
	rowsRun int
	rows    int
	// runtime is the containerd engine's evidence; nil for Docker.
	runtime *evidence.Runtime
	// docs holds each reported claim's table doc, for the report.
	docs map[string]string
}

func loadConfig(t *testing.T) config.Config {
	t.Helper()
	cfg, err := config.Load(os.Getenv, runtime.GOOS)
	require.NoError(t, err, "configuration (see docs/configuration.md)")
	return cfg
}

// TestConformance is the gate: live on Windows, replay of every fixture
// elsewhere, record when asked.
func TestConformance(t *testing.T) {
	gateStarted()
	cfg := loadConfig(t)
	switch cfg.Mode {
	case config.Live:
		t.Run("live", func(t *testing.T) {
			if criLiveConfigured(cfg) {
				s := openCRI(t, cfg, harness.OpenCRILive)
				checkCRIHost(t, s, gate, nil, func(run *hostRun) {
					requireFailClosed(t, run)
					neverCached(t, run)
					collect("live", run, cfg.Mode, cfg.Profile)
				})
				return
			}
			s := openLive(t, cfg)
			checkHost(t, s, gate, nil, func(run *hostRun) {
				requireFailClosed(t, run)
				neverCached(t, run)
				collect("live", run, cfg.Mode, cfg.Profile)
			})
		})
	case config.Record:
		t.Run("record", func(t *testing.T) {
			if criLiveConfigured(cfg) {
				recordCRIHost(t, cfg)
				return
			}
			recordHost(t, cfg)
		})
	case config.Replay:
		dirs, err := fixture.Discover(cfg.Fixtures)
		require.NoError(t, err)
		require.NotEmpty(t, dirs, "no fixtures under %s: record one with CONFORMANCE_MODE=record", cfg.Fixtures)
		for _, dir := range dirs {
			t.Run(filepath.Base(dir), func(t *testing.T) {
				t.Parallel()
				replayHost(t, dir, compareToFixture)
			})
		}
	}
}

func openLive(t *testing.T, cfg config.Config) *harness.Session {
	t.Helper()
	s, err := harness.OpenLive(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	s.Logf = t.Logf
	return s
}

// loadedFixtures holds the fixtures this test binary loaded, by folder: a
// fixture is read and parsed once however many tests replay it (each replay
// keeps its own record of the answers it used). Loaded fixtures are read only.
var loadedFixtures sync.Map

func loadFixture(t *testing.T, dir string) *fixture.Fixture {
	t.Helper()
	if f, ok := loadedFixtures.Load(dir); ok {
		return f.(*fixture.Fixture)
	}
	f, err := fixture.Load(dir)
	require.NoError(t, err)
	loadedFixtures.Store(dir, f)
	return f
}

// replayHost replays one fixture folder. Compared, every verdict must be the
// fixture's expected one; observed, the ledger is returned for the caller to
// judge (a tampered copy, say).
func replayHost(t *testing.T, dir string, judge judgement) *claims.Ledger {
	t.Helper()
	f := loadFixture(t, dir)
	open, check := harness.OpenReplay, checkHost
	if f.Meta.Expectations.EngineName() == config.EngineContainerd {
		open, check = harness.OpenCRIReplay, checkCRIHost
	}
	s, err := open(f)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	s.Logf = t.Logf
	t.Logf("replaying %s: %s %s host, engine %s %s, recorded %s (%s)",
		f.Name(), f.Meta.Platform, f.Meta.HostBuild, f.Meta.Expectations.EngineName(), f.Meta.EngineVersion, f.Meta.RecordedAt, f.Meta.Provenance.Kind)
	run := check(t, s, judge, f.Meta.Expected, func(run *hostRun) {
		// A -run filter that leaves rows out leaves their recorded answers
		// unused and their claims unjudged: only a request without an
		// answer is then a fixture error.
		partial := run.partial()
		if partial {
			t.Logf("a -run filter selected part of %s: recorded answers of the rows left out stay unused", f.Name())
		}
		for _, problem := range s.FixtureProblems() {
			var miss *fixture.MissError
			if !partial || errors.As(problem, &miss) {
				t.Error(problem)
			}
		}
		if judge == compareToFixture && !partial {
			requireAllExpectedJudged(t, run, f)
			requireGateOutcome(t, run, f)
		}
		if judge == compareToFixture {
			collect(f.Name(), run, config.Replay, "")
		}
	})
	return run.ledger
}

// recordHost runs the live suite through the recorder and saves the fixture
// with the verdicts it reached as the expected ones.
func recordHost(t *testing.T, cfg config.Config) {
	s, err := harness.OpenRecord(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	s.Logf = t.Logf
	checkHost(t, s, gate, nil, func(run *hostRun) {
		requireFailClosed(t, run)
		saveRecording(t, cfg, s, run)
		neverCached(t, run)
		collect("record", run, cfg.Mode, cfg.Profile)
	})
}

// saveRecording writes the fixture with the verdicts the run reached as the
// expected ones.
func saveRecording(t *testing.T, cfg config.Config, s *harness.Session, run *hostRun) {
	t.Helper()
	what, source := "the daemon", fmt.Sprintf("recorded live from %s %s (%s)", nonEmpty(run.daemon.Version.Platform.Name, "Docker Engine"), run.daemon.Version.Version, run.daemon.Info.OperatingSystem)
	if run.runtime != nil {
		what, source = "the CRI runtime", fmt.Sprintf("recorded live through CRI from %s %s (%s)", run.runtime.Name, run.runtime.Version, run.runtime.Target)
	}
	if run.daemon.Unreachable != nil {
		s.DiscardRecording()
		t.Errorf("nothing recorded: %s at %s did not answer (%s)", what, s.Target, run.daemon.Unreachable.Message)
		return
	}
	name := cfg.RecordName
	if name == "" {
		name = recordName(run.daemon)
		if run.runtime != nil {
			name += "-containerd"
		}
	}
	meta := recordingMetadata(cfg, s, run, name, source)
	if run.runtime != nil {
		meta.Provenance.Rerecord = fmt.Sprintf("%s=containerd %s", config.EnvEngine, meta.Provenance.Rerecord)
	}
	dir, err := s.FinishRecording(cfg.Fixtures, name, meta)
	require.NoError(t, err)
	t.Logf("recorded %d claims into %s", len(meta.Expected), dir)
}

// recordingMetadata is the fixture.json of a recording, with the verdicts
// the run reached as the expected ones.
func recordingMetadata(cfg config.Config, s *harness.Session, run *hostRun, name, source string) fixture.Metadata {
	// The command that re-records names the fixtures folder only when it
	// is one inside the working folder: a user's home path stays out.
	fixturesArg := cfg.Fixtures
	if !filepath.IsLocal(fixturesArg) {
		fixturesArg = "<fixtures folder>"
	}
	meta := fixture.Metadata{
		FormatVersion:  fixture.FormatVersion,
		RecordedAt:     time.Now().UTC().Format(time.RFC3339),
		HarnessVersion: version.Get().Version,
		Platform:       run.daemon.Info.OSType,
		HostBuild:      claims.DaemonBuild(run.daemon),
		EngineVersion:  run.daemon.Version.Version,
		APIVersion:     run.daemon.Version.APIVersion,
		RunID:          s.RunID,
		Owner:          s.Owner,
		Target:         s.Target,
		Local:          s.Local,
		Expectations:   s.Expect,
		Provenance: fixture.Provenance{
			Kind:   fixture.Recorded,
			Source: source,
			Rerecord: fmt.Sprintf("%s=record %s=%s %s=%s go test -count=1 -run TestConformance . (on a host like this one)",
				config.EnvMode, config.EnvFixtures, fixturesArg, config.EnvRecordName, name),
		},
		Expected: map[string]fixture.Expected{},
	}
	for _, v := range run.ledger.All() {
		meta.Expected[v.Claim] = fixture.Expected{Status: string(v.Status), Message: v.Message, BlockedBy: v.BlockedBy, Warnings: v.Warnings}
	}
	outcome := run.gateOutcome()
	meta.Gate = &outcome
	return meta
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9.]+`)

func recordName(d evidence.Daemon) string {
	return strings.Trim(unsafeName.ReplaceAllString(
		fmt.Sprintf("%s-%s-engine-%s", d.Info.OSType, claims.DaemonBuild(d), d.Version.Version), "-"), "-")
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// checkHost gathers the daemon's evidence, judges every provisioning claim
// outside the subtests (so that a `-run` filter that selects one row or one
// claim still judges its prerequisites), then reports each claim in a subtest
// named by its ID and runs the isolation rows. Rows run in parallel: what
// depends on all of them (leftovers, the required-claims line, the fixture's
// checks) runs in the host test's cleanup, after every row has finished; after
// registers more of it.
func checkHost(t *testing.T, s *harness.Session, judge judgement, expected map[string]fixture.Expected, after ...func(*hostRun)) *hostRun {
	t.Helper()
	run := &hostRun{ctx: context.Background(), s: s, ledger: claims.NewLedger(), judge: judge, expected: expected, reported: map[string]bool{}, docs: map[string]string{}}
	boundErr := func() error { return nil }
	if judge == gate {
		run.ctx, boundErr = liveRunContext(t, s)
	}
	var err error
	run.daemon, err = s.Daemon(run.ctx)
	require.NoError(t, err)
	if plan := s.WorkerAttribution(); plan != "" {
		t.Log(plan)
	}
	// The sweep of dead runs' containers runs beside the base image: it
	// touches only containers of runs that are gone, never this run's.
	var sweeping sync.WaitGroup
	defer sweeping.Wait() // also when a check below ends the test early
	if judge == gate && run.daemon.Unreachable == nil {
		sweeping.Go(func() { sweepDeadRuns(t, run) })
	}

	t.Cleanup(func() {
		if err := boundErr(); err != nil {
			t.Error(err)
		}
		if run.daemon.Unreachable == nil {
			checkLeftovers(t, run)
		}
		t.Logf("verdicts: %d passed, %d failed, %d skipped", run.ledger.Count(claims.Pass), run.ledger.Count(claims.Fail), run.ledger.Count(claims.Skip))
		summarize(t, run)
		for _, f := range after {
			f(run)
		}
	})
	judgeProvisioning(t, run)
	sweeping.Wait()
	run.required = claims.Requirements(run.daemon, s.Expect)
	reportProvisioning(t, run)
	testIsolation(t, run)
	return run
}

// liveRunContext is the context of a live or recording run: cancelled at
// SIGINT or SIGTERM (whose handler removes the run's containers and exits),
// and ended by the run bound, which leaves go test's own -timeout (read with
// t.Deadline) room for the row cleanups and the leftover check, so that a
// hung daemon ends the run with a verdict and no container behind rather
// than with go test's panic. boundErr reports a run that hit the bound.
func liveRunContext(t *testing.T, s *harness.Session) (ctx context.Context, boundErr func() error) {
	t.Helper()
	ctx, stop := s.RunContext(context.Background())
	t.Cleanup(stop)
	deadline, ok := t.Deadline()
	if !ok {
		return ctx, func() error { return nil }
	}
	reserve := min(max(time.Until(deadline)/5, 3*time.Second), 45*time.Second)
	s.CleanupTimeout = reserve / 4
	bound := deadline.Add(-reserve)
	ctx, cancel := context.WithDeadline(ctx, bound)
	t.Cleanup(cancel)
	return ctx, func() error {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("run bound reached at %s, %s before go test's -timeout: the run stopped with the claims judged so far and removes its containers; "+
				"raise -timeout or lower %s", bound.Format(time.TimeOnly), reserve.Round(time.Second), config.EnvStepTimeout)
		}
		return nil
	}
}

// sweepDeadRuns removes, and reports, what dead earlier runs of the harness
// left on this host: a run killed by SIGKILL or by go test's -timeout, or
// cut off from its daemon, cannot clean up after itself.
func sweepDeadRuns(t *testing.T, run *hostRun) {
	t.Helper()
	swept, err := run.s.SweepDeadRuns(run.ctx)
	if err != nil {
		t.Errorf("sweep dead runs' containers: %v", err)
	}
	for _, sw := range swept {
		// Also on stderr: go test without -v hides a passing test's log,
		// and removing containers is never silent.
		t.Log("sweep: " + sw.String())
		fmt.Fprintln(os.Stderr, "conformance: sweep: "+sw.String())
	}
}

func checkLeftovers(t *testing.T, run *hostRun) {
	t.Helper()
	// A fresh context: the run's may have ended at its bound.
	ctx := context.Background()
	if run.s.CleanupTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 2*run.s.CleanupTimeout)
		defer cancel()
	}
	left, err := run.s.Leftovers(ctx)
	if err != nil {
		t.Errorf("list leftovers: %v", err)
		return
	}
	for _, c := range left {
		if err := run.s.RemoveLeftover(ctx, c); err != nil {
			t.Errorf("container %s of run %s was left behind (%s) and could not be removed: %v", c.ID[:12], run.s.RunID, c.State, err)
			continue
		}
		t.Errorf("container %s of run %s was left behind (%s); the harness removed it", c.ID[:12], run.s.RunID, c.State)
	}
}

// summarize judges the required claims and ends the host's log with the
// required-claims line. As a gate, a required claim that did not pass fails
// the run with its reason (its own subtest already said so when it ran).
func summarize(t *testing.T, run *hostRun) {
	t.Helper()
	run.Summary = claims.JudgeRequired(run.ledger, run.required, run.selected())
	if run.judge == gate {
		for _, p := range run.Summary.Problems() {
			if !run.wasReported(p.Claim) {
				t.Error(p.String())
			}
		}
	}
	// The gate's exit code follows claims.GatePasses: a host it fails
	// fails the run even when no subtest said why (never otherwise).
	if run.judge == gate && !claims.GatePasses(run.ledger, run.Summary) && !t.Failed() {
		t.Errorf("the gate fails on %s: %d claims failed, %d passed, %s", run.s.Target,
			run.ledger.Count(claims.Fail), run.ledger.Count(claims.Pass), run.Summary.Line())
	}
	t.Log(run.Summary.Line())
}

// gateOutcome is the gate's own outcome on the host, as a fixture states it.
func (run *hostRun) gateOutcome() fixture.Gate {
	return harness.GateOutcome(run.ledger, run.Summary, run.required, claims.GatedPlatform(run.daemon, run.s.Expect))
}

// requireGateOutcome compares the gate's own outcome on a replayed host with
// the one its fixture states: passed or failed, the exit code, the
// required-claims counts and the optional claims. Every verdict may match
// while the gate's outcome changed (a claim no longer required, a failure
// that no longer fails the gate); this is the row that fails then. It holds
// only when every claim was reported: a -run filter counts a part.
func requireGateOutcome(t *testing.T, run *hostRun, f *fixture.Fixture) {
	t.Helper()
	for id := range f.Meta.Expected {
		if !run.wasReported(id) {
			return
		}
	}
	got, want := run.gateOutcome(), *f.Meta.Gate
	if !reflect.DeepEqual(got, want) {
		t.Errorf("gate outcome on %s: got %s, want %s (fixture %s: %s)", f.Name(), describeGate(got), describeGate(want),
			filepath.Join(f.Dir, fixture.MetadataFile), f.Meta.Provenance.Rerecord)
		return
	}
	t.Logf("gate outcome as expected: %s", describeGate(got))
}

func describeGate(g fixture.Gate) string {
	verdict := "passed"
	if !g.Passed {
		verdict = "failed"
	}
	optional := "none"
	if len(g.NotRequired) > 0 {
		optional = strings.Join(g.NotRequired, ", ")
	}
	return fmt.Sprintf("gate %s, exit code %d, required claims: %d passed, %d failed, %d not judged; not required: %s",
		verdict, g.ExitCode, g.Required.Passed, g.Required.Failed, g.Required.NotJudged, optional)
}

// selected says which claims a `-run`/`-skip` filter chose: nil (every claim)
// when there is none, else the claims whose subtest ran.
func (run *hostRun) selected() func(string) bool {
	if testFilter() == "" {
		return nil
	}
	return run.wasReported
}

// partial reports whether a -run filter left some isolation row out.
func (run *hostRun) partial() bool {
	run.mu.Lock()
	defer run.mu.Unlock()
	if run.rows > 0 {
		return run.rowsRun < run.rows
	}
	return run.rowsRun < len(isolationRows)
}

func (run *hostRun) wasReported(id string) bool {
	run.mu.Lock()
	defer run.mu.Unlock()
	return run.reported[id]
}

// testFilter is the `-run` and `-skip` patterns the test binary was given.
func testFilter() string {
	var f []string
	for _, name := range []string{"test.run", "test.skip"} {
		if fl := flag.Lookup(name); fl != nil && fl.Value.String() != "" {
			f = append(f, fl.Value.String())
		}
	}
	return strings.Join(f, " ")
}

// runStampFile is written into the package folder by every live or record run
// under `go test` (git ignores it). It keeps go test from caching the verdict.
const runStampFile = ".conformance-live-run"

// neverCached makes go test refuse to cache this run's result, whatever flags
// the user gave: a gate that replays yesterday's PASS is worse than none.
//
// cmd/go caches a test result only when every file the test opened inside the
// module is at least 2 s old when the test binary exits (modTimeCutoff in
// cmd/go/internal/test/test.go: "reject caching if a file was read that is
// less than modTimeCutoff old"). The run writes a stamp file whose
// modification time lies a day ahead, then opens it: it is "too new" however
// long the rest of the run takes, so a result that depends on it is never
// stored. cmd/go passes -test.testlogfile exactly when it may cache; without
// it (a copied test binary, -count=1) nothing is written.
func neverCached(t *testing.T, run *hostRun) {
	t.Helper()
	if fl := flag.Lookup("test.testlogfile"); fl == nil || fl.Value.String() == "" {
		return
	}
	body := fmt.Sprintf("live run %s against %s, %s: go test may not cache this verdict\n%s\n",
		run.s.RunID, run.s.Target, time.Now().UTC().Format(time.RFC3339), run.Summary.Line())
	err := os.WriteFile(runStampFile, []byte(body), 0o644)
	if err == nil {
		ahead := time.Now().Add(24 * time.Hour)
		err = os.Chtimes(runStampFile, ahead, ahead)
	}
	if err == nil {
		var f *os.File
		if f, err = os.Open(runStampFile); err == nil {
			err = f.Close()
		}
	}
	if err != nil {
		t.Errorf("cannot keep go test from caching this live verdict (%v): run it with -count=1", err)
	}
}

// requireFailClosed: a live gate in which no claim passed has proved nothing.
func requireFailClosed(t *testing.T, run *hostRun) {
	t.Helper()
	if run.ledger.Count(claims.Pass) == 0 {
		t.Errorf("no claim passed against %s: the gate fails closed", run.s.Target)
	}
}

// reportClaim is the subtest of one claim: it logs the table's doc and turns
// the claim's verdict into the subtest's outcome. name is the claim ID, or
// within a row's subtest the claim's kind, so that the full subtest name is
// the ID after the host's name (TestConformance/live/windows/hyperv/vm-worker).
func reportClaim(t *testing.T, run *hostRun, id, name, doc string) {
	t.Run(name, func(t *testing.T) {
		run.mu.Lock()
		run.reported[id] = true
		run.docs[id] = doc
		run.mu.Unlock()
		t.Log(doc)
		v, ok := run.ledger.Get(id)
		if !ok {
			t.Errorf("claim %s was never judged: the harness stopped before it (see the errors above)", id)
			return
		}
		report(t, run, v)
	})
}

// report turns a verdict into the test's outcome. As a gate, fail is t.Error
// and skip is t.Skip, unless the claim is required: then the skip fails with
// its reason. In replay, any difference from the fixture's expected verdict is
// an error.
func report(t *testing.T, run *hostRun, v claims.Verdict) {
	t.Helper()
	switch run.judge {
	case observe:
		t.Log(v.String())
		return
	case gate:
		switch v.Status {
		case claims.Pass:
			t.Log(v.String())
		case claims.Fail:
			t.Error(v.String())
		case claims.Skip:
			if req, ok := claims.RequirementOf(run.required, v.Claim); ok && req.Required {
				t.Errorf("%s\n    required claim skipped, which fails the gate (required: %s)", v, req.Why)
				return
			}
			t.Skip(v.String())
		}
		return
	}
	want, ok := run.expected[v.Claim]
	switch {
	case !ok:
		t.Errorf("claim %s has no expected verdict in the fixture; re-record it\n%s", v.Claim, v)
	case string(v.Status) != want.Status || !strings.Contains(v.Message, want.Message):
		t.Errorf("claim %s: got %s %q, want %s containing %q\n%s", v.Claim, v.Status, v.Message, want.Status, want.Message, v)
	case v.BlockedBy != want.BlockedBy:
		// "blocked by X" is a substring of "blocked by Y: itself blocked by
		// X": only the claim that blocked tells the two apart.
		t.Errorf("claim %s: got blocked by %q, want blocked by %q\n%s", v.Claim, v.BlockedBy, want.BlockedBy, v)
	case want.WarningsMismatch(v.Warnings) != "":
		t.Errorf("claim %s: %s\n%s", v.Claim, want.WarningsMismatch(v.Warnings), v)
	case v.Status == claims.Skip:
		t.Skipf("as expected: %s", v)
	default:
		t.Logf("as expected: %s", v)
	}
}

func requireAllExpectedJudged(t *testing.T, run *hostRun, f *fixture.Fixture) {
	t.Helper()
	var missing []string
	for id := range f.Meta.Expected {
		if _, ok := run.ledger.Get(id); !ok {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("fixture %s expects verdicts for claims the harness never judged: %s; re-create it with: %s",
			filepath.Join(f.Dir, fixture.MetadataFile), strings.Join(missing, ", "), f.Meta.Provenance.Rerecord)
	}
}
