package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"gotest.tools/v3/poll"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// CRIWindowsServices are the services the containerd provisioning claims
// read: the runtime, the host compute service and Hyper-V's management service.
var CRIWindowsServices = []string{"containerd", "vmcompute", "vmms"}

// criAPIVersion is the CRI version the harness speaks, sent in Version as
// kubelet sends its own.
const criAPIVersion = "v1"

// Runtime gathers the containerd engine's provisioning evidence: CRI Version
// and verbose Status, the host's OS and, on Windows, its services; then the
// sandbox and workload images (ImageStatus, pulled as the policy allows).
// The error is a fixture error only.
func (s *Session) Runtime(ctx context.Context) (evidence.Runtime, error) {
	r := evidence.Runtime{Target: s.Target, Local: s.Local}
	var cancels cancelList
	defer cancels.run()
	// The host's OS and services are read whatever the runtime answers: a
	// stopped containerd is diagnosed by its service.
	v, err := s.CRI.Runtime.Version(s.request(ctx, &cancels), &runtimeapi.VersionRequest{Version: criAPIVersion})
	if err != nil {
		r.Unreachable = evidence.CRIFailureOf(err)
	} else {
		r.Name, r.Version, r.APIVersion = v.GetRuntimeName(), v.GetRuntimeVersion(), v.GetRuntimeApiVersion()
	}
	var osInfo hostprobe.OSInfo
	var osErr error
	statusCtx, osCtx := s.request(ctx, &cancels), s.request(ctx, &cancels)
	s.together(
		func() {
			if r.Unreachable != nil {
				return
			}
			st, err := s.CRI.Runtime.Status(statusCtx, &runtimeapi.StatusRequest{Verbose: true})
			if err != nil {
				r.StatusErr = evidence.CRIFailureOf(err)
				return
			}
			readStatus(&r, st)
		},
		func() { osInfo, osErr = s.Host.OS(osCtx, "provisioning/os") },
	)
	if osErr != nil {
		r.HostErr = evidence.FailureOf(osErr)
	} else {
		r.Host = &osInfo
		s.AddRedaction(osInfo.Hostname)
		s.harnessContained = len(osInfo.InContainer) > 0
		if osInfo.OS == "windows" {
			r.Services, err = s.Host.Services(s.request(ctx, &cancels), "provisioning/services", CRIWindowsServices)
			r.ServicesErr = evidence.FailureOf(err)
		}
	}
	if r.Unreachable != nil {
		return r, s.fixtureErr()
	}
	if r.Platform() != "" {
		r.SandboxImage = s.criImage(ctx, s.sandboxImageRef(r), false)
		ref, refErr := s.criImageRef(r)
		if refErr != nil {
			r.Image = evidence.CRIImage{Err: refErr}
		} else {
			r.Image = s.criImage(ctx, ref, true)
		}
	}
	return r, s.fixtureErr()
}

// readStatus takes the conditions and the runtime handlers from a verbose
// Status: the runtime_handlers field where the runtime fills it (containerd
// 2.0 and later), else the runtimes of the CRI config that containerd puts in
// the verbose info ("config": containerd.runtimes, and sandboxImage).
func readStatus(r *evidence.Runtime, st *runtimeapi.StatusResponse) {
	for _, c := range st.GetStatus().GetConditions() {
		r.Conditions = append(r.Conditions, evidence.RuntimeCondition{Type: c.GetType(), Status: c.GetStatus(), Reason: c.GetReason(), Message: c.GetMessage()})
	}
	for _, h := range st.GetRuntimeHandlers() {
		r.Handlers = append(r.Handlers, h.GetName())
	}
	if len(r.Handlers) > 0 {
		r.HandlersFrom = "runtime_handlers"
	}
	var cfg struct {
		Containerd struct {
			Runtimes map[string]json.RawMessage `json:"runtimes"`
		} `json:"containerd"`
		SandboxImage string `json:"sandboxImage"`
		PinnedImages struct {
			Sandbox string `json:"sandbox"`
		} `json:"pinnedImages"`
	}
	if raw, ok := st.GetInfo()["config"]; ok && json.Unmarshal([]byte(raw), &cfg) == nil {
		r.ConfigSandboxImage = cfg.SandboxImage
		if r.ConfigSandboxImage == "" {
			r.ConfigSandboxImage = cfg.PinnedImages.Sandbox
		}
		if r.HandlersFrom == "" && len(cfg.Containerd.Runtimes) > 0 {
			for name := range cfg.Containerd.Runtimes {
				r.Handlers = append(r.Handlers, name)
			}
			sort.Strings(r.Handlers)
			r.HandlersFrom = "config"
		}
	}
}

