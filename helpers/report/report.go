// Package report turns the verdicts of a run into what a pipeline reads: the
// matrix printed at the end of every run (and appended as Markdown to a GitHub
// job summary), the JSON report described by schema/report.schema.json, and
// JUnit XML with one test case per claim ID. It only formats: every verdict
// comes from the claims ledger, so the files and the exit code cannot disagree.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// SchemaVersion is the version of the JSON report's shape; the committed
// schema (schema/report.schema.json) pins it with a const. Adding an optional
// field keeps it; removing or changing one bumps it.
const SchemaVersion = "1"

// Run is one whole run of the gate: every host it judged.
type Run struct {
	SchemaVersion string `json:"schema_version"`
	// HarnessVersion, HarnessCommit and HarnessDate name the build of the gate
	// that ran (helpers/version): its semantic version, the commit it was
	// built from and that commit's time.
	HarnessVersion string `json:"harness_version"`
	HarnessCommit  string `json:"harness_commit,omitempty"`
	HarnessDate    string `json:"harness_date,omitempty"`
	// Mode is live, record or replay.
	Mode string `json:"mode"`
	// StartedAt and FinishedAt are RFC 3339 UTC.
	StartedAt  string `json:"started_at"`
	FinishedAt string `json:"finished_at"`
	// Passed is the gate's verdict: true exactly when the exit code is 0.
	Passed   bool   `json:"passed"`
	ExitCode int    `json:"exit_code"`
	Hosts    []Host `json:"hosts"`
}

// Host is the verdict on one host (a live daemon, or one fixture in replay).
type Host struct {
	// Name is "live", "record", or the fixture folder's name in replay.
	Name string `json:"name"`
	// Target is the daemon address; Local says whether host-side evidence was taken.
	Target string `json:"target"`
	Local  bool   `json:"local"`
	// Profile is the CONFORMANCE_PROFILE the expectations started from.
	Profile      string              `json:"profile,omitempty"`
	Facts        Facts               `json:"facts"`
	Expectations config.Expectations `json:"expectations"`
	Counts       Counts              `json:"counts"`
	// Required is the gate's verdict over the required claims.
	Required Required `json:"required"`
	Claims   []Claim  `json:"claims"`
}

// Required sums the required claims (claims.JudgeRequired): the gate passes
// only when none failed and none went unjudged.
type Required struct {
	Passed    int    `json:"passed"`
	Failed    int    `json:"failed"`
	NotJudged int    `json:"not_judged"`
	Line      string `json:"line"`
	// Problems are the required claims that did not pass, with the reason.
	Problems []RequiredProblem `json:"problems"`
}

