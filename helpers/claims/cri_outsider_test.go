package claims

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// The containerd (CRI) claims, each row a host situation and the WHOLE
// verdict a platform engineer reads for it: status, message, evidence, fix and
// warnings. A change of any rule, wording or fix text fails a row. Sources
// beside each row; the containerd/hcsshim facts are those of cri_edges_test.go
// (containerd internal/cri/server, hcsshim cmd/containerd-shim-runhcs-v1,
// k8s.io/cri-api api.proto, Microsoft "Windows containers in Kubernetes").

type criWholeRow struct {
	doc  string
	got  func() Verdict
	want Verdict
}

func checkWholeCRIVerdicts(t *testing.T, rows []criWholeRow) {
	t.Helper()
	for _, tc := range rows {
		t.Run(tc.doc, func(t *testing.T) {
			got := tc.got()
			assert.Check(t, is.DeepEqual(got, tc.want), "got:\n%s\nwant:\n%s", got, tc.want)
		})
	}
}

const ws2022Pipe = "npipe:////./pipe/containerd-containerd"

// vmmemWorker is the evidence line of hyperVPod's vmmem, running as its utility VM's account.
const vmmemWorker = `its worker: 4000 (session unknown, owner NT VIRTUAL MACHINE\0F3C2E5A-1B2C-4D5E-8F90-123456789ABC) running as NT VIRTUAL MACHINE\0f3c2e5a-1b2c-4d5e-8f90-123456789abc`

// handlerFix is the fix runtime-handlers gives when a row's handler is missing.
const handlerFix = `add them to containerd's config.toml ([plugins."io.containerd.grpc.v1.cri".containerd.runtimes.<name>] with runtime_type "io.containerd.runhcs.v1" and, for the hypervisor handler, SandboxIsolation = 1 in its options; containerd 1.7 and later configure runhcs-wcow-process and runhcs-wcow-hypervisor by default) and restart containerd, or name the configured ones with CONFORMANCE_HANDLER_PROCESS/CONFORMANCE_HANDLER_HYPERV`

