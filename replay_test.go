package conformance

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v4"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
)

// recordedLinuxFixture is the fixture recorded from this project's CI host.
const recordedLinuxFixture = "fixtures/linux-debian12-docker.io-20.10"

// copyFixture copies a fixture folder into a fresh fixtures root and returns
// the copy's folder.
func copyFixture(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	require.NoError(t, os.MkdirAll(dst, 0o755))
	for _, name := range []string{fixture.MetadataFile, fixture.EngineFile, fixture.HostFile} {
		b, err := os.ReadFile(filepath.Join(src, name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, name), b, 0o644))
	}
	return dst
}

// editCassette rewrites a fixture's recorded Engine API answers.
func editCassette(t *testing.T, dir string, edit func(c *cassette.Cassette)) {
	t.Helper()
	c, err := cassette.Load(filepath.Join(dir, "engine"))
	require.NoError(t, err)
	edit(c)
	c.MarshalFunc = yaml.Marshal
	require.NoError(t, c.Save())
}

// editExpected rewrites one claim's expected verdict in a fixture copy.
func editExpected(t *testing.T, dir, claim string, edit func(e *fixture.Expected)) {
	t.Helper()
	path := filepath.Join(dir, fixture.MetadataFile)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var m fixture.Metadata
	require.NoError(t, json.Unmarshal(b, &m))
	e, ok := m.Expected[claim]
	require.True(t, ok, "fixture expects %s", claim)
	edit(&e)
	m.Expected[claim] = e
	require.NoError(t, fixture.SaveMetadata(dir, m))
}

// editHost rewrites a fixture's recorded host probe answers.
func editHost(t *testing.T, dir string, edit func(a *fixture.HostAnswers)) {
	t.Helper()
	path := filepath.Join(dir, fixture.HostFile)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var a fixture.HostAnswers
	require.NoError(t, json.Unmarshal(b, &a))
	edit(&a)
	require.NoError(t, fixture.SaveHost(dir, &a))
}

func workloadInspect(i *cassette.Interaction) bool {
	return i.Request.Method == "GET" && strings.Contains(i.Request.URL, "/containers/") &&
		strings.HasSuffix(i.Request.URL, "/json") && !strings.Contains(i.Request.URL, "/containers/json") && i.Response.Code == 200
}

func TestReplayAlteredAnswerChangesVerdict(t *testing.T) {
	tests := []struct {
		doc     string
		alter   func(t *testing.T, dir string)
		claim   string
		message string
	}{
		{
			doc: "inspect that reports hyperv fails the isolation field",
			alter: func(t *testing.T, dir string) {
				editCassette(t, dir, func(c *cassette.Cassette) {
					for _, i := range c.Interactions {
						if workloadInspect(i) {
							var body map[string]any
							require.NoError(t, json.Unmarshal([]byte(i.Response.Body), &body))
							body["HostConfig"].(map[string]any)["Isolation"] = "hyperv"
							b, err := json.Marshal(body)
							require.NoError(t, err)
							i.Response.Body, i.Response.ContentLength = string(b), int64(len(b))
						}
					}
				})
			},
			claim: "linux/default/isolation-field", message: `Isolation: got "hyperv", want "default"`,
		},
		{
			doc: "a host snapshot without the workload fails PID visibility",
			alter: func(t *testing.T, dir string) {
				editHost(t, dir, func(a *fixture.HostAnswers) {
					for _, c := range a.Calls {
						if c.Step == "linux/default/after-start" && c.Snapshot != nil {
							kept := c.Snapshot.Processes[:0]
							for _, p := range c.Snapshot.Processes {
								if p.Name != "ping" {
									kept = append(kept, p)
								}
							}
							c.Snapshot.Processes = kept
						}
					}
				})
			},
			claim: "linux/default/pid-visibility", message: "is not a host process",
		},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			original, err := fixture.Load(recordedLinuxFixture)
			require.NoError(t, err)
			require.Equal(t, "pass", original.Meta.Expected[tc.claim].Status, "the unaltered fixture must pass %s", tc.claim)

			dir := copyFixture(t, recordedLinuxFixture)
			tc.alter(t, dir)
			var ledger *claims.Ledger
			t.Run("replay", func(t *testing.T) { ledger = replayHost(t, dir, observe) })
			v, ok := ledger.Get(tc.claim)
			require.True(t, ok)
			assert.Equal(t, claims.Fail, v.Status, v.String())
			assert.Contains(t, v.Message, tc.message)
		})
	}
}

// runSuite runs TestConformance of this test binary in a child process, as a
// user would run `go test`, with only the given configuration variables.
func runSuite(t *testing.T, env ...string) (string, error) {
	t.Helper()
	return runSelected(t, "^TestConformance$", env...)
}

