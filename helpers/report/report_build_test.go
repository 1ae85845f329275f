package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/image"
	"github.com/jstemmer/go-junit-report/v2/junit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// richHost is a Server 2019 host (the documented session's, 17763.805) whose
// run produced every kind of verdict a user reads: passes, a warning, a
// failure whose daemon text carries Markdown and XML metacharacters, a claim
// blocked by it, a skip that is not required, a required skip, a required
// claim never judged, a refusal, and a provisioning claim this package does
// not know yet.
func richHost() Host {
	l := claims.NewLedger()
	verdict := func(id string, v claims.Verdict) { l.Judge(id, nil, func() claims.Verdict { return v }) }
	verdict(claims.ImageBuild, claims.Verdict{Status: claims.Pass, Message: "image build 17763 fits host build 17763 for process",
		Warnings: []string{"image revision 864 is newer than the host's 805"}})
	verdict(claims.DaemonReachable, claims.Verdict{Status: claims.Pass, Message: "daemon answered"})
	verdict(claims.APIVersion, claims.Verdict{Status: claims.Pass, Message: "API 1.40"})
	verdict(claims.EngineVersion, claims.Verdict{Status: claims.Pass, Message: "19.03.5"})
	verdict("zz-future-provisioning", claims.Verdict{Status: claims.Pass, Message: "a claim added later"})
	verdict("windows/process/start", claims.Verdict{Status: claims.Fail,
		Message:  "container exited: hcs <CreateComputeSystem> | 0xc0370106\nThe virtual machine or container exited unexpectedly",
		Evidence: []string{"state: exited (exit code 3221225786)"},
		Fix:      "update the host to revision 864 or later (Windows Update)"})
	l.Judge("windows/process/process-tree", []string{"windows/process/start"}, nil)
	verdict("windows/hyperv/start", claims.NotApplicable("isolation hyperv is not under test"))
	verdict("windows/process/pid-visibility", claims.NotApplicable("daemon is not local"))
	verdict("linux/process/refused", claims.Verdict{Status: claims.Pass, Message: "refused"})
	d := evidence.Daemon{Target: "npipe:////./pipe/docker_engine", Local: true}
	d.Info.OSType = "windows"
	d.Info.OperatingSystem = "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.805)"
	d.Info.KernelVersion = "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"
	d.Info.Isolation = "process"
	d.Version.Platform.Name, d.Version.Version, d.Version.APIVersion = "Docker Engine - Enterprise", "19.03.5", "1.40"
	d.Host = &hostprobe.OSInfo{OS: "windows", Build: "17763", Revision: 805, Edition: "server", ProductType: hostprobe.ProductServer}
	d.Image.Ref = "mcr.microsoft.com/windows/nanoserver:1809"
	d.Image.Inspect = &image.InspectResponse{ID: "sha256:080394ef5494", Os: "windows", OsVersion: "10.0.17763.864"}
	reqs := []claims.Requirement{
		{Claim: claims.DaemonReachable, Required: true, Why: "applies to every daemon"},
		{Claim: claims.ImageBuild, Required: true, Why: "applies to windows daemons"},
		{Claim: "windows/process/start", Required: true, Why: "applies to windows daemons, isolation process under test"},
		{Claim: "windows/process/process-tree", Required: true, Why: "applies to windows daemons, isolation process under test"},
		{Claim: "windows/process/pid-visibility", Required: true, Why: "applies to windows daemons, isolation process under test"},
		{Claim: "windows/process/cleanup", Required: true, Why: "applies to windows daemons, isolation process under test"},
		{Claim: "windows/hyperv/start", Required: false, Why: "isolation hyperv is not under test"},
	}
	return NewHost(Judged{Name: "ws2019-17763", Profile: "ci", Daemon: d, Expect: config.Expectations{}, Verdicts: l.All(), Requirements: reqs,
		Docs:    map[string]string{"windows/process/start": "workload starts and runs"},
		Summary: claims.JudgeRequired(l, reqs, nil)})
}