func TestCRIProvisioningWholeVerdicts(t *testing.T) {
	reach := func(edit func(*evidence.Runtime)) func() Verdict {
		return func() Verdict {
			r := ws2022Runtime()
			edit(&r)
			return CheckRuntimeReachable(r)
		}
	}
	version := func(edit func(*evidence.Runtime, *config.Expectations)) func() Verdict {
		return func() Verdict {
			r, e := ws2022Runtime(), criExpect()
			edit(&r, &e)
			return CheckRuntimeVersion(r, e)
		}
	}
	ready := func(edit func(*evidence.Runtime)) func() Verdict {
		return func() Verdict {
			r := ws2022Runtime()
			edit(&r)
			return CheckRuntimeReady(r)
		}
	}
	handlers := func(edit func(*evidence.Runtime, *config.Expectations)) func() Verdict {
		return func() Verdict {
			r, e := ws2022Runtime(), criExpect()
			edit(&r, &e)
			return CheckRuntimeHandlers(r, e)
		}
	}
	service := func(edit func(*evidence.Runtime)) func() Verdict {
		return func() Verdict {
			r := ws2022Runtime()
			edit(&r)
			return CheckServiceContainerd(r)
		}
	}
	conds := func(rt, net string) []string {
		return []string{rt, net}
	}
	checkWholeCRIVerdicts(t, []criWholeRow{
		// Windows Server 2022 node, containerd 1.7.20 (Version of CRI v1).
		{"containerd 1.7 answers Version over its pipe", reach(func(*evidence.Runtime) {}),
			Verdict{Status: Pass, Message: "CRI runtime at " + ws2022Pipe + " answered: containerd v1.7.20, CRI v1",
				Evidence: []string{`Version: runtime_name "containerd", runtime_version "v1.7.20", runtime_api_version "v1"`}}},
		// containerd 1.5 (or a 1.6 built without v1) answers only v1alpha2.
		{"a runtime that serves CRI v1alpha2", reach(func(r *evidence.Runtime) { r.Version, r.APIVersion = "v1.5.18", "v1alpha2" }),
			Verdict{Status: Fail, Message: `runtime containerd v1.5.18 serves CRI "v1alpha2", want "v1"`,
				Fix:      "upgrade the runtime to one that serves CRI v1 (containerd 1.6 or later)",
				Evidence: []string{`Version: runtime_name "containerd", runtime_version "v1.5.18", runtime_api_version "v1alpha2"`}}},
		// disabled_plugins = ["io.containerd.grpc.v1.cri"] (Docker's own
		// containerd ships it so): grpc answers Unimplemented with these words.
		{"the CRI plugin disabled", reach(func(r *evidence.Runtime) {
			r.Unreachable = &evidence.Failure{Kind: evidence.KindOther, Message: "rpc error: code = Unimplemented desc = unknown service runtime.v1.RuntimeService"}
		}),
			Verdict{Status: Fail, Message: "cannot reach the CRI runtime at " + ws2022Pipe + ": it does not serve CRI v1 (the CRI plugin is disabled, or the runtime is older than containerd 1.6)",
				Fix:      `remove "cri" from disabled_plugins in containerd's config.toml and restart containerd; upgrade containerd to 1.6 or later`,
				Evidence: []string{"error: rpc error: code = Unimplemented desc = unknown service runtime.v1.RuntimeService"}}},
		// containerd's pipe absent: the service is stopped.
		{"nothing listens on the pipe", reach(func(r *evidence.Runtime) {
			r.Unreachable = &evidence.Failure{Kind: evidence.KindConnection, Message: "connection error: open //./pipe/containerd-containerd: The system cannot find the file specified."}
		}),
			Verdict{Status: Fail, Message: "cannot reach the CRI runtime at " + ws2022Pipe + ": nothing answers there",
				Fix:      "start containerd (Windows: Start-Service containerd; Linux: systemctl start containerd), or point CONTAINER_RUNTIME_ENDPOINT at its socket or pipe",
				Evidence: []string{"error: connection error: open //./pipe/containerd-containerd: The system cannot find the file specified."}}},
		{"access denied on the pipe", reach(func(r *evidence.Runtime) {
			r.Unreachable = &evidence.Failure{Kind: evidence.KindConnection, Message: `open \\.\pipe\containerd-containerd: Access is denied.`}
		}),
			Verdict{Status: Fail, Message: "cannot reach the CRI runtime at " + ws2022Pipe + ": access denied",
				Fix:      "run elevated (an Administrator shell on Windows, root on Linux)",
				Evidence: []string{`error: open \\.\pipe\containerd-containerd: Access is denied.`}}},

		// runtime-version: the default constraint (>=1.6) at, below and
		// above its bound; a user's constraint; another CRI runtime.
		{"default constraint, containerd 1.6.0 at the bound", version(func(r *evidence.Runtime, e *config.Expectations) { r.Version, e.CRI = "v1.6.0", nil }),
			Verdict{Status: Pass, Message: "containerd v1.6.0 satisfies >=1.6", Evidence: []string{`runtime "containerd" version "v1.6.0"; CONFORMANCE_RUNTIME_VERSION ">=1.6"`}}},
		{"default constraint, containerd 1.5.99 one below", version(func(r *evidence.Runtime, e *config.Expectations) { r.Version, e.CRI = "1.5.99", nil }),
			Verdict{Status: Fail, Message: "containerd 1.5.99 does not satisfy >=1.6",
				Fix:      "install containerd >=1.6 (the node image's containerd package), or change CONFORMANCE_RUNTIME_VERSION",
				Evidence: []string{`runtime "containerd" version "1.5.99"; CONFORMANCE_RUNTIME_VERSION ">=1.6"`}}},
		{"a user's constraint >=1.7, containerd 1.6.28", version(func(r *evidence.Runtime, _ *config.Expectations) { r.Version = "v1.6.28" }),
			Verdict{Status: Fail, Message: "containerd v1.6.28 does not satisfy >=1.7",
				Fix:      "install containerd >=1.7 (the node image's containerd package), or change CONFORMANCE_RUNTIME_VERSION",
				Evidence: []string{`runtime "containerd" version "v1.6.28"; CONFORMANCE_RUNTIME_VERSION ">=1.7"`}}},
		// CRI-O answers Version with runtime_name "cri-o".
		{"CRI-O behind the endpoint", version(func(r *evidence.Runtime, _ *config.Expectations) { r.Name, r.Version = "cri-o", "1.30.0" }),
			Verdict{Status: Fail, Message: `the CRI runtime is "cri-o", not containerd`,
				Fix:      "point CONTAINER_RUNTIME_ENDPOINT at containerd's endpoint, or gate this runtime another way",
				Evidence: []string{`runtime "cri-o" version "1.30.0"; CONFORMANCE_RUNTIME_VERSION ">=1.7"`}}},

		// runtime-ready: containerd's Status conditions, reason and message
		// quoted in the evidence.
		{"RuntimeReady false with containerd's reason", ready(func(r *evidence.Runtime) {
			r.Conditions[0] = evidence.RuntimeCondition{Type: "RuntimeReady", Reason: "RuntimeNotReady", Message: "runtime not ready\nsecond line"}
		}),
			Verdict{Status: Fail, Message: "the runtime is not ready (RuntimeReady false: RuntimeNotReady runtime not ready)",
				Fix:      "look at containerd's log for the CRI plugin's error and restart containerd",
				Evidence: conds("RuntimeReady=false RuntimeNotReady runtime not ready", "NetworkReady=true  ")}},
		// Linux node not joined to a cluster: no CNI config.
		{"Linux node without a CNI config", func() Verdict {
			r := linuxRuntime()
			r.Conditions[1] = evidence.RuntimeCondition{Type: "NetworkReady", Reason: "NetworkPluginNotReady", Message: "Network plugin returns error: cni plugin not initialized"}
			return CheckRuntimeReady(r)
		},
			Verdict{Status: Pass, Message: "the runtime is ready",
				Evidence: conds("RuntimeReady=true  ", "NetworkReady=false NetworkPluginNotReady Network plugin returns error: cni plugin not initialized"),
				Warnings: []string{"NetworkReady is false: NetworkPluginNotReady Network plugin returns error: cni plugin not initialized: pods on the pod network cannot start until a CNI config is installed (the rows use the node's network)"}}},
		{"Linux node whose Status has no NetworkReady", func() Verdict {
			r := linuxRuntime()
			r.Conditions = r.Conditions[:1]
			return CheckRuntimeReady(r)
		},
			Verdict{Status: Pass, Message: "the runtime is ready", Evidence: []string{"RuntimeReady=true  "},
				Warnings: []string{"NetworkReady is not reported: pods on the pod network cannot start until a CNI config is installed (the rows use the node's network)"}}},

		{"Status unanswered", ready(func(r *evidence.Runtime) {
			r.StatusErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "rpc error: code = Unknown desc = failed to get runtime status"}
		}),
			Verdict{Status: Fail, Message: "the runtime did not answer Status: rpc error: code = Unknown desc = failed to get runtime status",
				Fix:      "look at containerd's log: the CRI plugin failed to start",
				Evidence: []string{"error: rpc error: code = Unknown desc = failed to get runtime status"}}},
		// runtime-handlers on a Windows node.
		{"containerd 2.0 reports both default handlers", handlers(func(r *evidence.Runtime, _ *config.Expectations) { r.HandlersFrom = "runtime_handlers" }),
			Verdict{Status: Pass, Message: "the rows' handlers are configured",
				Evidence: []string{`handlers (from runtime_handlers): "runhcs-wcow-hypervisor", "runhcs-wcow-process"`}}},
		// containerd 1.6's default config has only runhcs-wcow-process.
		{"containerd 1.6: only the process handler", handlers(func(r *evidence.Runtime, _ *config.Expectations) { r.Handlers = []string{"runhcs-wcow-process"} }),
			Verdict{Status: Fail, Message: "runtime handler(s) not configured: runhcs-wcow-hypervisor (hyperv)", Fix: handlerFix,
				Evidence: []string{`handlers (from config): "runhcs-wcow-process"`}}},
		{"the process handler renamed away, hyperv not under test", handlers(func(r *evidence.Runtime, e *config.Expectations) {
			r.Handlers = []string{"runhcs-wcow-hypervisor"}
			e.Isolation = []string{"process"}
		}),
			Verdict{Status: Fail, Message: "runtime handler(s) not configured: runhcs-wcow-process (process)", Fix: handlerFix,
				Evidence: []string{`handlers (from config): "runhcs-wcow-hypervisor"`}}},
		// A config.toml whose runtimes only name runc-like leftovers.
		{"neither Windows handler configured", handlers(func(r *evidence.Runtime, _ *config.Expectations) { r.Handlers = []string{"runhcs"} }),
			Verdict{Status: Fail, Message: "runtime handler(s) not configured: runhcs-wcow-process (process), runhcs-wcow-hypervisor (hyperv)", Fix: handlerFix,
				Evidence: []string{`handlers (from config): "runhcs"`}}},
		{"no handlers reported by an old containerd", handlers(func(r *evidence.Runtime, _ *config.Expectations) { r.Handlers, r.HandlersFrom = nil, "" }),
			Verdict{Status: Pass, Message: "the runtime reports no handlers; each row's sandbox proves its own",
				Warnings: []string{"neither Status.runtime_handlers nor the verbose CRI config lists runtime handlers"}}},
		{"Linux node", func() Verdict { return CheckRuntimeHandlers(linuxRuntime(), criExpect()) },
			Verdict{Status: Pass, Message: `Linux rows use the default handler; configured: "runc"`, Evidence: []string{"handlers from config"}}},
		{"Linux node reporting nothing", func() Verdict {
			r := linuxRuntime()
			r.Handlers, r.HandlersFrom = nil, ""
			return CheckRuntimeHandlers(r, criExpect())
		},
			Verdict{Status: Pass, Message: "Linux rows use the default handler; configured: none reported", Evidence: []string{"handlers from nothing"}}},

		// service-containerd: the Windows service states (sc.exe query)
		// and start types (Automatic, Automatic (Delayed Start), Manual,
		// Disabled).
		{"containerd service running, automatic", service(func(*evidence.Runtime) {}),
			Verdict{Status: Pass, Message: "containerd service running, starts automatically", Evidence: []string{"service containerd: running, start type auto"}}},
		{"containerd service stuck in start pending", service(func(r *evidence.Runtime) { r.Services[0].State = "start-pending" }),
			Verdict{Status: Fail, Message: "the containerd service is start-pending", Fix: "Start-Service containerd",
				Evidence: []string{"service containerd: start-pending, start type auto"}}},
		{"containerd service state unreadable", service(func(r *evidence.Runtime) { r.Services[0].State = "" }),
			Verdict{Status: Fail, Message: "the containerd service is not running", Fix: "Start-Service containerd",
				Evidence: []string{"service containerd: , start type auto"}}},
		{"containerd service disabled", service(func(r *evidence.Runtime) { r.Services[0].StartType = "disabled" }),
			Verdict{Status: Fail, Message: "the containerd service does not start with Windows (start type disabled)", Fix: "Set-Service containerd -StartupType Automatic",
				Evidence: []string{"service containerd: running, start type disabled"}}},
		{"containerd never registered as a service", service(func(r *evidence.Runtime) { r.Services = r.Services[1:] }),
			Verdict{Status: Fail, Message: "the containerd service is not registered",
				Fix:      `containerd.exe --register-service; Start-Service containerd (or the node image's install step)`,
				Evidence: []string{"service containerd: not installed"}}},
	})
}

