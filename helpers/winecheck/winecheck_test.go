package main

import (
	"io"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/report"
)

func sampleRun() report.Run {
	return report.Run{
		Mode: "replay", Passed: true, StartedAt: "2026-01-01T00:00:00Z", FinishedAt: "2026-01-01T00:00:01Z",
		Hosts: []report.Host{{
			Name: "ws2019-17763", Target: "npipe:////./pipe/docker_engine",
			Facts: report.Facts{Platform: "windows", OSBuild: "17763"},
			Claims: []report.Claim{
				{Verdict: claims.Verdict{Claim: "service-docker", Status: claims.Pass, Message: "running", Evidence: []string{"service docker: running"}}},
				{Verdict: claims.Verdict{Claim: "service-vmms", Status: claims.Fail, Message: "not installed", Fix: "Install-WindowsFeature Hyper-V",
					Warnings: []string{"w"}}},
				{Verdict: claims.Verdict{Claim: "windows/hyperv/start", Status: claims.Fail, Message: "blocked by service-vmms", BlockedBy: "service-vmms"}},
			},
		}},
	}
}

// Every compared field, changed on the Windows side, is a difference that
// names the host and the claim; times are not compared.
func TestCompareReportsFindsEachField(t *testing.T) {
	assert.Check(t, is.Len(compareReports(sampleRun(), sampleRun()), 0))
	later := sampleRun()
	later.StartedAt, later.FinishedAt = "2027-01-01T00:00:00Z", "2027-01-01T00:00:09Z"
	assert.Check(t, is.Len(compareReports(sampleRun(), later), 0), "times aside")

	for _, tc := range []struct {
		field  string
		change func(*report.Run)
	}{
		{"service-docker status", func(r *report.Run) { r.Hosts[0].Claims[0].Status = claims.Skip }},
		{"service-docker message", func(r *report.Run) { r.Hosts[0].Claims[0].Message = "stopped" }},
		{"service-docker evidence", func(r *report.Run) { r.Hosts[0].Claims[0].Evidence = nil }},
		{"service-vmms fix", func(r *report.Run) { r.Hosts[0].Claims[1].Fix = "" }},
		{"service-vmms warnings", func(r *report.Run) { r.Hosts[0].Claims[1].Warnings = nil }},
		{"windows/hyperv/start blocked_by", func(r *report.Run) { r.Hosts[0].Claims[2].BlockedBy = "" }},
		{"claim IDs", func(r *report.Run) { r.Hosts[0].Claims = r.Hosts[0].Claims[:2] }},
		{"facts", func(r *report.Run) { r.Hosts[0].Facts.OSBuild = "20348" }},
		{"host names", func(r *report.Run) { r.Hosts = nil }},
		{"passed", func(r *report.Run) { r.Passed = false }},
		{"exit_code", func(r *report.Run) { r.ExitCode = 1 }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			windows := sampleRun()
			tc.change(&windows)
			diffs := compareReports(sampleRun(), windows)
			assert.Assert(t, len(diffs) > 0, "a changed %s went unseen", tc.field)
			assert.Check(t, is.Contains(strings.Join(diffs, "\n"), tc.field))
		})
	}
}

// The tally counts subtests, keeps each skip's own reason without
// test2json's framing lines, and counts a failure.
func TestTallyEvents(t *testing.T) {
	events := `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:9: lacks X: ERROR_CALL_NOT_IMPLEMENTED\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"--- SKIP: TestA (0.00s)\n"}
{"Action":"skip","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB/sub"}
{"Action":"pass","Package":"p","Test":"TestB/sub"}
{"Action":"pass","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestC","Output":"    c_test.go:3: got 1, want 2\n"}
{"Action":"fail","Package":"p","Test":"TestC"}
{"Action":"fail","Package":"p"}
`
	var log strings.Builder
	tally, err := tallyEvents(strings.NewReader(events), &log)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(tally.Ran, 4))
	assert.Check(t, is.Equal(tally.Passed, 2))
	assert.Check(t, is.Equal(tally.Skipped, 1))
	assert.Check(t, is.Equal(tally.Failed, 1))
	assert.Check(t, is.DeepEqual(tally.Skips, []string{"p TestA: a_test.go:9: lacks X: ERROR_CALL_NOT_IMPLEMENTED"}))
	assert.Check(t, is.DeepEqual(tally.Failures, []string{"p TestC: c_test.go:3: got 1, want 2"}))
	assert.Check(t, is.Contains(tally.Summary(), "4 ran, 2 passed, 1 failed, 1 skipped"))
	assert.Check(t, is.Contains(log.String(), "lacks X"))
}

