package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// DescriptionFile is the file in a fixture folder that makes it a constructed
// fixture: the generator rebuilds the folder's other files from it.
const DescriptionFile = "description.yaml"

// Description is one constructed host: the daemon it runs, the host around
// it and the verdicts the claims must reach on it. fixtures/README.md
// documents every field; the YAML names are the json tags (the loader turns
// the merged YAML into JSON and decodes it strictly, so a misspelt field is
// an error, not a silent default).
type Description struct {
	// Base names another fixture folder whose description this one is
	// merged over (see mergeDescriptions).
	Base string `json:"base,omitempty"`
	// RecordedAt is the moment the simulated session happens (RFC 3339): the
	// daemon's clock starts there, so every date in the answers is fixed.
	RecordedAt string `json:"recorded_at"`
	// RunID is the harness run id, fixed so that names and labels are stable.
	RunID string `json:"run_id"`
	// Target is the daemon address the harness was pointed at, and Local
	// whether the host probe describes the daemon's host.
	Target string `json:"target"`
	Local  bool   `json:"local"`
	// Source says what the host reproduces; Supplied lists every value that
	// had to be invented where the source is silent.
	Source   string   `json:"source"`
	Supplied []string `json:"supplied,omitempty"`
	// Breaks names the claims this broken host must fail (never inherited).
	Breaks []string `json:"breaks,omitempty"`
	// Expectations are config.Expectations in their JSON spelling; fields
	// left out take the harness defaults (config.LoadExpectations).
	Expectations map[string]any `json:"expectations,omitempty"`
	Daemon       DaemonDesc     `json:"daemon"`
	Host         HostDesc       `json:"host"`
	// Containers describes the daemon's behaviour per isolation mode the
	// harness asks for: "process", "hyperv" or "default" ("" asked). On a
	// Linux daemon "process" and "hyperv" describe the refusal rows.
	Containers map[string]ContainerDesc `json:"containers,omitempty"`
	// Expected is every claim's verdict: status and a substring of its message.
	Expected map[string]fixture.Expected `json:"expected"`
	// Gate, when given (never inherited), is the gate's own outcome on the
	// host written by hand: the generator refuses the description when the
	// outcome it computes from the expected verdicts differs. Left out, the
	// computed outcome is written alone.
	Gate *fixture.Gate `json:"gate,omitempty"`
}

// DaemonDesc is the simulated Docker Engine.
type DaemonDesc struct {
	// Unreachable, when set, is the transport error every request gets.
	Unreachable  string `json:"unreachable,omitempty"`
	Experimental bool   `json:"experimental,omitempty"`
	// PingHeaders are extra /_ping headers of newer engines (Swarm since
	// 23.0, Builder-Version).
	PingHeaders map[string]string `json:"ping_headers,omitempty"`
	Version     VersionDesc       `json:"version"`
	Info        InfoDesc          `json:"info"`
	Image       ImageDesc         `json:"image"`
}

// VersionDesc is what GET /version answers.
type VersionDesc struct {
	PlatformName  string `json:"platform_name"`
	Version       string `json:"version"`
	APIVersion    string `json:"api_version"`
	MinAPIVersion string `json:"min_api_version"`
	GoVersion     string `json:"go_version"`
	GitCommit     string `json:"git_commit"`
	Os            string `json:"os"`
	Arch          string `json:"arch"`
	KernelVersion string `json:"kernel_version"`
	BuildTime     string `json:"build_time"`
	// Components beyond the Engine (containerd, runc, docker-init on Linux).
	Components []ComponentDesc `json:"components,omitempty"`
}

// ComponentDesc is one extra entry of Version.Components.
type ComponentDesc struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	GitCommit string `json:"git_commit,omitempty"`
}