func TestCRIImageWholeVerdicts(t *testing.T) {
	pullFailed := func(r evidence.Runtime, ref, msg string) func() Verdict {
		return func() Verdict {
			r.Image = evidence.CRIImage{Ref: ref, Err: &evidence.Failure{Kind: evidence.KindNotFound, Message: msg}}
			return CheckWorkloadImage(r, criExpect())
		}
	}
	noPlatform := `rpc error: code = NotFound desc = failed to pull and unpack image "mcr.microsoft.com/windows/nanoserver:ltsc2025": no match for platform in manifest: not found`
	noHost := "rpc error: code = Unknown desc = failed to pull and unpack image: failed to resolve reference: dial tcp: lookup registry.corp: no such host"
	noTag := `rpc error: code = NotFound desc = failed to pull and unpack image "mcr.microsoft.com/windows/nanoserver:ltsc2030": failed to resolve reference: manifest unknown`
	onHost := func(build string, modes []string, edit func(*evidence.Runtime)) func(func(evidence.Runtime, config.Expectations) Verdict) func() Verdict {
		return func(check func(evidence.Runtime, config.Expectations) Verdict) func() Verdict {
			return func() Verdict {
				r, e := ws2022Runtime(), criExpect()
				r.Host.Build = build
				e.Isolation = modes
				if edit != nil {
					edit(&r)
				}
				return check(r, e)
			}
		}
	}
	pause2022 := `sandbox image mcr.microsoft.com/oss/kubernetes/pause:3.9: id , os "windows", os.version "10.0.20348.2340"`
	nano2022 := `workload image mcr.microsoft.com/windows/nanoserver:ltsc2022: id , os "windows", os.version "10.0.20348.2340"`
	checkWholeCRIVerdicts(t, []criWholeRow{
		// A Windows Server 2019 node (17763) given the ltsc2022 pause image
		// under Hyper-V isolation only: a utility VM cannot run an image
		// newer than its host (Microsoft: Windows container version
		// compatibility).
		{"Server 2019 node, ltsc2022 pause image, hyperv only", onHost("17763", []string{"hyperv"}, nil)(CheckSandboxImage),
			Verdict{Status: Fail, Message: "the sandbox image is built for 20348, which hyperv isolation cannot run on build 17763",
				Fix: FitFix(Fit{Host: 17763, Modes: []string{"hyperv"}, Image: "mcr.microsoft.com/oss/kubernetes/pause:3.9"}), Evidence: []string{pause2022}}},
		{"Server 2019 node, ltsc2022 workload image, both modes", onHost("17763", nil, nil)(CheckWorkloadImage),
			Verdict{Status: Fail, Message: "the workload image is built for 20348, which process and hyperv isolation cannot run on build 17763",
				Fix: FitFix(Fit{Host: 17763, Modes: []string{"process", "hyperv"}, Image: "mcr.microsoft.com/windows/nanoserver:ltsc2022"}), Evidence: []string{nano2022}}},
		// Server 2025 (26100): an ltsc2022 image runs under both modes
		// (hcsshim's rule admits 20348 on 26100 for process isolation).
		{"Server 2025 node, ltsc2022 workload image", onHost("26100", nil, nil)(CheckWorkloadImage),
			Verdict{Status: Pass, Message: "workload image mcr.microsoft.com/windows/nanoserver:ltsc2022 (build 20348) fits host build 26100", Evidence: []string{nano2022}}},
		// The host's build could not be read: the fit is not judged.
		{"host build unknown", onHost("", nil, nil)(CheckSandboxImage),
			Verdict{Status: Pass, Message: "sandbox image mcr.microsoft.com/oss/kubernetes/pause:3.9 is present", Evidence: []string{pause2022},
				Warnings: []string{"the build of the sandbox image or of the host is unknown: its fit is not judged"}}},
		{"image build unknown", onHost("20348", nil, func(r *evidence.Runtime) { r.Image.OSVersion = "" })(CheckWorkloadImage),
			Verdict{Status: Pass, Message: "workload image mcr.microsoft.com/windows/nanoserver:ltsc2022 is present",
				Evidence: []string{`workload image mcr.microsoft.com/windows/nanoserver:ltsc2022: id , os "windows", os.version ""`},
				Warnings: []string{"the build of the workload image or of the host is unknown: its fit is not judged"}}},
		// A node image built without the pause image and no registry.
		{"pause image not on the node", onHost("20348", nil, func(r *evidence.Runtime) { r.SandboxImage.Present = false })(CheckSandboxImage),
			Verdict{Status: Fail, Message: "the sandbox image mcr.microsoft.com/oss/kubernetes/pause:3.9 is not on the node",
				Fix:      "pull it in the image build (ctr -n k8s.io images pull mcr.microsoft.com/oss/kubernetes/pause:3.9, or crictl pull mcr.microsoft.com/oss/kubernetes/pause:3.9) so that the first pod does not depend on the registry",
				Evidence: []string{"ImageStatus: no image"}}},
		{"workload image absent under CONFORMANCE_PULL=never", func() Verdict {
			r, e := ws2022Runtime(), criExpect()
			r.Image.Present, e.Pull = false, config.PullNever
			return CheckWorkloadImage(r, e)
		},
			Verdict{Status: Fail, Message: "the workload image mcr.microsoft.com/windows/nanoserver:ltsc2022 is not on the node and CONFORMANCE_PULL=never",
				Fix:      "pull it (crictl pull mcr.microsoft.com/windows/nanoserver:ltsc2022) or set CONFORMANCE_PULL=missing",
				Evidence: []string{"ImageStatus: no image"}}},
		// containerd's words for a tag without a variant for the node's
		// build (kubernetes-sigs/sig-windows-tools#237: an 1809 image on a
		// Server 2022 node; containerd/containerd#6989): the registry
		// answered, the fix is this host's tag, never reachability.
		{"Server 2022 node pulling an ltsc2025 tag", pullFailed(ws2022Runtime(), "mcr.microsoft.com/windows/nanoserver:ltsc2025", noPlatform),
			Verdict{Status: Fail, Message: "the workload image mcr.microsoft.com/windows/nanoserver:ltsc2025 is not available: " + noPlatform,
				Fix:      "the registry has no variant of this image for the host's build: use the image tag for build 20348 (ltsc2022) (set CONFORMANCE_IMAGE)",
				Evidence: []string{"error: " + noPlatform}}},
		{"Linux node pulling a Windows-only image", pullFailed(linuxRuntime(), "mcr.microsoft.com/windows/nanoserver:ltsc2025", noPlatform),
			Verdict{Status: Fail, Message: "the workload image mcr.microsoft.com/windows/nanoserver:ltsc2025 is not available: " + noPlatform,
				Fix:      "the registry has no variant of this image for the node's platform: set CONFORMANCE_IMAGE to an image built for it",
				Evidence: []string{"error: " + noPlatform}}},
		// A node image built behind a proxy that the registry's name does
		// not resolve through: containerd's tools, not docker load.
		{"registry name does not resolve from the node", pullFailed(ws2022Runtime(), "registry.corp/nano:1", noHost),
			Verdict{Status: Fail, Message: "the workload image registry.corp/nano:1 is not available: " + noHost,
				Fix:      "make the image reachable from the node (registry, proxy, credentials in containerd's registry config) or import it (ctr -n k8s.io images import); then re-run",
				Evidence: []string{"error: " + noHost}}},
		{"a tag the registry does not have", pullFailed(ws2022Runtime(), "mcr.microsoft.com/windows/nanoserver:ltsc2030", noTag),
			Verdict{Status: Fail, Message: "the workload image mcr.microsoft.com/windows/nanoserver:ltsc2030 is not available: " + noTag,
				Fix:      "the tag does not exist: set CONFORMANCE_IMAGE to an image built for this daemon's platform",
				Evidence: []string{"error: " + noTag}}},
		{"Linux node, busybox image", func() Verdict { return CheckWorkloadImage(linuxRuntime(), criExpect()) },
			Verdict{Status: Pass, Message: "workload image conformance/busybox:local is present",
				Evidence: []string{`workload image conformance/busybox:local: id , os "linux", os.version ""`}}},
	})
}