// RequiredProblem is a required claim that failed or was not judged.
type RequiredProblem struct {
	Claim   string `json:"claim"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
	// Why says why the claim is required.
	Why string `json:"why"`
}

// Facts are what the host is, as the daemon and the host probe reported it.
type Facts struct {
	Platform        string `json:"platform"`
	OperatingSystem string `json:"operating_system"`
	// OSBuild is the Windows build (17763) or the Linux kernel release.
	OSBuild    string `json:"os_build"`
	OSRevision int    `json:"os_revision"`
	// Edition is "server" or "client" on Windows, as the host probe read it;
	// empty when the daemon is not local or on Linux.
	Edition string `json:"edition"`
	// ProductType is RtlGetVersion's: "workstation", "server" or
	// "domain-controller"; the daemon's default isolation follows it.
	ProductType string `json:"product_type,omitempty"`
	// HostOS and HostBuild are the host's own OS and build as the host
	// probe read them, apart from the daemon's platform: a Windows host whose
	// daemon runs Linux containers is "windows" here and "linux" in
	// Platform. Empty when the host was not probed (a remote daemon). They
	// are reported even when the daemon did not answer.
	HostOS    string `json:"host_os,omitempty"`
	HostBuild string `json:"host_build,omitempty"`
	// DaemonBuild is the build the daemon reports (Windows build from
	// KernelVersion, or the Linux kernel release); empty when it did not answer.
	DaemonBuild string `json:"daemon_build,omitempty"`
	// Unknown names the host facts the probe could not read ("revision",
	// "edition") with the OS's answer; they are reported as unknown, never
	// guessed.
	Unknown          map[string]string `json:"unknown,omitempty"`
	EngineName       string            `json:"engine_name"`
	EngineVersion    string            `json:"engine_version"`
	APIVersion       string            `json:"api_version"`
	DefaultIsolation string            `json:"default_isolation"`
	Image            Image             `json:"image"`
}

// Image is the base image the workloads ran.
type Image struct {
	Ref       string `json:"ref"`
	ID        string `json:"id"`
	OSVersion string `json:"os_version"`
	Pulled    bool   `json:"pulled"`
}

// Counts sums the verdicts; Blocked counts the failures whose prerequisite failed.
type Counts struct {
	Pass    int `json:"pass"`
	Fail    int `json:"fail"`
	Blocked int `json:"blocked"`
	Skip    int `json:"skip"`
}

// Claim is one verdict with the table row it belongs to and the table's doc.
type Claim struct {
	claims.Verdict
	// Group is the matrix row: provisioning, windows/process, ..., refusals.
	Group string `json:"group"`
	Doc   string `json:"doc,omitempty"`
	// Required says whether the gate needs the claim to pass; RequiredWhy says why, or why not.
	Required    bool   `json:"required"`
	RequiredWhy string `json:"required_why,omitempty"`
}

// FactsOf reads the host facts from the provisioning evidence.
func FactsOf(d evidence.Daemon) Facts {
	f := Facts{
		Platform:         d.Info.OSType,
		OperatingSystem:  d.Info.OperatingSystem,
		OSBuild:          claims.DaemonBuild(d),
		OSRevision:       claims.WindowsRevision(d.Info.OperatingSystem),
		EngineName:       d.Version.Platform.Name,
		EngineVersion:    d.Version.Version,
		APIVersion:       d.Version.APIVersion,
		DefaultIsolation: string(d.Info.Isolation),
		Image:            Image{Ref: d.Image.Ref, Pulled: d.Image.Pulled},
	}
	if d.Info.OSType != "" {
		f.DaemonBuild = claims.DaemonBuild(d)
	}
	if h := d.Host; h != nil {
		f.HostOS, f.HostBuild = h.OS, h.Build
		for fact, why := range h.Unknown {
			if fact == "revision" && f.OSRevision != 0 {
				continue // the daemon's OperatingSystem gave it
			}
			if f.Unknown == nil {
				f.Unknown = map[string]string{}
			}
			f.Unknown[fact] = why
		}
		f.OSBuild = h.Build
		if h.Revision != 0 {
			f.OSRevision = h.Revision
		}
		f.Edition = h.Edition
		f.ProductType = h.ProductType
	}
	if in := d.Image.Inspect; in != nil {
		f.Image.ID = in.ID
		f.Image.OSVersion = in.OsVersion
	}
	return f
}

// Judged is what one host's run produced, as the test tables hold it.
type Judged struct {
	// Name is "live", "record" or the fixture folder.
	Name    string
	Profile string
	Daemon  evidence.Daemon
	Expect  config.Expectations
	// Verdicts is the ledger's content, in claim ID order.
	Verdicts []claims.Verdict
	// Docs maps claim IDs to the tables' doc strings.
	Docs         map[string]string
	Requirements []claims.Requirement
	Summary      claims.GateSummary
}

// NewHost builds a host's report.
func NewHost(j Judged) Host {
	d := j.Daemon
	h := Host{Name: j.Name, Target: d.Target, Local: d.Local, Profile: j.Profile, Facts: FactsOf(d), Expectations: j.Expect}
	h.Required = Required{Passed: j.Summary.Passed, Failed: j.Summary.Failed, NotJudged: j.Summary.NotJudged, Line: j.Summary.Line(), Problems: []RequiredProblem{}}
	for _, p := range j.Summary.Problems() {
		h.Required.Problems = append(h.Required.Problems, RequiredProblem{Claim: p.Claim, Outcome: string(p.Outcome), Reason: p.Reason, Why: p.Why})
	}
	for _, v := range j.Verdicts {
		c := Claim{Verdict: v, Group: GroupOf(v.Claim), Doc: j.Docs[v.Claim]}
		if req, ok := claims.RequirementOf(j.Requirements, v.Claim); ok {
			c.Required, c.RequiredWhy = req.Required, req.Why
		}
		h.Claims = append(h.Claims, c)
		switch {
		case v.Status == claims.Pass:
			h.Counts.Pass++
		case v.Status == claims.Skip:
			h.Counts.Skip++
		case v.BlockedBy != "":
			h.Counts.Blocked++
			h.Counts.Fail++
		default:
			h.Counts.Fail++
		}
	}
	return h
}

// Matrix rows, in the order they print.
const (
	GroupProvisioning = "provisioning"
	GroupRefusals     = "refusals"
)

// workloadGroups are the rows that start a workload, and kinds their columns.
var (
	workloadGroups = []string{"windows/process", "windows/hyperv", "linux/default"}
	kinds          = []string{claims.KindStart, claims.KindIsolationField, claims.KindProcessTree, claims.KindPIDVisibility, claims.KindVMWorker, claims.KindCleanup}
)

// criGroups and criKinds are the rows and columns of a containerd host
// (CONFORMANCE_ENGINE=containerd): its claim IDs are "cri/<platform>/<mode>/<kind>".
var (
	criGroups = []string{"cri/windows/process", "cri/windows/hyperv", "cri/linux/default"}
	criKinds  = []string{claims.KindSandbox, claims.KindStart, claims.KindIsolation, claims.KindProcessTree, claims.KindCleanup}
)

// layout is the matrix's workload rows and columns for the host's engine.
func layout(h Host) (groups, columns []string) {
	for _, v := range h.Claims {
		if strings.HasPrefix(v.Claim, "cri/") {
			return criGroups, criKinds
		}
	}
	return workloadGroups, kinds
}

// GroupOf names the matrix row of a claim ID.
func GroupOf(id string) string {
	parts := strings.Split(id, "/")
	if parts[0] == "cri" {
		switch {
		case len(parts) < 4:
			return GroupProvisioning
		case parts[3] == claims.KindRefused:
			return GroupRefusals
		}
		return strings.Join(parts[:3], "/")
	}
	switch {
	case len(parts) < 3:
		return GroupProvisioning
	case parts[2] == claims.KindRefused:
		return GroupRefusals
	}
	return parts[0] + "/" + parts[1]
}

// WriteFiles writes the JSON report and the JUnit XML where outputs say, and
// appends the Markdown matrix to the job summary. Every failure names the
// variable that chose the file.
func WriteFiles(run Run, out config.Outputs) error {
	var errs []string
	write := func(variable, path string, data func(io.Writer) error, appendTo bool) {
		if path == "" {
			return
		}
		if err := writeFile(path, data, appendTo); err != nil {
			errs = append(errs, fmt.Sprintf("%s=%s: %v", variable, path, err))
		}
	}
	write(config.EnvReport, out.Report, func(w io.Writer) error { return WriteJSON(w, run) }, false)
	write(config.EnvJUnit, out.JUnit, func(w io.Writer) error { return WriteJUnit(w, run) }, false)
	write(config.EnvStepSummary, out.StepSummary, func(w io.Writer) error { return WriteMarkdown(w, run) }, true)
	if len(errs) > 0 {
		return fmt.Errorf("write the run's results: %s", strings.Join(errs, "; "))
	}
	return nil
}

func writeFile(path string, data func(io.Writer) error, appendTo bool) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return err
	}
	if err := data(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// WriteJSON writes the run as the JSON report.
func WriteJSON(w io.Writer, run Run) error {
	run.SchemaVersion = SchemaVersion
	if run.Hosts == nil {
		run.Hosts = []Host{}
	}
	for i := range run.Hosts {
		if run.Hosts[i].Claims == nil {
			run.Hosts[i].Claims = []Claim{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(run)
}

// cell is how a verdict prints in the matrix.
func cell(v claims.Verdict) string {
	switch {
	case v.Status == claims.Pass:
		return "pass"
	case v.Status == claims.Skip:
		return "skip"
	case v.BlockedBy != "":
		return "blocked"
	}
	return "FAIL"
}

func find(h Host, id string) (claims.Verdict, bool) {
	for _, c := range h.Claims {
		if c.Claim == id {
			return c.Verdict, true
		}
	}
	return claims.Verdict{}, false
}

func inGroup(h Host, group string) []claims.Verdict {
	var out []claims.Verdict
	for _, c := range h.Claims {
		if c.Group == group {
			out = append(out, c.Verdict)
		}
	}
	return out
}

// provisioningOrder is the order the provisioning table judges its claims in.
var provisioningOrder = []string{
	claims.DaemonReachable, claims.EnginePlatform, claims.EngineVersion, claims.APIVersion, claims.DefaultIsolation,
	claims.BaseImage, claims.ImageBuild, claims.ServiceDocker,
	// containerd's (cri_test.go criProvisioningClaims)
	claims.RuntimeReachable, claims.RuntimeVersion, claims.RuntimeReady, claims.RuntimeHandlers, claims.ServiceContainerd,
	claims.ServiceVmcompute, claims.ServiceVmms, claims.SandboxImage, claims.WorkloadImage,
}

// provisioning returns the provisioning verdicts in table order, then any
// provisioning claim this package does not know yet.
func provisioning(h Host) []claims.Verdict {
	var out []claims.Verdict
	for _, id := range provisioningOrder {
		if v, ok := find(h, id); ok {
			out = append(out, v)
		}
	}
	for _, v := range inGroup(h, GroupProvisioning) {
		known := false
		for _, id := range provisioningOrder {
			known = known || v.Claim == id
		}
		if !known {
			out = append(out, v)
		}
	}
	return out
}

// refusals returns the refusal verdicts in row order (evidence.Rows).
func refusals(h Host) []claims.Verdict {
	var out []claims.Verdict
	for _, row := range evidence.Rows {
		if v, ok := find(h, claims.ID(row, claims.KindRefused)); ok {
			out = append(out, v)
		}
	}
	for _, row := range evidence.CRIRows {
		if v, ok := find(h, claims.CRIID(row, claims.KindRefused)); ok {
			out = append(out, v)
		}
	}
	return out
}

// notJudged are the required claims that skipped or were never judged: each
// fails the gate without being a failure of its own.
func notJudged(h Host) []RequiredProblem {
	var out []RequiredProblem
	for _, p := range h.Required.Problems {
		if p.Outcome == string(claims.NotJudged) {
			out = append(out, p)
		}
	}
	return out
}

// rootFailures are the failed claims that are not merely blocked: the ones to fix.
func rootFailures(h Host) []claims.Verdict {
	var out []claims.Verdict
	for _, c := range h.Claims {
		if c.Status == claims.Fail && c.BlockedBy == "" {
			out = append(out, c.Verdict)
		}
	}
	return out
}

// unknownFacts lists the facts the probe could not read, sorted.
func unknownFacts(f Facts) string {
	names := make([]string, 0, len(f.Unknown))
	for fact := range f.Unknown {
		names = append(names, fact)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// describeHost is the matrix header's host line. The host's own OS comes
// from the probe when it ran; a daemon of another platform (Linux containers
// on a Windows host) is named apart, and a daemon that did not answer is said.
func describeHost(h Host) string {
	f := h.Facts
	var parts []string
	osName := f.Platform
	if f.HostOS != "" {
		osName = f.HostOS
	}
	osText := strings.TrimSpace(osName + " " + f.OSBuild)
	if f.OSRevision != 0 {
		osText += "." + strconv.Itoa(f.OSRevision)
	}
	if f.Edition != "" {
		osText += " " + f.Edition
	}
	if unknown := unknownFacts(f); unknown != "" {
		osText += " (" + unknown + " unknown)"
	}
	if osText != "" {
		parts = append(parts, osText)
	}
	switch {
	case f.HostOS != "" && f.Platform == "":
		parts = append(parts, "daemon did not answer")
	case f.HostOS != "" && f.Platform != f.HostOS:
		parts = append(parts, strings.TrimSpace("daemon platform "+f.Platform+" "+f.DaemonBuild))
	}
	if f.EngineVersion != "" {
		parts = append(parts, strings.TrimSpace(fmt.Sprintf("%s %s, API %s", f.EngineName, f.EngineVersion, f.APIVersion)))
	}
	if f.DefaultIsolation != "" {
		parts = append(parts, "default isolation "+f.DefaultIsolation)
	}
	if f.Image.Ref != "" {
		img := "image " + f.Image.Ref
		if f.Image.OSVersion != "" {
			img += " (" + f.Image.OSVersion + ")"
		}
		parts = append(parts, img)
	}
	if len(parts) == 0 {
		return h.Target
	}
	return strings.Join(parts, "; ")
}

// CountsLine sums a host's verdicts in one line.
func CountsLine(h Host) string {
	c := h.Counts
	return fmt.Sprintf("claims: %d passed, %d failed (%d of them blocked by another), %d skipped", c.Pass, c.Fail, c.Blocked, c.Skip)
}
