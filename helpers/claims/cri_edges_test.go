package claims

import (
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// The containerd (CRI) claims at their edges: one row per host situation a
// Windows Server 2022/2025 node (containerd 1.7/2.x, runhcs handlers) or a
// Linux containerd node can be in, each with the verdict the gate must give.
// Sources: containerd internal/cri/server (Status, RunPodSandbox,
// ContainerStatus), hcsshim cmd/containerd-shim-runhcs-v1, k8s.io/cri-api
// api.proto (the state enums), Kubernetes "Windows containers in Kubernetes"
// (sig-windows: RuntimeClass handlers, a CNI network for every pod sandbox).

// criVerdictRow is one host situation and what the claim must say about it.
type criVerdictRow struct {
	doc    string
	check  func() Verdict
	status Status
	msg    string // the message contains it
	fix    string // the fix contains it ("" for a pass)
}

func checkCRIRows(t *testing.T, rows []criVerdictRow) {
	t.Helper()
	for _, tc := range rows {
		t.Run(tc.doc, func(t *testing.T) {
			v := tc.check()
			assert.Check(t, is.Equal(v.Status, tc.status), v.String())
			assert.Check(t, is.Contains(v.Message, tc.msg))
			assert.Check(t, is.Contains(v.Fix, tc.fix))
			if v.Status == Fail {
				assert.Check(t, len(v.Evidence) > 0, "a failure carries its evidence")
			}
		})
	}
}

func linuxRuntime() evidence.Runtime {
	r := ws2022Runtime()
	r.Target = "unix:///run/containerd/containerd.sock"
	r.Version = "1.6.20~ds1"
	r.Host = &hostprobe.OSInfo{OS: "linux", Build: "6.1.0-18-amd64"}
	r.Handlers, r.HandlersFrom = []string{"runc"}, "config"
	r.Services = nil
	r.SandboxImage = evidence.CRIImage{Ref: config.LinuxSandboxImage, Present: true, OS: "linux"}
	r.Image = evidence.CRIImage{Ref: "conformance/busybox:local", Present: true, OS: "linux"}
	return r
}

func TestCRIRuntimeReachableAndReadyEdges(t *testing.T) {
	unreachable := func(kind, msg string) func() Verdict {
		return func() Verdict {
			r := ws2022Runtime()
			r.Unreachable = &evidence.Failure{Kind: kind, Message: msg}
			return CheckRuntimeReachable(r)
		}
	}
	ready := func(edit func(*evidence.Runtime)) func() Verdict {
		return func() Verdict {
			r := ws2022Runtime()
			edit(&r)
			return CheckRuntimeReady(r)
		}
	}
	checkCRIRows(t, []criVerdictRow{
		// A non-elevated shell opening containerd's pipe: Windows answers
		// ERROR_ACCESS_DENIED, which grpc-go wraps in its dial error.
		{"pipe opened by a user who is not an Administrator",
			unreachable(evidence.KindConnection, `connection error: desc = "transport: Error while dialing: open \\\\.\\pipe\\containerd-containerd: Access is denied."`),
			Fail, "cannot reach the CRI runtime at npipe:////./pipe/containerd-containerd: access denied", "run elevated"},
		// Linux: a non-root user on /run/containerd/containerd.sock (0660 root:root).
		{"socket opened by a non-root user", unreachable(evidence.KindOther, "dial unix /run/containerd/containerd.sock: connect: permission denied"),
			Fail, ": access denied", "root on Linux"},
		// containerd's socket gone, the error carries no connection kind
		// (a replay of an old record): the wording alone says nothing listens.
		{"no socket, wording only", unreachable(evidence.KindOther, "dial unix /run/containerd/containerd.sock: connect: no such file or directory"),
			Fail, "nothing answers there", "start containerd"},
		{"an error neither wording nor kind explains", unreachable(evidence.KindSystem, "rpc error: code = Internal desc = stream terminated by RST_STREAM"),
			Fail, "cannot reach the CRI runtime", "check that containerd runs with its CRI plugin and that " + config.EnvRuntimeEndpoint + " names it"},
		// containerd's Status fails when the CRI plugin's runtime failed to
		// initialise (containerd internal/cri/server/status.go).
		{"Status unanswered", ready(func(r *evidence.Runtime) {
			r.StatusErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "rpc error: code = Unknown desc = failed to get runtime status"}
		}), Fail, "the runtime did not answer Status: rpc error: code = Unknown desc = failed to get runtime status", "the CRI plugin failed to start"},
		// A Status answer without NetworkReady on a Windows node: a pod
		// sandbox needs a CNI network on Windows (no hostNetwork pods).
		{"Windows node, NetworkReady not reported", ready(func(r *evidence.Runtime) { r.Conditions = r.Conditions[:1] }),
			Fail, "NetworkReady not reported", "install a CNI config"},
		{"RuntimeReady not reported", ready(func(r *evidence.Runtime) { r.Conditions = r.Conditions[1:] }),
			Fail, "RuntimeReady not reported", "restart containerd"},
		// containerd's words when no CNI config is installed.
		{"RuntimeReady true, NetworkReady false with containerd's reason", ready(func(r *evidence.Runtime) {
			r.Conditions[1] = evidence.RuntimeCondition{Type: "NetworkReady", Reason: "NetworkPluginNotReady", Message: "Network plugin returns error: cni plugin not initialized"}
		}), Fail, "NetworkReady false: NetworkPluginNotReady Network plugin returns error: cni plugin not initialized", "nat network"},
		{"both ready", ready(func(*evidence.Runtime) {}), Pass, "the runtime and its pod network are ready", ""},
	})
}

