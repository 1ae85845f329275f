package claims

import (
	"slices"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

func criExpect() config.Expectations {
	return config.Expectations{Engine: config.EngineContainerd, Pull: config.PullMissing, HyperV: config.HyperVRequire,
		CRI: &config.CRIExpectations{RuntimeVersion: ">=1.7", HandlerProcess: config.DefaultHandlerProcess, HandlerHyperV: config.DefaultHandlerHyperV}}
}

func ws2022Runtime() evidence.Runtime {
	return evidence.Runtime{Target: "npipe:////./pipe/containerd-containerd", Local: true, Name: "containerd", Version: "v1.7.20", APIVersion: "v1",
		Host:       &hostprobe.OSInfo{OS: "windows", Build: "20348", Edition: "server"},
		Conditions: []evidence.RuntimeCondition{{Type: "RuntimeReady", Status: true}, {Type: "NetworkReady", Status: true}},
		Handlers:   []string{"runhcs-wcow-hypervisor", "runhcs-wcow-process"}, HandlersFrom: "config",
		Services:     []hostprobe.Service{{Name: "containerd", Exists: true, State: "running", StartType: "auto"}, {Name: "vmcompute", Exists: true, State: "running", StartType: "manual"}, {Name: "vmms", Exists: true, State: "running", StartType: "auto"}},
		SandboxImage: evidence.CRIImage{Ref: "mcr.microsoft.com/oss/kubernetes/pause:3.9", Present: true, OS: "windows", OSVersion: "10.0.20348.2340"},
		Image:        evidence.CRIImage{Ref: "mcr.microsoft.com/windows/nanoserver:ltsc2022", Present: true, OS: "windows", OSVersion: "10.0.20348.2340"},
	}
}

func TestRuntimeProvisioningEdges(t *testing.T) {
	tests := []struct {
		doc    string
		edit   func(*evidence.Runtime, *config.Expectations)
		check  func(evidence.Runtime, config.Expectations) Verdict
		status Status
		msg    string
	}{
		{"CRI v1 answers", nil, func(r evidence.Runtime, _ config.Expectations) Verdict { return CheckRuntimeReachable(r) }, Pass, "CRI v1"},
		{"v1alpha2 only", func(r *evidence.Runtime, _ *config.Expectations) { r.APIVersion = "v1alpha2" }, func(r evidence.Runtime, _ config.Expectations) Verdict { return CheckRuntimeReachable(r) }, Fail, `serves CRI "v1alpha2"`},
		{"nothing listens", func(r *evidence.Runtime, _ *config.Expectations) {
			r.Unreachable = &evidence.Failure{Kind: evidence.KindConnection, Message: "connection error: open //./pipe/containerd-containerd: The system cannot find the file specified."}
		}, func(r evidence.Runtime, _ config.Expectations) Verdict { return CheckRuntimeReachable(r) }, Fail, "nothing answers there"},
		{"no CRI plugin", func(r *evidence.Runtime, _ *config.Expectations) {
			r.Unreachable = &evidence.Failure{Kind: evidence.KindOther, Message: "unknown service runtime.v1.RuntimeService"}
		}, func(r evidence.Runtime, _ config.Expectations) Verdict { return CheckRuntimeReachable(r) }, Fail, "does not serve CRI v1"},
		{"version at the bound", func(r *evidence.Runtime, _ *config.Expectations) { r.Version = "1.7.0" }, CheckRuntimeVersion, Pass, "satisfies >=1.7"},
		{"version below the bound", func(r *evidence.Runtime, _ *config.Expectations) { r.Version = "1.6.20~ds1" }, CheckRuntimeVersion, Fail, "does not satisfy >=1.7"},
		{"another runtime", func(r *evidence.Runtime, _ *config.Expectations) { r.Name = "cri-o" }, CheckRuntimeVersion, Fail, `is "cri-o", not containerd`},
		{"runtime not ready", func(r *evidence.Runtime, _ *config.Expectations) { r.Conditions[0].Status = false }, func(r evidence.Runtime, _ config.Expectations) Verdict { return CheckRuntimeReady(r) }, Fail, "the runtime is not ready"},
		{"windows without a pod network", func(r *evidence.Runtime, _ *config.Expectations) { r.Conditions[1].Status = false }, func(r evidence.Runtime, _ config.Expectations) Verdict { return CheckRuntimeReady(r) }, Fail, "pod network is not ready"},
		{"linux without a pod network", func(r *evidence.Runtime, _ *config.Expectations) {
			r.Conditions[1].Status = false
			r.Host = &hostprobe.OSInfo{OS: "linux", Build: "6.1.0"}
		}, func(r evidence.Runtime, _ config.Expectations) Verdict { return CheckRuntimeReady(r) }, Pass, "the runtime is ready"},
		{"both handlers configured", nil, CheckRuntimeHandlers, Pass, "configured"},
		{"hypervisor handler missing", func(r *evidence.Runtime, _ *config.Expectations) { r.Handlers = []string{"runhcs-wcow-process"} }, CheckRuntimeHandlers, Fail, "runhcs-wcow-hypervisor (hyperv)"},
		{"hypervisor handler missing, hyperv not under test", func(r *evidence.Runtime, e *config.Expectations) {
			r.Handlers = []string{"runhcs-wcow-process"}
			e.Isolation = []string{"process"}
		}, CheckRuntimeHandlers, Pass, "configured"},
		{"renamed handler named by the user", func(r *evidence.Runtime, e *config.Expectations) {
			r.Handlers = []string{"runhcs-wcow-process", "hyperv-ltsc2022"}
			e.CRI.HandlerHyperV = "hyperv-ltsc2022"
		}, CheckRuntimeHandlers, Pass, "configured"},
		{"handlers not reported", func(r *evidence.Runtime, _ *config.Expectations) { r.Handlers, r.HandlersFrom = nil, "" }, CheckRuntimeHandlers, Pass, "each row's sandbox proves its own"},
		{"containerd automatic", nil, func(r evidence.Runtime, _ config.Expectations) Verdict { return CheckServiceContainerd(r) }, Pass, "starts automatically"},
		{"containerd delayed automatic", func(r *evidence.Runtime, _ *config.Expectations) { r.Services[0].StartType = "delayed-auto" }, func(r evidence.Runtime, _ config.Expectations) Verdict { return CheckServiceContainerd(r) }, Pass, "starts automatically"},
		{"containerd manual", func(r *evidence.Runtime, _ *config.Expectations) { r.Services[0].StartType = "manual" }, func(r evidence.Runtime, _ config.Expectations) Verdict { return CheckServiceContainerd(r) }, Fail, "does not start with Windows"},
		{"containerd stopped", func(r *evidence.Runtime, _ *config.Expectations) { r.Services[0].State = "stopped" }, func(r evidence.Runtime, _ config.Expectations) Verdict { return CheckServiceContainerd(r) }, Fail, "is stopped"},
		{"containerd not registered", func(r *evidence.Runtime, _ *config.Expectations) { r.Services[0].Exists = false }, func(r evidence.Runtime, _ config.Expectations) Verdict { return CheckServiceContainerd(r) }, Fail, "not registered"},
		{"sandbox image fits", nil, CheckSandboxImage, Pass, "fits host build 20348"},
		{"sandbox image absent", func(r *evidence.Runtime, _ *config.Expectations) { r.SandboxImage.Present = false }, CheckSandboxImage, Fail, "is not on the node"},
		{"sandbox image of another build", func(r *evidence.Runtime, _ *config.Expectations) { r.SandboxImage.OSVersion = "10.0.17763.5830" }, CheckSandboxImage, Fail, "built for 17763, which process isolation cannot run on build 20348"},
		{"sandbox image of another build, hyperv only", func(r *evidence.Runtime, e *config.Expectations) {
			r.SandboxImage.OSVersion = "10.0.17763.5830"
			e.Isolation = []string{"hyperv"}
		}, CheckSandboxImage, Pass, "fits host build 20348"},
		{"workload image absent, pull never", func(r *evidence.Runtime, e *config.Expectations) { r.Image.Present, e.Pull = false, config.PullNever }, CheckWorkloadImage, Fail, "not on the node and CONFORMANCE_PULL=never"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			r, e := ws2022Runtime(), criExpect()
			if tc.edit != nil {
				tc.edit(&r, &e)
			}
			v := tc.check(r, e)
			assert.Check(t, is.Equal(v.Status, tc.status), v.String())
			assert.Check(t, is.Contains(v.Message, tc.msg))
			if v.Status == Fail {
				assert.Check(t, v.Fix != "", "a failure says how to fix it")
			}
		})
	}
}