// runSelected is runSuite with the given -test.run pattern.
func runSelected(t *testing.T, pattern string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run="+pattern, "-test.v", "-test.count=1")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONFORMANCE_") && !strings.HasPrefix(kv, "DOCKER_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestReplayMissingInteractionIsAFixtureError(t *testing.T) {
	dir := copyFixture(t, recordedLinuxFixture)
	removed := ""
	editCassette(t, dir, func(c *cassette.Cassette) {
		for n, i := range c.Interactions {
			if strings.HasSuffix(i.Request.URL, "/top") {
				removed = i.Request.URL[strings.Index(i.Request.URL, "/v1."):]
				c.Interactions = append(c.Interactions[:n], c.Interactions[n+1:]...)
				return
			}
		}
	})
	require.NotEmpty(t, removed, "the recorded fixture has a top request")

	out, err := runSuite(t, "CONFORMANCE_MODE=replay", "CONFORMANCE_FIXTURES="+filepath.Dir(dir))
	require.Error(t, err, "replay of a fixture with a missing interaction must fail:\n%s", out)
	assert.Contains(t, out, "fixture error: no recorded answer for GET "+removed)
	assert.Contains(t, out, filepath.Join(dir, fixture.EngineFile))
	assert.Contains(t, out, "re-record it with: CONFORMANCE_MODE=record")
	assert.NotContains(t, out, "cannot reach the Docker daemon", "a fixture error is never an unreachable daemon")
}

// TestReplayOfOversizedFixtureNamesTheFile: a 200 MB engine.yaml once took 25
// s and 2.1 GB and ended as "container did not stay running", blaming the
// host. It is refused at once, and the failure names the file.
func TestReplayOfOversizedFixtureNamesTheFile(t *testing.T) {
	dir := copyFixture(t, recordedLinuxFixture)
	engine := filepath.Join(dir, fixture.EngineFile)
	require.NoError(t, os.Truncate(engine, 200<<20)) // sparse: no disk used

	out, err := runSuite(t, "CONFORMANCE_MODE=replay", "CONFORMANCE_FIXTURES="+filepath.Dir(dir))
	require.Error(t, err, "replay of an oversized fixture must fail:\n%s", out)
	assert.Contains(t, out, "fixture file "+engine+" is 200.0 MiB, over the 32 MiB a fixture file may hold")
	assert.NotContains(t, out, "did not stay running", "an oversized file is never a verdict about the host")
}

func TestReplayOfEmptyFolderFails(t *testing.T) {
	out, err := runSuite(t, "CONFORMANCE_MODE=replay", "CONFORMANCE_FIXTURES="+t.TempDir())
	require.Error(t, err)
	assert.Contains(t, out, "no fixtures under")
}

// TestReplaySettleWaitsForTheWorkload: a host snapshot taken while the
// runtime still execs the workload (its PID shows runc:[2:INIT]) is not
// judged; the settle wait takes another, and the claim judges the settled one.
// Without the recorded later snapshot the wait never settles and the claim
// fails naming what it saw.
func TestReplaySettleWaitsForTheWorkload(t *testing.T) {
	const claim = "linux/default/pid-visibility"
	stillInit := func(a *fixture.HostAnswers, keepSettled bool) {
		for n, c := range a.Calls {
			if c.Step != "linux/default/after-start" || c.Snapshot == nil {
				continue
			}
			early := *c.Snapshot
			early.Processes = slices.Clone(early.Processes)
			for i, p := range early.Processes {
				if p.Name == "ping" {
					early.Processes[i].Name = "runc:[2:INIT]"
				}
			}
			first := c
			first.Snapshot = &early
			if keepSettled {
				a.Calls = slices.Insert(a.Calls, n, first)
			} else {
				a.Calls[n] = first
			}
			return
		}
		t.Fatal("the recorded fixture has no after-start snapshot")
	}
	for _, tc := range []struct {
		doc         string
		keepSettled bool
		status      claims.Status
		message     string
	}{
		{doc: "the snapshot after the exec is judged", keepSettled: true, status: claims.Pass, message: "is a host process in PID namespace"},
		{doc: "a snapshot that never settles fails naming what it saw", status: claims.Fail, message: "is not a host process: got runc:[2:INIT], want a host ping"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			dir := copyFixture(t, recordedLinuxFixture)
			editHost(t, dir, func(a *fixture.HostAnswers) { stillInit(a, tc.keepSettled) })
			var ledger *claims.Ledger
			t.Run("replay", func(t *testing.T) { ledger = replayHost(t, dir, observe) })
			v, ok := ledger.Get(claim)
			require.True(t, ok)
			assert.Equal(t, tc.status, v.Status, v.String())
			assert.Contains(t, v.Message, tc.message)
			if tc.status == claims.Fail {
				assert.Contains(t, v.String(), "the host snapshot never settled: timed out: docker top lists ping PID")
			}
		})
	}
}