// InfoDesc is what GET /info answers.
type InfoDesc struct {
	ID              string `json:"id"`
	OSType          string `json:"os_type"`
	OperatingSystem string `json:"operating_system"`
	KernelVersion   string `json:"kernel_version"`
	OSVersion       string `json:"os_version"`
	Isolation       string `json:"isolation"`
	Name            string `json:"name"`
	Driver          string `json:"driver"`
	DockerRootDir   string `json:"docker_root_dir"`
	NCPU            int    `json:"ncpu"`
	MemTotal        int64  `json:"mem_total"`
	ServerVersion   string `json:"server_version"`
	Architecture    string `json:"architecture"`
	LoggingDriver   string `json:"logging_driver,omitempty"`
	DefaultRuntime  string `json:"default_runtime,omitempty"`
	CgroupDriver    string `json:"cgroup_driver,omitempty"`
	CgroupVersion   string `json:"cgroup_version,omitempty"`
}

// ImageDesc is the one base image the daemon knows.
type ImageDesc struct {
	Ref          string `json:"ref"`
	ID           string `json:"id"`
	Os           string `json:"os"`
	OsVersion    string `json:"os_version,omitempty"`
	Architecture string `json:"architecture"`
	Size         int64  `json:"size"`
	Created      string `json:"created"`
	RepoDigest   string `json:"repo_digest,omitempty"`
	// Present says whether the image is on the host before the run.
	Present bool `json:"present"`
	// PullError, when set, is how a pull fails; otherwise a pull succeeds
	// and makes the image present.
	PullError *APIError `json:"pull_error,omitempty"`
}

// APIError is an Engine API error answer: the status code the errdefs kind
// maps to, and the message.
type APIError struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
	// Stream (pull_error only): the error arrives inside the pull's
	// progress stream (status 200, after "Pulling from"), as real engines
	// send errors found once the pull has started; Status is then unused.
	Stream bool `json:"stream,omitempty"`
}

// ContainerDesc is how the daemon and the host treat the container of one
// isolation mode.
type ContainerDesc struct {
	ID string `json:"id"`
	// InspectIsolation is what inspect reports in HostConfig.Isolation; empty
	// means what a sound daemon writes (the mode asked for, or on Windows the
	// daemon's default for a default request).
	InspectIsolation string    `json:"inspect_isolation,omitempty"`
	CreateError      *APIError `json:"create_error,omitempty"`
	StartError       *APIError `json:"start_error,omitempty"`
	// Exits, when set, makes the container exit at once instead of running.
	Exits *ExitDesc `json:"exits,omitempty"`
	// Top is the rows of GET /containers/{id}/top, in the platform's columns
	// (Windows: Name, PID, CPU, Private Working Set; Linux: ps -ef).
	Top [][]string `json:"top,omitempty"`
	// TopTitles replaces the platform's columns in the top answer: engines
	// before 1.13 on Windows answer titles "<pid> <command>" and no rows.
	TopTitles []string `json:"top_titles,omitempty"`
	// PID is State.Pid; 0 means the workload's PID from Top.
	PID int `json:"pid,omitempty"`
	// HostSeesProcesses: the top processes are host processes (same PIDs),
	// in HostSession (Windows) or HostPIDNamespace (Linux).
	HostSeesProcesses bool    `json:"host_sees_processes,omitempty"`
	HostSession       *uint32 `json:"host_session,omitempty"`
	HostPIDNamespace  string  `json:"host_pid_namespace,omitempty"`
	// NewWorkers are the vmwp.exe processes that appear when the container
	// starts; they exit at removal unless WorkersOutliveRemoval.
	NewWorkers            []ProcessDesc `json:"new_workers,omitempty"`
	WorkersOutliveRemoval bool          `json:"workers_outlive_removal,omitempty"`
	// HCSRuntimeID is the RuntimeId HCS reports for the container's compute
	// system (named by the container id) while it runs: its utility VM's id.
	// Empty: no VM (process isolation). New workers run as
	// NT VIRTUAL MACHINE\<this id> unless they name another owner.
	HCSRuntimeID string `json:"hcs_runtime_id,omitempty"`
	// HCSLayout is how HCS lists the running container: "moby" (default:
	// moby's built-in runtime, one system named by the container id, type
	// Container, owner docker) or "containerd" (dockerd on containerd's
	// runhcs shim: a Hyper-V container as its utility VM "<id>@vm" only,
	// type VirtualMachine, with HCSRuntimeID; a process container as "<id>";
	// both owned by containerd-shim-runhcs-v1.exe).
	HCSLayout string `json:"hcs_layout,omitempty"`
	// StartsVMs are VMs HCS starts beside the container at its start (a
	// template VM): each system is listed, and its worker runs, from the
	// start on, after the container's removal too.
	StartsVMs []StartedVMDesc `json:"starts_vms,omitempty"`
	// EndsWorkers are PIDs of host vm_workers that exit when this container
	// starts (so that a new worker can reuse a PID).
	EndsWorkers []int `json:"ends_workers,omitempty"`
	// Removal is "gone" (default: the container is gone once removed) or
	// "lingers": inspect keeps showing it as "removing" until the run's next
	// request to another endpoint, longer than any step timeout.
	Removal string `json:"removal,omitempty"`
}

