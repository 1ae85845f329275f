package harness

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// fakeCRI is a containerd as the unrecorded client sees it: sandboxes and
// containers with labels, listed by containerd's label-selector rule (every
// pair of the selector must be on the item: internal/cri/server
// list_pod_sandboxes.go filterCRISandboxes). Only the calls the harness's
// cleanup paths make are answered; any other panics (the embedded nil).
type fakeCRI struct {
	runtimeapi.RuntimeServiceClient
	mu         sync.Mutex
	sandboxes  map[string]map[string]string // id -> labels
	containers map[string]map[string]string
	removed    []string
}

func matches(labels, selector map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func (f *fakeCRI) ListPodSandbox(_ context.Context, in *runtimeapi.ListPodSandboxRequest, _ ...grpc.CallOption) (*runtimeapi.ListPodSandboxResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &runtimeapi.ListPodSandboxResponse{}
	for _, id := range slices.Sorted(maps.Keys(f.sandboxes)) {
		if matches(f.sandboxes[id], in.GetFilter().GetLabelSelector()) {
			out.Items = append(out.Items, &runtimeapi.PodSandbox{Id: id, Labels: f.sandboxes[id], State: runtimeapi.PodSandboxState_SANDBOX_NOTREADY})
		}
	}
	return out, nil
}

func (f *fakeCRI) ListContainers(_ context.Context, in *runtimeapi.ListContainersRequest, _ ...grpc.CallOption) (*runtimeapi.ListContainersResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &runtimeapi.ListContainersResponse{}
	for _, id := range slices.Sorted(maps.Keys(f.containers)) {
		if matches(f.containers[id], in.GetFilter().GetLabelSelector()) {
			out.Containers = append(out.Containers, &runtimeapi.Container{Id: id, Labels: f.containers[id]})
		}
	}
	return out, nil
}

func (f *fakeCRI) StopPodSandbox(context.Context, *runtimeapi.StopPodSandboxRequest, ...grpc.CallOption) (*runtimeapi.StopPodSandboxResponse, error) {
	return &runtimeapi.StopPodSandboxResponse{}, nil
}

func (f *fakeCRI) RemovePodSandbox(_ context.Context, in *runtimeapi.RemovePodSandboxRequest, _ ...grpc.CallOption) (*runtimeapi.RemovePodSandboxResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.sandboxes, in.GetPodSandboxId())
	f.removed = append(f.removed, in.GetPodSandboxId())
	return &runtimeapi.RemovePodSandboxResponse{}, nil
}

func (f *fakeCRI) RemoveContainer(_ context.Context, in *runtimeapi.RemoveContainerRequest, _ ...grpc.CallOption) (*runtimeapi.RemoveContainerResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.containers, in.GetContainerId())
	f.removed = append(f.removed, in.GetContainerId())
	return &runtimeapi.RemoveContainerResponse{}, nil
}

// twoRunsOnOneNode: this run (run-a) and a concurrent live gate (run-b, same
// owner process labels are irrelevant here) share one containerd, plus a
// kubelet pod without any harness label.
func twoRunsOnOneNode() *fakeCRI {
	run := func(id string) map[string]string {
		return map[string]string{LabelHarness: harnessLabelValue, LabelRunID: id}
	}
	return &fakeCRI{
		sandboxes:  map[string]map[string]string{"sba1": run("run-a"), "sba2": run("run-a"), "sbb1": run("run-b"), "kube1": {"io.kubernetes.pod.name": "coredns"}},
		containers: map[string]map[string]string{"ca1": run("run-a"), "cb1": run("run-b")},
	}
}

func criSessionOn(f *fakeCRI, runID string) *Session {
	s := newSession(nil, nil, "unix:///run/containerd/containerd.sock", runID, config.Expectations{}, config.Live)
	s.CRI = &CRI{Runtime: f, unrecorded: f}
	return s
}

