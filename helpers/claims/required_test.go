package claims

import (
	"slices"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

func requiredIDs(reqs []Requirement) []string {
	var ids []string
	for _, r := range reqs {
		if r.Required {
			ids = append(ids, r.Claim)
		}
	}
	return ids
}

func linuxDaemon(target string, local bool) evidence.Daemon {
	d := evidence.Daemon{Target: target, Local: local}
	d.Info.OSType = "linux"
	return d
}

func TestRequirements(t *testing.T) {
	provisioning := []string{DaemonReachable, EnginePlatform, EngineVersion, APIVersion, DefaultIsolation, BaseImage, ImageBuild}
	linuxRows := []string{
		"linux/default/start", "linux/default/isolation-field", "linux/default/process-tree", "linux/default/pid-visibility",
		"linux/default/cleanup", "linux/process/refused", "linux/hyperv/refused",
	}
	windowsRow := func(mode string) []string {
		var ids []string
		for _, k := range []string{KindStart, KindIsolationField, KindProcessTree, KindPIDVisibility, KindVMWorker, KindCleanup} {
			ids = append(ids, "windows/"+mode+"/"+k)
		}
		return ids
	}
	services := []string{ServiceDocker, ServiceVmcompute}
	tests := []struct {
		doc    string
		daemon evidence.Daemon
		expect func(*config.Expectations)
		want   []string
	}{
		{
			doc: "a local Linux daemon: every Linux claim", daemon: linuxDaemon("unix:///var/run/docker.sock", true),
			want: slices.Concat(provisioning, linuxRows),
		},
		{
			doc: "a remote Linux daemon: host-side claims stay required", daemon: linuxDaemon("tcp://10.0.0.5:2375", false),
			want: slices.Concat(provisioning, linuxRows),
		},
		{
			doc: "a remote Linux daemon the user gates without host evidence", daemon: linuxDaemon("tcp://10.0.0.5:2375", false),
			expect: func(e *config.Expectations) { e.SkipRemoteHostClaims = true },
			want:   slices.DeleteFunc(slices.Concat(provisioning, linuxRows), func(id string) bool { return id == "linux/default/pid-visibility" }),
		},
		{
			doc: "the skip of remote host claims does nothing to a local daemon", daemon: linuxDaemon("unix:///var/run/docker.sock", true),
			expect: func(e *config.Expectations) { e.SkipRemoteHostClaims = true },
			want:   slices.Concat(provisioning, linuxRows),
		},
		{
			doc: "a Windows Server: every Windows claim, vmms because hyperv is under test", daemon: ws2019(),
			want: slices.Concat(provisioning, services, []string{ServiceVmms}, windowsRow("process"), windowsRow("hyperv")),
		},
		{
			doc: "CONFORMANCE_HYPERV=skip: the Hyper-V claims are optional", daemon: ws2019(),
			expect: func(e *config.Expectations) { e.HyperV = config.HyperVSkip },
			want:   slices.Concat(provisioning, services, windowsRow("process")),
		},
		{
			doc: "process isolation alone: no Hyper-V claim", daemon: ws2019(),
			expect: func(e *config.Expectations) { e.Isolation = []string{"process"} },
			want:   slices.Concat(provisioning, services, windowsRow("process")),
		},
		{
			doc: "an unreachable daemon with a pinned platform: that platform's claims", daemon: evidence.Daemon{Target: "npipe:////./pipe/docker_engine", Local: true},
			expect: func(e *config.Expectations) { e.Platform = "windows" },
			want:   slices.Concat(provisioning, services, []string{ServiceVmms}, windowsRow("process"), windowsRow("hyperv")),
		},
		{
			doc: "an unreachable daemon, no platform: the claims of every platform's provisioning", daemon: evidence.Daemon{Target: "tcp://10.0.0.5:2375"},
			want: provisioning,
		},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			e := defaultExpect()
			if tc.expect != nil {
				tc.expect(&e)
			}
			reqs := Requirements(tc.daemon, e)
			docker := 0
			for _, s := range Catalogue() {
				if s.AppliesTo(config.EngineDocker) {
					docker++
				}
			}
			assert.Check(t, is.Len(reqs, docker), "every claim of the engine gets a requirement")
			got, want := requiredIDs(reqs), slices.Clone(tc.want)
			slices.Sort(got)
			slices.Sort(want)
			assert.Check(t, is.DeepEqual(got, want))
			for _, r := range reqs {
				assert.Check(t, r.Why != "", "claim %s: no reason", r.Claim)
			}
		})
	}
}