// TestMatrixOfEveryKindOfVerdict: the whole matrix a person reads at the end
// of the run on richHost: provisioning in table order (engine-version before
// api-version, whatever the IDs' order) three cells a line, a claim this
// package does not know last, the workload rows, the refusals, each root
// failure with its fix (a blocked claim only counted), warnings, required
// claims not judged, and the closing lines.
func TestMatrixOfEveryKindOfVerdict(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteMatrix(&b, Run{Mode: "live", ExitCode: 1, Hosts: []Host{richHost()}}))
	bar := strings.Repeat("=", matrixWidth)
	want := bar + `
conformance gate: ws2019-17763 (live)
host: windows 17763.805 server; Docker Engine - Enterprise 19.03.5, API 1.40; default isolation
      process; image mcr.microsoft.com/windows/nanoserver:1809 (10.0.17763.864)

provisioning     daemon-reachable pass     engine-version pass       api-version pass
                 image-build pass          zz-future-provisioning pass
                 start    isolation-field  process-tree  pid-visibility  vm-worker  cleanup
windows/process  FAIL     -                blocked       skip            -          -
windows/hyperv   skip     -                -             -               -          -
linux/default    -        -                -             -               -          -
refusals         linux/process pass

  FAIL windows/process/start: container exited: hcs <CreateComputeSystem> | 0xc0370106 The virtual
       machine or container exited unexpectedly
       fix: update the host to revision 864 or later (Windows Update)
       (1 more claims are blocked by these)

  WARN image-build: image revision 864 is newer than the host's 805

  NOT JUDGED windows/process/pid-visibility (required): skipped: daemon is not local
       required because: applies to windows daemons, isolation process under test
  NOT JUDGED windows/process/cleanup (required): never judged
       required because: applies to windows daemons, isolation process under test

claims: 6 passed, 2 failed (1 of them blocked by another), 2 skipped
required claims: 2 passed, 2 failed, 2 not judged
` + bar + "\n"
	assert.Equal(t, want, b.String())

	h := richHost()
	assert.Equal(t, []any{"ws2019-17763", "npipe:////./pipe/docker_engine", true, "ci"}, []any{h.Name, h.Target, h.Local, h.Profile}, "what the JSON report says of the host")

	t.Run("a host whose failures are not blocking anything prints no blocked line", func(t *testing.T) {
		h := richHost()
		h.Counts.Blocked = 0
		b.Reset()
		require.NoError(t, WriteMatrix(&b, Run{Mode: "live", ExitCode: 1, Hosts: []Host{h}}))
		assert.NotContains(t, b.String(), "more claims are blocked")
	})
}

// TestSummaryOfEveryKindOfVerdict: the same host in the job summary,
// Markdown-safe: a daemon's text with <, > and | cannot open a tag or split
// a table cell, and its line breaks stay in one list item.
func TestSummaryOfEveryKindOfVerdict(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteMarkdown(&b, Run{Mode: "live", ExitCode: 1, Hosts: []Host{richHost()}}))
	want := "## Conformance gate **failed** (exit code 1, live)\n\n" +
		"### ws2019-17763\n\n" +
		"windows 17763.805 server; Docker Engine - Enterprise 19.03.5, API 1.40; default isolation process; image mcr.microsoft.com/windows/nanoserver:1809 (10.0.17763.864)\n\n" +
		"| provisioning | verdict |\n|---|---|\n" +
		"| `daemon-reachable` | ✅ pass |\n" +
		"| `engine-version` | ✅ pass |\n" +
		"| `api-version` | ✅ pass |\n" +
		"| `image-build` | ✅ pass |\n" +
		"| `zz-future-provisioning` | ✅ pass |\n\n" +
		"| row | start | isolation-field | process-tree | pid-visibility | vm-worker | cleanup |\n|---|---|---|---|---|---|---|\n" +
		"| `windows/process` | ❌ **FAIL** | - | ⛔ blocked | ⏭️ skip | - | - |\n" +
		"| `windows/hyperv` | ⏭️ skip | - | - | - | - | - |\n" +
		"| `linux/default` | - | - | - | - | - | - |\n" +
		"| `linux/process/refused` | ✅ pass | | | | | |\n\n" +
		"- ❌ `windows/process/start`: container exited: hcs &lt;CreateComputeSystem&gt; \\| 0xc0370106 The virtual machine or container exited unexpectedly<br>fix: update the host to revision 864 or later (Windows Update)\n" +
		"- ⚠️ `image-build` warning: image revision 864 is newer than the host's 805\n" +
		"- ⚠️ `windows/process/pid-visibility` required but not judged: skipped: daemon is not local<br>required because: applies to windows daemons, isolation process under test\n" +
		"- ⚠️ `windows/process/cleanup` required but not judged: never judged<br>required because: applies to windows daemons, isolation process under test\n\n" +
		"claims: 6 passed, 2 failed (1 of them blocked by another), 2 skipped<br>\n" +
		"**required claims: 2 passed, 2 failed, 2 not judged**\n\n"
	assert.Equal(t, want, b.String())

	b.Reset()
	require.NoError(t, WriteMarkdown(&b, Run{Mode: "replay", ExitCode: 0, Passed: true}))
	assert.Equal(t, "## Conformance gate passed (exit code 0, replay)\n\n", b.String())
}

