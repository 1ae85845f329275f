package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
	"github.com/wincontainer-gate/conformance/helpers/harness"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// CRIDescriptionFile makes a folder a constructed containerd host: the
// generator runs the real harness's CRI path, in record mode, against a
// simulated CRI runtime (an in-process gRPC server) and a described host,
// and writes fixture.json, cri.json and host.json. Its fields are
// CRIDescription's json tags; base merges as for description.yaml.
const CRIDescriptionFile = "cri-description.yaml"

// CRIDescription is one constructed containerd host.
type CRIDescription struct {
	Base         string                      `json:"base,omitempty"`
	RecordedAt   string                      `json:"recorded_at"`
	RunID        string                      `json:"run_id"`
	Target       string                      `json:"target"`
	Source       string                      `json:"source"`
	Supplied     []string                    `json:"supplied,omitempty"`
	Breaks       []string                    `json:"breaks,omitempty"`
	Expectations map[string]any              `json:"expectations,omitempty"`
	Runtime      CRIRuntimeDesc              `json:"runtime"`
	Host         HostDesc                    `json:"host"`
	Pods         map[string]CRIPodDesc       `json:"pods,omitempty"`
	Expected     map[string]fixture.Expected `json:"expected"`
	Gate         *fixture.Gate               `json:"gate,omitempty"`
}

// CRIRuntimeDesc is the simulated runtime's Version, Status and images.
type CRIRuntimeDesc struct {
	// Unreachable, when set, is the gRPC Unavailable message every call gets.
	Unreachable string `json:"unreachable,omitempty"`
	Name        string `json:"name"`
	Version     string `json:"version"`
	APIVersion  string `json:"api_version"`
	// Conditions are Status's; RuntimeHandlers its runtime_handlers field
	// (containerd 2.0 and later); ConfigRuntimes the runtimes of the CRI
	// config in the verbose info (1.6, 1.7); SandboxImage that config's.
	Conditions      []evidence.RuntimeCondition `json:"conditions"`
	RuntimeHandlers []string                    `json:"runtime_handlers,omitempty"`
	ConfigRuntimes  []string                    `json:"config_runtimes,omitempty"`
	SandboxImage    string                      `json:"sandbox_image,omitempty"`
	// ConfigKey is where the verbose config names the sandbox image:
	// "sandboxImage" (1.6, 1.7, default) or "pinnedImages" (2.x).
	ConfigKey string `json:"config_key,omitempty"`
	// AcceptsUnknownHandlers runs a sandbox of any handler with the default
	// runtime instead of refusing it (a broken runtime).
	AcceptsUnknownHandlers bool           `json:"accepts_unknown_handlers,omitempty"`
	Images                 []CRIImageDesc `json:"images,omitempty"`
}

// CRIImageDesc is one image the runtime holds.
type CRIImageDesc struct {
	Ref       string `json:"ref"`
	ID        string `json:"id"`
	OS        string `json:"os"`
	OSVersion string `json:"os_version,omitempty"`
}

// CRIPodDesc is how the runtime and the host treat the pod of one handler
// (keyed by the handler's name; "" is the default handler).
type CRIPodDesc struct {
	// RunError fails RunPodSandbox (gRPC Unknown, containerd's code for
	// its errors) with this message.
	RunError string `json:"run_error,omitempty"`
	// ReportedHandler overrides the handler PodSandboxStatus reports.
	ReportedHandler *string `json:"reported_handler,omitempty"`
	// PID is the pid ContainerStatus's verbose info reports.
	PID int `json:"pid"`
	// HostProcess: the host shows the workload as process PID, named
	// claims.WorkloadName, in HostSession / HostPIDNamespace.
	HostProcess      bool    `json:"host_process,omitempty"`
	HostSession      *uint32 `json:"host_session,omitempty"`
	HostPIDNamespace string  `json:"host_pid_namespace,omitempty"`
	// UtilityVM is the RuntimeId of the "<sandbox id>@vm" HCS lists while
	// the pod runs (empty: no utility VM); Worker its worker process
	// (owner NT VIRTUAL MACHINE\<RuntimeId> unless given).
	UtilityVM string       `json:"utility_vm,omitempty"`
	Worker    *ProcessDesc `json:"worker,omitempty"`
	// LingersAfterRemoval keeps the workload process, the utility VM and its
	// worker on the host after the sandbox's removal.
	LingersAfterRemoval bool `json:"lingers_after_removal,omitempty"`
	// ExecStdout is what ExecSync of the process listing prints, with
	// ExecExitCode.
	ExecStdout   string `json:"exec_stdout"`
	ExecExitCode int32  `json:"exec_exit_code,omitempty"`
	// StartError fails StartContainer (gRPC Unknown) with this message.
	StartError string `json:"start_error,omitempty"`
}