func TestCRIRuntimeVersionEdges(t *testing.T) {
	version := func(v string, edit func(*config.Expectations)) func() Verdict {
		return func() Verdict {
			r, e := ws2022Runtime(), criExpect()
			r.Version = v
			if edit != nil {
				edit(&e)
			}
			return CheckRuntimeVersion(r, e)
		}
	}
	checkCRIRows(t, []criVerdictRow{
		// Debian 12's containerd 1.6.20~ds1 under the default >=1.6 (no
		// containerd expectations read: a fixture of the Docker engine).
		{"default constraint, Debian 12's containerd", version("1.6.20~ds1", func(e *config.Expectations) { e.CRI = nil }), Pass, "containerd 1.6.20~ds1 satisfies >=1.6", ""},
		{"default constraint, containerd 1.5", version("v1.5.18", func(e *config.Expectations) { e.CRI = nil }), Fail, "does not satisfy >=1.6", "install containerd >=1.6"},
		{"containerd 2.1 on Windows Server 2025 under >=1.7", version("v2.1.1", nil), Pass, "satisfies >=1.7", ""},
		{"a constraint that names no version", version("v1.7.20", func(e *config.Expectations) { e.CRI.RuntimeVersion = ">=" }), Fail, "the version constraint is invalid: constraint", "fix " + config.EnvRuntimeVersion},
		{"a version that is not one", version("devel", nil), Fail, `containerd reports version "devel", which is not a version`, "install a released containerd"},
	})
}