// TestSummaryOfAContainerdHost: a containerd host (CONFORMANCE_ENGINE=containerd)
// gets the CRI rows and columns, its refusal row among the refusals.
func TestSummaryOfAContainerdHost(t *testing.T) {
	l := claims.NewLedger()
	pass := func(id string) {
		l.Judge(id, nil, func() claims.Verdict { return claims.Verdict{Status: claims.Pass, Message: "ok"} })
	}
	pass(claims.RuntimeReady)
	pass("cri/windows/process/sandbox")
	pass("cri/windows/process/isolation")
	pass("cri/linux/unknown-handler/refused")
	h := NewHost(Judged{Name: "aks-ws2022", Daemon: evidence.Daemon{Target: "npipe:////./pipe/containerd-containerd"}, Verdicts: l.All()})
	var b bytes.Buffer
	require.NoError(t, WriteMarkdown(&b, Run{Mode: "replay", Passed: true, Hosts: []Host{h}}))
	assert.Contains(t, b.String(), "\n| `runtime-ready` | ✅ pass |\n\n"+
		"| row | sandbox | start | isolation | process-tree | cleanup |\n|---|---|---|---|---|---|\n"+
		"| `cri/windows/process` | ✅ pass | - | ✅ pass | - | - |\n"+
		"| `cri/windows/hyperv` | - | - | - | - | - |\n"+
		"| `cri/linux/default` | - | - | - | - | - |\n"+
		"| `cri/linux/unknown-handler/refused` | ✅ pass | | | | |\n")
	assert.Contains(t, b.String(), "### aks-ws2022\n\nnpipe:////./pipe/containerd-containerd\n\n", "a host nothing is known of is named by its target")
}

// TestGroupOfEveryClaimID: the matrix row (and JUnit class name) of each kind
// of claim ID, Docker's and containerd's.
func TestGroupOfEveryClaimID(t *testing.T) {
	for id, group := range map[string]string{
		claims.DaemonReachable:              GroupProvisioning,
		claims.ServiceDocker:                GroupProvisioning,
		claims.RuntimeReady:                 GroupProvisioning,
		"windows/process/start":             "windows/process",
		"windows/hyperv/vm-worker":          "windows/hyperv",
		"linux/default/pid-visibility":      "linux/default",
		"linux/hyperv/refused":              GroupRefusals,
		"cri/windows/hyperv/sandbox":        "cri/windows/hyperv",
		"cri/linux/default/process-tree":    "cri/linux/default",
		"cri/linux/unknown-handler/refused": GroupRefusals,
	} {
		assert.Equal(t, group, GroupOf(id), id)
	}
}

