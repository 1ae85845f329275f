// Package conformance gates Windows (and Linux) container hosts: `go test ./...`
// runs the provisioning and isolation claims against the live daemon, records a
// host into fixtures, or replays recorded hosts on any OS. See README.md.
package conformance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
	"github.com/wincontainer-gate/conformance/helpers/harness"
)

// judgement says how verdicts become test outcomes.
type judgement int

const (
	// gate: a failed claim fails the test, a skipped claim skips it.
	gate judgement = iota
	// compareToFixture: a verdict that differs from the fixture's expected
	// one fails the test; an expected failure passes.
	compareToFixture
	// observe: verdicts are logged and returned for the caller to judge.
	observe
)

// hostRun is one host under test: a live daemon, or one fixture in replay.
type hostRun struct {
	s      *harness.Session
	ledger *claims.Ledger
	daemon evidence.Daemon
	// judge says what a verdict does to the test.
	judge judgement
	// expected holds the fixture's verdicts when judge is compareToFixture.
	expected map[string]fixture.Expected
}

func loadConfig(t *testing.T) config.Config {
	t.Helper()
	cfg, err := config.Load(os.Getenv, runtime.GOOS)
	require.NoError(t, err, "configuration (see README.md, Configuration)")
	return cfg
}

// TestConformance is the gate: live on Windows, replay of every fixture
// elsewhere, record when asked.
func TestConformance(t *testing.T) {
	cfg := loadConfig(t)
	switch cfg.Mode {
	case config.Live:
		t.Run("live", func(t *testing.T) {
			s := openLive(t, cfg)
			run := checkHost(t, s, gate, nil)
			requireFailClosed(t, run)
		})
	case config.Record:
		t.Run("record", func(t *testing.T) { recordHost(t, cfg) })
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

// replayHost replays one fixture folder. Compared, every verdict must be the
// fixture's expected one; observed, the ledger is returned for the caller to
// judge (a tampered copy, say).
func replayHost(t *testing.T, dir string, judge judgement) *claims.Ledger {
	t.Helper()
	f, err := fixture.Load(dir)
	require.NoError(t, err)
	s, err := harness.OpenReplay(f)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	s.Logf = t.Logf
	t.Logf("replaying %s: %s %s host, engine %s, recorded %s (%s)",
		f.Name(), f.Meta.Platform, f.Meta.HostBuild, f.Meta.EngineVersion, f.Meta.RecordedAt, f.Meta.Provenance.Kind)
	run := checkHost(t, s, judge, f.Meta.Expected)
	for _, problem := range s.FixtureProblems() {
		t.Error(problem)
	}
	if judge == compareToFixture {
		requireAllExpectedJudged(t, run, f)
	}
	return run.ledger
}

// recordHost runs the live suite through the recorder and saves the fixture
// with the verdicts it reached as the expected ones.
func recordHost(t *testing.T, cfg config.Config) {
	s, err := harness.OpenRecord(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	s.Logf = t.Logf
	run := checkHost(t, s, gate, nil)
	requireFailClosed(t, run)

	name := cfg.RecordName
	if name == "" {
		name = recordName(run.daemon)
	}
	meta := fixture.Metadata{
		FormatVersion:  fixture.FormatVersion,
		RecordedAt:     time.Now().UTC().Format(time.RFC3339),
		HarnessVersion: fixture.HarnessVersion,
		Platform:       run.daemon.Info.OSType,
		HostBuild:      claims.DaemonBuild(run.daemon),
		EngineVersion:  run.daemon.Version.Version,
		APIVersion:     run.daemon.Version.APIVersion,
		RunID:          s.RunID,
		Target:         s.Target,
		Local:          s.Local,
		Expectations:   s.Expect,
		Provenance: fixture.Provenance{
			Kind:   fixture.Recorded,
			Source: fmt.Sprintf("recorded live from %s %s (%s)", nonEmpty(run.daemon.Version.Platform.Name, "Docker Engine"), run.daemon.Version.Version, run.daemon.Info.OperatingSystem),
			Rerecord: fmt.Sprintf("%s=record %s=%s %s=%s go test -run TestConformance . (on a host like this one)",
				config.EnvMode, config.EnvFixtures, cfg.Fixtures, config.EnvRecordName, name),
		},
		Expected: map[string]fixture.Expected{},
	}
	for _, v := range run.ledger.All() {
		meta.Expected[v.Claim] = fixture.Expected{Status: string(v.Status), Message: v.Message}
	}
	dir, err := s.FinishRecording(cfg.Fixtures, name, meta)
	require.NoError(t, err)
	t.Logf("recorded %d claims into %s", len(meta.Expected), dir)
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

// checkHost gathers the daemon's evidence and runs both claim tables.
func checkHost(t *testing.T, s *harness.Session, judge judgement, expected map[string]fixture.Expected) *hostRun {
	t.Helper()
	run := &hostRun{s: s, ledger: claims.NewLedger(), judge: judge, expected: expected}
	ctx := context.Background()
	var err error
	run.daemon, err = s.Daemon(ctx)
	require.NoError(t, err)

	t.Run("provisioning", func(t *testing.T) { testProvisioning(t, run) })
	t.Run("isolation", func(t *testing.T) { testIsolation(t, run) })

	if run.daemon.Unreachable == nil {
		left, err := s.Leftovers(ctx)
		require.NoError(t, err)
		for _, c := range left {
			if err := s.RemoveLeftover(ctx, c); err != nil {
				t.Errorf("container %s of run %s was left behind (%s) and could not be removed: %v", c.ID[:12], s.RunID, c.State, err)
				continue
			}
			t.Errorf("container %s of run %s was left behind (%s); the harness removed it", c.ID[:12], s.RunID, c.State)
		}
	}
	t.Logf("verdicts: %d passed, %d failed, %d skipped", run.ledger.Count(claims.Pass), run.ledger.Count(claims.Fail), run.ledger.Count(claims.Skip))
	return run
}

// requireFailClosed: a live gate in which no claim passed has proved nothing.
func requireFailClosed(t *testing.T, run *hostRun) {
	t.Helper()
	if run.ledger.Count(claims.Pass) == 0 {
		t.Errorf("no claim passed against %s: the gate fails closed", run.s.Target)
	}
}

// report turns a verdict into the test's outcome: live, fail is t.Error and
// skip is t.Skip; in replay, any difference from the fixture's expected
// verdict is an error.
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