func TestCRIImageEdges(t *testing.T) {
	linuxImage := func(os string) func() Verdict {
		return func() Verdict {
			r := linuxRuntime()
			r.Image.OS = os
			return CheckWorkloadImage(r, criExpect())
		}
	}
	checkCRIRows(t, []criVerdictRow{
		// ImageStatus of the sandbox image failed (the verbose info named
		// none and CONFORMANCE_SANDBOX_IMAGE is unset, or the RPC failed).
		{"sandbox image unreadable", func() Verdict {
			r := ws2022Runtime()
			r.SandboxImage = evidence.CRIImage{Err: &evidence.Failure{Kind: evidence.KindOther, Message: "the CRI config names no sandbox_image"}}
			return CheckSandboxImage(r, criExpect())
		}, Fail, "the sandbox image could not be read: the CRI config names no sandbox_image", "set sandbox_image in containerd's config.toml (or " + config.EnvSandboxImage + ")"},
		{"Linux node, busybox image for linux", linuxImage("linux"), Pass, "workload image conformance/busybox:local is present", ""},
		{"Linux node, image config without an os", linuxImage(""), Pass, "is present", ""},
		// A Windows image pulled on a Linux node by its digest.
		{"Linux node, nanoserver image", linuxImage("windows"), Fail, "the workload image is for windows, the host runs linux", "use a linux image"},
		{"Linux node, sandbox image for windows", func() Verdict {
			r := linuxRuntime()
			r.SandboxImage.OS = "windows"
			return CheckSandboxImage(r, criExpect())
		}, Fail, "the sandbox image is for windows, the host runs linux", "use a linux image"},
		// A Windows node whose workload image has no os.version (an image
		// built by a tool that does not write it): not judged, a warning.
		{"Windows node, image build unknown", func() Verdict {
			r := ws2022Runtime()
			r.Image.OSVersion = ""
			return CheckWorkloadImage(r, criExpect())
		}, Pass, "is present", ""},
		{"Windows node, pull failed", func() Verdict {
			r := ws2022Runtime()
			r.Image = evidence.CRIImage{Ref: "mcr.microsoft.com/windows/nanoserver:ltsc2025", Err: &evidence.Failure{Kind: evidence.KindNotFound, Message: "rpc error: code = NotFound desc = failed to pull and unpack image: no match for platform in manifest: not found"}}
			return CheckWorkloadImage(r, criExpect())
		}, Fail, "the workload image mcr.microsoft.com/windows/nanoserver:ltsc2025 is not available", ""},
	})
	r := ws2022Runtime()
	r.Image = evidence.CRIImage{Ref: "x:1", Err: &evidence.Failure{Message: "failed to pull and unpack image: not found\nsecond line"}}
	assert.Check(t, is.Contains(CheckWorkloadImage(r, criExpect()).Evidence[0], "error: failed to pull and unpack image: not found\nsecond line"), "the evidence keeps the whole error")
}

func TestCRIRowAppliesAndNeeds(t *testing.T) {
	processOnly := criExpect()
	processOnly.Isolation = []string{"process"}
	noHost := ws2022Runtime()
	noHost.Host = nil
	tests := []struct {
		doc    string
		r      evidence.Runtime
		e      config.Expectations
		row    evidence.CRIRow
		runs   bool
		reason string
	}{
		{"Windows Server 2022 node, process row", ws2022Runtime(), criExpect(), evidence.CRIRows[0], true, ""},
		{"Windows node, hyperv row under CONFORMANCE_ISOLATION=process", ws2022Runtime(), processOnly, evidence.CRIRows[1], false, "isolation hyperv is not under test (CONFORMANCE_ISOLATION=process)"},
		{"Windows node, Linux row", ws2022Runtime(), criExpect(), evidence.CRIRows[2], false, "the runtime's host runs windows"},
		// CONFORMANCE_ISOLATION names Windows modes: a Linux row runs whatever it says.
		{"Linux node, default row under CONFORMANCE_ISOLATION=process", linuxRuntime(), processOnly, evidence.CRIRows[2], true, ""},
		{"Linux node, Windows row", linuxRuntime(), criExpect(), evidence.CRIRows[0], false, "the runtime's host runs linux"},
		{"host probe failed", noHost, criExpect(), evidence.CRIRows[2], false, "the runtime's host runs an unknown OS"},
	}
	for _, tc := range tests {
		runs, reason := CRIRowApplies(tc.r, tc.e, tc.row)
		assert.Check(t, is.Equal(runs, tc.runs), tc.doc)
		assert.Check(t, is.Equal(reason, tc.reason), tc.doc)
	}

	// A Windows sandbox needs its handler configured; only a row that runs a
	// container needs the workload image.
	assert.Check(t, is.DeepEqual(CRIStartNeeds(evidence.CRIRows[1]), []string{RuntimeReachable, RuntimeReady, SandboxImage, RuntimeHandlers, WorkloadImage}))
	assert.Check(t, is.DeepEqual(CRIStartNeeds(evidence.CRIRows[2]), []string{RuntimeReachable, RuntimeReady, SandboxImage, WorkloadImage}))
	assert.Check(t, is.DeepEqual(CRIStartNeeds(evidence.CRIRows[3]), []string{RuntimeReachable, RuntimeReady, SandboxImage}))
}