// TestJUnitOfEveryKindOfVerdict: each claim of richHost as the JUnit test
// case a pipeline counts: a pass with its text, a failure with message, type,
// doc, evidence and fix, a blocked failure, a skip that is not required, a
// required skip and a required claim never judged as failures of type
// not-judged; and no gate test case, since claims show why the gate failed.
func TestJUnitOfEveryKindOfVerdict(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteJUnit(&b, Run{Mode: "live", ExitCode: 1, StartedAt: "2019-12-17T05:30:00Z", Hosts: []Host{richHost()}}))
	var suites junit.Testsuites
	require.NoError(t, xml.Unmarshal(b.Bytes(), &suites), b.String())
	require.Len(t, suites.Suites, 1, "no gate test case: failing claims show why")
	s := suites.Suites[0]
	assert.Equal(t, "conformance/ws2019-17763", s.Name)
	assert.Equal(t, "npipe:////./pipe/docker_engine", s.Hostname)
	assert.Equal(t, "2019-12-17T05:30:00Z", s.Timestamp)
	assert.Equal(t, []junit.Property{{Name: "mode", Value: "live"}, {Name: "profile", Value: "ci"},
		{Name: "host", Value: "windows 17763.805 server; Docker Engine - Enterprise 19.03.5, API 1.40; default isolation process; image mcr.microsoft.com/windows/nanoserver:1809 (10.0.17763.864)"}}, *s.Properties)
	assert.Equal(t, 11, s.Tests)
	assert.Equal(t, 4, s.Failures)
	assert.Equal(t, 1, s.Skipped)
	cases := map[string]junit.Testcase{}
	for _, tc := range s.Testcases {
		cases[tc.Name] = tc
	}
	const processWhy = "required because: applies to windows daemons, isolation process under test"
	type want struct {
		class, kind, message, data string
	}
	for id, w := range map[string]want{
		claims.DaemonReachable: {class: GroupProvisioning, kind: "pass", data: "daemon-reachable pass: daemon answered"},
		claims.ImageBuild: {class: GroupProvisioning, kind: "pass",
			data: "image-build pass: image build 17763 fits host build 17763 for process\n    WARNING: image revision 864 is newer than the host's 805"},
		"windows/process/start": {class: "windows/process", kind: "fail",
			message: "container exited: hcs <CreateComputeSystem> | 0xc0370106\nThe virtual machine or container exited unexpectedly",
			data: "workload starts and runs\nwindows/process/start fail: container exited: hcs <CreateComputeSystem> | 0xc0370106\nThe virtual machine or container exited unexpectedly" +
				"\n    evidence: state: exited (exit code 3221225786)\n    fix: update the host to revision 864 or later (Windows Update)"},
		"windows/process/process-tree": {class: "windows/process", kind: "blocked", message: "blocked by windows/process/start",
			data: "windows/process/process-tree fail: blocked by windows/process/start"},
		"windows/hyperv/start": {class: "windows/hyperv", kind: "skipped", message: "isolation hyperv is not under test"},
		"windows/process/pid-visibility": {class: "windows/process", kind: "not-judged", message: "required claim skipped: daemon is not local",
			data: "windows/process/pid-visibility skip: daemon is not local\n    " + processWhy},
		"windows/process/cleanup": {class: "windows/process", kind: "not-judged", message: "required claim not judged: never judged", data: processWhy},
		"linux/process/refused":   {class: GroupRefusals, kind: "pass", data: "linux/process/refused pass: refused"},
	} {
		tc, ok := cases[id]
		require.True(t, ok, id)
		assert.Equal(t, w.class, tc.Classname, id)
		switch w.kind {
		case "pass":
			assert.Nil(t, tc.Failure, id)
			assert.Nil(t, tc.Skipped, id)
			require.NotNil(t, tc.SystemOut, id)
			assert.Equal(t, w.data, tc.SystemOut.Data, id)
		case "skipped":
			assert.Nil(t, tc.Failure, id)
			require.NotNil(t, tc.Skipped, id)
			assert.Equal(t, w.message, tc.Skipped.Message, id)
		default:
			assert.Nil(t, tc.Skipped, id)
			require.NotNil(t, tc.Failure, id)
			assert.Equal(t, junit.Result{Message: w.message, Type: w.kind, Data: w.data}, *tc.Failure, id)
		}
	}

	t.Run("a failed run whose claims all passed gets the gate test case", func(t *testing.T) {
		l := claims.NewLedger()
		l.Judge(claims.DaemonReachable, nil, func() claims.Verdict { return claims.Verdict{Status: claims.Pass, Message: "ok"} })
		h := NewHost(Judged{Name: "live", Verdicts: l.All()})
		b.Reset()
		require.NoError(t, WriteJUnit(&b, Run{Mode: "live", ExitCode: 1, Hosts: []Host{h}})) // a container left behind
		var got junit.Testsuites
		require.NoError(t, xml.Unmarshal(b.Bytes(), &got))
		require.Len(t, got.Suites, 2)
		assert.Equal(t, "conformance/"+GateCase, got.Suites[1].Name)
		require.Len(t, got.Suites[1].Testcases, 1)
		assert.Equal(t, junit.Result{Type: "gate",
			Message: "the gate failed without a failing claim: a configuration error, a container left behind or a harness error; the run's log says which"},
			*got.Suites[1].Testcases[0].Failure)
	})
}

