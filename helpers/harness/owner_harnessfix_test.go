package harness

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestDeadRunEveryCondition: each condition DeadRun reads from a container's
// labels, one row per way a label set can say "not a dead run of this host"
// (so the sweep never removes what it cannot prove abandoned, moby's
// label-filtered listing being the only thing that scopes it), and the owner
// it reads back, which the sweep's report line names.
func TestDeadRunEveryCondition(t *testing.T) {
	self := Owner{Host: HostDigest("win-build07"), PID: 100, ProcessStart: "133778046712345678", RunStart: "2026-12-03T09:00:00Z"}
	owner := Owner{Host: self.Host, PID: 4321, ProcessStart: "133778000000000000", RunStart: "2026-12-03T08:00:00Z"}
	labelsOf := func(o Owner, edit func(map[string]string)) map[string]string {
		l := ownerLabels(o)
		l[LabelHarness], l[LabelRunID] = harnessLabelValue, "deadrun00001"
		if edit != nil {
			edit(l)
		}
		return l
	}
	gone := func(int, string) bool { return false }
	for _, tc := range []struct {
		doc    string
		self   Owner
		labels map[string]string
		alive  processAlive
		dead   bool
		want   Owner
	}{
		{doc: "a Windows run (no PID namespaces) whose process is gone", self: self, labels: labelsOf(owner, nil), alive: gone, dead: true, want: owner},
		{doc: "its process still runs with that start time", self: self, labels: labelsOf(owner, nil),
			alive: func(pid int, start string) bool { return pid == 4321 && start == owner.ProcessStart }, want: owner},
		// The owner named its namespace, this run cannot read its own (a
		// harness built for Windows reading a Linux run's labels through a
		// shared daemon of the same host name): the namespaces cannot be
		// compared, so liveness decides.
		{doc: "the owner's PID namespace known, this run's unknown: liveness decides", self: self,
			labels: labelsOf(Owner{Host: owner.Host, PID: 4321, ProcessStart: "7", RunStart: owner.RunStart, PIDNamespace: "pid:[4026532201]"}, nil), alive: gone, dead: true,
			want: Owner{Host: owner.Host, PID: 4321, ProcessStart: "7", RunStart: owner.RunStart, PIDNamespace: "pid:[4026532201]"}},
		{doc: "this run's PID namespace known, the owner's unknown (an older harness): liveness decides",
			self: Owner{Host: self.Host, PID: 100, ProcessStart: "5", PIDNamespace: "pid:[4026531836]"}, labels: labelsOf(owner, nil), alive: gone, dead: true, want: owner},
		{doc: "an owner pid that is not a number", self: self, labels: labelsOf(owner, func(l map[string]string) { l[LabelOwnerPID] = "4321x" }), alive: gone,
			want: Owner{Host: owner.Host, ProcessStart: owner.ProcessStart, RunStart: owner.RunStart}},
		{doc: "a negative owner pid", self: self, labels: labelsOf(owner, func(l map[string]string) { l[LabelOwnerPID] = "-1" }), alive: gone,
			want: Owner{Host: owner.Host, PID: -1, ProcessStart: owner.ProcessStart, RunStart: owner.RunStart}},
		{doc: "no run id", self: self, labels: labelsOf(owner, func(l map[string]string) { l[LabelRunID] = "" }), alive: gone},
		{doc: "no owner host, on a run whose own host digest is empty too", self: Owner{PID: 100, ProcessStart: "5"},
			labels: labelsOf(owner, func(l map[string]string) { l[LabelOwnerHost] = "" }), alive: gone,
			want: Owner{PID: 4321, ProcessStart: owner.ProcessStart, RunStart: owner.RunStart}},
		{doc: "no harness label at all", self: self, labels: labelsOf(owner, func(l map[string]string) { delete(l, LabelHarness) }), alive: gone},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			got, dead := DeadRun(tc.labels, tc.self, "thisrun00001", tc.alive)
			assert.Check(t, is.Equal(dead, tc.dead))
			assert.Check(t, is.DeepEqual(got, tc.want))
		})
	}
}

// TestOwnerLabelsAndHostDigest: the labels every container carries, and the
// host digest that lets a run on the same host (whatever the case or
// surrounding blanks of its name: Windows host names are case-insensitive)
// recognise them.
func TestOwnerLabelsAndHostDigest(t *testing.T) {
	assert.Check(t, is.Equal(HostDigest("WIN-BUILD07 "), HostDigest("win-build07")))
	assert.Check(t, HostDigest("win-build07") != HostDigest("win-build08"))
	assert.Check(t, is.Len(HostDigest("win-build07"), 16))
	assert.Check(t, is.DeepEqual(ownerLabels(Owner{Host: "h", PID: 42, ProcessStart: "7", RunStart: "2026-12-03T08:00:00Z"}), map[string]string{
		LabelOwnerHost: "h", LabelOwnerPID: "42", LabelOwnerStarted: "7", LabelRunStarted: "2026-12-03T08:00:00Z",
	}), "no namespace label where there is no PID namespace (Windows)")
	assert.Check(t, is.Equal(ownerLabels(Owner{PIDNamespace: "pid:[4026531836]"})[LabelOwnerPIDNamespace], "pid:[4026531836]"))

	s := &Session{RunID: "run000000001", Owner: Owner{Host: "h", PID: 42, ProcessStart: "7", RunStart: "r"}}
	l := s.labels(linuxDefault)
	assert.Check(t, is.Equal(l[LabelHarness], "1"))
	assert.Check(t, is.Equal(l[LabelRunID], "run000000001"))
	assert.Check(t, is.Equal(l[LabelRow], "linux/default"))
	assert.Check(t, is.Equal(s.containerName(linuxDefault), "conformance-run000000001-linux-default"))
}