func hyperVPod() (evidence.Runtime, evidence.Pod) {
	r := ws2022Runtime()
	after := hostprobe.Snapshot{SelfPID: 100, Processes: []hostprobe.Process{
		{PID: 100, Name: "conformance.test.exe", Session: session(1)},
		{PID: 4000, Name: "vmmem", Owner: `NT VIRTUAL MACHINE\0F3C2E5A-1B2C-4D5E-8F90-123456789ABC`},
	}, HCS: &hostprobe.HCSView{Systems: []hostprobe.ComputeSystem{{ID: "sb1@vm", SystemType: "VirtualMachine", Owner: "containerd-shim-runhcs-v1.exe", RuntimeID: "{0f3c2e5a-1b2c-4d5e-8f90-123456789abc}"}}}}
	p := evidence.Pod{Row: evidence.CRIRow{Platform: "windows", Mode: "hyperv"}, Handler: "runhcs-wcow-hypervisor", SandboxID: "sb1", PID: 1234, ContainerState: "CONTAINER_RUNNING",
		After: &after, ExecCmd: []string{"tasklist"}, ExecStdout: "Image Name  PID Session Name Session# Mem Usage\r\n========= ==== ====\r\nSystem Idle Process 0 Services 0 8 K\r\nPING.EXE  1234 Services 0 4,000 K\r\n"}
	return r, p
}

