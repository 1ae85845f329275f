package claims

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// TestRequirementWhyPerConfiguration: the whole requirement (required or
// not, and the reason the run's closing lines quote) of representative
// claims, per configuration a platform team gates with.
func TestRequirementWhyPerConfiguration(t *testing.T) {
	const remoteTarget = "tcp://10.0.0.5:2376"
	remoteWindows := with(ws2019(), func(d *evidence.Daemon) { d.Target, d.Local, d.Host = remoteTarget, false, nil })
	expect := func(change func(*config.Expectations)) config.Expectations {
		e := defaultExpect()
		if change != nil {
			change(&e)
		}
		return e
	}
	const remoteSuffix = "; host-side, and the daemon at " + remoteTarget + " is not local: set CONFORMANCE_REMOTE_HOST_CLAIMS=skip to gate it without host-side evidence"
	for _, tc := range []struct {
		doc    string
		daemon evidence.Daemon
		expect config.Expectations
		want   []Requirement
	}{
		{doc: "the documented Server 2019 under the defaults", daemon: ws2019(), expect: defaultExpect(), want: []Requirement{
			{Claim: DaemonReachable, Required: true, Why: "applies to every daemon"},
			{Claim: ServiceVmcompute, Required: true, Why: "applies to windows daemons"},
			{Claim: ServiceVmms, Required: true, Why: "applies to windows daemons, isolation hyperv under test"},
			{Claim: "windows/process/pid-visibility", Required: true, Why: "applies to windows daemons, isolation process under test"},
			{Claim: "linux/default/start", Why: "the gated platform is windows"},
		}},
		{doc: "an unreachable remote daemon, no platform pinned", daemon: evidence.Daemon{Target: remoteTarget}, expect: defaultExpect(), want: []Requirement{
			{Claim: BaseImage, Required: true, Why: "applies to every daemon"},
			{Claim: ServiceDocker, Why: "the daemon's platform is unknown: no windows claim applies"},
			{Claim: "linux/default/cleanup", Why: "the daemon's platform is unknown: no linux claim applies"},
		}},
		{doc: "CONFORMANCE_ISOLATION=process,default on a Server", daemon: ws2019(), expect: expect(func(e *config.Expectations) { e.Isolation = []string{"process", "default"} }), want: []Requirement{
			{Claim: "windows/process/start", Required: true, Why: "applies to windows daemons, isolation process under test"},
			{Claim: "windows/hyperv/start", Why: "isolation hyperv is not under test (CONFORMANCE_ISOLATION=process,default)"},
			{Claim: ServiceVmms, Why: "isolation hyperv is not under test (CONFORMANCE_ISOLATION=process,default)"},
		}},
		{doc: "CONFORMANCE_HYPERV=skip on a Server", daemon: ws2019(), expect: expect(func(e *config.Expectations) { e.HyperV = config.HyperVSkip }), want: []Requirement{
			{Claim: ServiceVmms, Why: "CONFORMANCE_HYPERV=skip: the Hyper-V claims may skip on a host without a usable hypervisor"},
			{Claim: "windows/hyperv/vm-worker", Why: "CONFORMANCE_HYPERV=skip: the Hyper-V claims may skip on a host without a usable hypervisor"},
			{Claim: "windows/process/vm-worker", Required: true, Why: "applies to windows daemons, isolation process under test"},
		}},
		{doc: "a remote Windows daemon, platform pinned, host-side claims required", daemon: remoteWindows, expect: expect(func(e *config.Expectations) { e.Platform = "windows" }), want: []Requirement{
			{Claim: EngineVersion, Required: true, Why: "applies to every daemon"},
			{Claim: ServiceDocker, Required: true, Why: "applies to windows daemons" + remoteSuffix},
			{Claim: "windows/hyperv/vm-worker", Required: true, Why: "applies to windows daemons, isolation hyperv under test" + remoteSuffix},
			{Claim: "windows/hyperv/isolation-field", Required: true, Why: "applies to windows daemons, isolation hyperv under test"},
		}},
		{doc: "a remote Windows daemon under CONFORMANCE_REMOTE_HOST_CLAIMS=skip", daemon: remoteWindows,
			expect: expect(func(e *config.Expectations) { e.Platform, e.SkipRemoteHostClaims = "windows", true }), want: []Requirement{
				{Claim: ServiceDocker, Why: "daemon at " + remoteTarget + " is not local and CONFORMANCE_REMOTE_HOST_CLAIMS=skip"},
				{Claim: "windows/process/pid-visibility", Why: "daemon at " + remoteTarget + " is not local and CONFORMANCE_REMOTE_HOST_CLAIMS=skip"},
				{Claim: "windows/process/process-tree", Required: true, Why: "applies to windows daemons, isolation process under test"},
				{Claim: ImageBuild, Required: true, Why: "applies to every daemon"},
			}},
		{doc: "a remote daemon under both skips: the Hyper-V reason comes first", daemon: remoteWindows,
			expect: expect(func(e *config.Expectations) {
				e.Platform, e.SkipRemoteHostClaims, e.HyperV = "windows", true, config.HyperVSkip
			}), want: []Requirement{
				{Claim: ServiceVmms, Why: "CONFORMANCE_HYPERV=skip: the Hyper-V claims may skip on a host without a usable hypervisor"},
				{Claim: ServiceVmcompute, Why: "daemon at " + remoteTarget + " is not local and CONFORMANCE_REMOTE_HOST_CLAIMS=skip"},
			}},
		{doc: "a local Windows daemon under CONFORMANCE_REMOTE_HOST_CLAIMS=skip: the setting is for remote daemons only", daemon: ws2019(),
			expect: expect(func(e *config.Expectations) { e.SkipRemoteHostClaims = true }), want: []Requirement{
				{Claim: ServiceDocker, Required: true, Why: "applies to windows daemons"},
				{Claim: "windows/hyperv/vm-worker", Required: true, Why: "applies to windows daemons, isolation hyperv under test"},
			}},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			reqs := Requirements(tc.daemon, tc.expect)
			for _, want := range tc.want {
				got, ok := RequirementOf(reqs, want.Claim)
				assert.Check(t, ok, want.Claim)
				assert.Check(t, is.DeepEqual(got, want))
			}
		})
	}
}