// ExitDesc is a container that exits instead of running.
type ExitDesc struct {
	Code  int    `json:"code"`
	Error string `json:"error,omitempty"`
}

// HostDesc is the machine the harness runs on.
type HostDesc struct {
	OS OSDesc `json:"os"`
	// Services are the Windows services by name; one not listed does not exist.
	Services map[string]ServiceDesc `json:"services,omitempty"`
	// Self is the harness's own process.
	Self ProcessDesc `json:"self"`
	// Processes are the host's own processes, before any container starts.
	Processes []ProcessDesc `json:"processes,omitempty"`
	// VMWorkers are the vmwp.exe processes of other VMs, present throughout.
	VMWorkers []ProcessDesc `json:"vm_workers,omitempty"`
	// ComputeSystems are HCS compute systems of other VMs (WSL, Windows
	// Sandbox, ...), present throughout.
	ComputeSystems []ComputeSystemDesc `json:"compute_systems,omitempty"`
	// HCSError, when set, is why the probe cannot enumerate HCS compute
	// systems; OwnersError why it cannot read process owners. Either makes
	// VM workers attributed by timing.
	HCSError    string `json:"hcs_error,omitempty"`
	OwnersError string `json:"owners_error,omitempty"`
}

// ComputeSystemDesc is one HCS compute system, in the probe's own form and
// field names (hostprobe.ComputeSystem).
type ComputeSystemDesc = hostprobe.ComputeSystem

// StartedVMDesc is a VM that starts with a container: its compute system
// and its worker (created by vmcompute.exe at the start, running as
// NT VIRTUAL MACHINE\<RuntimeId, else id> unless the description says).
type StartedVMDesc struct {
	System ComputeSystemDesc `json:"system"`
	Worker ProcessDesc       `json:"worker"`
}

// OSDesc is the host probe's OS answer.
type OSDesc struct {
	OS       string `json:"os"`
	Build    string `json:"build"`
	Revision int    `json:"revision,omitempty"`
	Edition  string `json:"edition,omitempty"`
	// ProductType is RtlGetVersion's: workstation, server or domain-controller.
	ProductType string `json:"product_type,omitempty"`
	// InContainer is what the probe saw that shows the harness itself runs
	// inside a container (hostprobe.OSInfo.InContainer).
	InContainer []string `json:"in_container,omitempty"`
}

// ServiceDesc is one service's state; Exists defaults to true.
type ServiceDesc struct {
	Exists    *bool  `json:"exists,omitempty"`
	State     string `json:"state,omitempty"`
	StartType string `json:"start_type,omitempty"`
	// PID is the service's process as the service control manager reports it.
	PID int `json:"pid,omitempty"`
}