func (s *Session) sandboxImageRef(r evidence.Runtime) string {
	if s.Expect.CRI != nil && s.Expect.CRI.SandboxImage != "" {
		return s.Expect.CRI.SandboxImage
	}
	return r.ConfigSandboxImage
}

// criImageRef is the configured workload image, or the default for the
// host's platform and build.
func (s *Session) criImageRef(r evidence.Runtime) (string, *evidence.Failure) {
	if s.Expect.Image != "" {
		return s.Expect.Image, nil
	}
	if r.Platform() != "windows" {
		return config.LinuxTestImage, nil
	}
	build := evidence.WindowsBuild("10.0 " + r.Host.Build)
	if ref := claims.DefaultBaseImage(build); ref != "" {
		return ref, nil
	}
	return "", &evidence.Failure{Kind: evidence.KindOther, Message: fmt.Sprintf("no default base image for Windows build %s: set %s", r.Host.Build, config.EnvImage)}
}

// criImage reads an image's status, pulling the workload image as the pull
// policy allows (the sandbox image is the runtime's own: never pulled).
func (s *Session) criImage(ctx context.Context, ref string, mayPull bool) evidence.CRIImage {
	img := evidence.CRIImage{Ref: ref}
	if ref == "" {
		img.Err = &evidence.Failure{Kind: evidence.KindOther, Message: "the runtime's CRI config names no sandbox image and " + config.EnvSandboxImage + " is unset"}
		return img
	}
	var cancels cancelList
	defer cancels.run()
	status := func() {
		st, err := s.CRI.Images.ImageStatus(s.request(ctx, &cancels), &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: ref}, Verbose: true})
		if err != nil {
			img.Err = evidence.CRIFailureOf(err)
			return
		}
		img.Err = nil
		readImage(&img, st)
	}
	status()
	pull := mayPull && (s.Expect.Pull == config.PullAlways || (s.Expect.Pull == config.PullMissing && !img.Present))
	if pull && img.Err == nil {
		s.Logf("pulling %s through CRI (%s=%s)", ref, config.EnvPull, s.Expect.Pull)
		// A pull is bounded by the run only: a Windows base image takes minutes.
		if _, err := s.CRI.Images.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: ref}}); err != nil {
			img.Err = evidence.CRIFailureOf(err)
			return img
		}
		status()
	}
	return img
}

func readImage(img *evidence.CRIImage, st *runtimeapi.ImageStatusResponse) {
	if st.GetImage() == nil {
		img.Present = false
		return
	}
	img.Present, img.ID = true, st.GetImage().GetId()
	var info struct {
		ImageSpec struct {
			OS        string `json:"os"`
			OSVersion string `json:"os.version"`
		} `json:"imageSpec"`
	}
	if raw, ok := st.GetInfo()["info"]; ok && json.Unmarshal([]byte(raw), &info) == nil {
		img.OS, img.OSVersion = info.ImageSpec.OS, info.ImageSpec.OSVersion
	}
}

// CRIHandler is the runtime handler a row asks for: the configured Windows
// handlers, the default handler ("") on Linux, a name nobody configures on
// the refusal row.
func CRIHandler(row evidence.CRIRow, e config.Expectations) string {
	switch {
	case row.Refusal():
		return evidence.UnknownHandler
	case row.Platform == "linux":
		return ""
	case e.CRI == nil:
		return ""
	case row.Mode == "hyperv":
		return e.CRI.HandlerHyperV
	}
	return e.CRI.HandlerProcess
}

// ProcessListCommand is what ExecSync runs inside the workload to list the
// processes it sees.
func ProcessListCommand(platform string) []string {
	if platform == "windows" {
		return []string{"tasklist"}
	}
	return []string{"ps"}
}