// The live host's report must reach every expected verdict and the gate's
// outcome; each kind of difference is named.
func TestCompareToExpected(t *testing.T) {
	run := sampleRun()
	run.Passed, run.ExitCode = false, 1
	run.Hosts[0].Required = report.Required{Passed: 1, Failed: 2, Line: "required claims: 1 passed, 2 failed, 0 not judged"}
	code := 1
	want := hostExpectations{Expected: map[string]expectedVerdict{
		"service-docker":       {Status: "pass", Message: "running"},
		"service-vmms":         {Status: "fail", Message: "not installed", Warnings: []string{"w"}},
		"windows/hyperv/start": {Status: "fail", Message: "blocked", BlockedBy: "service-vmms"},
	}}
	want.Gate.ExitCode = &code
	want.Gate.Required.Passed, want.Gate.Required.Failed = 1, 2
	assert.Check(t, is.Len(compareToExpected(run, 1, want), 0))

	for _, tc := range []struct {
		doc, problem string
		change       func(*report.Run, *hostExpectations) int
	}{
		{"exit code", "exit code 0", func(*report.Run, *hostExpectations) int { return 0 }},
		{"passed", "passed true", func(r *report.Run, _ *hostExpectations) int { r.Passed = true; return 1 }},
		{"required", "required claims", func(r *report.Run, _ *hostExpectations) int { r.Hosts[0].Required.Failed = 3; return 1 }},
		{"status", "service-docker: got skip", func(r *report.Run, _ *hostExpectations) int { r.Hosts[0].Claims[0].Status = claims.Skip; return 1 }},
		{"message", "service-docker: message", func(r *report.Run, _ *hostExpectations) int { r.Hosts[0].Claims[0].Message = "stopped"; return 1 }},
		{"blocked_by", "windows/hyperv/start: blocked by", func(r *report.Run, _ *hostExpectations) int { r.Hosts[0].Claims[2].BlockedBy = ""; return 1 }},
		{"warnings", "service-vmms: warnings", func(r *report.Run, _ *hostExpectations) int { r.Hosts[0].Claims[1].Warnings = nil; return 1 }},
		{"unexpected claim", "has no expected verdict", func(_ *report.Run, e *hostExpectations) int { delete(e.Expected, "service-docker"); return 1 }},
		{"claim not judged", "expected but not judged", func(r *report.Run, _ *hostExpectations) int { r.Hosts[0].Claims = r.Hosts[0].Claims[1:]; return 1 }},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			r := sampleRun()
			r.Passed, r.ExitCode = false, 1
			r.Hosts[0].Required = run.Hosts[0].Required
			e := want
			e.Expected = map[string]expectedVerdict{}
			for k, v := range want.Expected {
				e.Expected[k] = v
			}
			got := compareToExpected(r, tc.change(&r, &e), e)
			assert.Check(t, is.Contains(strings.Join(got, "\n"), tc.problem))
		})
	}
}

// A test whose only failure is t.TempDir's cleanup under Wine is counted
// apart; one more failing line, a failure without output or a failing sibling
// make it a failure.
func TestTallyTempDirCleanupOnly(t *testing.T) {
	cleanup := `testing.go:1464: TempDir RemoveAll cleanup: unlinkat C:\\users\\root\\Temp\\X\\001\\f.yaml: Invalid function.`
	events := `{"Action":"output","Package":"p","Test":"TestA/x","Output":"    ` + cleanup + `\n"}
{"Action":"fail","Package":"p","Test":"TestA/x"}
{"Action":"fail","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestB/x","Output":"    ` + cleanup + `\n"}
{"Action":"fail","Package":"p","Test":"TestB/x"}
{"Action":"output","Package":"p","Test":"TestB/y","Output":"    b_test.go:9: assertion failed\n"}
{"Action":"fail","Package":"p","Test":"TestB/y"}
{"Action":"fail","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestC","Output":"    c_test.go:3: got 1, want 2\n"}
{"Action":"output","Package":"p","Test":"TestC","Output":"    ` + cleanup + `\n"}
{"Action":"fail","Package":"p","Test":"TestC"}
{"Action":"fail","Package":"p","Test":"TestD"}
{"Action":"output","Package":"p","Test":"TestE","Output":"conformance: interrupted by SIGINT: removed 5 container(s)\n"}
{"Action":"output","Package":"p","Test":"TestE","Output":"    ` + cleanup + `\n"}
{"Action":"fail","Package":"p","Test":"TestE"}
`
	tally, err := tallyEvents(strings.NewReader(events), io.Discard)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(tally.TempDirOnly, []string{"p TestA/x", "p TestA", "p TestB/x", "p TestE"}), "the program's own output is no failure")
	assert.Check(t, is.Equal(tally.Failed, 4), "TestB/y, TestB, TestC, TestD: %v", tally.Failures)
	assert.Check(t, is.Equal(tally.Passed, 0))
}