func loadCRIDescription(root, name string) (*CRIDescription, error) {
	merged, err := loadMerged(root, name, CRIDescriptionFile, nil)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(merged)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var d CRIDescription
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%s/%s/%s: %w", root, name, CRIDescriptionFile, err)
	}
	if len(d.RunID) != 12 || d.Host.OS.OS == "" || len(d.Expected) == 0 {
		return nil, fmt.Errorf("%s/%s/%s: run_id (12 characters), host.os and expected are required", root, name, CRIDescriptionFile)
	}
	return &d, nil
}

func (d *CRIDescription) expectations() (config.Expectations, error) {
	e, err := config.LoadExpectations(func(name string) string {
		if name == config.EnvEngine {
			return config.EngineContainerd
		}
		return ""
	})
	if err != nil {
		return e, err
	}
	return overlayExpectations(e, d.Expectations)
}

// generateCRI records one described containerd host into root/name,
// gathering exactly what checkCRIHost gathers: the runtime, then every row
// that applies and whose prerequisites are expected to pass, each row's
// cleanups in reverse order.
func generateCRI(root, name string, logf func(string, ...any)) error {
	d, err := loadCRIDescription(root, name)
	if err != nil {
		return err
	}
	expect, err := d.expectations()
	if err != nil {
		return err
	}
	sim := newSimCRI(d)
	stop := sim.serve()
	defer stop()
	host := &describedCRIHost{d: d, sim: sim}
	s, err := harness.OpenCRIConstructed(sim.dial, host, d.Target, d.RunID, expect)
	if err != nil {
		return err
	}
	defer s.Close()
	s.Logf = logf
	owner := fixture.Owner{Host: "constructed", PID: 1, ProcessStart: "1", RunStart: d.RecordedAt}
	s.Owner = owner

	ctx := context.Background()
	r, err := s.Runtime(ctx)
	if err != nil {
		return fmt.Errorf("gather runtime evidence: %w", err)
	}
	for _, row := range evidence.CRIRows {
		applies, _ := claims.CRIRowApplies(r, expect, row)
		if !applies || !allPass(d.Expected, claims.CRIStartNeeds(row)) {
			continue
		}
		var cleanups []func()
		_, err := s.RunPod(ctx, row, r.Image.Ref, func(f func()) { cleanups = append(cleanups, f) })
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
		if err != nil {
			return fmt.Errorf("row %s: %w", row, err)
		}
	}
	expected := make(map[string]fixture.Expected, len(d.Expected))
	for id, e := range d.Expected {
		if e.BlockedBy == "" {
			e.BlockedBy = blockedByOf(e.Message)
		}
		expected[id] = e
	}
	build := d.Host.OS.Build
	meta := fixture.Metadata{
		FormatVersion: fixture.FormatVersion, RecordedAt: d.RecordedAt, HarnessVersion: fixture.HarnessVersion,
		Platform: d.Host.OS.OS, HostBuild: build, EngineVersion: d.Runtime.Version, APIVersion: d.Runtime.APIVersion,
		RunID: d.RunID, Owner: owner, Target: d.Target, Local: true, Expectations: expect,
		Provenance: fixture.Provenance{Kind: fixture.Constructed, Source: d.Source, Supplied: d.Supplied, Breaks: d.Breaks, Rerecord: "make fixtures"},
		Expected:   expected,
	}
	ledger := claims.NewLedger()
	for id, e := range d.Expected {
		ledger.Judge(id, nil, func() claims.Verdict { return claims.Verdict{Status: claims.Status(e.Status), Message: e.Message} })
	}
	reqs := claims.CRIRequirements(r, expect)
	outcome := harness.GateOutcome(ledger, claims.JudgeRequired(ledger, reqs, nil), reqs, r.Platform())
	if d.Gate != nil && fmt.Sprint(*d.Gate) != fmt.Sprint(outcome) {
		return fmt.Errorf("gate: the description says %+v, its expected verdicts give %+v", *d.Gate, outcome)
	}
	meta.Gate = &outcome
	_, err = s.FinishRecording(root, name, meta)
	return err
}