func (s *Session) criLabels(row evidence.CRIRow) map[string]string {
	l := ownerLabels(s.Owner)
	l[LabelHarness], l[LabelRunID], l[LabelRow] = harnessLabelValue, s.RunID, row.String()
	return l
}

func (s *Session) sandboxConfig(row evidence.CRIRow) *runtimeapi.PodSandboxConfig {
	name := fmt.Sprintf("conformance-%s-%s-%s", s.RunID, row.Platform, row.Mode)
	cfg := &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{Name: name, Uid: name, Namespace: "conformance"},
		Labels:   s.criLabels(row),
	}
	if row.Platform == "linux" {
		// The node's network: a node that has not joined a cluster has no
		// CNI config, and a pod network would fail with "cni plugin not
		// initialized" (docs/containerd.md, open question 1).
		cfg.Linux = &runtimeapi.LinuxPodSandboxConfig{SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
			NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE},
		}}
	} else {
		cfg.Windows = &runtimeapi.WindowsPodSandboxConfig{}
	}
	return cfg
}

// RunPod runs one CRI row as kubelet would: RunPodSandbox with the row's
// handler, CreateContainer and StartContainer of the workload, waits until
// it runs and the host shows it, lists its processes from inside (ExecSync),
// then stops and removes the sandbox and waits until the runtime and the
// host no longer show it. Each removal is registered right after its create.
// The error is a fixture error only.
func (s *Session) RunPod(ctx context.Context, row evidence.CRIRow, imageRef string, cleanup Cleanups) (evidence.Pod, error) {
	handler := CRIHandler(row, s.Expect)
	p := evidence.Pod{Row: row, Handler: handler, Image: imageRef}
	step := row.String()
	var cancels cancelList
	defer cancels.run()
	if s.Local && !row.Refusal() {
		p.Before = s.podSnapshot(s.request(ctx, &cancels), step+"/before-start", &p)
	}
	sbConfig := s.sandboxConfig(row)
	sandboxID, removed, err := s.runSandbox(s.request(ctx, &cancels), sbConfig, handler, cleanup)
	if err != nil {
		p.RunErr = evidence.CRIFailureOf(err)
		return p, s.fixtureErr()
	}
	p.SandboxID = sandboxID
	if row.Refusal() {
		*removed = s.removeSandbox(ctx, sandboxID) == nil
		return p, s.fixtureErr()
	}
	if st, err := s.CRI.Runtime.PodSandboxStatus(s.request(ctx, &cancels), &runtimeapi.PodSandboxStatusRequest{PodSandboxId: sandboxID}); err != nil {
		p.SandboxErr = evidence.CRIFailureOf(err)
	} else {
		p.SandboxHandler, p.SandboxState = st.GetStatus().GetRuntimeHandler(), st.GetStatus().GetState().String()
	}
	ctrConfig := &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: "workload"},
		Image:    &runtimeapi.ImageSpec{Image: imageRef},
		Command:  WorkloadCommand(row.Platform),
		Labels:   s.criLabels(row),
	}
	if row.Platform == "windows" {
		ctrConfig.Windows = &runtimeapi.WindowsContainerConfig{}
	} else {
		ctrConfig.Linux = &runtimeapi.LinuxContainerConfig{}
	}
	created, err := s.CRI.Runtime.CreateContainer(s.request(ctx, &cancels), &runtimeapi.CreateContainerRequest{PodSandboxId: sandboxID, Config: ctrConfig, SandboxConfig: sbConfig})
	if err != nil {
		p.CreateErr = evidence.CRIFailureOf(err)
	} else {
		p.ContainerID = created.GetContainerId()
		if _, err := s.CRI.Runtime.StartContainer(s.request(ctx, &cancels), &runtimeapi.StartContainerRequest{ContainerId: p.ContainerID}); err != nil {
			p.StartErr = evidence.CRIFailureOf(err)
		} else {
			s.settlePod(ctx, step+"/after-start", &p)
		}
	}
	if p.ContainerState == "CONTAINER_RUNNING" {
		cmd := ProcessListCommand(row.Platform)
		p.ExecCmd = cmd
		timeout := time.Duration(s.Expect.StepTimeout)
		res, err := s.CRI.Runtime.ExecSync(s.request(ctx, &cancels), &runtimeapi.ExecSyncRequest{ContainerId: p.ContainerID, Cmd: cmd, Timeout: int64(timeout / time.Second)})
		if err != nil {
			p.ExecErr = evidence.CRIFailureOf(err)
		} else {
			p.ExecStdout, p.ExecExitCode = string(res.GetStdout()), res.GetExitCode()
		}
	}
	if err := s.stopSandbox(s.request(ctx, &cancels), sandboxID); err != nil {
		p.StopErr = evidence.CRIFailureOf(err)
	}
	if err := s.removeSandbox(ctx, sandboxID); err != nil {
		p.RemoveErr = evidence.CRIFailureOf(err)
	} else {
		p.LeftErr = s.waitPodGone(ctx, sandboxID)
		*removed = p.LeftErr == nil
	}
	if s.Local && p.After != nil {
		p.Gone = s.waitHostGone(ctx, step+"/after-remove", &p)
	}
	return p, s.fixtureErr()
}