// TestRequirementsPerEngine: each engine judges its own claims and the
// Windows host's services both engines need; the other engine's claims get
// no requirement at all.
func TestRequirementsPerEngine(t *testing.T) {
	containerd := defaultExpect()
	containerd.Engine = config.EngineContainerd
	runtime := evidence.Runtime{Target: "npipe:////./pipe/containerd-containerd", Local: true, Host: &hostprobe.OSInfo{OS: "windows"}}
	cri := CRIRequirements(runtime, containerd)
	for claim, want := range map[string]Requirement{
		ServiceVmcompute:  {Claim: ServiceVmcompute, Required: true, Why: "applies to windows daemons"},
		ServiceVmms:       {Claim: ServiceVmms, Required: true, Why: "applies to windows daemons, isolation hyperv under test"},
		ServiceContainerd: {Claim: ServiceContainerd, Required: true, Why: "applies to windows daemons"},
		RuntimeReachable:  {Claim: RuntimeReachable, Required: true, Why: "applies to every daemon"},
	} {
		got, ok := RequirementOf(cri, claim)
		assert.Check(t, ok, claim)
		assert.Check(t, is.DeepEqual(got, want))
	}
	for _, claim := range []string{ServiceDocker, DaemonReachable, DefaultIsolation, "windows/process/start"} {
		_, ok := RequirementOf(cri, claim)
		assert.Check(t, !ok, "%s is a docker claim: containerd never judges it", claim)
	}
	docker := Requirements(ws2019(), defaultExpect())
	for _, claim := range []string{RuntimeReachable, ServiceContainerd, SandboxImage} {
		_, ok := RequirementOf(docker, claim)
		assert.Check(t, !ok, "%s is a containerd claim: docker never judges it", claim)
	}
	for _, claim := range []string{ServiceVmcompute, ServiceVmms, ServiceDocker} {
		_, ok := RequirementOf(docker, claim)
		assert.Check(t, ok, claim)
	}

	// A runtime whose host was not probed takes the pinned platform; without
	// one, no platform's claims apply.
	unprobed := evidence.Runtime{Target: "unix:///run/containerd/containerd.sock", Local: true}
	pinned := containerd
	pinned.Platform = "linux"
	got, _ := RequirementOf(CRIRequirements(unprobed, pinned), ServiceContainerd)
	assert.Check(t, is.DeepEqual(got, Requirement{Claim: ServiceContainerd, Why: "the gated platform is linux"}))
	got, _ = RequirementOf(CRIRequirements(unprobed, containerd), ServiceContainerd)
	assert.Check(t, is.DeepEqual(got, Requirement{Claim: ServiceContainerd, Why: "the daemon's platform is unknown: no windows claim applies"}))
}