func TestCRISandboxEdges(t *testing.T) {
	sandbox := func(edit func(*evidence.Pod)) func() Verdict {
		return func() Verdict {
			p := evidence.Pod{Row: evidence.CRIRow{Platform: "windows", Mode: "process"}, Handler: "runhcs-wcow-process", SandboxID: "3f1e",
				SandboxHandler: "runhcs-wcow-process", SandboxState: "SANDBOX_READY"}
			edit(&p)
			return CheckSandbox(p)
		}
	}
	checkCRIRows(t, []criVerdictRow{
		{"ready with its handler", sandbox(func(*evidence.Pod) {}), Pass, `sandbox ready with handler "runhcs-wcow-process"`, ""},
		// The process handler renamed away in config.toml: the fix names the
		// process handler's variable, not the hypervisor's.
		{"process handler not configured", sandbox(func(p *evidence.Pod) {
			p.RunErr = &evidence.Failure{Kind: evidence.KindSystem, Message: `failed to get sandbox runtime: no runtime for "runhcs-wcow-process" is configured`}
		}), Fail, `runtime handler "runhcs-wcow-process" is not configured`, config.EnvHandlerProcess},
		{"containerd's pipe closed during RunPodSandbox", sandbox(func(p *evidence.Pod) {
			p.RunErr = &evidence.Failure{Kind: evidence.KindConnection, Message: "rpc error: code = Unavailable desc = error reading from server: EOF"}
		}), Fail, LostConnection + " at RunPodSandbox", ""},
		// The CNI plugin's error as containerd 1.7 wraps it.
		{"nat network missing", sandbox(func(p *evidence.Pod) {
			p.RunErr = &evidence.Failure{Kind: evidence.KindSystem, Message: `failed to setup network for sandbox "3f1e": plugin type="nat" name="nat" failed (add): error creating endpoint hcnCreateEndpoint failed`}
		}), Fail, "the sandbox's network could not be set up: failed to setup network", "install a CNI config"},
		{"CNI named only in upper case", sandbox(func(p *evidence.Pod) {
			p.RunErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "CNI plugin not initialized"}
		}), Fail, "network could not be set up", "CNI conf_dir"},
		// The pause image of another build under process isolation
		// (HCS_E_IMAGE_MISMATCH at the sandbox's compute system).
		{"pause image of Windows Server 2019 on 2022", sandbox(func(p *evidence.Pod) {
			p.RunErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "failed to create containerd task: hcs::CreateComputeSystem 3f1e: The container operating system does not match the host operating system.\nsecond"}
		}), Fail, "the sandbox image does not fit the host build: failed to create containerd task: hcs::CreateComputeSystem 3f1e: The container operating system does not match the host operating system.", "pause image of this host's build"},
		{"a shim that timed out", sandbox(func(p *evidence.Pod) {
			p.RunErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "failed to start sandbox container task: context deadline exceeded: unknown"}
		}), Fail, "RunPodSandbox failed: failed to start sandbox container task", "look at containerd's log for the sandbox's error"},
		{"PodSandboxStatus failed", sandbox(func(p *evidence.Pod) {
			p.SandboxErr = &evidence.Failure{Kind: evidence.KindNotFound, Message: `an error occurred when try to find sandbox "3f1e": not found`}
		}), Fail, `PodSandboxStatus failed: an error occurred when try to find sandbox "3f1e": not found`, "look at containerd's log"},
	})
}

