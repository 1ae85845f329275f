package claims

import (
	"fmt"
	"strings"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// Spec says where one claim applies: the facts the required-claims rule and a
// report's matrix need without running anything.
type Spec struct {
	ID string `json:"id"`
	// Platform is the daemon OSType the claim is about; "" for every platform.
	Platform string `json:"platform,omitempty"`
	// Row is the isolation row of a row claim; the zero Row for provisioning.
	Row evidence.Row `json:"row"`
	// Mode is the isolation mode the claim needs under test ("" for none).
	Mode string `json:"mode,omitempty"`
	// HostSide claims judge the host probe's answers (processes, services,
	// VM workers): only a local daemon's host can give them.
	HostSide bool `json:"host_side,omitempty"`
	// Engine is the engine the claim is judged on: "" for docker,
	// "containerd", or EngineAny for both.
	Engine string `json:"engine,omitempty"`
	// CRIRow is the row of a containerd row claim.
	CRIRow evidence.CRIRow `json:"cri_row,omitzero"`
}

// EngineAny marks a claim both engines judge (the Windows host's services).
const EngineAny = "any"

// AppliesTo reports whether the claim is judged on the engine.
func (s Spec) AppliesTo(engine string) bool {
	switch s.Engine {
	case EngineAny:
		return true
	case "":
		return engine == config.EngineDocker
	}
	return s.Engine == engine
}

// Catalogue lists every claim the suite knows, provisioning first, then the
// rows in evidence.Rows order. The test tables judge exactly these IDs (a test
// compares them).
func Catalogue() []Spec {
	specs := []Spec{
		{ID: DaemonReachable},
		{ID: EnginePlatform},
		{ID: EngineVersion},
		{ID: APIVersion},
		{ID: DefaultIsolation},
		{ID: BaseImage},
		{ID: ImageBuild},
		{ID: ServiceDocker, Platform: "windows", HostSide: true},
		{ID: ServiceVmcompute, Platform: "windows", HostSide: true, Engine: EngineAny},
		{ID: ServiceVmms, Platform: "windows", Mode: "hyperv", HostSide: true, Engine: EngineAny},
	}
	for _, row := range evidence.Rows {
		for _, kind := range RowKinds(row) {
			specs = append(specs, Spec{
				ID: ID(row, kind), Platform: row.Platform, Row: row, Mode: row.Mode,
				HostSide: kind == KindPIDVisibility || kind == KindVMWorker,
			})
		}
	}
	const cd = config.EngineContainerd
	specs = append(specs,
		Spec{ID: RuntimeReachable, Engine: cd},
		Spec{ID: RuntimeVersion, Engine: cd},
		Spec{ID: RuntimeReady, Engine: cd},
		Spec{ID: RuntimeHandlers, Engine: cd},
		Spec{ID: ServiceContainerd, Platform: "windows", HostSide: true, Engine: cd},
		Spec{ID: SandboxImage, Engine: cd},
		Spec{ID: WorkloadImage, Engine: cd},
	)
	for _, row := range evidence.CRIRows {
		mode := row.Mode
		if row.Platform != "windows" {
			mode = ""
		}
		for _, kind := range CRIRowKinds(row) {
			specs = append(specs, Spec{ID: CRIID(row, kind), Platform: row.Platform, Mode: mode, Engine: cd, CRIRow: row,
				HostSide: kind == KindIsolation})
		}
	}
	return specs
}

// RowKinds lists the claim kinds judged on a row, in the order they are judged.
func RowKinds(row evidence.Row) []string {
	if row.Refusal() {
		return []string{KindRefused}
	}
	kinds := []string{KindStart, KindIsolationField, KindProcessTree, KindPIDVisibility}
	if row.Platform == "windows" {
		kinds = append(kinds, KindVMWorker)
	}
	return append(kinds, KindCleanup)
}

// Requirement says whether a claim must pass for the gate to pass, and why.
type Requirement struct {
	Claim    string `json:"claim"`
	Required bool   `json:"required"`
	// Why says why the claim is required, or why it is not.
	Why string `json:"why"`
}

// Requirements decides, for every claim of the Catalogue, whether the gate
// needs it to pass. By default every claim that applies to the daemon's
// platform and to the isolation modes under test is required: a skip or a
// block of such a claim fails the gate. Only the user can relax that:
// CONFORMANCE_HYPERV=skip makes the Hyper-V claims optional, and
// CONFORMANCE_REMOTE_HOST_CLAIMS=skip makes the host-side claims of a
// non-local daemon optional.
func Requirements(d evidence.Daemon, e config.Expectations) []Requirement {
	return requirements(GatedPlatform(d, e), d.Local, d.Target, e)
}

// CRIRequirements are Requirements for a containerd host.
func CRIRequirements(r evidence.Runtime, e config.Expectations) []Requirement {
	platform := r.Platform()
	if platform == "" {
		platform = e.Platform
	}
	return requirements(platform, r.Local, r.Target, e)
}

func requirements(platform string, local bool, target string, e config.Expectations) []Requirement {
	d := evidence.Daemon{Local: local, Target: target}
	var out []Requirement
	for _, s := range Catalogue() {
		if !s.AppliesTo(e.EngineName()) {
			continue // the other engine's claims are never judged here
		}
		r := Requirement{Claim: s.ID}
		switch {
		case s.Platform != "" && platform == "":
			r.Why = "the daemon's platform is unknown: no " + s.Platform + " claim applies"
		case s.Platform != "" && s.Platform != platform:
			r.Why = "the gated platform is " + platform
		case s.Mode != "" && !e.WantsMode(s.Mode):
			r.Why = fmt.Sprintf("isolation %s is not under test (%s=%s)", s.Mode, config.EnvIsolation, strings.Join(e.Isolation, ","))
		case s.Mode == "hyperv" && e.HyperV == config.HyperVSkip:
			r.Why = config.EnvHyperV + "=skip: the Hyper-V claims may skip on a host without a usable hypervisor"
		case s.HostSide && !d.Local && e.SkipRemoteHostClaims:
			r.Why = fmt.Sprintf("daemon at %s is not local and %s=skip", d.Target, config.EnvRemoteHostClaims)
		default:
			r.Required = true
			r.Why = requiredWhy(s, platform, d)
		}
		out = append(out, r)
	}
	return out
}

func requiredWhy(s Spec, platform string, d evidence.Daemon) string {
	why := "applies to every daemon"
	switch {
	case s.Mode != "":
		why = fmt.Sprintf("applies to %s daemons, isolation %s under test", platform, s.Mode)
	case s.Platform != "":
		why = "applies to " + platform + " daemons"
	}
	if s.HostSide && !d.Local {
		why += fmt.Sprintf("; host-side, and the daemon at %s is not local: set %s=skip to gate it without host-side evidence", d.Target, config.EnvRemoteHostClaims)
	}
	return why
}

// GatedPlatform is the platform whose claims apply: the one the daemon reports,
// else the one expected, else the local host's own.
func GatedPlatform(d evidence.Daemon, e config.Expectations) string {
	switch {
	case d.Info.OSType != "":
		return d.Info.OSType
	case e.Platform != "":
		return e.Platform
	case d.Local && d.Host != nil:
		return d.Host.OS
	}
	return ""
}

// Outcome is what a required claim did for the gate.
type Outcome string

const (
	Passed    Outcome = "passed"
	Failed    Outcome = "failed"
	NotJudged Outcome = "not judged"
)

// RequiredResult is one required claim's outcome and, unless it passed, the reason.
type RequiredResult struct {
	Claim   string  `json:"claim"`
	Why     string  `json:"why"`
	Outcome Outcome `json:"outcome"`
	// Reason says why a required claim did not pass: its failure, the claim
	// that blocked it, why it skipped, or that it was never judged.
	Reason string `json:"reason,omitempty"`
	// Verdict is the claim's verdict; nil when it was never judged.
	Verdict *Verdict `json:"verdict,omitempty"`
}

// GateSummary is the gate's verdict over the required claims.
type GateSummary struct {
	Results   []RequiredResult `json:"results"`
	Passed    int              `json:"passed"`
	Failed    int              `json:"failed"`
	NotJudged int              `json:"not_judged"`
}

// OK reports whether every required claim passed.
func (g GateSummary) OK() bool { return g.Failed == 0 && g.NotJudged == 0 }

// Line is the run's closing line.
func (g GateSummary) Line() string {
	return fmt.Sprintf("required claims: %d passed, %d failed, %d not judged", g.Passed, g.Failed, g.NotJudged)
}

// Problems are the required claims that did not pass, in catalogue order.
func (g GateSummary) Problems() []RequiredResult {
	var out []RequiredResult
	for _, r := range g.Results {
		if r.Outcome != Passed {
			out = append(out, r)
		}
	}
	return out
}

func (r RequiredResult) String() string {
	if r.Outcome == Passed {
		return fmt.Sprintf("required claim %s passed", r.Claim)
	}
	return fmt.Sprintf("required claim %s %s: %s (required: %s)", r.Claim, r.Outcome, r.Reason, r.Why)
}

// JudgeRequired reads the required claims' verdicts from the ledger. selected
// says which claims the run was asked to judge (a `go test -run` filter may
// select a few); nil selects every claim. A required claim that skipped or was
// never judged is "not judged", one that failed or was blocked is "failed":
// both fail the gate.
func JudgeRequired(l *Ledger, reqs []Requirement, selected func(id string) bool) GateSummary {
	var g GateSummary
	for _, req := range reqs {
		if !req.Required || (selected != nil && !selected(req.Claim)) {
			continue
		}
		r := RequiredResult{Claim: req.Claim, Why: req.Why}
		v, ok := l.Get(req.Claim)
		switch {
		case !ok:
			r.Outcome, r.Reason = NotJudged, "never judged"
		case v.Status == Pass:
			r.Outcome = Passed
		case v.Status == Fail: // its own failure, or "blocked by <ID>: ..."
			r.Outcome, r.Reason = Failed, v.Message
		default:
			r.Outcome, r.Reason = NotJudged, "skipped: "+v.Message
		}
		if ok {
			r.Verdict = &v
		}
		switch r.Outcome {
		case Passed:
			g.Passed++
		case Failed:
			g.Failed++
		default:
			g.NotJudged++
		}
		g.Results = append(g.Results, r)
	}
	return g
}

// RequirementOf finds a claim's requirement.
func RequirementOf(reqs []Requirement, id string) (Requirement, bool) {
	for _, r := range reqs {
		if r.Claim == id {
			return r, true
		}
	}
	return Requirement{}, false
}

// GatePasses is the gate's own verdict on one host, the one its exit code
// gives: it passes when some claim passed (a gate that proved nothing fails
// closed), no claim failed (a failure fails the gate whether or not the claim
// is required: a Hyper-V claim that fails under CONFORMANCE_HYPERV=skip is
// still a broken host) and every required claim passed.
func GatePasses(l *Ledger, g GateSummary) bool {
	return l.Count(Pass) > 0 && l.Count(Fail) == 0 && g.OK()
}

// GateExitCode is the exit code of a run that judged one host: go test's 0
// when the gate passed, its 1 when a test failed.
func GateExitCode(passed bool) int {
	if passed {
		return 0
	}
	return 1
}

// Optional lists, in catalogue order, the claims of the gated platform (and
// those of every platform) that the configuration does not require: the
// Hyper-V claims under CONFORMANCE_HYPERV=skip or when Hyper-V is not under
// test, the host-side claims of a remote daemon under
// CONFORMANCE_REMOTE_HOST_CLAIMS=skip. The other platform's claims are left
// out: they never apply.
func Optional(reqs []Requirement, platform string) []string {
	var out []string
	for _, s := range Catalogue() {
		if s.Platform != "" && s.Platform != platform {
			continue
		}
		if r, ok := RequirementOf(reqs, s.ID); ok && !r.Required {
			out = append(out, s.ID)
		}
	}
	return out
}