// hyperVPodWithHostPID is the hyperv pod whose guest pid 1234 is also the pid
// of an unrelated host process: the guest has its own kernel, so its pids
// and the host's collide by chance (hcsshim: the pid containerd reports for
// a WCOW Hyper-V task is the guest's).
func hyperVPodWithHostPID(name string) (evidence.Runtime, evidence.Pod) {
	r, p := hyperVPod()
	p.After.Processes = append(p.After.Processes, hostprobe.Process{PID: 1234, Name: name, Session: session(0)})
	return r, p
}

func TestCRIIsolationWholeVerdicts(t *testing.T) {
	hcsVM := "HCS compute systems (sandbox sb1): sb1@vm (VirtualMachine, owner containerd-shim-runhcs-v1.exe, RuntimeId {0f3c2e5a-1b2c-4d5e-8f90-123456789abc})"
	hcsProcess := "HCS compute systems (sandbox sb2): sb2 (Container, owner containerd-shim-runhcs-v1.exe, RuntimeId none)"
	ping5000 := "PING.EXE"
	checkWholeCRIVerdicts(t, []criWholeRow{
		{"hyperv pod in its utility VM, vmmem attributed", func() Verdict { return CheckCRIIsolation(hyperVPod()) },
			Verdict{Status: Pass, Message: "the pod runs in utility VM sb1@vm (RuntimeId {0f3c2e5a-1b2c-4d5e-8f90-123456789abc})",
				Evidence: []string{hcsVM, vmmemWorker}}},
		{"hyperv pod whose guest pid is a host svchost", func() Verdict { return CheckCRIIsolation(hyperVPodWithHostPID("svchost.exe")) },
			Verdict{Status: Pass, Message: "the pod runs in utility VM sb1@vm (RuntimeId {0f3c2e5a-1b2c-4d5e-8f90-123456789abc})",
				Evidence: []string{hcsVM, vmmemWorker}}},
		// A physically backed utility VM has no vmmem: nothing runs as its
		// VM account, which is a warning, never a failure.
		{"hyperv pod without a process under its VM account", func() Verdict {
			r, p := hyperVPod()
			p.After.Processes = p.After.Processes[:1]
			return CheckCRIIsolation(r, p)
		},
			Verdict{Status: Pass, Message: "the pod runs in utility VM sb1@vm (RuntimeId {0f3c2e5a-1b2c-4d5e-8f90-123456789abc})", Evidence: []string{hcsVM},
				Warnings: []string{`no process runs as NT VIRTUAL MACHINE\0f3c2e5a-1b2c-4d5e-8f90-123456789abc: the worker is not attributed (a physically backed utility VM has no vmmem; RuntimeId "{0f3c2e5a-1b2c-4d5e-8f90-123456789abc}")`}}},
		{"hyperv pod whose workload also runs on the host", func() Verdict { return CheckCRIIsolation(hyperVPodWithHostPID("PING.EXE")) },
			Verdict{Status: Fail, Message: "the workload's pid 1234 is a host process named PING.EXE: the workload runs on the host beside its utility VM",
				Fix: "this is a runtime fault: report it with the evidence", Evidence: []string{hcsVM, "PING.EXE"}}},
		{"hyperv pod, HCS not read", func() Verdict {
			r, p := hyperVPod()
			p.After.HCS = nil
			return CheckCRIIsolation(r, p)
		},
			Verdict{Status: Fail, Message: "HCS's compute systems could not be read, so the utility VM cannot be seen",
				Fix: "run the gate elevated on the node (HcsEnumerateComputeSystems needs an Administrator)", Evidence: []string{"HCS: not read"}}},
		// The hypervisor handler without SandboxIsolation = 1: runhcs runs
		// the pod as a process-isolated container, no "<id>@vm".
		{"hyperv handler that runs the pod without a VM", func() Verdict {
			r, p := hyperVPod()
			p.After.HCS.Systems = []hostprobe.ComputeSystem{{ID: "sb1", SystemType: "Container", Owner: "containerd-shim-runhcs-v1.exe"}}
			return CheckCRIIsolation(r, p)
		},
			Verdict{Status: Fail, Message: `HCS lists no utility VM sb1@vm: the "runhcs-wcow-hypervisor" handler did not isolate the pod in a VM`,
				Fix:      `configure the handler for Hyper-V isolation: SandboxIsolation = 1 in [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runhcs-wcow-hypervisor.options]`,
				Evidence: []string{"HCS compute systems (sandbox sb1): sb1 (Container, owner containerd-shim-runhcs-v1.exe, RuntimeId none)"}}},
		{"process pod in container session 3", func() Verdict { return CheckCRIIsolation(processPod()) },
			Verdict{Status: Pass, Message: "the workload is host process 5000 in container session 3", Evidence: []string{ping5000, hcsProcess}}},
		// A gate whose own session could not be read (its token lacks
		// the right to query itself is not expected, but the probe may fail).
		{"process pod, the harness's session unreadable", func() Verdict {
			r, p := processPod()
			p.After.Processes[0].Session = nil
			return CheckCRIIsolation(r, p)
		},
			Verdict{Status: Pass, Message: "the workload is host process 5000", Evidence: []string{ping5000, hcsProcess},
				Warnings: []string{"sessions could not be read: the container session is not judged"}}},
		{"process handler configured with SandboxIsolation = 1", func() Verdict {
			r, p := processPod()
			p.After.HCS.Systems = append(p.After.HCS.Systems, hostprobe.ComputeSystem{ID: "sb2@vm", SystemType: "VirtualMachine", Owner: "containerd-shim-runhcs-v1.exe"})
			return CheckCRIIsolation(r, p)
		},
			Verdict{Status: Fail, Message: `HCS lists utility VM sb2@vm for a pod of the process handler "runhcs-wcow-process": the pod is Hyper-V isolated`,
				Fix:      `remove SandboxIsolation = 1 from the options of [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runhcs-wcow-process], or name the process handler with CONFORMANCE_HANDLER_PROCESS`,
				Evidence: []string{ping5000, "HCS compute systems (sandbox sb2): sb2 (Container, owner containerd-shim-runhcs-v1.exe, RuntimeId none); sb2@vm (VirtualMachine, owner containerd-shim-runhcs-v1.exe, RuntimeId none)"}}},
		{"a remote CRI endpoint", func() Verdict {
			r, p := processPod()
			r.Local, r.Target = false, "tcp://10.0.0.5:1234"
			return CheckCRIIsolation(r, p)
		},
			Verdict{Status: Skip, Message: "the CRI endpoint tcp://10.0.0.5:1234 is not local: this host's processes say nothing about it"}},
	})
}