// TestReplayComparesTheBlockingClaim: "blocked by daemon-reachable" is a
// substring of engine-version's "blocked by engine-platform: itself blocked
// by daemon-reachable", so only the blocking claim, compared exactly, tells
// that the verdict is not the one the fixture expects.
func TestReplayComparesTheBlockingClaim(t *testing.T) {
	dir := copyFixture(t, "fixtures/broken-daemon-unreachable")
	editExpected(t, dir, claims.EngineVersion, func(e *fixture.Expected) {
		require.Equal(t, claims.EnginePlatform, e.BlockedBy, "the fixture expects engine-version blocked by engine-platform")
		*e = fixture.Expected{Status: "fail", Message: "blocked by daemon-reachable", BlockedBy: claims.DaemonReachable}
	})

	out, err := runSuite(t, "CONFORMANCE_MODE=replay", "CONFORMANCE_FIXTURES="+filepath.Dir(dir))
	require.Error(t, err, "replay accepted the wrong blocking claim:\n%s", out)
	assert.Contains(t, out, `claim engine-version: got blocked by "engine-platform", want blocked by "daemon-reachable"`)
}

// TestReplayOfOneClaim selects one claim of one host with -run, as a user
// selects a claim by its ID: its prerequisites are still judged (a blocked
// claim says by which), the required-claims line counts that claim alone, and
// the rows left out are no fixture error.
func TestReplayOfOneClaim(t *testing.T) {
	for _, tc := range []struct{ host, claim, verdict, line string }{
		{host: filepath.Base(recordedLinuxFixture), claim: "linux/default/pid-visibility",
			verdict: "linux/default/pid-visibility pass: ping PID", line: "required claims: 1 passed, 0 failed, 0 not judged"},
		{host: "broken-vmcompute-missing", claim: "windows/hyperv/start",
			verdict: "windows/hyperv/start fail: blocked by service-vmcompute", line: "required claims: 0 passed, 1 failed, 0 not judged"},
	} {
		t.Run(tc.host, func(t *testing.T) {
			out, err := runSelected(t, "^TestConformance$/^"+regexp.QuoteMeta(tc.host)+"$/"+tc.claim+"$", "CONFORMANCE_MODE=replay")
			require.NoError(t, err, out)
			assert.Contains(t, out, "--- PASS: TestConformance/"+tc.host+"/"+tc.claim+" ")
			assert.Contains(t, out, tc.verdict)
			assert.Contains(t, out, tc.line)
			assert.NotContains(t, out, "--- PASS: TestConformance/"+tc.host+"/engine-platform ", "a claim the filter left out was reported")
		})
	}
}

// TestReplayChecksTheGateOutcome: every verdict of a fixture may match while
// the gate's own outcome differs (a claim no longer optional, a failure that
// no longer fails the gate); replay fails on the outcome the fixture states.
func TestReplayChecksTheGateOutcome(t *testing.T) {
	for _, tc := range []struct {
		doc, host string
		edit      func(g *fixture.Gate)
		want      string
	}{
		{
			doc: "a remote daemon whose host-side claims the fixture says are required", host: "ws2022-remote",
			edit: func(g *fixture.Gate) { g.NotRequired = nil; g.Required.Passed = 22 },
			want: "got gate passed, exit code 0, required claims: 15 passed, 0 failed, 0 not judged; not required: service-docker",
		},
		{
			doc: "a failed optional claim (vmms stopped under hyperv: skip) the fixture says passes the gate", host: "broken-vmms-stopped-skip",
			edit: func(g *fixture.Gate) { g.Passed, g.ExitCode = true, 0 },
			want: "got gate failed, exit code 1, required claims: 15 passed",
		},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			dir := copyFixture(t, filepath.Join("fixtures", tc.host))
			path := filepath.Join(dir, fixture.MetadataFile)
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			var m fixture.Metadata
			require.NoError(t, json.Unmarshal(b, &m))
			require.NotNil(t, m.Gate, "the fixture states its gate outcome")
			tc.edit(m.Gate)
			require.NoError(t, fixture.SaveMetadata(dir, m))

			out, err := runSuite(t, "CONFORMANCE_MODE=replay", "CONFORMANCE_FIXTURES="+filepath.Dir(dir))
			require.Error(t, err, "replay accepted a wrong gate outcome:\n%s", out)
			assert.Contains(t, out, "gate outcome on "+tc.host+": "+tc.want)
			assert.Contains(t, out, path)
		})
	}

	t.Run("a fixture without a gate outcome is refused, naming how to write it", func(t *testing.T) {
		dir := copyFixture(t, recordedLinuxFixture)
		path := filepath.Join(dir, fixture.MetadataFile)
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		var m fixture.Metadata
		require.NoError(t, json.Unmarshal(b, &m))
		m.Gate = nil
		require.NoError(t, fixture.SaveMetadata(dir, m))
		_, err = fixture.Load(dir)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `no gate outcome ("gate": passed, exit_code, required counts): make fixtures writes it`)
	})
}