// ProcessDesc is one host process.
type ProcessDesc struct {
	PID          int     `json:"pid"`
	Name         string  `json:"name"`
	Session      *uint32 `json:"session,omitempty"`
	PIDNamespace string  `json:"pid_namespace,omitempty"`
	// ParentPID is the creating process; CreateTime (RFC 3339) when it was
	// created; OwnerSID and Owner its token user (Owner only for VM
	// accounts, "NT VIRTUAL MACHINE\<VM id>").
	ParentPID  int    `json:"parent_pid,omitempty"`
	CreateTime string `json:"create_time,omitempty"`
	OwnerSID   string `json:"owner_sid,omitempty"`
	Owner      string `json:"owner,omitempty"`
	// CommandLineIDs are the GUIDs on a vmwp.exe's command line;
	// CommandLineErr why the probe could not read it.
	CommandLineIDs []string `json:"command_line_ids,omitempty"`
	CommandLineErr string   `json:"command_line_error,omitempty"`
}

// loadDescription reads root/name/description.yaml, merged over its bases.
func loadDescription(root, name string) (*Description, error) {
	merged, err := loadMerged(root, name, DescriptionFile, nil)
	if err != nil {
		return nil, err
	}
	d, err := decodeDescription(merged)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(root, name, DescriptionFile), err)
	}
	return d, d.validate()
}

// loadMerged returns the description of name as a YAML tree, with its base
// chain merged in. chain guards against a base cycle.
func loadMerged(root, name, file string, chain []string) (map[string]any, error) {
	if slices.Contains(chain, name) {
		return nil, fmt.Errorf("base cycle: %s -> %s", strings.Join(chain, " -> "), name)
	}
	path := filepath.Join(root, name, file)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read description: %w", err)
	}
	var tree map[string]any
	if err := yaml.Unmarshal(b, &tree); err != nil {
		return nil, fmt.Errorf("%s is not YAML: %w", path, err)
	}
	if tree == nil {
		return nil, fmt.Errorf("%s is empty", path)
	}
	base, _ := tree["base"].(string)
	if base == "" {
		return tree, nil
	}
	under, err := loadMerged(root, base, file, append(chain, name))
	if err != nil {
		return nil, fmt.Errorf("base of %s: %w", name, err)
	}
	return mergeDescriptions(under, tree), nil
}

// mergeDescriptions lays over on top of base. Maps merge key by key, lists
// and scalars replace, and a null value deletes the key. Three fields have
// their own rule: breaks and gate are never inherited (a host breaks what it
// says itself, and its outcome is its own), supplied is appended to the base's (a broken host keeps the base's
// invented values and adds its own), and each expected verdict replaces the
// base's as a whole (a status never pairs with another verdict's message).
func mergeDescriptions(base, over map[string]any) map[string]any {
	under := make(map[string]any, len(base))
	for k, v := range base {
		under[k] = v
	}
	delete(under, "breaks")
	delete(under, "gate")
	out := deepMerge(under, withoutKeys(over, "supplied", "expected")).(map[string]any)

	var supplied []any
	if s, ok := base["supplied"].([]any); ok {
		supplied = append(supplied, s...)
	}
	if s, ok := over["supplied"].([]any); ok {
		supplied = append(supplied, s...)
	}
	if supplied != nil {
		out["supplied"] = supplied
	}

	expected := map[string]any{}
	if e, ok := base["expected"].(map[string]any); ok {
		for k, v := range e {
			expected[k] = v
		}
	}
	if e, ok := over["expected"].(map[string]any); ok {
		for k, v := range e {
			if v == nil {
				delete(expected, k)
			} else {
				expected[k] = v
			}
		}
	}
	out["expected"] = expected
	return out
}

func withoutKeys(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !slices.Contains(keys, k) {
			out[k] = v
		}
	}
	return out
}