// runSandbox runs the sandbox with the harness labels and registers its
// removal before looking at the error.
func (s *Session) runSandbox(ctx context.Context, cfg *runtimeapi.PodSandboxConfig, handler string, cleanup Cleanups) (string, *bool, error) {
	if s.mode != config.Replay {
		end, err := beginCreate(cfg.GetMetadata().GetName())
		if err != nil {
			return "", new(bool), err
		}
		defer end()
	}
	resp, err := s.CRI.Runtime.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: cfg, RuntimeHandler: handler})
	id := resp.GetPodSandboxId()
	removed := new(bool)
	cleanup(func() {
		// After SIGINT or SIGTERM the handler removes every sandbox of the run.
		if id != "" && !*removed && !Interrupted() {
			ctx, cancel := s.cleanupContext()
			defer cancel()
			_ = s.stopSandbox(ctx, id)
			_, _ = s.CRI.Runtime.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: id})
		}
	})
	return id, removed, err
}

func (s *Session) stopSandbox(ctx context.Context, id string) error {
	_, err := s.CRI.Runtime.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: id})
	return err
}

func (s *Session) removeSandbox(ctx context.Context, id string) error {
	ctx, cancel := s.stepContext(ctx)
	defer cancel()
	_, err := s.CRI.Runtime.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: id})
	return err
}

// ContainerPID reads the "pid" of ContainerStatus's verbose info: containerd
// puts the task's pid there as its shim reports it (0 when unknown).
func ContainerPID(info map[string]string) int {
	var v struct {
		PID int `json:"pid"`
	}
	if raw, ok := info["info"]; ok && json.Unmarshal([]byte(raw), &v) == nil {
		return v.PID
	}
	return 0
}

// settlePod polls ContainerStatus and, for a local runtime, the host until
// the evidence has settled: the container runs with a pid and, where the
// row's workload is a host process, the host shows that pid with the
// workload's name; where it runs in a utility VM, HCS lists that VM. The
// claims judge the last answers of a wait that never settles.
func (s *Session) settlePod(ctx context.Context, step string, p *evidence.Pod) {
	want := claims.WorkloadName(p.Row.Platform)
	seen := *p
	var last *evidence.Pod
	failure := s.waitOn(ctx, func(ctx context.Context) poll.Result {
		cur := seen
		defer func() { last = &cur }()
		rctx, cancel := s.stepContext(ctx)
		defer cancel()
		st, err := s.CRI.Runtime.ContainerStatus(rctx, &runtimeapi.ContainerStatusRequest{ContainerId: p.ContainerID, Verbose: true})
		if err != nil {
			cur.StatusErr = evidence.CRIFailureOf(err)
			return poll.Error(fmt.Errorf("container status %s: %w", p.ContainerID, err))
		}
		cur.StatusErr = nil
		cur.ContainerState, cur.PID = st.GetStatus().GetState().String(), ContainerPID(st.GetInfo())
		if cur.ContainerState == "CONTAINER_EXITED" {
			return poll.Success()
		}
		if cur.ContainerState != "CONTAINER_RUNNING" || cur.PID == 0 {
			return poll.Continue("container %s is %s (pid %d)", hostprobe.ShortID(p.ContainerID), cur.ContainerState, cur.PID)
		}
		if !s.Local || s.harnessContained {
			return poll.Success()
		}
		cur.After = s.podSnapshot(rctx, step, &cur)
		if cur.After == nil {
			return poll.Success()
		}
		switch claims.CRIHostView(p.Row) {
		case claims.ViewUtilityVM:
			if _, ok := claims.UtilityVMOf(*cur.After, p.SandboxID); !ok {
				return poll.Continue("HCS lists no utility VM %s@vm yet", hostprobe.ShortID(p.SandboxID))
			}
		default:
			if proc, ok := cur.After.Find(cur.PID); !ok || !hostprobe.SameImageName(proc.Name, want) {
				return poll.Continue("host process %d is not %s yet", cur.PID, want)
			}
		}
		return poll.Success()
	})
	if last != nil {
		*p = *last
	}
	if failure != nil && p.StatusErr == nil && p.ContainerState == "CONTAINER_RUNNING" {
		p.HostErr = failure
	} else if failure != nil && p.StatusErr == nil {
		p.StatusErr = failure
	}
}