func processPod() (evidence.Runtime, evidence.Pod) {
	r := ws2022Runtime()
	after := hostprobe.Snapshot{SelfPID: 100, Processes: []hostprobe.Process{
		{PID: 100, Name: "conformance.test.exe", Session: session(1)},
		{PID: 5000, Name: "PING.EXE", Session: session(3)},
	}, HCS: &hostprobe.HCSView{Systems: []hostprobe.ComputeSystem{{ID: "sb2", SystemType: "Container", Owner: "containerd-shim-runhcs-v1.exe"}}}}
	p := evidence.Pod{Row: evidence.CRIRow{Platform: "windows", Mode: "process"}, Handler: "runhcs-wcow-process", SandboxID: "sb2", PID: 5000, ContainerState: "CONTAINER_RUNNING",
		After: &after, ExecCmd: []string{"tasklist"}, ExecStdout: "Image Name PID\n===== ===\nPING.EXE 5000 Services 3 4,000 K\n"}
	return r, p
}

func TestCRIIsolationEdges(t *testing.T) {
	r, p := hyperVPod()
	v := CheckCRIIsolation(r, p)
	assert.Check(t, is.Equal(v.Status, Pass), v.String())
	assert.Check(t, is.Len(v.Warnings, 0), "vmmem runs as the VM's account: attributed")
	assert.Check(t, is.Contains(strings.Join(v.Evidence, "\n"), "4000"))

	p.After.Processes = p.After.Processes[:1]
	v = CheckCRIIsolation(r, p)
	assert.Check(t, is.Equal(v.Status, Pass), "no worker under the account is a warning, never a failure (physically backed UVM)")
	assert.Check(t, is.Len(v.Warnings, 1))

	r, p = hyperVPod()
	p.After.HCS.Systems = nil
	v = CheckCRIIsolation(r, p)
	assert.Check(t, is.Equal(v.Status, Fail))
	assert.Check(t, is.Contains(v.Message, "HCS lists no utility VM"))

	r, p = hyperVPod()
	p.After.HCS.Systems[0].SystemType = "Container"
	assert.Check(t, is.Equal(CheckCRIIsolation(r, p).Status, Fail), "a compute system that is not a VM is no utility VM")

	r, p = hyperVPod()
	p.After.HCS.Err = "Access is denied."
	assert.Check(t, is.Contains(CheckCRIIsolation(r, p).Message, "could not be read"))

	r, p = hyperVPod()
	p.After.Processes = append(p.After.Processes, hostprobe.Process{PID: 1234, Name: "PING.EXE", Session: session(2)})
	assert.Check(t, is.Contains(CheckCRIIsolation(r, p).Message, "runs on the host beside its utility VM"))

	r, p = processPod()
	v = CheckCRIIsolation(r, p)
	assert.Check(t, is.Equal(v.Status, Pass), v.String())
	assert.Check(t, is.Contains(v.Message, "container session 3"))

	r, p = processPod()
	p.After.HCS.Systems = append(p.After.HCS.Systems, hostprobe.ComputeSystem{ID: "SB2@vm", SystemType: "VirtualMachine"})
	v = CheckCRIIsolation(r, p)
	assert.Check(t, is.Equal(v.Status, Fail))
	assert.Check(t, is.Contains(v.Message, "is Hyper-V isolated"))

	r, p = processPod()
	p.After.Processes[1].Session = session(1)
	assert.Check(t, is.Contains(CheckCRIIsolation(r, p).Message, "harness's own session 1"))

	r, p = processPod()
	p.PID = 5001
	assert.Check(t, is.Contains(CheckCRIIsolation(r, p).Message, "is not a host process named PING.EXE"))

	r, p = processPod()
	r.Local = false
	assert.Check(t, is.Equal(CheckCRIIsolation(r, p).Status, Skip))
}

