package main

import (
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