func allPass(expected map[string]fixture.Expected, ids []string) bool {
	for _, id := range ids {
		if expected[id].Status != "pass" {
			return false
		}
	}
	return true
}

// simCRI is the simulated runtime: what it was asked, and the pods it runs.
type simCRI struct {
	d        *CRIDescription
	listener *bufconn.Listener
	mu       sync.Mutex
	pods     []*simPod
	runtimeapi.UnimplementedRuntimeServiceServer
	runtimeapi.UnimplementedImageServiceServer
}

type simPod struct {
	id, containerID, handler string
	desc                     CRIPodDesc
	labels                   map[string]string
	running, removed         bool
}

func newSimCRI(d *CRIDescription) *simCRI {
	return &simCRI{d: d, listener: bufconn.Listen(1 << 20)}
}

func (s *simCRI) serve() (stop func()) {
	srv := grpc.NewServer()
	runtimeapi.RegisterRuntimeServiceServer(srv, s)
	runtimeapi.RegisterImageServiceServer(srv, s)
	go func() { _ = srv.Serve(s.listener) }()
	return srv.Stop
}

func (s *simCRI) dial(ctx context.Context, _ string) (net.Conn, error) {
	return s.listener.DialContext(ctx)
}

func (s *simCRI) down() error {
	if s.d.Runtime.Unreachable != "" {
		return status.Error(codes.Unavailable, s.d.Runtime.Unreachable)
	}
	return nil
}

func stableID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "/")))
	return hex.EncodeToString(sum[:])
}

func (s *simCRI) Version(context.Context, *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	if err := s.down(); err != nil {
		return nil, err
	}
	r := s.d.Runtime
	return &runtimeapi.VersionResponse{Version: "0.1.0", RuntimeName: r.Name, RuntimeVersion: r.Version, RuntimeApiVersion: r.APIVersion}, nil
}

func (s *simCRI) Status(context.Context, *runtimeapi.StatusRequest) (*runtimeapi.StatusResponse, error) {
	r := s.d.Runtime
	resp := &runtimeapi.StatusResponse{Status: &runtimeapi.RuntimeStatus{}, Info: map[string]string{}}
	for _, c := range r.Conditions {
		resp.Status.Conditions = append(resp.Status.Conditions, &runtimeapi.RuntimeCondition{Type: c.Type, Status: c.Status, Reason: c.Reason, Message: c.Message})
	}
	for _, h := range r.RuntimeHandlers {
		resp.RuntimeHandlers = append(resp.RuntimeHandlers, &runtimeapi.RuntimeHandler{Name: h})
	}
	runtimes := map[string]any{}
	for _, h := range r.ConfigRuntimes {
		runtimes[h] = map[string]any{"runtimeType": "io.containerd.runhcs.v1"}
	}
	cfg := map[string]any{"containerd": map[string]any{"runtimes": runtimes}}
	if r.ConfigKey == "pinnedImages" {
		cfg["pinnedImages"] = map[string]any{"sandbox": r.SandboxImage}
	} else {
		cfg["sandboxImage"] = r.SandboxImage
	}
	b, _ := json.Marshal(cfg)
	resp.Info["config"] = string(b)
	return resp, nil
}

func (s *simCRI) image(ref string) (CRIImageDesc, bool) {
	for _, img := range s.d.Runtime.Images {
		if img.Ref == ref {
			return img, true
		}
	}
	return CRIImageDesc{}, false
}

func (s *simCRI) ImageStatus(_ context.Context, req *runtimeapi.ImageStatusRequest) (*runtimeapi.ImageStatusResponse, error) {
	img, ok := s.image(req.GetImage().GetImage())
	if !ok {
		return &runtimeapi.ImageStatusResponse{}, nil
	}
	info, _ := json.Marshal(map[string]any{"imageSpec": map[string]any{"os": img.OS, "os.version": img.OSVersion}})
	return &runtimeapi.ImageStatusResponse{Image: &runtimeapi.Image{Id: img.ID, RepoTags: []string{img.Ref}}, Info: map[string]string{"info": string(info)}}, nil
}

func (s *simCRI) PullImage(_ context.Context, req *runtimeapi.PullImageRequest) (*runtimeapi.PullImageResponse, error) {
	return nil, status.Errorf(codes.Unknown, "failed to pull and unpack image %q: not found", req.GetImage().GetImage())
}