func TestRequiredRemoteHostClaimNamesTheSetting(t *testing.T) {
	reqs := Requirements(linuxDaemon("tcp://10.0.0.5:2375", false), defaultExpect())
	r, ok := RequirementOf(reqs, "linux/default/pid-visibility")
	assert.Assert(t, ok)
	assert.Check(t, r.Required)
	assert.Check(t, is.Contains(r.Why, "set CONFORMANCE_REMOTE_HOST_CLAIMS=skip"))
}

func TestJudgeRequired(t *testing.T) {
	reqs := []Requirement{
		{Claim: "a", Required: true, Why: "always"},
		{Claim: "b", Required: true, Why: "always"},
		{Claim: "c", Required: true, Why: "always"},
		{Claim: "d", Required: true, Why: "always"},
		{Claim: "e", Required: true, Why: "always"},
		{Claim: "optional", Why: "not under test"},
	}
	l := NewLedger()
	l.Judge("a", nil, func() Verdict { return passed("fine") })
	l.Judge("b", nil, func() Verdict { return failed("broken", "fix it") })
	l.Judge("c", []string{"b"}, func() Verdict { return passed("never called") })
	l.Judge("d", nil, func() Verdict { return skipped("not local") })
	l.Judge("optional", nil, func() Verdict { return failed("ignored here", "") })

	g := JudgeRequired(l, reqs, nil)
	assert.Check(t, is.Equal(g.Line(), "required claims: 1 passed, 2 failed, 2 not judged"))
	assert.Check(t, !g.OK())
	outcome := map[string]RequiredResult{}
	for _, r := range g.Results {
		outcome[r.Claim] = r
	}
	assert.Check(t, is.Equal(outcome["a"].Outcome, Passed))
	assert.Check(t, is.Equal(outcome["b"].Outcome, Failed))
	assert.Check(t, is.Equal(outcome["b"].Reason, "broken"))
	assert.Check(t, is.Equal(outcome["c"].Outcome, Failed))
	assert.Check(t, is.Equal(outcome["c"].Reason, "blocked by b"))
	assert.Check(t, is.Equal(outcome["c"].Verdict.BlockedBy, "b"))
	assert.Check(t, is.Equal(outcome["d"].Outcome, NotJudged))
	assert.Check(t, is.Equal(outcome["d"].Reason, "skipped: not local"))
	assert.Check(t, is.Equal(outcome["e"].Outcome, NotJudged))
	assert.Check(t, is.Equal(outcome["e"].Reason, "never judged"))
	assert.Check(t, outcome["e"].Verdict == nil)
	_, counted := outcome["optional"]
	assert.Check(t, !counted, "a claim that is not required is not counted")
	assert.Check(t, is.Len(g.Problems(), 4))
	assert.Check(t, is.Equal(g.Problems()[2].String(), "required claim d not judged: skipped: not local (required: always)"))

	selected := JudgeRequired(l, reqs, func(id string) bool { return id == "a" })
	assert.Check(t, is.Equal(selected.Line(), "required claims: 1 passed, 0 failed, 0 not judged"))
	assert.Check(t, selected.OK())
}

func TestCatalogueIDsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Catalogue() {
		assert.Check(t, !seen[s.ID], "claim %s listed twice", s.ID)
		seen[s.ID] = true
	}
	assert.Check(t, is.Len(seen, 29+7+16), "29 Docker claims (two shared with containerd), 7 containerd provisioning claims, 16 containerd row claims")
}

func TestRemoteDaemonMustNameItsPlatform(t *testing.T) {
	d := with(ws2019(), func(d *evidence.Daemon) { d.Target, d.Local, d.Host = "tcp://10.0.0.5:2375", false, nil })
	v := CheckEnginePlatform(d, defaultExpect())
	assert.Check(t, is.Equal(v.Status, Fail))
	assert.Check(t, is.Contains(v.Message, "daemon at tcp://10.0.0.5:2375 is not local and no platform is pinned"))
	assert.Check(t, is.Contains(v.Fix, "CONFORMANCE_PLATFORM"))

	e := defaultExpect()
	e.Platform = "windows"
	assert.Check(t, is.Equal(CheckEnginePlatform(d, e).Status, Pass))
	local := with(ws2019(), func(d *evidence.Daemon) { d.Target = "tcp://127.0.0.1:2375" })
	assert.Check(t, is.Equal(CheckEnginePlatform(local, defaultExpect()).Status, Pass), "a local daemon's platform is the host's")
}