// deepMerge merges over into base: maps key by key (null deletes), anything
// else replaces. Neither argument is modified.
func deepMerge(base, over any) any {
	bm, baseIsMap := base.(map[string]any)
	om, overIsMap := over.(map[string]any)
	if !baseIsMap || !overIsMap {
		return over
	}
	out := make(map[string]any, len(bm)+len(om))
	for k, v := range bm {
		out[k] = v
	}
	for k, v := range om {
		switch prev, ok := out[k]; {
		case v == nil:
			delete(out, k)
		case ok:
			out[k] = deepMerge(prev, v)
		default:
			out[k] = v
		}
	}
	return out
}

// decodeDescription turns the merged YAML tree into a Description through
// JSON, refusing unknown fields.
func decodeDescription(tree map[string]any) (*Description, error) {
	b, err := json.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("description cannot be encoded: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var d Description
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("description: %w", err)
	}
	return &d, nil
}

// expectations are the harness defaults with the description's fields over them.
func (d *Description) expectations() (config.Expectations, error) {
	e, err := config.LoadExpectations(func(string) string { return "" })
	if err != nil {
		return e, err
	}
	return overlayExpectations(e, d.Expectations)
}

// overlayExpectations lays a description's expectations, in their JSON
// spelling, over e; a field the harness does not know is an error, so a typo
// in a description cannot silently leave a default in force.
func overlayExpectations(e config.Expectations, fields map[string]any) (config.Expectations, error) {
	if len(fields) == 0 {
		return e, nil
	}
	b, err := json.Marshal(fields)
	if err != nil {
		return e, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return e, fmt.Errorf("expectations: %w", err)
	}
	return e, nil
}

func (d *Description) recordedAt() (time.Time, error) {
	t, err := time.Parse(time.RFC3339, d.RecordedAt)
	if err != nil {
		return t, fmt.Errorf("recorded_at %q: use RFC 3339, e.g. 2019-12-17T05:30:00Z: %w", d.RecordedAt, err)
	}
	return t.UTC(), nil
}

func (d *Description) validate() error {
	var problems []error
	if len(d.RunID) != 12 {
		problems = append(problems, fmt.Errorf("run_id %q: want 12 characters", d.RunID))
	}
	if _, err := d.recordedAt(); err != nil {
		problems = append(problems, err)
	}
	if d.Target == "" {
		problems = append(problems, errors.New("no target"))
	}
	if d.Source == "" {
		problems = append(problems, errors.New("no source"))
	}
	if _, err := d.expectations(); err != nil {
		problems = append(problems, err)
	}
	if len(d.Expected) == 0 {
		problems = append(problems, errors.New("no expected verdicts"))
	}
	for id, e := range d.Expected {
		if e.Status != "pass" && e.Status != "fail" && e.Status != "skip" {
			problems = append(problems, fmt.Errorf("expected %s: status %q is not pass, fail or skip", id, e.Status))
		}
	}
	for _, id := range d.Breaks {
		if e, ok := d.Expected[id]; !ok || e.Status != "fail" {
			problems = append(problems, fmt.Errorf("breaks names %s, whose expected status is %q, not fail", id, e.Status))
		}
	}
	for _, p := range append(append([]ProcessDesc{d.Host.Self}, d.Host.Processes...), d.Host.VMWorkers...) {
		if p.CreateTime != "" {
			if _, err := time.Parse(time.RFC3339Nano, p.CreateTime); err != nil {
				problems = append(problems, fmt.Errorf("host process %d: create_time %q: use RFC 3339", p.PID, p.CreateTime))
			}
		}
	}
	for mode, c := range d.Containers {
		for _, e := range []*APIError{c.CreateError, c.StartError} {
			if e != nil && e.Stream {
				problems = append(problems, fmt.Errorf("containers.%s: stream is for pull_error only", mode))
			}
		}
		if !slices.Contains([]string{"process", "hyperv", "default"}, mode) {
			problems = append(problems, fmt.Errorf("containers.%s: use process, hyperv or default", mode))
		}
		if c.CreateError == nil && len(c.ID) != 64 {
			problems = append(problems, fmt.Errorf("containers.%s.id %q: want 64 hex characters", mode, c.ID))
		}
		workers := c.NewWorkers
		for _, vm := range c.StartsVMs {
			workers = append(workers, vm.Worker)
		}
		for _, w := range workers {
			if w.CreateTime != "" {
				if _, err := time.Parse(time.RFC3339Nano, w.CreateTime); err != nil {
					problems = append(problems, fmt.Errorf("containers.%s.new_workers %d: create_time %q: use RFC 3339", mode, w.PID, w.CreateTime))
				}
			}
		}
		if c.HCSLayout != "" && c.HCSLayout != "moby" && c.HCSLayout != "containerd" {
			problems = append(problems, fmt.Errorf("containers.%s.hcs_layout %q: use moby or containerd", mode, c.HCSLayout))
		}
		if c.Removal != "" && c.Removal != "gone" && c.Removal != "lingers" {
			problems = append(problems, fmt.Errorf("containers.%s.removal %q: use gone or lingers", mode, c.Removal))
		}
	}
	return errors.Join(problems...)
}