// TestXMLSafeKeepsWhatXMLCarries: a daemon's error text goes into JUnit
// whole, except what XML 1.0 cannot carry.
func TestXMLSafeKeepsWhatXMLCarries(t *testing.T) {
	for in, want := range map[string]string{
		"tab\there\r\nnext":               "tab\there\r\nnext",
		"NUL\x00 and BEL\x07":             "NUL\uFFFD and BEL\uFFFD",
		"invalid UTF-8 \xff":              "invalid UTF-8 \uFFFD",
		"non-characters \uFFFE\uFFFF":     "non-characters \uFFFD\uFFFD",
		"CJK 容器 and emoji 🐳, past U+FFFF": "CJK 容器 and emoji 🐳, past U+FFFF",
		"private use \uE000":              "private use \uE000",
	} {
		assert.Equal(t, want, xmlSafe(in), "%q", in)
	}
}

// TestWriteFilesAsAPipelineReadsThem: the report and JUnit are rewritten
// whole on every run (a stale file must not survive), in folders created as
// needed, while the job summary is appended to (GitHub collects every step's
// summary in one file); a file that cannot be written names its variable.
func TestWriteFilesAsAPipelineReadsThem(t *testing.T) {
	dir := t.TempDir()
	out := config.Outputs{Report: filepath.Join(dir, "out", "report.json"), JUnit: filepath.Join(dir, "out", "xml", "junit.xml"), StepSummary: filepath.Join(dir, "summary.md")}
	require.NoError(t, os.WriteFile(out.StepSummary, []byte("## an earlier step\n"), 0o644))
	first := Run{Mode: "replay", ExitCode: 1, Hosts: []Host{richHost()}}
	require.NoError(t, WriteFiles(first, out))
	second := Run{Mode: "replay", ExitCode: 0, Passed: true}
	require.NoError(t, WriteFiles(second, out))

	report, err := os.ReadFile(out.Report)
	require.NoError(t, err)
	var r Run
	dec := json.NewDecoder(bytes.NewReader(report))
	require.NoError(t, dec.Decode(&r))
	assert.False(t, dec.More(), "one JSON document: %s", report)
	assert.True(t, r.Passed)
	assert.Empty(t, r.Hosts)
	assert.Contains(t, string(report), `"hosts": []`, "an empty list, never null")

	xmlText, err := os.ReadFile(out.JUnit)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(xmlText), "<testsuites"), "one JUnit document")
	assert.NotContains(t, string(xmlText), "ws2019-17763")

	summary, err := os.ReadFile(out.StepSummary)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(summary), "## an earlier step\n## Conformance gate **failed** (exit code 1, replay)\n"), "%s", summary)
	assert.True(t, strings.HasSuffix(string(summary), "## Conformance gate passed (exit code 0, replay)\n\n"), "%s", summary)

	blocker := filepath.Join(dir, "a-file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o644))
	err = WriteFiles(second, config.Outputs{Report: filepath.Join(blocker, "report.json")})
	require.Error(t, err)
	osErr := os.MkdirAll(blocker, 0o755) // the OS's own words ("not a directory" on Linux)
	require.Error(t, osErr)
	assert.Equal(t, "write the run's results: CONFORMANCE_REPORT="+filepath.Join(blocker, "report.json")+": "+osErr.Error(), err.Error(),
		"only the variable that was set is named")

	empty := t.TempDir()
	t.Chdir(empty)
	require.NoError(t, WriteFiles(first, config.Outputs{}), "no output asked for")
	entries, err := os.ReadDir(empty)
	require.NoError(t, err)
	assert.Empty(t, entries, "no output asked for, nothing written")
}