// TestGatePasses: the gate's own verdict on a host, row by row the host
// situations that decide it.
func TestGatePasses(t *testing.T) {
	reqs := []Requirement{{Claim: "a", Required: true, Why: "always"}, {Claim: "hyperv", Why: "CONFORMANCE_HYPERV=skip"}}
	tests := []struct {
		doc     string
		verdict map[string]Verdict
		want    bool
	}{
		{doc: "a healthy host: every required claim passed", verdict: map[string]Verdict{"a": passed("fine"), "hyperv": passed("fine")}, want: true},
		{doc: "an optional Hyper-V row that skips (no hypervisor, hyperv: skip)", verdict: map[string]Verdict{"a": passed("fine"), "hyperv": skipped("no hypervisor")}, want: true},
		{doc: "an optional claim that fails (vmms stopped under hyperv: skip) still fails the gate", verdict: map[string]Verdict{"a": passed("fine"), "hyperv": failed("vmms stopped", "start it")}, want: false},
		{doc: "a required claim that skipped (a remote daemon's host-side claim)", verdict: map[string]Verdict{"a": skipped("not local"), "hyperv": passed("fine")}, want: false},
		{doc: "a required claim never judged (the run stopped early)", verdict: map[string]Verdict{"hyperv": passed("fine")}, want: false},
		{doc: "nothing passed: a gate that proved nothing fails closed", verdict: map[string]Verdict{"hyperv": skipped("no hypervisor")}, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			l := NewLedger()
			for id, v := range tc.verdict {
				l.Judge(id, nil, func() Verdict { return v })
			}
			got := GatePasses(l, JudgeRequired(l, reqs, nil))
			assert.Check(t, is.Equal(got, tc.want))
			wantCode := 1
			if tc.want {
				wantCode = 0
			}
			assert.Check(t, is.Equal(GateExitCode(got), wantCode))
		})
	}
	// Nothing required and one claim passed: the gate passes.
	l := NewLedger()
	l.Judge("hyperv", nil, func() Verdict { return passed("fine") })
	assert.Check(t, GatePasses(l, JudgeRequired(l, reqs[1:], nil)))
	// Nothing required and nothing passed (every claim optional and skipped): it fails closed.
	skippedOnly := NewLedger()
	skippedOnly.Judge("hyperv", nil, func() Verdict { return skipped("no hypervisor") })
	assert.Check(t, !GatePasses(skippedOnly, JudgeRequired(skippedOnly, reqs[1:], nil)))
}

// TestOptional: the claims of the gated platform that the configuration
// leaves optional, per configuration a user gates with.
func TestOptional(t *testing.T) {
	hypervRow := []string{ServiceVmms, "windows/hyperv/start", "windows/hyperv/isolation-field", "windows/hyperv/process-tree",
		"windows/hyperv/pid-visibility", "windows/hyperv/vm-worker", "windows/hyperv/cleanup"}
	remote := with(ws2019(), func(d *evidence.Daemon) { d.Target, d.Local, d.Host = "tcp://10.0.0.5:2375", false, nil })
	tests := []struct {
		doc    string
		daemon evidence.Daemon
		expect func(*config.Expectations)
		want   []string
	}{
		{doc: "a Windows Server under the defaults: nothing optional", daemon: ws2019()},
		{doc: "a Linux host: the Windows claims never apply, nothing optional", daemon: linuxDaemon("unix:///var/run/docker.sock", true)},
		{doc: "CONFORMANCE_HYPERV=skip on a Server", daemon: ws2019(), expect: func(e *config.Expectations) { e.HyperV = config.HyperVSkip }, want: hypervRow},
		{
			doc: "CONFORMANCE_ISOLATION=hyperv on a client: the process row", daemon: ws2019(),
			expect: func(e *config.Expectations) { e.Isolation = []string{"hyperv"} },
			want: []string{"windows/process/start", "windows/process/isolation-field", "windows/process/process-tree",
				"windows/process/pid-visibility", "windows/process/vm-worker", "windows/process/cleanup"},
		},
		{
			doc: "a remote daemon under CONFORMANCE_REMOTE_HOST_CLAIMS=skip: every host-side claim, vm-worker included", daemon: remote,
			expect: func(e *config.Expectations) { e.SkipRemoteHostClaims, e.Platform = true, "windows" },
			want: []string{ServiceDocker, ServiceVmcompute, ServiceVmms, "windows/process/pid-visibility", "windows/process/vm-worker",
				"windows/hyperv/pid-visibility", "windows/hyperv/vm-worker"},
		},
		{doc: "a remote daemon without the skip: every host-side claim stays required", daemon: remote, expect: func(e *config.Expectations) { e.Platform = "windows" }},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			e := defaultExpect()
			if tc.expect != nil {
				tc.expect(&e)
			}
			assert.Check(t, is.DeepEqual(Optional(Requirements(tc.daemon, e), GatedPlatform(tc.daemon, e)), tc.want))
		})
	}
}