// TestCRIInterruptRemovesOnlyItsOwnRun: after SIGINT, the cleanup removes
// this run's sandboxes, never another run's on the same containerd nor a
// kubelet pod (issue 17: an interrupt removes only its own run's).
func TestCRIInterruptRemovesOnlyItsOwnRun(t *testing.T) {
	f := twoRunsOnOneNode()
	msg := criSessionOn(f, "run-a").cleanUpInterruptedCRI(context.Background())
	assert.Check(t, is.Equal(msg, "removed 2 sandbox(es) of run run-a"))
	assert.Check(t, is.DeepEqual(slices.Sorted(maps.Keys(f.sandboxes)), []string{"kube1", "sbb1"}))
}

// TestCRILeftoversListOnlyThisRun: the leftover check after a run removes
// and names this run's containers and sandboxes only.
func TestCRILeftoversListOnlyThisRun(t *testing.T) {
	f := twoRunsOnOneNode()
	left, err := criSessionOn(f, "run-a").CRILeftovers(context.Background())
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(left, []string{"container ca1", "sandbox sba1", "sandbox sba2"}))
	assert.Check(t, is.DeepEqual(f.removed, []string{"ca1", "sba1", "sba2"}))

	replay := newSession(nil, nil, "unix:///run/containerd/containerd.sock", "run-a", config.Expectations{}, config.Replay)
	replay.CRI = &CRI{}
	left, err = replay.CRILeftovers(context.Background())
	assert.Check(t, err == nil && left == nil, "replay: nothing exists on any runtime")
}

// TestCRISweepRemovesOnlyDeadRuns: the sweep at the start of a run removes
// a dead run's sandbox and keeps a live run's (DeadRun decides from the
// owner labels) and this run's own.
func TestCRISweepRemovesOnlyDeadRuns(t *testing.T) {
	owner := func(pid string) map[string]string {
		return map[string]string{LabelHarness: harnessLabelValue, LabelRunID: "run-" + pid, LabelOwnerHost: "node1", LabelOwnerPID: pid, LabelOwnerStarted: "t" + pid}
	}
	f := &fakeCRI{sandboxes: map[string]map[string]string{"dead1": owner("41"), "live1": owner("42"), "mine": {LabelHarness: harnessLabelValue, LabelRunID: "run-self"}}}
	s := criSessionOn(f, "run-self")
	s.Owner = Owner{Host: "node1", PID: 7}
	swept, err := s.sweepCRI(context.Background(), func(pid int, _ string) bool { return pid == 42 })
	assert.NilError(t, err)
	assert.Check(t, is.Len(swept, 1))
	if len(swept) == 1 {
		assert.Check(t, is.Equal(swept[0].ID, "dead1"))
		assert.Check(t, is.Equal(swept[0].RunID, "run-41"))
		assert.Check(t, is.Equal(swept[0].State, "sandbox notready"))
	}
	assert.Check(t, is.DeepEqual(slices.Sorted(maps.Keys(f.sandboxes)), []string{"live1", "mine"}))
}