func (s *Session) podSnapshot(ctx context.Context, step string, p *evidence.Pod) *hostprobe.Snapshot {
	snap, err := s.Host.Processes(ctx, step)
	if err != nil {
		if p.HostErr == nil {
			p.HostErr = evidence.FailureOf(fmt.Errorf("snapshot at %s: %w", step, err))
		}
		return nil
	}
	return &snap
}

// waitPodGone polls the runtime until it lists neither the sandbox nor a
// container of it.
func (s *Session) waitPodGone(ctx context.Context, sandboxID string) *evidence.Failure {
	return s.waitOn(ctx, func(ctx context.Context) poll.Result {
		ctx, cancel := s.stepContext(ctx)
		defer cancel()
		sb, err := s.CRI.Runtime.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{Filter: &runtimeapi.PodSandboxFilter{Id: sandboxID}})
		if err != nil {
			return poll.Error(fmt.Errorf("list sandbox %s after removal: %w", sandboxID, err))
		}
		ctrs, err := s.CRI.Runtime.ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: &runtimeapi.ContainerFilter{PodSandboxId: sandboxID}})
		if err != nil {
			return poll.Error(fmt.Errorf("list containers of sandbox %s after removal: %w", sandboxID, err))
		}
		if n := len(sb.GetItems()) + len(ctrs.GetContainers()); n > 0 {
			return poll.Continue("sandbox %s: %d sandbox(es) and %d container(s) still listed after removal", hostprobe.ShortID(sandboxID), len(sb.GetItems()), len(ctrs.GetContainers()))
		}
		return poll.Success()
	})
}

// waitHostGone polls the host until what the row showed there is gone: the
// workload's process (by pid and create time) and, on Windows, the utility
// VM and the processes running under its account. The claims judge the last
// snapshot of a wait that never settles.
func (s *Session) waitHostGone(ctx context.Context, step string, p *evidence.Pod) *hostprobe.Snapshot {
	var last *hostprobe.Snapshot
	_ = s.waitOn(ctx, func(ctx context.Context) poll.Result {
		ctx, cancel := s.stepContext(ctx)
		defer cancel()
		snap, err := s.Host.Processes(ctx, step)
		if err != nil {
			return poll.Error(fmt.Errorf("snapshot at %s: %w", step, err))
		}
		last = &snap
		if left := claims.PodLeftOnHost(*p, snap); len(left) > 0 {
			return poll.Continue("still on the host after removal: %s", strings.Join(left, ", "))
		}
		return poll.Success()
	})
	return last
}

