// The self-tests of the pipeline outputs are left out of the prebuilt gate
// binary (make windows-exe builds with -tags gatebinary): they need the
// repository's fixtures, and the JSON Schema library they validate with would
// add a dozen packages to every host's binary.

//go:build !gatebinary

package conformance

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jstemmer/go-junit-report/v2/junit"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	results "github.com/wincontainer-gate/conformance/helpers/report"
	"github.com/wincontainer-gate/conformance/helpers/version"
)

const reportSchema = "schema/report.schema.json"

// pipelineRun is what one run of the gate left for a pipeline.
type pipelineRun struct {
	stdout, summary string
	report          []byte
	junit           junit.Testsuites
}

// runGateReplay runs this test binary again as a user would run the gate,
// replaying the named fixtures with the report, the JUnit and a job summary
// asked for, and returns what it wrote.
func runGateReplay(t *testing.T, hosts ...string) pipelineRun {
	t.Helper()
	run, err := runGate(t, "^TestConformance$/^("+strings.Join(hosts, "|")+")$", config.EnvMode+"=replay", config.EnvFixtures+"=fixtures")
	require.NoError(t, err, "the replay of good and broken hosts passes: every verdict is the expected one\n%s", run.stdout)
	return run
}

// runGate runs this test binary as the gate with the environment given, and
// returns what it wrote and how it exited.
func runGate(t *testing.T, filter string, env ...string) (pipelineRun, error) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.count=1", "-test.run", filter)
	cmd.Env = append(append(os.Environ(), env...),
		config.EnvReport+"="+filepath.Join(dir, "out", "report.json"),
		config.EnvJUnit+"="+filepath.Join(dir, "out", "junit.xml"),
		config.EnvStepSummary+"="+filepath.Join(dir, "summary.md"))
	out, runErr := cmd.CombinedOutput()
	var run pipelineRun
	run.stdout = string(out)
	summary, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	require.NoError(t, err, "GITHUB_STEP_SUMMARY is appended to")
	run.summary = string(summary)
	run.report, err = os.ReadFile(filepath.Join(dir, "out", "report.json"))
	require.NoError(t, err, "CONFORMANCE_REPORT is written")
	b, err := os.ReadFile(filepath.Join(dir, "out", "junit.xml"))
	require.NoError(t, err, "CONFORMANCE_JUNIT is written")
	require.NoError(t, xml.Unmarshal(b, &run.junit), "the JUnit file parses")
	return run, runErr
}

// TestAGateThatCannotStartStillReports: a configuration error fails the gate,
// and the report and JUnit say so (a pipeline must not read a stale or absent file).
func TestAGateThatCannotStartStillReports(t *testing.T) {
	requireFixtures(t)
	run, err := runGate(t, "^TestConformance$", config.EnvMode+"=live", config.EnvPull+"=sometimes")
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "%s", run.stdout)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, run.stdout, `CONFORMANCE_PULL="sometimes": use never, missing or always`)
	require.NoError(t, validate(t, compileSchema(t), run.report))
	var r results.Run
	require.NoError(t, json.Unmarshal(run.report, &r))
	assert.False(t, r.Passed)
	assert.Equal(t, 1, r.ExitCode)
	assert.Empty(t, r.Hosts)
	assert.Equal(t, 1, run.junit.Failures, "a failing gate test case")
	assert.Contains(t, run.summary, "## Conformance gate **failed** (exit code 1")
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(reportSchema)
	require.NoError(t, err)
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, doc []byte) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	require.NoError(t, err)
	return s.Validate(v)
}