// TestReadStatusOfEachContainerd: the handlers and the sandbox image as
// containerd 1.7 (verbose "config": containerd.runtimes, sandboxImage) and
// 2.x (runtime_handlers; pinnedImages.sandbox) report them.
func TestReadStatusOfEachContainerd(t *testing.T) {
	conds := []*runtimeapi.RuntimeCondition{{Type: "RuntimeReady", Status: true}, {Type: "NetworkReady", Status: false, Reason: "NetworkPluginNotReady", Message: "cni plugin not initialized"}}
	tests := []struct {
		doc          string
		st           *runtimeapi.StatusResponse
		handlers     []string
		from         string
		sandboxImage string
	}{
		{"containerd 1.7 on Windows: handlers from the CRI config, sorted", &runtimeapi.StatusResponse{Status: &runtimeapi.RuntimeStatus{Conditions: conds}, Info: map[string]string{
			"config": `{"containerd":{"runtimes":{"runhcs-wcow-process":{},"runhcs-wcow-hypervisor":{}}},"sandboxImage":"mcr.microsoft.com/oss/kubernetes/pause:3.9"}`}},
			[]string{"runhcs-wcow-hypervisor", "runhcs-wcow-process"}, "config", "mcr.microsoft.com/oss/kubernetes/pause:3.9"},
		{"containerd 2.0: runtime_handlers wins over the config, pinnedImages.sandbox", &runtimeapi.StatusResponse{Status: &runtimeapi.RuntimeStatus{Conditions: conds},
			RuntimeHandlers: []*runtimeapi.RuntimeHandler{{Name: "runhcs-wcow-process"}},
			Info:            map[string]string{"config": `{"containerd":{"runtimes":{"runhcs-wcow-process":{},"runhcs-wcow-hypervisor":{}}},"pinnedImages":{"sandbox":"registry.k8s.io/pause:3.10"}}`}},
			[]string{"runhcs-wcow-process"}, "runtime_handlers", "registry.k8s.io/pause:3.10"},
		{"a non-verbose answer: nothing reported", &runtimeapi.StatusResponse{Status: &runtimeapi.RuntimeStatus{Conditions: conds}}, nil, "", ""},
		{"a config that is not JSON", &runtimeapi.StatusResponse{Status: &runtimeapi.RuntimeStatus{Conditions: conds}, Info: map[string]string{"config": "{"}}, nil, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			var r evidence.Runtime
			readStatus(&r, tc.st)
			assert.Check(t, is.DeepEqual(r.Conditions, []evidence.RuntimeCondition{{Type: "RuntimeReady", Status: true}, {Type: "NetworkReady", Reason: "NetworkPluginNotReady", Message: "cni plugin not initialized"}}))
			assert.Check(t, is.DeepEqual(r.Handlers, tc.handlers))
			assert.Check(t, is.Equal(r.HandlersFrom, tc.from))
			assert.Check(t, is.Equal(r.ConfigSandboxImage, tc.sandboxImage))
		})
	}
}

// TestCRIHandlerAndImageRefs: which handler each row asks for, which sandbox
// image is looked at, and the workload image by default.
func TestCRIHandlerAndImageRefs(t *testing.T) {
	e := config.Expectations{CRI: &config.CRIExpectations{HandlerProcess: "proc-h", HandlerHyperV: "vm-h"}}
	assert.Check(t, is.Equal(CRIHandler(evidence.CRIRows[0], e), "proc-h"))
	assert.Check(t, is.Equal(CRIHandler(evidence.CRIRows[1], e), "vm-h"))
	assert.Check(t, is.Equal(CRIHandler(evidence.CRIRows[2], e), ""), "Linux: the default handler")
	assert.Check(t, is.Equal(CRIHandler(evidence.CRIRows[3], e), evidence.UnknownHandler))
	assert.Check(t, is.Equal(CRIHandler(evidence.CRIRows[1], config.Expectations{}), ""), "no containerd expectations")

	s := newSession(nil, nil, "npipe:////./pipe/containerd-containerd", "r", config.Expectations{CRI: &config.CRIExpectations{SandboxImage: "my/pause:1"}}, config.Replay)
	assert.Check(t, is.Equal(s.sandboxImageRef(evidence.Runtime{ConfigSandboxImage: "mcr.microsoft.com/oss/kubernetes/pause:3.9"}), "my/pause:1"), "CONFORMANCE_SANDBOX_IMAGE wins over the CRI config")
	s.Expect.CRI.SandboxImage = ""
	assert.Check(t, is.Equal(s.sandboxImageRef(evidence.Runtime{ConfigSandboxImage: "mcr.microsoft.com/oss/kubernetes/pause:3.9"}), "mcr.microsoft.com/oss/kubernetes/pause:3.9"))

	ws2022 := evidence.Runtime{Host: &hostprobe.OSInfo{OS: "windows", Build: "20348"}}
	ref, f := s.criImageRef(ws2022)
	assert.Check(t, f == nil)
	assert.Check(t, is.Equal(ref, "mcr.microsoft.com/windows/nanoserver:ltsc2022"))
	ref, _ = s.criImageRef(evidence.Runtime{Host: &hostprobe.OSInfo{OS: "linux"}})
	assert.Check(t, is.Equal(ref, config.LinuxTestImage))
	_, f = s.criImageRef(evidence.Runtime{Host: &hostprobe.OSInfo{OS: "windows", Build: "9200"}})
	assert.Check(t, f != nil && f.Message == "no default base image for Windows build 9200: set CONFORMANCE_IMAGE", "%v", f)
	s.Expect.Image = "my/nano:1"
	ref, _ = s.criImageRef(ws2022)
	assert.Check(t, is.Equal(ref, "my/nano:1"))

	assert.Check(t, is.Equal(ContainerPID(map[string]string{"info": `{"pid":5000,"sandboxID":"sb"}`}), 5000))
	assert.Check(t, is.Equal(ContainerPID(map[string]string{"info": `not json`}), 0))
	assert.Check(t, is.Equal(ContainerPID(nil), 0))
	assert.Check(t, is.DeepEqual(ProcessListCommand("windows"), []string{"tasklist"}))
	assert.Check(t, is.DeepEqual(ProcessListCommand("linux"), []string{"ps"}))
}