// platform is the daemon's OS type, or for a daemon that never answered,
// what it is described as.
func (d *Description) platform() string {
	if d.Daemon.Info.OSType != "" {
		return d.Daemon.Info.OSType
	}
	return d.Host.OS.OS
}

// hostBuild is what the harness would record as the host build: the Windows
// build from KernelVersion ("10.0 17763 (...)"), or the Linux kernel release.
func (d *Description) hostBuild() string {
	k := d.Daemon.Info.KernelVersion
	if d.platform() == "windows" {
		if f := strings.Fields(k); len(f) >= 2 {
			return f[1]
		}
		return d.Host.OS.Build
	}
	if k == "" {
		return d.Host.OS.Build
	}
	return k
}

// metadata is fixture.json: what record mode writes, with the dates,
// versions and verdicts taken from the description.
func (d *Description) metadata(expect config.Expectations) fixture.Metadata {
	expected := make(map[string]fixture.Expected, len(d.Expected))
	for id, e := range d.Expected {
		if e.BlockedBy == "" {
			e.BlockedBy = blockedByOf(e.Message)
		}
		expected[id] = e
	}
	return fixture.Metadata{
		FormatVersion:  fixture.FormatVersion,
		RecordedAt:     d.RecordedAt,
		HarnessVersion: fixture.HarnessVersion,
		Platform:       d.platform(),
		HostBuild:      d.hostBuild(),
		EngineVersion:  d.Daemon.Version.Version,
		APIVersion:     d.Daemon.Version.APIVersion,
		RunID:          d.RunID,
		Owner:          constructedOwner(d),
		Target:         d.Target,
		Local:          d.Local,
		Expectations:   expect,
		Provenance: fixture.Provenance{
			Kind:     fixture.Constructed,
			Source:   d.Source,
			Supplied: d.Supplied,
			Breaks:   d.Breaks,
			Rerecord: "make fixtures",
		},
		Expected: expected,
	}
}

// blockedByOf reads the claim that blocked a verdict from an expected message
// that starts as a blocked verdict's does ("blocked by <ID>" or "blocked by
// <ID>: ..."); a description may also name it with blocked_by.
func blockedByOf(message string) string {
	rest, ok := strings.CutPrefix(message, "blocked by ")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, ":")
	return strings.TrimSpace(id)
}

// constructedOwner is the owner a constructed host's labels name: fixed, so
// that generating twice changes no byte, and of no real host.
func constructedOwner(d *Description) fixture.Owner {
	return fixture.Owner{Host: "constructed", PID: 1, ProcessStart: "1", RunStart: d.RecordedAt}
}