func TestCRIProcessTreeWholeVerdicts(t *testing.T) {
	hyperVList := `ExecSync tasklist: exit 0, stdout "Image Name  PID Session Name Session# Mem Usage\r\n========= ==== ====\r\nSystem Idle Process 0 Services 0 8 K\r\nPING.EXE  1234 Services 0 4,000 K\r\n"`
	checkWholeCRIVerdicts(t, []criWholeRow{
		{"hyperv: the host has no PING.EXE of the guest's pid", func() Verdict { _, p := hyperVPod(); return CheckCRIProcessTree(p) },
			Verdict{Status: Pass, Message: "inside the utility VM, PING.EXE is pid 1234; the host has no such process", Evidence: []string{hyperVList}}},
		{"hyperv: the guest's pid is a host svchost", func() Verdict { _, p := hyperVPodWithHostPID("svchost.exe"); return CheckCRIProcessTree(p) },
			Verdict{Status: Pass, Message: "inside the utility VM, PING.EXE is pid 1234; the host has no such process", Evidence: []string{hyperVList}}},
		{"hyperv: no host snapshot", func() Verdict { _, p := hyperVPod(); p.After = nil; return CheckCRIProcessTree(p) },
			Verdict{Status: Pass, Message: "inside the utility VM, PING.EXE is pid 1234; the host has no such process", Evidence: []string{hyperVList}}},
		{"hyperv: the host has PING.EXE of the guest's pid", func() Verdict { _, p := hyperVPodWithHostPID("PING.EXE"); return CheckCRIProcessTree(p) },
			Verdict{Status: Fail, Message: "the host has a PING.EXE with the guest's pid 1234: the workload is visible on the host", Fix: "this is a runtime fault: report it with the evidence",
				Evidence: []string{hyperVList, "PING.EXE"}}},
		{"process: one kernel, one pid", func() Verdict { _, p := processPod(); return CheckCRIProcessTree(p) },
			Verdict{Status: Pass, Message: "inside, PING.EXE is pid 5000, the host's pid: one kernel",
				Evidence: []string{`ExecSync tasklist: exit 0, stdout "Image Name PID\n===== ===\nPING.EXE 5000 Services 3 4,000 K\n"`}}},
		// busybox's ps in the Linux workload: ping is pid 7 inside, 6636 outside.
		{"linux: its own PID namespace", func() Verdict {
			return CheckCRIProcessTree(evidence.Pod{Row: evidence.CRIRows[2], PID: 6636, ExecCmd: []string{"ps"}, ExecStdout: "PID   USER     COMMAND\n    7 0        ping localhost\n"})
		},
			Verdict{Status: Pass, Message: "inside, ping is pid 7; on the host it is 6636: its own PID namespace",
				Evidence: []string{`ExecSync ps: exit 0, stdout "PID   USER     COMMAND\n    7 0        ping localhost\n"`}}},
		// A Windows workload image without tasklist (a stripped image).
		{"tasklist missing in the image", func() Verdict {
			_, p := processPod()
			p.ExecExitCode, p.ExecStdout = 1, ""
			return CheckCRIProcessTree(p)
		},
			Verdict{Status: Fail, Message: "tasklist inside the container exited 1", Fix: "the workload image lacks tasklist: use an image that has it (CONFORMANCE_IMAGE)",
				Evidence: []string{`ExecSync tasklist: exit 1, stdout ""`}}},
	})
}