// TestPipelineOutputsOfAReplay: the documented 2019 host, a broken host and
// the recorded Linux host replayed as a pipeline would run the gate.
func TestPipelineOutputsOfAReplay(t *testing.T) {
	requireFixtures(t)
	run := runGateReplay(t, "ws2019-17763", "broken-vmms-missing", "linux-debian12-docker.io-20.10")

	t.Run("the run ends with the matrix", func(t *testing.T) {
		matrix := run.stdout[strings.Index(run.stdout, "conformance gate: broken-vmms-missing"):]
		assert.Regexp(t, `(?m)^provisioning\s+daemon-reachable pass`, matrix)
		assert.Regexp(t, `service-vmms FAIL`, matrix)
		assert.Regexp(t, `(?m)^windows/process\s+pass\s+pass\s+pass\s+pass\s+pass\s+pass$`, matrix)
		assert.Regexp(t, `(?m)^windows/hyperv\s+blocked\s+blocked\s+blocked\s+blocked\s+blocked\s+pass$`, matrix)
		assert.Regexp(t, `(?m)^linux/default\s+skip\s+skip\s+skip\s+skip\s+-\s+skip$`, matrix)
		assert.Regexp(t, `(?m)^refusals\s+linux/process skip\s+linux/hyperv skip$`, matrix)
		assert.Regexp(t, `(?m)^  FAIL service-vmms: vmms \(Hyper-V\) is not installed\n       fix: Install-WindowsFeature -Name Hyper-V`, matrix, "one line per failing claim, with its fix")
		assert.NotContains(t, matrix, "FAIL windows/hyperv/start", "blocked claims are counted, not listed as failures to fix")
		assert.Regexp(t, `(?m)^required claims: 16 passed, 6 failed, 0 not judged\n=+\n`, matrix, "the host's matrix ends with the required-claims line")
		linux := run.stdout[strings.Index(run.stdout, "conformance gate: linux-debian12-docker.io-20.10"):]
		assert.Regexp(t, `(?m)^linux/default\s+pass\s+pass\s+pass\s+pass\s+-\s+pass$`, linux)
		assert.Regexp(t, `(?m)^refusals\s+linux/process pass\s+linux/hyperv pass$`, linux)
		for _, line := range strings.Split(run.stdout[strings.Index(run.stdout, "conformance gate: "):], "\n") {
			assert.LessOrEqual(t, len([]rune(line)), 100, "the matrix fits a terminal: %q", line)
		}
	})

	t.Run("the report validates against the committed schema", func(t *testing.T) {
		require.NoError(t, validate(t, compileSchema(t), run.report))
		var r results.Run
		require.NoError(t, json.Unmarshal(run.report, &r))
		assert.Equal(t, results.SchemaVersion, r.SchemaVersion)
		assert.True(t, r.Passed)
		require.Len(t, r.Hosts, 3)
		broken := r.Hosts[0]
		assert.Equal(t, "broken-vmms-missing", broken.Name)
		assert.Equal(t, results.Counts{Pass: 16, Fail: 6, Blocked: 5, Skip: 7}, broken.Counts)
		assert.Equal(t, results.Facts{
			Platform: "windows", OperatingSystem: broken.Facts.OperatingSystem, OSBuild: "17763", OSRevision: 805, Edition: "server", ProductType: "server",
			HostOS: "windows", HostBuild: "17763", DaemonBuild: "17763", EngineName: "Docker Engine - Enterprise", EngineVersion: "19.03.5", APIVersion: "1.40", DefaultIsolation: "process",
			Image: results.Image{Ref: "mcr.microsoft.com/windows/nanoserver:1809", ID: broken.Facts.Image.ID, OSVersion: "10.0.17763.864"},
		}, broken.Facts)
		assert.Regexp(t, `^sha256:080394ef5494`, broken.Facts.Image.ID)
		assert.Equal(t, config.HyperVRequire, broken.Expectations.HyperV)
		assert.Equal(t, results.Required{Passed: 16, Failed: 6, Line: "required claims: 16 passed, 6 failed, 0 not judged", Problems: broken.Required.Problems}, broken.Required)
		require.Len(t, broken.Required.Problems, 6)
		assert.Equal(t, results.RequiredProblem{Claim: "service-vmms", Outcome: "failed", Reason: "vmms (Hyper-V) is not installed",
			Why: "applies to windows daemons, isolation hyperv under test"}, broken.Required.Problems[0])
		for _, c := range broken.Claims {
			switch c.Claim {
			case "windows/hyperv/start":
				assert.Equal(t, "service-vmms", c.BlockedBy)
				assert.Equal(t, "windows/hyperv", c.Group)
				assert.True(t, c.Required)
				assert.Equal(t, "workload starts and runs", c.Doc, "the table's doc goes into the report")
			case "linux/default/start":
				assert.False(t, c.Required, "the other platform's claims are not required")
				assert.Equal(t, "the gated platform is windows", c.RequiredWhy)
			}
		}
	})

	t.Run("JUnit has one test case per claim ID, failures carry message, evidence and fix", func(t *testing.T) {
		require.Len(t, run.junit.Suites, 3)
		assert.Equal(t, 3*29, run.junit.Tests)
		assert.Equal(t, 6, run.junit.Failures)
		claimID := regexp.MustCompile(`^([a-z-]+|(windows|linux)/(process|hyperv|default)/[a-z-]+)$`)
		var vmms *junit.Testcase
		for _, s := range run.junit.Suites {
			for i, tc := range s.Testcases {
				assert.Regexp(t, claimID, tc.Name)
				if s.Name == "conformance/broken-vmms-missing" && tc.Name == "service-vmms" {
					vmms = &s.Testcases[i]
				}
			}
		}
		require.NotNil(t, vmms)
		require.NotNil(t, vmms.Failure)
		assert.Equal(t, "vmms (Hyper-V) is not installed", vmms.Failure.Message)
		assert.Contains(t, vmms.Failure.Data, "evidence: ")
		assert.Contains(t, vmms.Failure.Data, "fix: ")
	})

	t.Run("the job summary is the matrix in Markdown", func(t *testing.T) {
		assert.Contains(t, run.summary, "## Conformance gate passed (exit code 0, replay)")
		assert.Contains(t, run.summary, "| `service-vmms` | ❌ **FAIL** |")
		assert.Contains(t, run.summary, "| `windows/hyperv` | ⛔ blocked | ⛔ blocked | ⛔ blocked | ⛔ blocked | ⛔ blocked | ✅ pass |")
		assert.Contains(t, run.summary, "- ❌ `service-vmms`: vmms (Hyper-V) is not installed<br>fix: ")
	})
}