// TestSpecAppliesToAndRowKinds: which engine judges a spec, and which claim
// kinds each isolation row has.
func TestSpecAppliesToAndRowKinds(t *testing.T) {
	for _, tc := range []struct {
		spec            Spec
		docker, contain bool
	}{
		{spec: Spec{ID: ServiceDocker}, docker: true},
		{spec: Spec{ID: ServiceVmcompute, Engine: EngineAny}, docker: true, contain: true},
		{spec: Spec{ID: RuntimeReachable, Engine: config.EngineContainerd}, contain: true},
	} {
		assert.Check(t, is.Equal(tc.spec.AppliesTo(config.EngineDocker), tc.docker), tc.spec.ID)
		assert.Check(t, is.Equal(tc.spec.AppliesTo(config.EngineContainerd), tc.contain), tc.spec.ID)
	}
	assert.Check(t, is.DeepEqual(RowKinds(evidence.Row{Platform: "linux", Mode: "hyperv"}), []string{KindRefused}))
	assert.Check(t, is.DeepEqual(RowKinds(evidence.Row{Platform: "linux", Mode: "default"}),
		[]string{KindStart, KindIsolationField, KindProcessTree, KindPIDVisibility, KindCleanup}))
	assert.Check(t, is.DeepEqual(RowKinds(evidence.Row{Platform: "windows", Mode: "process"}),
		[]string{KindStart, KindIsolationField, KindProcessTree, KindPIDVisibility, KindVMWorker, KindCleanup}))
	hostSide := map[string]bool{}
	for _, s := range Catalogue() {
		if s.HostSide {
			hostSide[s.ID] = true
		}
	}
	for _, id := range []string{ServiceDocker, ServiceVmcompute, ServiceVmms, ServiceContainerd, "windows/hyperv/vm-worker", "windows/process/pid-visibility", "linux/default/pid-visibility"} {
		assert.Check(t, hostSide[id], "%s reads the host probe", id)
	}
	for _, id := range []string{EngineVersion, "windows/hyperv/isolation-field", "windows/process/process-tree", "linux/default/cleanup", "linux/hyperv/refused"} {
		assert.Check(t, !hostSide[id], "%s reads only the daemon's answers", id)
	}
}

// TestJudgeRequiredKeepsEachVerdict: every required result carries the
// verdict it was read from (the report prints it), a passed one included;
// only a claim never judged has none.
func TestJudgeRequiredKeepsEachVerdict(t *testing.T) {
	reqs := []Requirement{{Claim: "a", Required: true, Why: "always"}, {Claim: "b", Required: true, Why: "always"}, {Claim: "c", Required: true, Why: "always"}}
	l := NewLedger()
	l.Judge("a", nil, func() Verdict { return passed("fine", "seen") })
	l.Judge("b", nil, func() Verdict { return skipped("daemon at tcp://10.0.0.5:2376 is not local") })
	g := JudgeRequired(l, reqs, nil)
	assert.Check(t, is.DeepEqual(g.Results, []RequiredResult{
		{Claim: "a", Why: "always", Outcome: Passed, Verdict: &Verdict{Claim: "a", Status: Pass, Message: "fine", Evidence: []string{"seen"}}},
		{Claim: "b", Why: "always", Outcome: NotJudged, Reason: "skipped: daemon at tcp://10.0.0.5:2376 is not local",
			Verdict: &Verdict{Claim: "b", Status: Skip, Message: "daemon at tcp://10.0.0.5:2376 is not local"}},
		{Claim: "c", Why: "always", Outcome: NotJudged, Reason: "never judged"},
	}))
	assert.Check(t, is.Equal(g.Passed, 1))
	assert.Check(t, is.Equal(g.Failed, 0))
	assert.Check(t, is.Equal(g.NotJudged, 2))
	assert.Check(t, !g.OK(), "a required claim not judged fails the gate though nothing failed")
	assert.Check(t, GateSummary{Passed: 3}.OK())
	assert.Check(t, !GateSummary{Passed: 3, Failed: 1}.OK())
	assert.Check(t, is.DeepEqual(g.Problems(), g.Results[1:]))
}