// TestJSONOfAHostWithoutClaims: a host that produced no verdict (the daemon
// never answered and nothing was judged) has "claims": [] and "problems": [],
// never null (a pipeline's jq would fail on null), and
// the report carries the schema version whatever the caller set.
func TestJSONOfAHostWithoutClaims(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, Run{SchemaVersion: "0", Mode: "live", Hosts: []Host{NewHost(Judged{Name: "live"})}}))
	assert.Contains(t, b.String(), `"schema_version": "1"`)
	assert.Contains(t, b.String(), `"claims": []`)
	assert.Contains(t, b.String(), `"problems": []`, "no required claim failed: an empty list, never null")
}

// criHost is a containerd node (CONFORMANCE_ENGINE=containerd) whose Hyper-V
// sandbox failed without a fix to offer, probed by nothing but CRI.
func criHost() Host {
	l := claims.NewLedger()
	verdict := func(id string, v claims.Verdict) { l.Judge(id, nil, func() claims.Verdict { return v }) }
	verdict(claims.RuntimeReady, claims.Verdict{Status: claims.Pass, Message: "RuntimeReady true"})
	verdict("cri/windows/process/sandbox", claims.Verdict{Status: claims.Pass, Message: "sandbox ready"})
	verdict("cri/windows/process/isolation", claims.Verdict{Status: claims.Pass, Message: "process"})
	verdict("cri/windows/hyperv/sandbox", claims.Verdict{Status: claims.Fail, Message: "RunPodSandbox: hcs::CreateComputeSystem: The request is not supported."})
	verdict("cri/linux/unknown-handler/refused", claims.Verdict{Status: claims.Pass, Message: "refused"})
	return NewHost(Judged{Name: "aks-ws2022", Daemon: evidence.Daemon{Target: "npipe:////./pipe/containerd-containerd"}, Verdicts: l.All()})
}

// TestMatrixOfAContainerdHost: the CRI rows widen the label column, a
// failure without a fix prints no fix line, and a run without hosts prints
// nothing at all.
func TestMatrixOfAContainerdHost(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteMatrix(&b, Run{Mode: "replay", ExitCode: 1, Hosts: []Host{criHost()}}))
	bar := strings.Repeat("=", matrixWidth)
	want := bar + `
conformance gate: aks-ws2022 (replay)
host: npipe:////./pipe/containerd-containerd

provisioning         runtime-ready pass
                     sandbox  start    isolation  process-tree  cleanup
cri/windows/process  pass     -        pass       -             -
cri/windows/hyperv   FAIL     -        -          -             -
cri/linux/default    -        -        -          -             -
refusals             cri/linux/unknown-handler pass

  FAIL cri/windows/hyperv/sandbox: RunPodSandbox: hcs::CreateComputeSystem: The request is not
       supported.

claims: 4 passed, 1 failed (0 of them blocked by another), 0 skipped
required claims: 0 passed, 0 failed, 0 not judged
` + bar + "\n"
	assert.Equal(t, want, b.String())

	b.Reset()
	require.NoError(t, WriteMatrix(&b, Run{Mode: "live", ExitCode: 1}))
	assert.Empty(t, b.String(), "a gate that judged no host prints no matrix")
}