func TestCRIProcessTreeEdges(t *testing.T) {
	_, p := processPod()
	assert.Check(t, is.Equal(CheckCRIProcessTree(p).Status, Pass))
	p.PID = 5001
	assert.Check(t, is.Contains(CheckCRIProcessTree(p).Message, "under process isolation both are host pids"))

	_, p = hyperVPod()
	assert.Check(t, is.Equal(CheckCRIProcessTree(p).Status, Pass))
	p.After.Processes = append(p.After.Processes, hostprobe.Process{PID: 1234, Name: "PING.EXE"})
	assert.Check(t, is.Contains(CheckCRIProcessTree(p).Message, "visible on the host"))

	linux := evidence.Pod{Row: evidence.CRIRow{Platform: "linux", Mode: "default"}, PID: 6636, ExecCmd: []string{"ps"},
		ExecStdout: "PID   USER     COMMAND\n    1 0        /bin/busybox sleep 2147483647\n    7 0        ping localhost\n   13 0        ps\n"}
	assert.Check(t, is.Equal(CheckCRIProcessTree(linux).Status, Pass))
	linux.PID = 7
	assert.Check(t, is.Contains(CheckCRIProcessTree(linux).Message, "shares the host's PID namespace"))
	linux.ExecStdout = "PID   USER     COMMAND\n    1 0        sleep\n"
	assert.Check(t, is.Contains(CheckCRIProcessTree(linux).Message, "does not list ping"))
	linux.ExecExitCode = 127
	assert.Check(t, is.Contains(CheckCRIProcessTree(linux).Message, "exited 127"))
}

func TestParseProcessList(t *testing.T) {
	withTime := ParseProcessList("linux", "PID   USER     TIME  COMMAND\n    1 root      0:00 ping localhost\n")
	assert.Check(t, is.DeepEqual(withTime, []ListedProcess{{PID: 1, Name: "ping"}}))
	noTime := ParseProcessList("linux", "PID   USER     COMMAND\n    7 0        ping localhost\n")
	assert.Check(t, is.DeepEqual(noTime, []ListedProcess{{PID: 7, Name: "ping"}}))
	assert.Check(t, is.Len(ParseProcessList("linux", "no header\n 1 root 0:00 ping\n"), 0), "no header, no columns")
	win := ParseProcessList("windows", "\r\nImage Name                     PID Session Name        Session#    Mem Usage\r\n========================= ======== ================ =========== ============\r\nCExecSvc.exe                  1100 Services                   0      5,080 K\r\nPING.EXE                      2044 Services                   0      3,932 K\r\n")
	assert.Check(t, is.DeepEqual(win, []ListedProcess{{PID: 1100, Name: "CExecSvc.exe"}, {PID: 2044, Name: "PING.EXE"}}))
}