func TestCRIStartEdges(t *testing.T) {
	start := func(platform string, edit func(*evidence.Pod)) func() Verdict {
		return func() Verdict {
			mode := map[string]string{"windows": "process", "linux": "default"}[platform]
			p := evidence.Pod{Row: evidence.CRIRow{Platform: platform, Mode: mode}, SandboxID: "3f1e", ContainerID: "9a8b", ContainerState: "CONTAINER_RUNNING", PID: 5000}
			edit(&p)
			return CheckCRIStart(p)
		}
	}
	mismatch := "failed to create containerd task: failed to create shim task: hcs::CreateComputeSystem 9a8b: The container operating system does not match the host operating system.: unknown"
	checkCRIRows(t, []criVerdictRow{
		{"Windows: ping runs", start("windows", func(*evidence.Pod) {}), Pass, "ping localhost -t runs with pid 5000", ""},
		{"Linux: ping runs", start("linux", func(*evidence.Pod) {}), Pass, "ping localhost runs with pid 5000", ""},
		// The pid is a host pid; 1 is a legal one (a Linux node's init is
		// never a container's, but the rule only needs a pid).
		{"pid 1", start("linux", func(p *evidence.Pod) { p.PID = 1 }), Pass, "runs with pid 1", ""},
		// A containerd whose verbose ContainerStatus has no "pid".
		{"no pid in the verbose info", start("windows", func(p *evidence.Pod) { p.PID = 0 }), Fail, "the runtime reports no pid for the running container", "verbose info"},
		{"CreateContainer refused", start("windows", func(p *evidence.Pod) {
			p.CreateErr = &evidence.Failure{Kind: evidence.KindSystem, Message: `failed to create containerd container: get image: image "x:1": not found`}
		}), Fail, "CreateContainer failed: failed to create containerd container", "look at containerd's log for the container's error"},
		// A workload image of another build fails at the task's compute
		// system, i.e. at StartContainer (containerd creates the task there).
		{"StartContainer: workload image of another build", start("windows", func(p *evidence.Pod) {
			p.StartErr = &evidence.Failure{Kind: evidence.KindSystem, Message: mismatch}
		}), Fail, "StartContainer failed: " + mismatch, "use a workload image of the host's build (" + config.EnvImage + ")"},
		{"StartContainer: containerd stopped answering", start("windows", func(p *evidence.Pod) {
			p.StartErr = &evidence.Failure{Kind: evidence.KindConnection, Message: "rpc error: code = Unavailable desc = error reading from server: EOF"}
		}), Fail, LostConnection + " at StartContainer", ""},
		{"ContainerStatus failed", start("windows", func(p *evidence.Pod) {
			p.StatusErr = &evidence.Failure{Kind: evidence.KindNotFound, Message: `an error occurred when try to find container "9a8b": not found`}
		}), Fail, `the container never ran: an error occurred when try to find container "9a8b": not found`, "look at containerd's log"},
		// cri-api ContainerState: the workload exited before the status.
		{"workload exited", start("linux", func(p *evidence.Pod) { p.ContainerState, p.PID = "CONTAINER_EXITED", 0 }), Fail, "the container is CONTAINER_EXITED, want CONTAINER_RUNNING", "the workload exited"},
	})
	v := start("windows", func(p *evidence.Pod) {
		p.StartErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "failed to start containerd task: hcs::System::Start: context deadline exceeded: unknown"}
	})()
	assert.Check(t, is.Equal(v.Fix, "look at containerd's log for the container's error"), "a timeout is no image mismatch")
	assert.Check(t, is.DeepEqual(v.Evidence, []string{"StartContainer: failed to start containerd task: hcs::System::Start: context deadline exceeded: unknown"}))
}