// TestJUnitOfHostsWithoutFailingClaims: a host without a profile carries no
// empty profile property; a failed run whose only problem is a required
// claim never judged already fails a test case, so no gate case is added; the
// gate case's suite comes after every host's.
func TestJUnitOfHostsWithoutFailingClaims(t *testing.T) {
	l := claims.NewLedger()
	l.Judge(claims.DaemonReachable, nil, func() claims.Verdict { return claims.Verdict{Status: claims.Pass, Message: "ok"} })
	reqs := []claims.Requirement{
		{Claim: claims.DaemonReachable, Required: true, Why: "applies to every daemon"},
		{Claim: "windows/process/cleanup", Required: true, Why: "applies to windows daemons"},
	}
	neverJudged := NewHost(Judged{Name: "interrupted", Verdicts: l.All(), Requirements: reqs, Summary: claims.JudgeRequired(l, reqs, nil)})
	allPassed := NewHost(Judged{Name: "left-a-container", Verdicts: l.All()})

	var b bytes.Buffer
	require.NoError(t, WriteJUnit(&b, Run{Mode: "live", ExitCode: 1, Hosts: []Host{neverJudged}}))
	var got junit.Testsuites
	require.NoError(t, xml.Unmarshal(b.Bytes(), &got))
	require.Len(t, got.Suites, 1, "the never-judged claim is the failing test case")
	assert.Equal(t, 1, got.Failures)
	assert.Equal(t, []junit.Property{{Name: "mode", Value: "live"}, {Name: "host", Value: ""}}, *got.Suites[0].Properties)

	b.Reset()
	require.NoError(t, WriteJUnit(&b, Run{Mode: "live", ExitCode: 1, Hosts: []Host{allPassed, allPassed}}))
	got = junit.Testsuites{}
	require.NoError(t, xml.Unmarshal(b.Bytes(), &got))
	require.Len(t, got.Suites, 3)
	assert.Equal(t, []int{0, 1, 2}, []int{got.Suites[0].ID, got.Suites[1].ID, got.Suites[2].ID})
	assert.Equal(t, "conformance/"+GateCase, got.Suites[2].Name)
	assert.Equal(t, 1, got.Failures)
}

// TestWrapAtTheMatrixWidth: a line of exactly matrixWidth runes stays whole;
// one rune more moves the last word to the next line. Runes, not bytes, are
// counted (a daemon's message may carry non-ASCII text).
func TestWrapAtTheMatrixWidth(t *testing.T) {
	exact := strings.Repeat("x", matrixWidth-5) + " äöüß"
	assert.Equal(t, exact+"\n", wrap(exact, "    "))
	over := strings.Repeat("x", matrixWidth-5) + " äöüße"
	assert.Equal(t, strings.Repeat("x", matrixWidth-5)+"\n    äöüße\n", wrap(over, "    "))
}

// TestFactsOfAPulledImage: the image facts come from the inspect of the image
// the run used, and whether the run pulled it.
func TestFactsOfAPulledImage(t *testing.T) {
	d := evidence.Daemon{Target: "npipe:////./pipe/docker_engine", Local: false}
	d.Info.OSType = "windows"
	d.Info.KernelVersion = "10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)"
	d.Info.OperatingSystem = "Windows Server 2022 Datacenter Version 21H2 (OS Build 20348.2966)"
	d.Image = evidence.Image{Ref: "mcr.microsoft.com/windows/nanoserver:ltsc2022", Pulled: true,
		Inspect: &image.InspectResponse{ID: "sha256:5b3a8a0a4d1c", Os: "windows", OsVersion: "10.0.20348.2966"}}
	f := FactsOf(d)
	assert.Equal(t, Image{Ref: "mcr.microsoft.com/windows/nanoserver:ltsc2022", ID: "sha256:5b3a8a0a4d1c", OSVersion: "10.0.20348.2966", Pulled: true}, f.Image)
	assert.Equal(t, "20348", f.OSBuild, "a remote daemon: the build is the daemon's")
	assert.Equal(t, 2966, f.OSRevision)
	assert.Empty(t, f.HostOS, "a remote daemon's host is not probed")
}

// TestHeaderOfALocalLinuxHost: a Linux daemon on the Linux host the gate runs
// on (the recorded linux-debian12-docker.io-20.10 fixture's probe) is one
// platform: the header names it once, with no "daemon platform" apart.
func TestHeaderOfALocalLinuxHost(t *testing.T) {
	d := evidence.Daemon{Target: "unix:///var/run/docker.sock", Local: true,
		Host: &hostprobe.OSInfo{OS: "linux", Build: "6.18.44-fc-v657"}}
	d.Info.OSType = "linux"
	d.Info.KernelVersion = "6.18.44-fc-v657"
	d.Info.Isolation = ""
	d.Version.Version, d.Version.APIVersion = "20.10.24+dfsg1", "1.41"
	d.Image.Ref = "conformance-linux-test:busybox"
	h := NewHost(Judged{Name: "linux-debian12-docker.io-20.10", Daemon: d})
	assert.Equal(t, "linux 6.18.44-fc-v657; 20.10.24+dfsg1, API 1.41; image conformance-linux-test:busybox", describeHost(h))
}