// TestSchemaRejectsWhatAPipelineCouldNotTrust: the validator is live; a
// report that breaks the schema's promises does not validate.
func TestSchemaRejectsWhatAPipelineCouldNotTrust(t *testing.T) {
	requireFixtures(t)
	s := compileSchema(t)
	run := runGateReplay(t, "broken-vmms-missing")
	require.NoError(t, validate(t, s, run.report))
	for _, tc := range []struct {
		doc  string
		edit func(r map[string]any)
	}{
		{doc: "another schema version", edit: func(r map[string]any) { r["schema_version"] = "2" }},
		{doc: "no exit code", edit: func(r map[string]any) { delete(r, "exit_code") }},
		{doc: "a failure without fix or blocked-by", edit: func(r map[string]any) {
			for _, c := range hostClaims(r) {
				if c["claim"] == "service-vmms" {
					delete(c, "fix")
				}
			}
		}},
		{doc: "an unknown status", edit: func(r map[string]any) { hostClaims(r)[0]["status"] = "ok" }},
		{doc: "a claim ID that is not one", edit: func(r map[string]any) { hostClaims(r)[0]["claim"] = "Windows Hyper-V" }},
		{doc: "a misspelt host field", edit: func(r map[string]any) { r["hosts"].([]any)[0].(map[string]any)["taget"] = "x" }},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			var r map[string]any
			require.NoError(t, json.Unmarshal(run.report, &r))
			tc.edit(r)
			b, err := json.Marshal(r)
			require.NoError(t, err)
			assert.Error(t, validate(t, s, b))
		})
	}
}