func TestCRIIsolationMoreEdges(t *testing.T) {
	linuxPod := func(edit func(*evidence.Pod)) func() Verdict {
		return func() Verdict {
			after := hostprobe.Snapshot{SelfPID: 100, Processes: []hostprobe.Process{
				{PID: 100, Name: "conformance.test", PIDNamespace: "pid:[4026531836]"},
				{PID: 6636, Name: "ping", PIDNamespace: "pid:[4026532301]"},
			}}
			p := evidence.Pod{Row: evidence.CRIRow{Platform: "linux", Mode: "default"}, SandboxID: "3f1e", PID: 6636, ContainerState: "CONTAINER_RUNNING", After: &after}
			edit(&p)
			return CheckCRIIsolation(linuxRuntime(), p)
		}
	}
	checkCRIRows(t, []criVerdictRow{
		{"ping in its own PID namespace", linuxPod(func(*evidence.Pod) {}), Pass, "the workload is host process 6636 in its own PID namespace pid:[4026532301]", ""},
		// runc with the pod's PID namespace shared with the host (hostPID).
		{"ping in the host's PID namespace", linuxPod(func(p *evidence.Pod) { p.After.Processes[1].PIDNamespace = "pid:[4026531836]" }), Fail, "the workload runs in the harness's PID namespace pid:[4026531836]", "own PID namespace"},
		// A gate run without CAP_SYS_PTRACE cannot read another user's ns link.
		{"the workload's namespace unreadable", linuxPod(func(p *evidence.Pod) { p.After.Processes[1].PIDNamespace = "" }), Pass, "the workload is host process 6636", ""},
		{"the harness's namespace unreadable", linuxPod(func(p *evidence.Pod) { p.After.Processes[0].PIDNamespace = "" }), Pass, "the workload is host process 6636", ""},
		{"no host snapshot, probe error", linuxPod(func(p *evidence.Pod) {
			p.After, p.HostErr = nil, &evidence.Failure{Kind: evidence.KindOther, Message: "open /proc: permission denied"}
		}), Fail, "no host snapshot after the start: open /proc: permission denied", "elevated"},
		{"no host snapshot, no error", linuxPod(func(p *evidence.Pod) { p.After = nil }), Fail, "no host snapshot after the start", "the host probe failed"},
	})
	v := linuxPod(func(p *evidence.Pod) { p.After.Processes[0].PIDNamespace = "" })()
	assert.Check(t, is.DeepEqual(v.Warnings, []string{"PID namespaces could not be read: the namespace is not judged"}))
	v = linuxPod(func(p *evidence.Pod) { p.After = nil })()
	assert.Check(t, is.Equal(v.Message, "no host snapshot after the start"))

	// The gate run inside a container given containerd's pipe: its host
	// probe sees the container's processes, not the node's.
	r, p := processPod()
	r.Host.InContainer = []string{"CExecSvc.exe runs (the container's exec service)"}
	v = CheckCRIIsolation(r, p)
	assert.Check(t, is.Equal(v.Status, Fail))
	assert.Check(t, is.Equal(v.Message, InContainerMessage))
}

func TestCRIProcessTreeExecErrors(t *testing.T) {
	_, p := hyperVPod()
	// hcsshim's exec in a utility VM whose GCS died.
	p.ExecErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "failed to exec in container: failed to start exec \"e1\": guest RPC failure: unknown\nmore"}
	v := CheckCRIProcessTree(p)
	assert.Check(t, is.Equal(v.Status, Fail))
	assert.Check(t, is.Equal(v.Message, `ExecSync of tasklist failed: failed to exec in container: failed to start exec "e1": guest RPC failure: unknown`))
	assert.Check(t, is.DeepEqual(v.Evidence, []string{"ExecSync tasklist: " + p.ExecErr.Message}))
	assert.Check(t, is.Contains(v.Fix, "kubectl exec"))

	p.ExecErr = &evidence.Failure{Kind: evidence.KindConnection, Message: "rpc error: code = Unavailable desc = error reading from server: EOF"}
	v = CheckCRIProcessTree(p)
	assert.Check(t, is.Contains(v.Message, LostConnection+" at ExecSync"))
	assert.Check(t, is.Contains(strings.Join(v.Evidence, "\n"), "ExecSync tasklist: rpc error"))
}