// statusScript answers ContainerStatus with one state and pid per call, the
// last one again once the script is used up, and ListPodSandbox /
// ListContainers of a removed pod by the sandboxes and containers left.
type statusScript struct {
	fakeCRI
	states []runtimeapi.ContainerState
	pids   []int
	calls  int
}

func (f *statusScript) ContainerStatus(context.Context, *runtimeapi.ContainerStatusRequest, ...grpc.CallOption) (*runtimeapi.ContainerStatusResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := min(f.calls, len(f.states)-1)
	f.calls++
	return &runtimeapi.ContainerStatusResponse{Status: &runtimeapi.ContainerStatus{Id: "c1", State: f.states[i]},
		Info: map[string]string{"info": fmt.Sprintf(`{"pid":%d}`, f.pids[i])}}, nil
}

func settleOn(f *statusScript, host hostprobe.Host, row evidence.CRIRow) evidence.Pod {
	return settleIn(f, host, row, false)
}

// settleIn is settleOn with the harness inside a container (the host
// probe saw a container's process table, not the node's) when contained.
func settleIn(f *statusScript, host hostprobe.Host, row evidence.CRIRow, contained bool) evidence.Pod {
	s := newSession(nil, host, "unix:///run/containerd/containerd.sock", "run-a", config.Expectations{StepTimeout: config.Duration(300 * time.Millisecond)}, config.Live)
	s.CRI = &CRI{Runtime: f}
	s.harnessContained = contained
	s.PollDelay = time.Millisecond
	p := evidence.Pod{Row: row, SandboxID: "sb1", ContainerID: "c1"}
	s.settlePod(context.Background(), "cri/linux/default/after-start", &p)
	return p
}