// TestReportNamesTheBuild: harness_version, harness_commit and harness_date
// are the build's own (helpers/version), and the schema takes exactly the
// forms scripts/version.sh and helpers/version give.
func TestReportNamesTheBuild(t *testing.T) {
	requireFixtures(t)
	s := compileSchema(t)
	run := runGateReplay(t, "broken-vmms-missing")
	var r map[string]any
	require.NoError(t, json.Unmarshal(run.report, &r))
	build := version.Get()
	assert.Equal(t, build.Version, r["harness_version"])
	assert.Equal(t, build.Commit, r["harness_commit"])
	assert.Equal(t, build.Date, r["harness_date"])
	for _, tc := range []struct {
		field, value string
		valid        bool
	}{
		{"harness_version", "v0.4.0", true},
		{"harness_version", "v1.0.0-rc.1", true},
		{"harness_version", "v0.0.0-20261203073000-0123456789ab", true},
		{"harness_version", "v0.4.1-0.20261203073000-0123456789ab+dirty", true},
		{"harness_version", version.Devel, true},
		{"harness_version", version.Devel + "+dirty", true},
		{"harness_version", "0.1.0", false}, // the fixed value reports carried before versions came from the build
		{"harness_version", "v1.2", false},
		{"harness_version", "v0.4.0+local", false},
		{"harness_version", "", false},
		{"harness_commit", "3201f36d482fcbb93c66f02b77908bbb8880f2ba", true},
		{"harness_commit", version.Unknown, true},
		{"harness_commit", "3201f36", false},
		{"harness_date", "2026-11-29T02:09:55Z", true},
		{"harness_date", version.Unknown, true},
		{"harness_date", "2026-11-29T03:09:55+01:00", false},
	} {
		t.Run(tc.field+"="+tc.value, func(t *testing.T) {
			var r map[string]any
			require.NoError(t, json.Unmarshal(run.report, &r))
			r[tc.field] = tc.value
			b, err := json.Marshal(r)
			require.NoError(t, err)
			if err := validate(t, s, b); tc.valid {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

func hostClaims(r map[string]any) []map[string]any {
	var out []map[string]any
	for _, c := range r["hosts"].([]any)[0].(map[string]any)["claims"].([]any) {
		out = append(out, c.(map[string]any))
	}
	return out
}

var (
	checkJUnit       = flag.String("check-junit", "", "self-test: a JUnit file from `make junit` (gotestsum) to check")
	checkJUnitFailed = flag.String("check-junit-failed", "", "self-test: comma-separated claim IDs that must have failed in -check-junit")
)

// TestJUnitOfGotestsum checks the JUnit gotestsum wrote for `make junit`:
// every host's test cases are the claim IDs (TestConformance/<host>/<ID>,
// with the rows' own subtests between), every claim of the catalogue is
// there, and each failed claim carries its message, evidence and fix.
func TestJUnitOfGotestsum(t *testing.T) {
	if *checkJUnit == "" {
		t.Skip("run by `make junit` and `make junit-check` with -check-junit=<file>")
	}
	b, err := os.ReadFile(*checkJUnit)
	require.NoError(t, err)
	var suites junit.Testsuites
	require.NoError(t, xml.Unmarshal(b, &suites), "gotestsum's JUnit parses")

	rows := map[string]bool{}
	for _, row := range evidence.Rows {
		rows[row.String()] = true
	}
	for _, row := range evidence.CRIRows {
		rows[row.String()] = true
	}
	byHost := map[string]map[string]junit.Testcase{}
	for _, s := range suites.Suites {
		for _, tc := range s.Testcases {
			parts := strings.SplitN(tc.Name, "/", 3)
			if parts[0] != "TestConformance" || len(parts) < 3 {
				continue
			}
			host, rest := parts[1], parts[2]
			if rows[rest] {
				continue // a row's own subtest, parent of its claims
			}
			if byHost[host] == nil {
				byHost[host] = map[string]junit.Testcase{}
			}
			byHost[host][rest] = tc
		}
	}
	require.NotEmpty(t, byHost, "no TestConformance host in %s", *checkJUnit)
	for host, cases := range byHost {
		var ids []string
		engine := config.EngineDocker
		if _, ok := cases[claims.RuntimeReachable]; ok {
			engine = config.EngineContainerd
		}
		for _, spec := range claims.Catalogue() {
			if !spec.AppliesTo(engine) {
				continue
			}
			ids = append(ids, spec.ID)
			assert.Contains(t, cases, spec.ID, "host %s: claim %s has a test case", host, spec.ID)
		}
		for name := range cases {
			assert.Contains(t, ids, name, "host %s: test case %q is not a claim ID", host, name)
		}
	}
	if *checkJUnitFailed == "" {
		return
	}
	for _, id := range strings.Split(*checkJUnitFailed, ",") {
		for host, cases := range byHost {
			tc := cases[id]
			require.NotNil(t, tc.Failure, "host %s: claim %s must have failed", host, id)
			assert.Contains(t, tc.Failure.Data, id+" fail: ", "the verdict's message")
			assert.Contains(t, tc.Failure.Data, "evidence: ")
			assert.Contains(t, tc.Failure.Data, "fix: ")
		}
	}
}

// TestDocsShowRealMatrices: the matrices the README and docs/pipelines.md
// show are what the replay of those hosts prints today.
func TestDocsShowRealMatrices(t *testing.T) {
	requireFixtures(t)
	shownIn := map[string]string{"ws2019-17763": "README.md", "broken-vmms-missing": "docs/pipelines.md"}
	run := runGateReplay(t, "ws2019-17763", "broken-vmms-missing")
	for host, page := range shownIn {
		doc, err := os.ReadFile(page)
		require.NoError(t, err)
		start := strings.Index(run.stdout, "conformance gate: "+host+" (replay)")
		require.GreaterOrEqual(t, start, 0, host)
		block := run.stdout[start:]
		end := strings.Index(block, "required claims: ")
		block = block[:end+strings.Index(block[end:], "\n")]
		assert.Contains(t, string(doc), block, "%s shows the matrix of %s as the replay prints it; update it from:\n%s", page, host, block)
	}
}