func TestSandboxAndRefusalEdges(t *testing.T) {
	p := evidence.Pod{Row: evidence.CRIRow{Platform: "windows", Mode: "hyperv"}, Handler: "runhcs-wcow-hypervisor", SandboxID: "sb", SandboxHandler: "runhcs-wcow-hypervisor", SandboxState: "SANDBOX_READY"}
	assert.Check(t, is.Equal(CheckSandbox(p).Status, Pass))
	p.SandboxHandler = "runhcs-wcow-process"
	assert.Check(t, is.Contains(CheckSandbox(p).Message, `runs with handler "runhcs-wcow-process"`))
	p.SandboxHandler, p.SandboxState = p.Handler, "SANDBOX_NOTREADY"
	assert.Check(t, is.Contains(CheckSandbox(p).Message, "want SANDBOX_READY"))
	p.RunErr = &evidence.Failure{Kind: evidence.KindSystem, Message: `failed to get sandbox runtime: no runtime for "runhcs-wcow-hypervisor" is configured`}
	v := CheckSandbox(p)
	assert.Check(t, is.Contains(v.Message, "is not configured"))
	assert.Check(t, is.Contains(v.Fix, config.EnvHandlerHyperV))
	p.RunErr = &evidence.Failure{Kind: evidence.KindSystem, Message: `failed to setup network for sandbox "sb": plugin type="nat" name="nat" failed (add): cni plugin not initialized`}
	assert.Check(t, is.Contains(CheckSandbox(p).Message, "network could not be set up"))
	p.RunErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "failed to create containerd task: failed to create shim task: context deadline exceeded: unknown"}
	assert.Check(t, is.Contains(CheckSandbox(p).Message, "RunPodSandbox failed"), "a shim failure is not read as a network one")
	p.RunErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "failed to create containerd task: hcs::CreateComputeSystem sb@vm: No hypervisor is present on this system."}
	assert.Check(t, is.Contains(CheckSandbox(p).Message, "Hyper-V is not usable"))

	refusal := evidence.Pod{Row: evidence.CRIRow{Platform: "linux", Mode: evidence.ModeUnknownHandler}, Handler: evidence.UnknownHandler,
		RunErr: &evidence.Failure{Kind: evidence.KindSystem, Message: `failed to get sandbox runtime: no runtime for "conformance-no-such-handler" is configured`}}
	assert.Check(t, is.Equal(CheckHandlerRefused(refusal).Status, Pass))
	refusal.RunErr.Message = `failed to get sandbox runtime: no runtime for "other" is configured`
	assert.Check(t, is.Contains(CheckHandlerRefused(refusal).Message, "not for its handler"))
	refusal.RunErr, refusal.SandboxID = nil, "sb9"
	assert.Check(t, is.Contains(CheckHandlerRefused(refusal).Message, "which no config names"))
}

func TestCRICleanupEdges(t *testing.T) {
	_, p := hyperVPod()
	gone := hostprobe.Snapshot{SelfPID: 100, Processes: p.After.Processes[:1], HCS: &hostprobe.HCSView{}}
	p.Gone = &gone
	assert.Check(t, is.Equal(CheckCRICleanup(p).Status, Pass))
	still := *p.After
	p.Gone = &still
	v := CheckCRICleanup(p)
	assert.Check(t, is.Equal(v.Status, Fail))
	assert.Check(t, is.Contains(v.Message, "utility VM sb1@vm"))
	assert.Check(t, is.Contains(v.Message, "VM worker 4000"))

	p.Gone = &gone
	p.LeftErr = &evidence.Failure{Kind: evidence.KindTimeout, Message: "timed out: 1 sandbox(es) still listed"}
	assert.Check(t, is.Contains(CheckCRICleanup(p).Message, "still lists the sandbox"))
	p.LeftErr, p.RemoveErr = nil, &evidence.Failure{Message: "boom"}
	assert.Check(t, is.Contains(CheckCRICleanup(p).Message, "RemovePodSandbox failed"))
}