func TestParseProcessListHeaderWithoutCommand(t *testing.T) {
	// busybox in a scratch image prints uid 0 (no /etc/passwd); a header
	// without a COMMAND column (ps -o pid,user) gives no process, and rows
	// under it are never read with a column that does not exist.
	assert.Check(t, is.Len(ParseProcessList("linux", "PID   USER\n    1 0\n    7 0\n"), 0))
	assert.Check(t, is.DeepEqual(ParseProcessList("linux", "PID   USER\n    1 0\nPID   USER     COMMAND\n    7 0        ping localhost\n"), []ListedProcess{{PID: 7, Name: "ping"}}),
		"a later full header is still read")
}

func TestCRIHostSideEdges(t *testing.T) {
	linux := linuxRuntime()
	v := CheckServiceContainerd(linux)
	assert.Check(t, is.Equal(v.Status, Skip), "a Linux node has no Windows services: %s", v)

	// vmcompute and vmms are Docker's rules, read from the containerd
	// host's services (a Windows Server 2022 node: vmcompute on demand).
	r := ws2022Runtime()
	assert.Check(t, is.Equal(CheckCRIServiceVmcompute(r).Status, Pass))
	assert.Check(t, is.Equal(CheckCRIServiceVmms(r, criExpect()).Status, Pass))
	r.Services[2].State = "stopped"
	assert.Check(t, is.Equal(CheckCRIServiceVmms(r, criExpect()).Status, Fail), "CONFORMANCE_HYPERV=require and vmms stopped")
	r.Services[1].Exists = false
	assert.Check(t, is.Equal(CheckCRIServiceVmcompute(r).Status, Fail), "no Containers feature: no vmcompute")

	// A utility VM whose RuntimeId HCS reports as the zero GUID (seen on
	// hosts where the property is not filled): no process is attributed
	// to "NT VIRTUAL MACHINE\00000000-...", the gate warns and passes.
	rt, p := hyperVPod()
	p.After.HCS.Systems[0].RuntimeID = zeroGUID
	p.After.Processes = append(p.After.Processes, hostprobe.Process{PID: 4100, Name: "vmmem", Owner: `NT VIRTUAL MACHINE\` + zeroGUID})
	v = CheckCRIIsolation(rt, p)
	assert.Check(t, is.Equal(v.Status, Pass), v.String())
	assert.Check(t, is.Len(v.Warnings, 1))
	assert.Check(t, is.Len(VMAccountProcesses(*p.After, "{"+strings.ToUpper(zeroGUID)+"}"), 0))

	// Sessions unreadable (a non-elevated token cannot query another
	// session's process): the container session is not judged.
	rt, p = processPod()
	p.After.Processes[1].Session = nil
	v = CheckCRIIsolation(rt, p)
	assert.Check(t, is.Equal(v.Status, Pass), v.String())
	assert.Check(t, is.DeepEqual(v.Warnings, []string{"sessions could not be read: the container session is not judged"}))

	// A refusal row whose RunPodSandbox lost containerd.
	refusal := evidence.Pod{Row: evidence.CRIRows[3], Handler: evidence.UnknownHandler,
		RunErr: &evidence.Failure{Kind: evidence.KindConnection, Message: "rpc error: code = Unavailable desc = error reading from server: EOF"}}
	assert.Check(t, is.Contains(CheckHandlerRefused(refusal).Message, LostConnection+" at RunPodSandbox"))

	// A row whose sandbox never came: nothing to clean up.
	assert.Check(t, is.Equal(CheckCRICleanup(evidence.Pod{Row: evidence.CRIRows[0]}).Status, Pass))

	// A line of ps that is no process (a message about a process that
	// exited while ps read /proc, in the same stream).
	assert.Check(t, is.DeepEqual(ParseProcessList("linux", "PID   USER     COMMAND\n    7 0        ping localhost\nps: can't open '/proc/12/stat'\n"), []ListedProcess{{PID: 7, Name: "ping"}}))
}