// TestSettlePodWaitsForThePidAndTheHost: the wait judges settled evidence
// (design rule 5). containerd reports CONTAINER_RUNNING before the task's
// pid is in the verbose info on a slow shim, and the host shows the pid
// only once the process is created.
func TestSettlePodWaitsForThePidAndTheHost(t *testing.T) {
	running, exited := runtimeapi.ContainerState_CONTAINER_RUNNING, runtimeapi.ContainerState_CONTAINER_EXITED
	ping := hostprobe.Process{PID: 6636, Name: "ping"}
	linux := evidence.CRIRows[2]

	t.Run("running without a pid, then with one", func(t *testing.T) {
		p := settleOn(&statusScript{states: []runtimeapi.ContainerState{running, running}, pids: []int{0, 6636}}, &scriptedHost{processes: procs(ping)}, linux)
		assert.Check(t, is.Equal(p.PID, 6636))
		assert.Check(t, p.StatusErr == nil && p.HostErr == nil, "%+v %+v", p.StatusErr, p.HostErr)
		assert.Check(t, p.After != nil)
	})
	// The gate run in a container given containerd's socket: its probe
	// sees the container's processes, so the wait is for the runtime only,
	// and still for a pid.
	t.Run("harness in a container: no host snapshot, still a pid", func(t *testing.T) {
		host := &scriptedHost{processes: procs(ping)}
		p := settleIn(&statusScript{states: []runtimeapi.ContainerState{running, running}, pids: []int{0, 6636}}, host, linux, true)
		assert.Check(t, is.Equal(p.PID, 6636))
		assert.Check(t, p.After == nil && p.HostErr == nil && p.StatusErr == nil)
		assert.Check(t, is.Len(host.asked, 0), "the container's process table is never read as the node's")
	})
	t.Run("the host shows the pid only at the second snapshot", func(t *testing.T) {
		host := &scriptedHost{processes: func(_ string, n int) (hostprobe.Snapshot, error) {
			if n == 0 {
				return hostprobe.Snapshot{}, nil
			}
			return hostprobe.Snapshot{Processes: []hostprobe.Process{ping}}, nil
		}}
		p := settleOn(&statusScript{states: []runtimeapi.ContainerState{running}, pids: []int{6636}}, host, linux)
		assert.Check(t, p.HostErr == nil, "%+v", p.HostErr)
		_, found := p.After.Find(6636)
		assert.Check(t, found, "the snapshot judged is the settled one")
	})
	t.Run("the workload exited: no host wait, no host error", func(t *testing.T) {
		p := settleOn(&statusScript{states: []runtimeapi.ContainerState{exited}, pids: []int{0}}, &scriptedHost{processes: procs()}, linux)
		assert.Check(t, is.Equal(p.ContainerState, "CONTAINER_EXITED"))
		assert.Check(t, p.StatusErr == nil && p.HostErr == nil && p.After == nil)
	})
	t.Run("the host never shows the workload: a host error, not a status one", func(t *testing.T) {
		p := settleOn(&statusScript{states: []runtimeapi.ContainerState{running}, pids: []int{6636}}, &scriptedHost{processes: procs()}, linux)
		assert.Check(t, p.StatusErr == nil)
		assert.Check(t, p.HostErr != nil && strings.Contains(p.HostErr.Message, "host process 6636 is not ping yet"), "%+v", p.HostErr)
	})
	t.Run("never running: a status error", func(t *testing.T) {
		p := settleOn(&statusScript{states: []runtimeapi.ContainerState{runtimeapi.ContainerState_CONTAINER_CREATED}, pids: []int{0}}, &scriptedHost{processes: procs()}, linux)
		assert.Check(t, p.HostErr == nil)
		assert.Check(t, p.StatusErr != nil && strings.Contains(p.StatusErr.Message, "is CONTAINER_CREATED (pid 0)"), "%+v", p.StatusErr)
	})
	t.Run("a hyperv pod settles when HCS lists its utility VM, whatever the host pid", func(t *testing.T) {
		host := &scriptedHost{processes: func(_ string, n int) (hostprobe.Snapshot, error) {
			if n == 0 {
				return hostprobe.Snapshot{HCS: &hostprobe.HCSView{}}, nil
			}
			return hostprobe.Snapshot{HCS: &hostprobe.HCSView{Systems: []hostprobe.ComputeSystem{{ID: "sb1@vm", SystemType: "VirtualMachine"}}}}, nil
		}}
		p := settleOn(&statusScript{states: []runtimeapi.ContainerState{running}, pids: []int{1234}}, host, evidence.CRIRows[1])
		assert.Check(t, p.HostErr == nil, "%+v", p.HostErr)
		assert.Check(t, p.After != nil && len(p.After.HCS.Systems) == 1)
	})
}

// TestWaitPodGoneCountsContainers: RemovePodSandbox returned but the
// runtime still lists the pod's container (containerd removes containers
// first; a failed container removal leaves one listed): the wait fails.
func TestWaitPodGoneCountsContainers(t *testing.T) {
	f := &fakeCRI{sandboxes: map[string]map[string]string{}, containers: map[string]map[string]string{"c1": {}}}
	s := criSessionOn(f, "run-a")
	s.Expect.StepTimeout = config.Duration(100 * time.Millisecond)
	s.PollDelay = time.Millisecond
	failure := s.waitPodGone(context.Background(), "sb1")
	assert.Check(t, failure != nil && strings.Contains(failure.Message, "0 sandbox(es) and 1 container(s) still listed after removal"), "%+v", failure)
	delete(f.containers, "c1")
	assert.Check(t, s.waitPodGone(context.Background(), "sb1") == nil)
}
