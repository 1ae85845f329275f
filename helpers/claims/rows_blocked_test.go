package claims

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// A start the image build rule blocks still quotes what the daemon said at
// create or start, so the user sees the daemon's own words beside the rule
// (hcsshim's process-isolation rule: an image newer than the host never
// runs; Microsoft Learn, Windows container version compatibility).
func TestBlockedStartQuotesTheDaemon(t *testing.T) {
	newerImage := with(ws2019(), func(d *evidence.Daemon) { d.Image.Inspect.OsVersion = "10.0.20348.2113" })
	tests := []struct {
		doc  string
		set  func(w *evidence.Workload)
		line string
	}{
		{doc: "the daemon refused the create", set: func(w *evidence.Workload) {
			w.CreateErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "The container operating system does not match the host operating system."}
		}, line: "create error (system): The container operating system does not match the host operating system."},
		{doc: "the daemon created it and refused the start", set: func(w *evidence.Workload) {
			w.StartErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "The container operating system does not match the host operating system."}
		}, line: "start error (system): The container operating system does not match the host operating system."},
		{doc: "the daemon ran it all the same", set: func(*evidence.Workload) {}, line: "the daemon created and started the container"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			w := change(processWorkload(), tc.set)
			v := CheckStart(newerImage, defaultExpect(), w)
			assert.Check(t, is.Equal(v.BlockedBy, ImageBuild), v.String())
			assert.Check(t, is.Contains(v.Evidence, tc.line), v.String())
		})
	}
}

// A workload whose docker top answer is missing (nil, no error) has no PID
// to look for: the claims fail closed rather than pass on nothing.
func TestNoTopAnswer(t *testing.T) {
	w := change(processWorkload(), func(w *evidence.Workload) { w.Top = nil })
	_, _, err := WorkloadProcess(w)
	assert.Check(t, is.Error(err, "no top answer"))
	v := CheckPIDVisibility(ws2019(), w)
	assert.Check(t, is.Equal(v.Status, Fail))
	assert.Check(t, is.Equal(v.Message, "no workload PID to look for: no top answer"))
	pt := CheckProcessTree(change(w, func(w *evidence.Workload) {
		w.SettleErr = &evidence.Failure{Message: "docker top did not list PING.EXE within 2m0s"}
	}))
	assert.Check(t, is.Equal(pt.Status, Fail))
	assert.Check(t, is.Equal(pt.Message, "no top answer"))
	assert.Check(t, is.Contains(pt.Evidence, "docker top never settled: docker top did not list PING.EXE within 2m0s"), pt.String())
}