// TestCRIEdgesTheMutationToolFound: one row per mutant of cri.go that
// gremlins left alive (go run ./helpers/mutants -changed ... -only claims).
func TestCRIEdgesTheMutationToolFound(t *testing.T) {
	r := ws2022Runtime()
	r.Unreachable = &evidence.Failure{Kind: evidence.KindConnection, Message: "some transport fault"}
	assert.Check(t, is.Contains(CheckRuntimeReachable(r).Message, "nothing answers there"), "a connection failure of any wording")
	r.Unreachable = &evidence.Failure{Kind: evidence.KindOther, Message: "something else entirely"}
	v := CheckRuntimeReachable(r)
	assert.Check(t, !strings.Contains(v.Message, "nothing answers"), v.Message)
	assert.Check(t, is.Equal(v.Message, "cannot reach the CRI runtime at npipe:////./pipe/containerd-containerd"))

	linux := ws2022Runtime()
	linux.Host = &hostprobe.OSInfo{OS: "linux", Build: "6.1.0"}
	linux.Handlers, linux.HandlersFrom = nil, ""
	assert.Check(t, is.Contains(CheckRuntimeHandlers(linux, criExpect()).Message, "configured: none reported"))
	linux.Handlers = []string{"runc"}
	assert.Check(t, is.Contains(CheckRuntimeHandlers(linux, criExpect()).Message, `configured: "runc"`))

	noRef := ws2022Runtime()
	noRef.Image = evidence.CRIImage{Err: &evidence.Failure{Message: "no default base image for Windows build 14000: set CONFORMANCE_IMAGE"}}
	v = CheckWorkloadImage(noRef, criExpect())
	assert.Check(t, is.Equal(v.Message, "no default base image for Windows build 14000: set CONFORMANCE_IMAGE"))
	noRef.Image = evidence.CRIImage{Ref: "x:1", Err: &evidence.Failure{Message: "failed to pull and unpack image: not found"}}
	assert.Check(t, is.Contains(CheckWorkloadImage(noRef, criExpect()).Message, "the workload image x:1 is not available"))

	p := evidence.Pod{Row: evidence.CRIRow{Platform: "windows", Mode: "process"}, Handler: "runhcs-wcow-process",
		RunErr: &evidence.Failure{Kind: evidence.KindSystem, Message: "hcs::CreateComputeSystem sb: The container operating system does not match the host operating system."}}
	assert.Check(t, is.Contains(CheckSandbox(p).Message, "the sandbox image does not fit the host build"))

	assert.Check(t, is.Equal(hcsLine(hostprobe.Snapshot{}, "sb"), "HCS: not read"))
	assert.Check(t, is.Equal(hcsLine(hostprobe.Snapshot{HCS: &hostprobe.HCSView{Err: "Access is denied."}}, "sb"), "HCS: Access is denied."))
	assert.Check(t, is.Contains(hcsLine(hostprobe.Snapshot{HCS: &hostprobe.HCSView{}}, "sb"), "none"))

	assert.Check(t, is.Equal(clip("abc", 3), "abc"))
	assert.Check(t, is.Equal(clip("abcd", 3), "abc…"))
}

func TestParseProcessListEdges(t *testing.T) {
	assert.Check(t, is.DeepEqual(ParseProcessList("windows", "=====\nPING.EXE 12\nX\n"), []ListedProcess{{PID: 12, Name: "PING.EXE"}}), "two fields are enough")
	assert.Check(t, is.Len(ParseProcessList("windows", "PING.EXE 12\n"), 0), "nothing before the ===== line")
	assert.Check(t, is.DeepEqual(ParseProcessList("linux", "CMD PID\nping 7\n"), []ListedProcess{{PID: 7, Name: "ping"}}), "the command column first")
	assert.Check(t, is.DeepEqual(ParseProcessList("linux", "PID USER COMMAND\n    9 0\n   10 0 ping\n"), []ListedProcess{{PID: 10, Name: "ping"}}), "a truncated line is skipped")
	assert.Check(t, is.Len(ParseProcessList("linux", "PID USER\n 1 root\n"), 0), "a header without a command column")
}

func TestPodLeftOnHost(t *testing.T) {
	_, p := processPod()
	assert.Check(t, is.DeepEqual(PodLeftOnHost(p, *p.After), []string{"workload process 5000 (PING.EXE)"}))
	gone := hostprobe.Snapshot{SelfPID: 100, Processes: p.After.Processes[:1]}
	assert.Check(t, is.Len(PodLeftOnHost(p, gone), 0))
	_, h := hyperVPod()
	h.After.Processes = append(h.After.Processes, hostprobe.Process{PID: 1234, Name: "PING.EXE"})
	left := PodLeftOnHost(h, *h.After)
	assert.Check(t, !slices.Contains(left, "workload process 1234 (PING.EXE)"), "a guest pid is never the host's workload: %v", left)
}