// CRILeftovers lists, stops and removes this run's sandboxes that are still
// listed, and says which; what could not be removed is an error.
func (s *Session) CRILeftovers(ctx context.Context) (left []string, err error) {
	cli := s.CRI.unrecorded
	if cli == nil {
		return nil, nil // replay: nothing exists
	}
	ctx, cancel := s.stepContext(ctx)
	defer cancel()
	list, err := cli.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{Filter: &runtimeapi.PodSandboxFilter{LabelSelector: map[string]string{LabelRunID: s.RunID}}})
	if err != nil {
		return nil, fmt.Errorf("list sandboxes of run %s: %w", s.RunID, err)
	}
	ctrs, err := cli.ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: &runtimeapi.ContainerFilter{LabelSelector: map[string]string{LabelRunID: s.RunID}}})
	if err != nil {
		return nil, fmt.Errorf("list containers of run %s: %w", s.RunID, err)
	}
	var errs []string
	for _, c := range ctrs.GetContainers() {
		left = append(left, "container "+hostprobe.ShortID(c.GetId()))
		if _, err := cli.RemoveContainer(ctx, &runtimeapi.RemoveContainerRequest{ContainerId: c.GetId()}); err != nil {
			errs = append(errs, err.Error())
		}
	}
	for _, sb := range list.GetItems() {
		left = append(left, "sandbox "+hostprobe.ShortID(sb.GetId()))
		_, _ = cli.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: sb.GetId()})
		if _, err := cli.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: sb.GetId()}); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return left, fmt.Errorf("could not remove: %s", strings.Join(errs, "; "))
	}
	return left, nil
}

// sweepCRI removes the sandboxes that dead runs of this harness left on this
// runtime, decided from their owner labels as for Docker (DeadRun).
func (s *Session) sweepCRI(ctx context.Context, alive processAlive) ([]Swept, error) {
	cli := s.CRI.unrecorded
	if cli == nil {
		return nil, nil
	}
	lctx, cancel := s.stepContext(ctx)
	defer cancel()
	list, err := cli.ListPodSandbox(lctx, &runtimeapi.ListPodSandboxRequest{Filter: &runtimeapi.PodSandboxFilter{LabelSelector: map[string]string{LabelHarness: harnessLabelValue}}})
	if err != nil {
		return nil, fmt.Errorf("list sandboxes of earlier runs: %w", err)
	}
	var out []Swept
	for _, sb := range list.GetItems() {
		owner, dead := DeadRun(sb.GetLabels(), s.Owner, s.RunID, alive)
		if !dead {
			continue
		}
		rctx, cancel := s.stepContext(ctx)
		_, _ = cli.StopPodSandbox(rctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: sb.GetId()})
		_, err := cli.RemovePodSandbox(rctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: sb.GetId()})
		cancel()
		out = append(out, Swept{ID: sb.GetId(), RunID: sb.GetLabels()[LabelRunID], State: "sandbox " + strings.ToLower(strings.TrimPrefix(sb.GetState().String(), "SANDBOX_")), Owner: owner, Err: err})
	}
	return out, nil
}

// cleanUpInterruptedCRI removes this run's sandboxes after SIGINT or
// SIGTERM, listing again until a listing is empty or the bound is reached.
func (s *Session) cleanUpInterruptedCRI(ctx context.Context) string {
	cli := s.CRI.unrecorded
	removed := map[string]bool{}
	var failed []string
	for cli != nil && ctx.Err() == nil {
		list, err := cli.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{Filter: &runtimeapi.PodSandboxFilter{LabelSelector: map[string]string{LabelRunID: s.RunID}}})
		if err != nil {
			failed = append(failed, "list: "+err.Error())
			break
		}
		if len(list.GetItems()) == 0 {
			failed = nil
			break
		}
		failed = nil
		for _, sb := range list.GetItems() {
			_, _ = cli.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: sb.GetId()})
			if _, err := cli.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: sb.GetId()}); err != nil {
				failed = append(failed, fmt.Sprintf("%s (%v)", hostprobe.ShortID(sb.GetId()), err))
			} else {
				removed[sb.GetId()] = true
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
	msg := fmt.Sprintf("removed %d sandbox(es) of run %s", len(removed), s.RunID)
	if len(failed) > 0 {
		slices.Sort(failed)
		msg += fmt.Sprintf(" (could not remove: %s; the next run removes them)", strings.Join(failed, ", "))
	}
	if s.recording() {
		s.DiscardRecording()
		msg += ", recording discarded"
	}
	return msg
}