func (s *simCRI) configured(handler string) bool {
	r := s.d.Runtime
	all := append(slices.Clone(r.RuntimeHandlers), r.ConfigRuntimes...)
	return handler == "" || r.AcceptsUnknownHandlers || slices.Contains(all, handler)
}

func (s *simCRI) RunPodSandbox(_ context.Context, req *runtimeapi.RunPodSandboxRequest) (*runtimeapi.RunPodSandboxResponse, error) {
	h := req.GetRuntimeHandler()
	if !s.configured(h) {
		return nil, status.Errorf(codes.Unknown, "failed to get sandbox runtime: no runtime for %q is configured", h)
	}
	desc := s.d.Pods[h]
	if desc.RunError != "" {
		return nil, status.Error(codes.Unknown, desc.RunError)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &simPod{id: stableID(s.d.RunID, "sandbox", h), handler: h, desc: desc, labels: req.GetConfig().GetLabels()}
	s.pods = append(s.pods, p)
	return &runtimeapi.RunPodSandboxResponse{PodSandboxId: p.id}, nil
}

func (s *simCRI) pod(id string) (*simPod, error) {
	for _, p := range s.pods {
		if (p.id == id || p.containerID == id) && !p.removed {
			return p, nil
		}
	}
	return nil, status.Errorf(codes.NotFound, "an error occurred when try to find sandbox or container %q: not found", id)
}

func (s *simCRI) PodSandboxStatus(_ context.Context, req *runtimeapi.PodSandboxStatusRequest) (*runtimeapi.PodSandboxStatusResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pod(req.GetPodSandboxId())
	if err != nil {
		return nil, err
	}
	reported := p.handler
	if p.desc.ReportedHandler != nil {
		reported = *p.desc.ReportedHandler
	}
	return &runtimeapi.PodSandboxStatusResponse{Status: &runtimeapi.PodSandboxStatus{Id: p.id, State: runtimeapi.PodSandboxState_SANDBOX_READY, RuntimeHandler: reported, Labels: p.labels}}, nil
}

func (s *simCRI) CreateContainer(_ context.Context, req *runtimeapi.CreateContainerRequest) (*runtimeapi.CreateContainerResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pod(req.GetPodSandboxId())
	if err != nil {
		return nil, err
	}
	p.containerID = stableID(s.d.RunID, "container", p.handler)
	return &runtimeapi.CreateContainerResponse{ContainerId: p.containerID}, nil
}

func (s *simCRI) StartContainer(_ context.Context, req *runtimeapi.StartContainerRequest) (*runtimeapi.StartContainerResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pod(req.GetContainerId())
	if err != nil {
		return nil, err
	}
	if p.desc.StartError != "" {
		return nil, status.Error(codes.Unknown, p.desc.StartError)
	}
	p.running = true
	return &runtimeapi.StartContainerResponse{}, nil
}

func (s *simCRI) ContainerStatus(_ context.Context, req *runtimeapi.ContainerStatusRequest) (*runtimeapi.ContainerStatusResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pod(req.GetContainerId())
	if err != nil {
		return nil, err
	}
	state := runtimeapi.ContainerState_CONTAINER_CREATED
	if p.running {
		state = runtimeapi.ContainerState_CONTAINER_RUNNING
	}
	info, _ := json.Marshal(map[string]any{"sandboxID": p.id, "pid": p.desc.PID})
	return &runtimeapi.ContainerStatusResponse{Status: &runtimeapi.ContainerStatus{Id: p.containerID, State: state}, Info: map[string]string{"info": string(info)}}, nil
}

func (s *simCRI) ExecSync(_ context.Context, req *runtimeapi.ExecSyncRequest) (*runtimeapi.ExecSyncResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pod(req.GetContainerId())
	if err != nil {
		return nil, err
	}
	return &runtimeapi.ExecSyncResponse{Stdout: []byte(p.desc.ExecStdout), ExitCode: p.desc.ExecExitCode}, nil
}

func (s *simCRI) StopPodSandbox(_ context.Context, req *runtimeapi.StopPodSandboxRequest) (*runtimeapi.StopPodSandboxResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, err := s.pod(req.GetPodSandboxId()); err == nil {
		p.running = false
	}
	return &runtimeapi.StopPodSandboxResponse{}, nil
}

func (s *simCRI) RemovePodSandbox(_ context.Context, req *runtimeapi.RemovePodSandboxRequest) (*runtimeapi.RemovePodSandboxResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, err := s.pod(req.GetPodSandboxId()); err == nil {
		p.running, p.removed = false, true
	}
	return &runtimeapi.RemovePodSandboxResponse{}, nil
}

func (s *simCRI) ListPodSandbox(_ context.Context, req *runtimeapi.ListPodSandboxRequest) (*runtimeapi.ListPodSandboxResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	resp := &runtimeapi.ListPodSandboxResponse{}
	for _, p := range s.pods {
		if !p.removed && (req.GetFilter().GetId() == "" || req.GetFilter().GetId() == p.id) {
			resp.Items = append(resp.Items, &runtimeapi.PodSandbox{Id: p.id, Labels: p.labels})
		}
	}
	return resp, nil
}

func (s *simCRI) ListContainers(_ context.Context, req *runtimeapi.ListContainersRequest) (*runtimeapi.ListContainersResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	resp := &runtimeapi.ListContainersResponse{}
	for _, p := range s.pods {
		if !p.removed && p.containerID != "" && (req.GetFilter().GetPodSandboxId() == "" || req.GetFilter().GetPodSandboxId() == p.id) {
			resp.Containers = append(resp.Containers, &runtimeapi.Container{Id: p.containerID, PodSandboxId: p.id})
		}
	}
	return resp, nil
}

// describedCRIHost is the host probe of a constructed containerd host: the
// described processes and services, and what the simulated pods show while
// they run (the workload process; a utility VM "<sandbox id>@vm" and its
// worker; a process-isolated pod's own compute system, owned by the shim).
type describedCRIHost struct {
	d   *CRIDescription
	sim *simCRI
}

const runhcsShim = "containerd-shim-runhcs-v1.exe"

func (h *describedCRIHost) Processes(context.Context, string) (hostprobe.Snapshot, error) {
	host := h.d.Host
	snap := hostprobe.Snapshot{SelfPID: host.Self.PID, Processes: []hostprobe.Process{}}
	add := func(p ProcessDesc) {
		snap.Processes = append(snap.Processes, hostprobe.Process{PID: p.PID, Name: p.Name, Session: p.Session, PIDNamespace: p.PIDNamespace, Owner: p.Owner, OwnerSID: p.OwnerSID})
	}
	for _, p := range host.Processes {
		add(p)
	}
	add(host.Self)
	windows := host.OS.OS == "windows"
	if windows {
		snap.HCS = &hostprobe.HCSView{Systems: []hostprobe.ComputeSystem{}}
		if host.HCSError != "" {
			snap.HCS = &hostprobe.HCSView{Err: host.HCSError}
		}
	}
	h.sim.mu.Lock()
	defer h.sim.mu.Unlock()
	for _, p := range h.sim.pods {
		lingering := p.removed && p.desc.LingersAfterRemoval
		if (p.running || lingering) && p.desc.HostProcess {
			add(ProcessDesc{PID: p.desc.PID, Name: claims.WorkloadName(host.OS.OS), Session: p.desc.HostSession, PIDNamespace: p.desc.HostPIDNamespace})
		}
		if !windows || !(p.running || lingering) {
			continue
		}
		if p.desc.UtilityVM == "" {
			if p.running && host.HCSError == "" {
				snap.HCS.Systems = append(snap.HCS.Systems, hostprobe.ComputeSystem{ID: p.id, SystemType: "Container", Owner: runhcsShim})
			}
			continue
		}
		if host.HCSError == "" {
			snap.HCS.Systems = append(snap.HCS.Systems, hostprobe.ComputeSystem{ID: p.id + "@vm", SystemType: "VirtualMachine", Owner: runhcsShim, RuntimeID: p.desc.UtilityVM})
		}
		if p.desc.Worker != nil {
			w := *p.desc.Worker
			if w.Owner == "" {
				w.Owner = hostprobe.VMAccountDomain + `\` + strings.ToUpper(p.desc.UtilityVM)
			}
			add(w)
		}
	}
	return snap, nil
}

func (h *describedCRIHost) Services(_ context.Context, _ string, names []string) ([]hostprobe.Service, error) {
	return describedServices(h.d.Host.Services, names), nil
}

func (h *describedCRIHost) OS(context.Context, string) (hostprobe.OSInfo, error) {
	return describedOS(h.d.Host.OS), nil
}