func TestCRISandboxAndCleanupWholeVerdicts(t *testing.T) {
	pod := func(edit func(*evidence.Pod)) evidence.Pod {
		p := evidence.Pod{Row: evidence.CRIRows[1], Handler: "runhcs-wcow-hypervisor", SandboxID: "3f1e", SandboxHandler: "runhcs-wcow-hypervisor", SandboxState: "SANDBOX_READY"}
		edit(&p)
		return p
	}
	sbEv := `sandbox 3f1e: state SANDBOX_READY, runtime_handler "runhcs-wcow-hypervisor"`
	checkWholeCRIVerdicts(t, []criWholeRow{
		{"hyperv sandbox ready", func() Verdict { return CheckSandbox(pod(func(*evidence.Pod) {})) },
			Verdict{Status: Pass, Message: `sandbox ready with handler "runhcs-wcow-hypervisor"`, Evidence: []string{sbEv}}},
		// A Windows Server VM without nested virtualization.
		{"no hypervisor for the utility VM", func() Verdict {
			return CheckSandbox(pod(func(p *evidence.Pod) {
				p.RunErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "failed to create containerd task: hcs::CreateComputeSystem 3f1e@vm: No hypervisor is present on this system."}
			}))
		},
			Verdict{Status: Fail, Message: "the hypervisor handler cannot start a utility VM: Hyper-V is not usable on this host",
				Fix:      "install Hyper-V (Install-WindowsFeature -Name Hyper-V; Restart-Computer; in a VM enable nested virtualization), or leave hyperv out with CONFORMANCE_ISOLATION=process",
				Evidence: []string{"RunPodSandbox: failed to create containerd task: hcs::CreateComputeSystem 3f1e@vm: No hypervisor is present on this system."}}},
		{"hyperv handler renamed away", func() Verdict {
			return CheckSandbox(pod(func(p *evidence.Pod) {
				p.RunErr = &evidence.Failure{Kind: evidence.KindSystem, Message: `failed to get sandbox runtime: no runtime for "runhcs-wcow-hypervisor" is configured`}
			}))
		},
			Verdict{Status: Fail, Message: `runtime handler "runhcs-wcow-hypervisor" is not configured`,
				Fix:      `add [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runhcs-wcow-hypervisor] to containerd's config.toml (runtime_type "io.containerd.runhcs.v1") and restart containerd, or name a configured handler with CONFORMANCE_HANDLER_HYPERV`,
				Evidence: []string{`RunPodSandbox: failed to get sandbox runtime: no runtime for "runhcs-wcow-hypervisor" is configured`}}},
		{"the sandbox runs with another handler", func() Verdict {
			return CheckSandbox(pod(func(p *evidence.Pod) { p.SandboxHandler = "runhcs-wcow-process" }))
		},
			Verdict{Status: Fail, Message: `the sandbox runs with handler "runhcs-wcow-process", asked for "runhcs-wcow-hypervisor"`, Fix: "this is a runtime fault: the handler asked for must be the one used",
				Evidence: []string{`sandbox 3f1e: state SANDBOX_READY, runtime_handler "runhcs-wcow-process"`}}},
		{"the sandbox not ready", func() Verdict {
			return CheckSandbox(pod(func(p *evidence.Pod) { p.SandboxState = "SANDBOX_NOTREADY" }))
		},
			Verdict{Status: Fail, Message: "the sandbox is SANDBOX_NOTREADY, want SANDBOX_READY", Fix: "look at containerd's log for the sandbox's error",
				Evidence: []string{`sandbox 3f1e: state SANDBOX_NOTREADY, runtime_handler "runhcs-wcow-hypervisor"`}}},

		// containerd's refusal of an unconfigured handler
		// (internal/cri/server/sandbox_run.go: no runtime for %q is configured).
		{"the unknown handler refused with containerd's words", func() Verdict {
			return CheckHandlerRefused(evidence.Pod{Row: evidence.CRIRows[3], Handler: evidence.UnknownHandler,
				RunErr: &evidence.Failure{Kind: evidence.KindOther, Message: "rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for \"conformance-no-such-handler\" is configured\nmore"}})
		},
			Verdict{Status: Pass, Message: `handler "conformance-no-such-handler" refused: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "conformance-no-such-handler" is configured`,
				Evidence: []string{"RunPodSandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for \"conformance-no-such-handler\" is configured\nmore"}}},
		{"the unknown handler accepted", func() Verdict {
			return CheckHandlerRefused(evidence.Pod{Row: evidence.CRIRows[3], Handler: evidence.UnknownHandler, SandboxID: "0123456789abcdef0123"})
		},
			Verdict{Status: Fail, Message: `the runtime ran sandbox 0123456789ab for handler "conformance-no-such-handler", which no config names`,
				Fix:      "this is a runtime fault: an unknown runtime handler must be refused, or pods would run without the isolation their RuntimeClass asks for",
				Evidence: []string{"RunPodSandbox: 0123456789abcdef0123"}}},
		// cleanup: StopPodSandbox fails when hcsshim cannot shut the
		// utility VM down in time (hcs::System::Shutdown timeout).
		{"StopPodSandbox failed", func() Verdict {
			return CheckCRICleanup(pod(func(p *evidence.Pod) {
				p.StopErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "failed to stop sandbox container \"3f1e\": hcs::System::Shutdown 3f1e@vm: context deadline exceeded\nmore"}
			}))
		},
			Verdict{Status: Fail, Message: `StopPodSandbox failed: failed to stop sandbox container "3f1e": hcs::System::Shutdown 3f1e@vm: context deadline exceeded`,
				Fix:      "look at containerd's log; the harness removes its sandboxes at its next run",
				Evidence: []string{"StopPodSandbox: failed to stop sandbox container \"3f1e\": hcs::System::Shutdown 3f1e@vm: context deadline exceeded\nmore"}}},
		{"RemovePodSandbox failed after a good stop", func() Verdict {
			return CheckCRICleanup(pod(func(p *evidence.Pod) {
				p.RemoveErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "failed to remove sandbox: directory not empty"}
			}))
		},
			Verdict{Status: Fail, Message: "RemovePodSandbox failed: failed to remove sandbox: directory not empty", Fix: "look at containerd's log; the harness removes its sandboxes at its next run",
				Evidence: []string{"RemovePodSandbox: failed to remove sandbox: directory not empty"}}},
		{"the container still listed after removal", func() Verdict {
			return CheckCRICleanup(pod(func(p *evidence.Pod) {
				p.LeftErr = &evidence.Failure{Kind: evidence.KindTimeout, Message: "sandbox 3f1e: 0 sandbox(es) and 1 container(s) still listed after removal"}
			}))
		},
			Verdict{Status: Fail, Message: "the runtime still lists the sandbox or its container after removal: sandbox 3f1e: 0 sandbox(es) and 1 container(s) still listed after removal",
				Fix:      "look at containerd's log: RemovePodSandbox must remove the pod's containers",
				Evidence: []string{"sandbox 3f1e: 0 sandbox(es) and 1 container(s) still listed after removal"}}},
		{"everything gone", func() Verdict { return CheckCRICleanup(pod(func(*evidence.Pod) {})) },
			Verdict{Status: Pass, Message: "sandbox 3f1e and its container are gone"}},
		// A hyperv pod removed, and a host process that took the guest's
		// pid: a guest pid is never a host process to wait for.
		{"hyperv pod gone, its guest pid now a host process", func() Verdict {
			_, p := hyperVPodWithHostPID("PING.EXE")
			gone := hostprobe.Snapshot{SelfPID: 100, Processes: p.After.Processes[2:], HCS: &hostprobe.HCSView{}}
			p.Gone = &gone
			return CheckCRICleanup(p)
		},
			Verdict{Status: Pass, Message: "sandbox sb1 and its container are gone"}},
	})
}
