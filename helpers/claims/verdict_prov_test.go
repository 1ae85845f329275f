package claims

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// TestLedgerPrerequisitesWholeVerdicts: what a claim reads when its
// prerequisites did not all pass, as the user reads it (the harness judges
// the daemon's reachability, then the platform, then the rows).
func TestLedgerPrerequisitesWholeVerdicts(t *testing.T) {
	l := NewLedger()
	l.Judge(DaemonReachable, nil, func() Verdict { return passed("daemon answered") })
	l.Judge(ServiceVmms, nil, func() Verdict { return skipped("no usable Hyper-V on this host") })
	l.Judge(BaseImage, nil, func() Verdict { return failed("image absent", "docker pull it", "pull error: manifest unknown") })
	l.Judge(ImageBuild, []string{BaseImage}, func() Verdict { return passed("never judged") })
	called := 0
	judge := func(id string, needs ...string) func() Verdict {
		return func() Verdict {
			return l.Judge(id, needs, func() Verdict { called++; return Verdict{Claim: "another-id", Status: Pass, Message: "judged"} })
		}
	}
	// In order: each row judges one more claim on the same ledger.
	for _, tc := range []struct {
		doc    string
		got    func() Verdict
		want   Verdict
		called int // checks run so far
	}{
		{doc: "every prerequisite passed: the claim is judged and keeps its own ID", got: judge("a", DaemonReachable),
			want: Verdict{Claim: "a", Status: Pass, Message: "judged"}, called: 1},
		{doc: "a passed prerequisite, then a skipped one: the claim skips with it", got: judge("b", DaemonReachable, ServiceVmms),
			want: Verdict{Claim: "b", Status: Skip, Message: "service-vmms was skipped: no usable Hyper-V on this host"}, called: 1},
		{doc: "a failed prerequisite before a skipped one: blocked by the failure", got: judge("c", BaseImage, ServiceVmms),
			want: Verdict{Claim: "c", Status: Fail, Message: "blocked by base-image", BlockedBy: BaseImage}, called: 1},
		{doc: "a skipped prerequisite before a failed one: the first in order decides", got: judge("d", ServiceVmms, BaseImage),
			want: Verdict{Claim: "d", Status: Skip, Message: "service-vmms was skipped: no usable Hyper-V on this host"}, called: 1},
		{doc: "a prerequisite that was itself blocked: the chain is named", got: judge("e", ImageBuild),
			want: Verdict{Claim: "e", Status: Fail, Message: "blocked by image-build: itself blocked by base-image", BlockedBy: ImageBuild}, called: 1},
		{doc: "a prerequisite never judged is a harness bug, never a pass", got: judge("f", "windows/process/start"),
			want: Verdict{Claim: "f", Status: Fail, Message: "prerequisite windows/process/start was never judged", Fix: "this is a harness bug: judge prerequisites first"}, called: 1},
		{doc: "a claim judged twice fails, and the failure replaces its first verdict", got: judge(DaemonReachable),
			want: Verdict{Claim: DaemonReachable, Status: Fail, Message: "claim judged twice in one run", Fix: "this is a harness bug: claim IDs must be unique per host"}, called: 2},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Check(t, is.DeepEqual(tc.got(), tc.want))
			assert.Check(t, is.Equal(called, tc.called), "the check runs only when every prerequisite passed")
			got, ok := l.Get(tc.want.Claim)
			assert.Check(t, ok)
			assert.Check(t, is.DeepEqual(got, tc.want), "the ledger keeps what was returned")
		})
	}
	assert.Check(t, is.Equal(l.Count(Pass), 1))
	assert.Check(t, is.Equal(l.Count(Skip), 3))
	assert.Check(t, is.Equal(l.Count(Fail), 6))
	assert.Check(t, is.DeepEqual(NotApplicable("daemon OSType is linux"), Verdict{Status: Skip, Message: "daemon OSType is linux"}))
}

// TestVerdictStringEveryPart: the test log's rendering of a verdict, with
// several evidence lines and warnings, and without a fix.
func TestVerdictStringEveryPart(t *testing.T) {
	v := Verdict{Claim: ImageBuild, Status: Pass, Message: "image build 17763 fits host build 17763 for process",
		Evidence: []string{"host build 17763.805", "image 10.0.17763.864"}, Warnings: []string{"image revision 864 is newer", "host unserviced"}}
	assert.Check(t, is.Equal(v.String(), "image-build pass: image build 17763 fits host build 17763 for process"+
		"\n    evidence: host build 17763.805\n    evidence: image 10.0.17763.864"+
		"\n    WARNING: image revision 864 is newer\n    WARNING: host unserviced"))
	assert.Check(t, is.Equal(blocked(BaseImage, "").String(), " fail: blocked by base-image"))
}

// TestLostConnectionWholeVerdict: a request that got no answer is judged as
// a lost connection, naming the step; any other failure is left to its claim.
func TestLostConnectionWholeVerdict(t *testing.T) {
	eof := &evidence.Failure{Kind: evidence.KindConnection, Message: `Post "http://api/containers/create": EOF`}
	v, ok := connectionLost("create", eof, "row windows/process")
	assert.Check(t, ok)
	assert.Check(t, is.DeepEqual(v, Verdict{Status: Fail,
		Message:  `lost the daemon connection at create: Post "http://api/containers/create": EOF`,
		Fix:      "the daemon stopped answering mid-run: check that it still runs and read its log; the next run removes any container this run could not",
		Evidence: []string{"row windows/process", `create error (connection): Post "http://api/containers/create": EOF`}}))
	_, ok = connectionLost("create", nil)
	assert.Check(t, !ok, "no failure")
	_, ok = connectionLost("start", &evidence.Failure{Kind: evidence.KindSystem, Message: "hcs::CreateComputeSystem: The request is not supported."})
	assert.Check(t, !ok, "the daemon answered: its words are judged")
}

// TestHarnessInContainerWholeVerdict: one sign of a container is enough; no
// sign, or no host probe, is no finding.
func TestHarnessInContainerWholeVerdict(t *testing.T) {
	d := with(ws2019(), func(d *evidence.Daemon) { d.Host.InContainer = []string{"CExecSvc.exe runs (PID 1044)"} })
	v, inside := harnessInContainer(d)
	assert.Check(t, inside)
	assert.Check(t, is.DeepEqual(v, Verdict{Status: Fail, Message: "probe broken: the harness runs inside a container",
		Fix:      "run the gate on the container host itself (not in a container, even one given the daemon's socket or pipe): its host-side claims need the host's own process table and services",
		Evidence: []string{"CExecSvc.exe runs (PID 1044)"}}))
	_, inside = harnessInContainer(ws2019())
	assert.Check(t, !inside, "the documented host")
	_, inside = harnessInContainer(with(ws2019(), func(d *evidence.Daemon) { d.Host = nil }))
	assert.Check(t, !inside, "no host probe")
}
