package claims

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// The tables here hold the per-isolation-mode claims (start, start refusals,
// isolation field, process tree, PID visibility, VM worker, cleanup, the
// Linux refusal) on host situations the fixtures do not carry, each row at
// one side of one decision, asserting the whole verdict a user reads:
// status, message, fix, evidence, warnings. A changed comparison, a dropped
// wording or a rewritten fix fails a row.

// isoRow is one host situation and the verdict its claim must give.
type isoRow struct {
	doc, source string
	got, want   Verdict
}

func checkWholeVerdicts(t *testing.T, rows []isoRow) {
	t.Helper()
	for _, tc := range rows {
		t.Run(tc.doc, func(t *testing.T) {
			got := tc.got
			if os.Getenv("ISO_DUMP") != "" {
				fmt.Printf("DUMP %s\nwant: Verdict{Status: %q, Message: %q, Fix: %q, BlockedBy: %q, Evidence: %#v, Warnings: %#v},\n", tc.doc, got.Status, got.Message, got.Fix, got.BlockedBy, got.Evidence, got.Warnings)
			}
			assert.Check(t, is.Equal(got.Status, tc.want.Status), "source: %s\n%s", tc.source, got)
			assert.Check(t, is.Equal(got.Message, tc.want.Message), "source: %s", tc.source)
			assert.Check(t, is.Equal(got.Fix, tc.want.Fix), "source: %s", tc.source)
			assert.Check(t, is.Equal(got.BlockedBy, tc.want.BlockedBy), "source: %s", tc.source)
			assert.Check(t, is.Equal(strings.Join(got.Evidence, "\n"), strings.Join(tc.want.Evidence, "\n")), "source: %s", tc.source)
			assert.Check(t, is.Equal(strings.Join(got.Warnings, "\n"), strings.Join(tc.want.Warnings, "\n")), "source: %s", tc.source)
		})
	}
}

func skipHyperV() config.Expectations {
	e := defaultExpect()
	e.HyperV = config.HyperVSkip
	return e
}

func withoutService(name string) func(*evidence.Daemon) {
	return func(d *evidence.Daemon) {
		var kept []hostprobe.Service
		for _, s := range d.Services {
			if s.Name != name {
				kept = append(kept, s)
			}
		}
		d.Services = kept
	}
}

// refusedAt gives the workload the daemon's refusal at create or at start.
func refusedAt(w evidence.Workload, step string, f evidence.Failure) evidence.Workload {
	if step == "create" {
		w.CreateErr = &f
	} else {
		w.StartErr = &f
	}
	w.Inspect, w.Top, w.After = nil, nil, nil
	return w
}

func sysErr(message string) evidence.Failure {
	return evidence.Failure{Kind: evidence.KindSystem, Message: message}
}

// TestStartDecisionsWhole: CheckStart's decisions before the daemon's
// refusal is classified: the vmms and vmcompute readings, the build rule,
// create against start, the container that did not stay running.
func TestStartDecisionsWhole(t *testing.T) {
	d := ws2019()
	noVmms := with(d, func(d *evidence.Daemon) { setService(d, hostprobe.Service{Name: "vmms"}) })
	rows := []isoRow{
		{doc: "Server Core without the Hyper-V role: the process row does not need vmms and runs",
			want:   Verdict{Status: "pass", Message: "container cece6585ce23 running", Fix: "", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "state: running (pid 4872, exit code 0, error \"\")"}, Warnings: []string(nil)},
			source: "Microsoft Learn, Windows container requirements: process isolation needs only the Containers feature",
			got:    CheckStart(noVmms, defaultExpect(), processWorkload()),
		},
		{doc: "no Hyper-V role, Hyper-V row under skip: skipped naming the vmms reading",
			want:   Verdict{Status: "skip", Message: "no usable Hyper-V on this host (vmms not installed (no Hyper-V role)) and CONFORMANCE_HYPERV=skip", Fix: "", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"hyperv\""}, Warnings: []string(nil)},
			source: "CONFORMANCE_HYPERV=skip (docs/configuration.md); Get-Service vmms fails where the role is absent",
			got:    CheckStart(noVmms, skipHyperV(), hypervWorkload()),
		},
		{doc: "no Hyper-V role, Hyper-V row under require: blocked by service-vmms",
			want:   Verdict{Status: "fail", Message: "blocked by service-vmms: Hyper-V isolation needs vmms (vmms not installed (no Hyper-V role))", Fix: "", BlockedBy: "service-vmms", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"hyperv\""}, Warnings: []string(nil)},
			source: "Microsoft Learn, Hyper-V isolation needs the Hyper-V role",
			got:    CheckStart(noVmms, defaultExpect(), hypervWorkload()),
		},
		{doc: "vmcompute installed but stopped (Stop-Service vmcompute): the start is blocked by service-vmcompute",
			want:   Verdict{Status: "fail", Message: "blocked by service-vmcompute: containers need the host compute service", Fix: "", BlockedBy: "service-vmcompute", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\""}, Warnings: []string(nil)},
			source: "hcsshim: every container is created through vmcompute (HcsCreateComputeSystem)",
			got:    CheckStart(with(d, func(d *evidence.Daemon) { setService(d, svc("vmcompute", "stopped", "manual")) }), defaultExpect(), processWorkload()),
		},
		{doc: "a remote Windows daemon whose local vmcompute (on the gate's machine) is stopped: not this daemon's host, the start is judged by the daemon",
			want:   Verdict{Status: "pass", Message: "container cece6585ce23 running", Fix: "", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "state: running (pid 4872, exit code 0, error \"\")"}, Warnings: []string(nil)},
			source: "DOCKER_HOST=tcp://...: the host probe reads the gate's own machine",
			got: CheckStart(with(d, func(d *evidence.Daemon) {
				d.Local, d.Target = false, "tcp://build-host:2376"
				setService(d, svc("vmcompute", "stopped", "manual"))
			}), defaultExpect(), processWorkload()),
		},
		{doc: "the service manager could not say (vmcompute not probed): the start is judged by the daemon",
			want:   Verdict{Status: "pass", Message: "container cece6585ce23 running", Fix: "", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "state: running (pid 4872, exit code 0, error \"\")"}, Warnings: []string(nil)},
			source: "hostprobe leaves a service out when the service manager cannot be read",
			got:    CheckStart(with(d, withoutService("vmcompute")), defaultExpect(), processWorkload()),
		},
		{doc: "a Server 2022 image under process isolation on Server 2019: blocked by image-build, quoting the daemon",
			want:   Verdict{Status: "fail", Message: "blocked by image-build: image build 20348 cannot run under process isolation on host build 17763", Fix: "", BlockedBy: "image-build", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): hcs::CreateComputeSystem cece: The container operating system does not match the host operating system."}, Warnings: []string(nil)},
			source: "Microsoft Learn, Windows container version compatibility (process isolation needs the host's build)",
			got: CheckStart(with(d, func(d *evidence.Daemon) { d.Image.Inspect.OsVersion = "10.0.20348.2340" }), defaultExpect(),
				refusedAt(processWorkload(), "start", sysErr("hcs::CreateComputeSystem cece: The container operating system does not match the host operating system."))),
		},
		{doc: "a refusal at create names the create step",
			want:   Verdict{Status: "fail", Message: "the daemon refused the container create: Error response from daemon: conflicting options: hostname and the network mode", Fix: "an engine-level refusal, not the compute service's: read the engine's log (Get-WinEvent -LogName Application -ProviderName docker, or dockerd's log file) for the line above, and check the engine install", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "create error (invalid-parameter): Error response from daemon: conflicting options: hostname and the network mode"}, Warnings: []string(nil)},
			source: "moby daemon/create.go: ContainerCreate errors reach the client as the create's answer",
			got:    CheckStart(d, defaultExpect(), refusedAt(processWorkload(), "create", evidence.Failure{Kind: evidence.KindInvalidParameter, Message: "Error response from daemon: conflicting options: hostname and the network mode"})),
		},
		{doc: "a refusal at start names the start step",
			want:   Verdict{Status: "fail", Message: "the daemon refused the container start: Error response from daemon: network nat not found", Fix: "an engine-level refusal, not the compute service's: read the engine's log (Get-WinEvent -LogName Application -ProviderName docker, or dockerd's log file) for the line above, and check the engine install", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): Error response from daemon: network nat not found"}, Warnings: []string(nil)},
			source: "moby daemon/start.go: ContainerStart errors reach the client as the start's answer",
			got:    CheckStart(d, defaultExpect(), refusedAt(processWorkload(), "start", evidence.Failure{Kind: evidence.KindSystem, Message: "Error response from daemon: network nat not found"})),
		},
		{doc: "the container exited before the gate saw it running (ping.exe missing in a custom image exits 1)",
			want:   Verdict{Status: "fail", Message: "container did not stay running: container cece6585ce23 is exited with exit code 1", Fix: "read `docker logs` of the container and the daemon's log", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "state: exited (pid 0, exit code 1, error \"\")"}, Warnings: []string(nil)},
			source: "moby container wait: the state the gate inspects after the exit",
			got: CheckStart(d, defaultExpect(), change(processWorkload(), func(w *evidence.Workload) {
				w.RunErr = &evidence.Failure{Message: "container cece6585ce23 is exited with exit code 1"}
				w.Inspect = running("process")
				w.Inspect.State.Status, w.Inspect.State.Running, w.Inspect.State.Pid, w.Inspect.State.ExitCode = "exited", false, 0, 1
			})),
		},
	}
	checkWholeVerdicts(t, rows)
}

// buildPair is the documented host at host build.revision with an image of
// image build.revision (a newer host running an older LTSC image, or one
// build's revisions).
func buildPair(host, hostRev, image, imageRev int) evidence.Daemon {
	return with(revisionHost(host, hostRev, imageRev), func(d *evidence.Daemon) {
		d.Image.Inspect.OsVersion = fmt.Sprintf("10.0.%d.%d", image, imageRev)
	})
}

// TestStartRefusalsWhole: each class of the daemon's refusal (classify.go)
// on each row and host reading that changes what the user is told.
func TestStartRefusalsWhole(t *testing.T) {
	d := ws2019()
	const (
		noHV       = "hcs::CreateComputeSystem a503f75e9583: No hypervisor is present on this system."
		notSupp    = "hcs::CreateComputeSystem a503f75e9583: The request is not supported."
		exited     = "container a503f75e9583 encountered an error during hcs::System::Start: failure in a Windows system call: The virtual machine or container exited unexpectedly. (0xc0370106)"
		mismatch   = "hcs::CreateComputeSystem cece6585ce23: The container operating system does not match the host operating system."
		noPing     = "container cece6585ce23 encountered an error during hcs::System::CreateProcess: failure in a Windows system call: The system cannot find the file specified. (0x2)"
		noPingText = "hcsshim::System::CreateProcess cece6585ce23: The system cannot find the file specified."
	)
	unknownVmms := func(workers int) (evidence.Daemon, evidence.Workload) {
		w := hypervWorkload()
		before := hostSnapshot()
		before.Processes = without(before.Processes, "vmwp.exe")
		for i := range workers {
			before.Processes = append(before.Processes, hostprobe.Process{PID: 7000 + i, Name: "vmwp.exe", Session: session(0)})
		}
		w.Before = before
		return with(d, withoutService("vmms")), w
	}
	oneWorkerD, oneWorker := unknownVmms(1)
	noWorkerD, noWorker := unknownVmms(0)
	rows := []isoRow{
		{doc: "no hypervisor on a Hyper-V row under skip: skipped with the daemon's first line",
			want:   Verdict{Status: "skip", Message: "no usable hypervisor on this host and CONFORMANCE_HYPERV=skip (the daemon says so): hcs::CreateComputeSystem a503f75e9583: No hypervisor is present on this system.", Fix: "", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"hyperv\"", "start error (system): hcs::CreateComputeSystem a503f75e9583: No hypervisor is present on this system."}, Warnings: []string(nil)},
			source: "moby#27198: 'No hypervisor is present on this system.' on a VM without nested virtualization",
			got:    CheckStart(d, skipHyperV(), refusedAt(hypervWorkload(), "start", sysErr(noHV))),
		},
		{doc: "no hypervisor on a Hyper-V row under require: the install and hypervisor fix",
			want:   Verdict{Status: "fail", Message: "Hyper-V isolation failed: no usable hypervisor (the daemon says so)", Fix: "install Hyper-V (Server: Install-WindowsFeature Hyper-V; client: Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V -All), make the hypervisor launch (bcdedit /set hypervisorlaunchtype auto, then reboot), in a VM enable nested virtualization on its host (Set-VMProcessor -ExposeVirtualizationExtensions $true); or set CONFORMANCE_HYPERV=skip where Hyper-V is known to be absent", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"hyperv\"", "start error (system): hcs::CreateComputeSystem a503f75e9583: No hypervisor is present on this system."}, Warnings: []string(nil)},
			source: "moby#27198; docker/for-win#851",
			got:    CheckStart(d, defaultExpect(), refusedAt(hypervWorkload(), "start", sysErr(noHV))),
		},
		{doc: "the skip policy covers Hyper-V rows only: a process row refused with the hypervisor wording fails",
			want:   Verdict{Status: "fail", Message: "Hyper-V isolation failed: no usable hypervisor (the daemon says so)", Fix: "install Hyper-V (Server: Install-WindowsFeature Hyper-V; client: Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V -All), make the hypervisor launch (bcdedit /set hypervisorlaunchtype auto, then reboot), in a VM enable nested virtualization on its host (Set-VMProcessor -ExposeVirtualizationExtensions $true); or set CONFORMANCE_HYPERV=skip where Hyper-V is known to be absent", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): hcs::CreateComputeSystem a503f75e9583: No hypervisor is present on this system."}, Warnings: []string(nil)},
			source: "CONFORMANCE_HYPERV=skip skips Hyper-V isolation, never process isolation (docs/configuration.md)",
			got:    CheckStart(d, skipHyperV(), refusedAt(processWorkload(), "start", sysErr(noHV))),
		},
		{doc: "generic 'not supported' on a process row: not a build mismatch",
			want:   Verdict{Status: "fail", Message: "the daemon refused the process-isolated start with a generic HCS error (ERROR_NOT_SUPPORTED, 'The request is not supported'); the image build fits, so it is not a build mismatch", Fix: "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin), check that the Containers feature is fully enabled, and run the Hyper-V row to tell the host from the image", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): hcs::CreateComputeSystem a503f75e9583: The request is not supported."}, Warnings: []string(nil)},
			source: "moby#40720 (The request is not supported at CreateComputeSystem)",
			got:    CheckStart(d, defaultExpect(), refusedAt(processWorkload(), "start", sysErr(notSupp))),
		},
		{doc: "generic 'parameter is incorrect' as an HRESULT only, on a process row at create",
			want:   Verdict{Status: "fail", Message: "the daemon refused the process-isolated create with a generic HCS error (ERROR_INVALID_PARAMETER, 'The parameter is incorrect'); the image build fits, so it is not a build mismatch", Fix: "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin), check that the Containers feature is fully enabled, and run the Hyper-V row to tell the host from the image", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "create error (system): hcs::CreateComputeSystem cece6585ce23: failure in a Windows system call (0x80070057)"}, Warnings: []string(nil)},
			source: "ERROR_INVALID_PARAMETER 0x80070057 (moby#42159)",
			got:    CheckStart(d, defaultExpect(), refusedAt(processWorkload(), "create", sysErr("hcs::CreateComputeSystem cece6585ce23: failure in a Windows system call (0x80070057)"))),
		},
		{doc: "generic 'not supported' on a Hyper-V row, vmms not probed, one other VM's worker runs: the hypervisor is up",
			want:   Verdict{Status: "fail", Message: "Hyper-V start failed with a generic HCS error (ERROR_NOT_SUPPORTED, 'The request is not supported'); not read as 'no hypervisor' because vmms not probed, 1 VM worker(s) of other VMs running", Fix: "check that the hypervisor runs (Get-CimInstance Win32_ComputerSystem: HypervisorPresent), that both the Containers and Hyper-V features are enabled, and the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin): hcs::CreateComputeSystem a503f75e9583: The request is not supported.", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"hyperv\"", "start error (system): hcs::CreateComputeSystem a503f75e9583: The request is not supported."}, Warnings: []string(nil)},
			source: "navcontainerhelper#525; a running vmwp.exe means a VM runs on the hypervisor",
			got:    CheckStart(oneWorkerD, defaultExpect(), refusedAt(oneWorker, "start", sysErr(notSupp))),
		},
		{doc: "generic 'not supported' on a Hyper-V row, vmms not probed, no VM worker, require: read as no hypervisor",
			want:   Verdict{Status: "fail", Message: "Hyper-V isolation failed: no usable hypervisor (decided without host evidence of Hyper-V: ERROR_NOT_SUPPORTED, 'The request is not supported' is what hosts without Hyper-V print)", Fix: "install Hyper-V (Server: Install-WindowsFeature Hyper-V; client: Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V -All), make the hypervisor launch (bcdedit /set hypervisorlaunchtype auto, then reboot), in a VM enable nested virtualization on its host (Set-VMProcessor -ExposeVirtualizationExtensions $true); or set CONFORMANCE_HYPERV=skip where Hyper-V is known to be absent", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"hyperv\"", "start error (system): hcs::CreateComputeSystem a503f75e9583: The request is not supported."}, Warnings: []string(nil)},
			source: "moby#40720: 'enable Hyper-V Services' fixed it",
			got:    CheckStart(noWorkerD, defaultExpect(), refusedAt(noWorker, "start", sysErr(notSupp))),
		},
		{doc: "generic 'not supported' on a Hyper-V row while vmms is stopped: switched off",
			want:   Verdict{Status: "fail", Message: "Hyper-V start failed with a generic HCS error (ERROR_INVALID_PARAMETER, 'The parameter is incorrect') while vmms installed but stopped (start type manual)", Fix: "Start-Service vmms (Set-Service vmms -StartupType Automatic) and re-run: Hyper-V is installed but switched off", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"hyperv\"", "start error (system): hcs::CreateComputeSystem a503f75e9583: The parameter is incorrect."}, Warnings: []string(nil)},
			source: "Get-Service vmms: Stopped on a host whose Hyper-V role is installed",
			got:    CheckStart(with(d, func(d *evidence.Daemon) { setService(d, svc("vmms", "stopped", "manual")) }), defaultExpect(), refusedAt(hypervWorkload(), "start", sysErr("hcs::CreateComputeSystem a503f75e9583: The parameter is incorrect."))),
		},
		{doc: "0xc0370106 on a Hyper-V row: never a revision problem",
			want:   Verdict{Status: "fail", Message: "the Hyper-V container exited unexpectedly at start (0xc0370106); not a revision problem: revisions do not matter under Hyper-V isolation", Fix: "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Operational) for the utility VM's exit, check the host's memory and the hypervisor (Get-CimInstance Win32_ComputerSystem: HypervisorPresent), and update the host to its latest cumulative update", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"hyperv\"", "start error (system): container a503f75e9583 encountered an error during hcs::System::Start: failure in a Windows system call: The virtual machine or container exited unexpectedly. (0xc0370106)"}, Warnings: []string(nil)},
			source: "Microsoft Learn, Update Windows Server containers: revision issues only happen on process isolated containers",
			got:    CheckStart(revisionHost(17763, 805, 1039), defaultExpect(), refusedAt(hypervWorkload(), "start", sysErr(exited))),
		},
		{doc: "0xc0370106 on a process row, image revision newer than the host's, same build",
			want:   Verdict{Status: "fail", Message: "the container exited unexpectedly at start (0xc0370106): image revision 3091 is newer than the host's 2966", Fix: "update the host to the image's revision or newer (Windows Update), or pin an image of revision 2966 or older", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): container a503f75e9583 encountered an error during hcs::System::Start: failure in a Windows system call: The virtual machine or container exited unexpectedly. (0xc0370106)"}, Warnings: []string(nil)},
			source: "actions/runner-images#11582 (an image a month newer than the runner's host)",
			got:    CheckStart(revisionHost(20348, 2966, 3091), defaultExpect(), refusedAt(processWorkload(), "start", sysErr(exited))),
		},
		{doc: "0xc0370106 on a process row at equal revisions: not the revision problem",
			want:   Verdict{Status: "fail", Message: "the container exited unexpectedly at start (0xc0370106); not the revision problem: image 20348.2966, host 20348.2966", Fix: "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Operational) and the daemon's log; try the other isolation mode to tell the image from the host", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): container a503f75e9583 encountered an error during hcs::System::Start: failure in a Windows system call: The virtual machine or container exited unexpectedly. (0xc0370106)"}, Warnings: []string(nil)},
			source: "microsoft/Windows-Containers#591 (exits at matching revisions)",
			got:    CheckStart(revisionHost(20348, 2966, 2966), defaultExpect(), refusedAt(processWorkload(), "start", sysErr(exited))),
		},
		{doc: "0xc0370106 on a process row whose host revision is unknown: not the revision problem",
			want:   Verdict{Status: "fail", Message: "the container exited unexpectedly at start (0xc0370106); not the revision problem: image 20348.3091, host 20348.0", Fix: "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Operational) and the daemon's log; try the other isolation mode to tell the image from the host", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): container a503f75e9583 encountered an error during hcs::System::Start: failure in a Windows system call: The virtual machine or container exited unexpectedly. (0xc0370106)"}, Warnings: []string(nil)},
			source: "an engine before 20.10 prints no OS Build revision and the probe could not read UBR",
			got:    CheckStart(revisionHost(20348, 0, 3091), defaultExpect(), refusedAt(processWorkload(), "start", sysErr(exited))),
		},
		{doc: "0xc0370106 on a process row, a newer host running an older LTSC image of a newer revision number",
			want:   Verdict{Status: "fail", Message: "the container exited unexpectedly at start (0xc0370106); not the revision problem: image 20348.2966, host 26100.1000", Fix: "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Operational) and the daemon's log; try the other isolation mode to tell the image from the host", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): container a503f75e9583 encountered an error during hcs::System::Start: failure in a Windows system call: The virtual machine or container exited unexpectedly. (0xc0370106)"}, Warnings: []string(nil)},
			source: "hcsshim osversion: from 20348 on a newer host runs the older LTSC image; revisions of different builds do not compare",
			got:    CheckStart(buildPair(26100, 1000, 20348, 2966), defaultExpect(), refusedAt(processWorkload(), "start", sysErr(exited))),
		},
		{doc: "a Windows 10 1803 client refusing process isolation (moby before 1b3fef5333)",
			want:   Verdict{Status: "fail", Message: "the daemon refuses process isolation on this Windows client: Error response from daemon: Windows client operating systems earlier than version 1809 can only run Hyper-V containers", Fix: "run Hyper-V isolation on this client (CONFORMANCE_ISOLATION=hyperv), or move to an engine of 19.03 or later on Windows 10 1809 or later, which runs process isolation on clients", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "create error (invalid-parameter): Error response from daemon: Windows client operating systems earlier than version 1809 can only run Hyper-V containers"}, Warnings: []string(nil)},
			source: "moby daemon/daemon_windows.go: 'Windows client operating systems earlier than version 1809 can only run Hyper-V containers'",
			got:    CheckStart(d, defaultExpect(), refusedAt(processWorkload(), "create", evidence.Failure{Kind: evidence.KindInvalidParameter, Message: "Error response from daemon: Windows client operating systems earlier than version 1809 can only run Hyper-V containers"})),
		},
		{doc: "a Windows 10 client refusing process isolation (moby 17.x)",
			want:   Verdict{Status: "fail", Message: "the daemon refuses process isolation on this Windows client: Error response from daemon: Windows client operating systems only support Hyper-V containers", Fix: "run Hyper-V isolation on this client (CONFORMANCE_ISOLATION=hyperv), or move to an engine of 19.03 or later on Windows 10 1809 or later, which runs process isolation on clients", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "create error (invalid-parameter): Error response from daemon: Windows client operating systems only support Hyper-V containers"}, Warnings: []string(nil)},
			source: "moby 17.x daemon/daemon_windows.go verifyContainerSettings",
			got:    CheckStart(d, defaultExpect(), refusedAt(processWorkload(), "create", evidence.Failure{Kind: evidence.KindInvalidParameter, Message: "Error response from daemon: Windows client operating systems only support Hyper-V containers"})),
		},
		{doc: "a Windows daemon refusing an isolation it does not know",
			want:   Verdict{Status: "fail", Message: "the daemon does not support isolation hyperv", Fix: "a Windows daemon takes default, process or hyperv, a Linux daemon only default; check CONFORMANCE_ISOLATION and the engine", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"hyperv\"", "create error (invalid-parameter): Error response from daemon: invalid isolation 'hyperv': Windows supports 'default', 'process', or 'hyperv'"}, Warnings: []string(nil)},
			source: "moby daemon/internal/runconfig/hostconfig_windows.go",
			got:    CheckStart(d, defaultExpect(), refusedAt(hypervWorkload(), "create", evidence.Failure{Kind: evidence.KindInvalidParameter, Message: "Error response from daemon: invalid isolation 'hyperv': Windows supports 'default', 'process', or 'hyperv'"})),
		},
		{doc: "the workload program is missing (0x2)",
			want:   Verdict{Status: "fail", Message: "the container started but its workload process could not be created: container cece6585ce23 encountered an error during hcs::System::CreateProcess: failure in a Windows system call: The system cannot find the file specified. (0x2)", Fix: "the image lacks the workload's program (0x2, ERROR_FILE_NOT_FOUND; the gate runs ping localhost -t): use a Windows base image that has ping.exe, such as nanoserver or servercore of the host's build", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): container cece6585ce23 encountered an error during hcs::System::CreateProcess: failure in a Windows system call: The system cannot find the file specified. (0x2)"}, Warnings: []string(nil)},
			source: "jenkinsci/docker-agents#208 (hcs::System::CreateProcess ... (0x2))",
			got:    CheckStart(d, defaultExpect(), refusedAt(processWorkload(), "start", sysErr(noPing))),
		},
		{doc: "the workload program is missing, 19.03 wording without the code",
			want:   Verdict{Status: "fail", Message: "the container started but its workload process could not be created: hcsshim::System::CreateProcess cece6585ce23: The system cannot find the file specified.", Fix: "the image lacks the workload's program (0x2, ERROR_FILE_NOT_FOUND; the gate runs ping localhost -t): use a Windows base image that has ping.exe, such as nanoserver or servercore of the host's build", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): hcsshim::System::CreateProcess cece6585ce23: The system cannot find the file specified."}, Warnings: []string(nil)},
			source: "19.03 hcsshim::System::CreateProcess: The system cannot find the file specified.",
			got:    CheckStart(d, defaultExpect(), refusedAt(processWorkload(), "start", sysErr(noPingText))),
		},
		{doc: "CreateProcess refused for another reason (access denied, 0x5): not shown to be the image",
			want:   Verdict{Status: "fail", Message: "the container started but its workload process could not be created: container cece6585ce23 encountered an error during hcs::System::CreateProcess: failure in a Windows system call: Access is denied. (0x5)", Fix: "not shown to be the image (a missing program is 0x2): read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin) for the error above", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): container cece6585ce23 encountered an error during hcs::System::CreateProcess: failure in a Windows system call: Access is denied. (0x5)"}, Warnings: []string(nil)},
			source: "microsoft/service-fabric-issues#574 ('encountered an error during CreateProcess')",
			got:    CheckStart(d, defaultExpect(), refusedAt(processWorkload(), "start", sysErr("container cece6585ce23 encountered an error during hcs::System::CreateProcess: failure in a Windows system call: Access is denied. (0x5)"))),
		},
		{doc: "RPC_S_CALL_FAILED at start: a host fault",
			want:   Verdict{Status: "fail", Message: "a call into the host compute service failed (0x6be, RPC_S_CALL_FAILED) at the container start: a host fault, not the image: container cece6585ce23 encountered an error during hcs::System::CreateProcess: failure in a Windows system call: The remote procedure call failed. (0x6be)", Fix: "restart the compute service (Restart-Service vmcompute: the containers it runs stop) or the host, and update the host to its latest cumulative update (hcsshim#1472 is reported fixed in newer Windows releases); the image is not at fault", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): container cece6585ce23 encountered an error during hcs::System::CreateProcess: failure in a Windows system call: The remote procedure call failed. (0x6be)"}, Warnings: []string(nil)},
			source: "microsoft/hcsshim#1472",
			got:    CheckStart(d, defaultExpect(), refusedAt(processWorkload(), "start", sysErr("container cece6585ce23 encountered an error during hcs::System::CreateProcess: failure in a Windows system call: The remote procedure call failed. (0x6be)"))),
		},
		{doc: "an invalid layer (0xc0370112): remove and pull again",
			want:   Verdict{Status: "fail", Message: "the compute service cannot use a layer of the image (0xc0370112, ERROR_VMCOMPUTE_INVALID_LAYER): hcsshim::PrepareLayer failed in Win32: the container image contains a layer with an unrecognized format (0xc0370112)", Fix: "remove the image (docker rmi nanoserver:1809) and pull it again: a damaged or half-registered layer fails under both isolation modes; if it persists on this build, use another serviced image that fits (hcsshim#2566: ltsc2025 images on 26200 hosts, where ltsc2022 runs): use the image tag for build 17763 (1809 / ltsc2019)", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "create error (system): hcsshim::PrepareLayer failed in Win32: the container image contains a layer with an unrecognized format (0xc0370112)"}, Warnings: []string(nil)},
			source: "microsoft/hcsshim#2566",
			got:    CheckStart(d, defaultExpect(), refusedAt(processWorkload(), "create", sysErr("hcsshim::PrepareLayer failed in Win32: the container image contains a layer with an unrecognized format (0xc0370112)"))),
		},
		{doc: "layer registration failed, the data root not reported: the default data root is named",
			want:   Verdict{Status: "fail", Message: "the daemon could not register the image's layers on this host: failed to register layer: re-exec error: exit status 1: output: hcsshim::ProcessBaseLayer C:\\ProgramData\\docker\\windowsfilter\\abc: The parameter is incorrect.", Fix: "not the registry: the layers were downloaded, and registering them in the daemon's data root (C:\\ProgramData\\docker) failed. Check that the data root is on a local NTFS volume with free space and is excluded from antivirus scanning, remove what the failed pull left (docker image prune) and pull again; moby#46112, moby#38582 (fixed by an engine update)", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "create error (system): failed to register layer: re-exec error: exit status 1: output: hcsshim::ProcessBaseLayer C:\\ProgramData\\docker\\windowsfilter\\abc: The parameter is incorrect."}, Warnings: []string(nil)},
			source: "moby#46112",
			got:    CheckStart(d, defaultExpect(), refusedAt(processWorkload(), "create", sysErr("failed to register layer: re-exec error: exit status 1: output: hcsshim::ProcessBaseLayer C:\\ProgramData\\docker\\windowsfilter\\abc: The parameter is incorrect."))),
		},
		{doc: "layer registration failed, data root D:\\docker reported by /info",
			want:   Verdict{Status: "fail", Message: "the daemon could not register the image's layers on this host: failed to register layer: cloning the parent utility VM image failed", Fix: "not the registry: the layers were downloaded, and registering them in D:\\docker failed. Check that the data root is on a local NTFS volume with free space and is excluded from antivirus scanning, remove what the failed pull left (docker image prune) and pull again; moby#46112, moby#38582 (fixed by an engine update)", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "create error (system): failed to register layer: cloning the parent utility VM image failed"}, Warnings: []string(nil)},
			source: "moby#38582; daemon.json data-root",
			got: CheckStart(with(d, func(d *evidence.Daemon) { d.Info.DockerRootDir = `D:\docker` }), defaultExpect(),
				refusedAt(processWorkload(), "create", sysErr("failed to register layer: cloning the parent utility VM image failed"))),
		},
		{doc: "layer registration failed, data root redacted in the fixture: no REDACTED placeholder in the fix",
			want:   Verdict{Status: "fail", Message: "the daemon could not register the image's layers on this host: failed to register layer: cloning the parent utility VM image failed", Fix: "not the registry: the layers were downloaded, and registering them in the daemon's data root failed. Check that the data root is on a local NTFS volume with free space and is excluded from antivirus scanning, remove what the failed pull left (docker image prune) and pull again; moby#46112, moby#38582 (fixed by an engine update)", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "create error (system): failed to register layer: cloning the parent utility VM image failed"}, Warnings: []string(nil)},
			source: "helpers/fixture redacts DockerRootDir",
			got: CheckStart(with(d, func(d *evidence.Daemon) { d.Info.DockerRootDir = "REDACTED" }), defaultExpect(),
				refusedAt(processWorkload(), "create", sysErr("failed to register layer: cloning the parent utility VM image failed"))),
		},
		{doc: "HCS timed out at start: a slow host",
			want:   Verdict{Status: "fail", Message: "the host compute service did not answer in time at the container start: hcsshim: timeout waiting for notification", Fix: "the host was too slow to start the container (CPU, memory or disk under load, antivirus scanning the daemon's data root): re-run on a quieter host; if it repeats on an idle host, restart the compute service (Restart-Service vmcompute) and read its log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin)", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"hyperv\"", "start error (system): hcsshim: timeout waiting for notification extra info: {\"SystemType\":\"Container\"}"}, Warnings: []string(nil)},
			source: "hcsshim internal/hcs/errors.go ErrTimeout",
			got:    CheckStart(d, defaultExpect(), refusedAt(hypervWorkload(), "start", sysErr("hcsshim: timeout waiting for notification extra info: {\"SystemType\":\"Container\"}"))),
		},
		{doc: "the engine's runtime refused (OCI runtime create failed) on a Linux daemon: journalctl fix",
			want:   Verdict{Status: "fail", Message: "the engine's runtime refused to create the container: OCI runtime create failed: runc create failed: unable to start container process: exec: \"ping\": executable file not found in $PATH", Fix: "an engine-level refusal: read the engine's log (journalctl -u docker) for the line above, and check the engine and its runtime (containerd, runc) install", BlockedBy: "", Evidence: []string{"image busybox, HostConfig.Isolation \"\"", "start error (system): OCI runtime create failed: runc create failed: unable to start container process: exec: \"ping\": executable file not found in $PATH"}, Warnings: []string(nil)},
			source: "moby: containerd/runc create error",
			got: CheckStart(with(d, func(d *evidence.Daemon) { d.Info.OSType, d.Host, d.Image.Inspect, d.Services = "linux", nil, nil, nil }), defaultExpect(),
				refusedAt(linuxWorkload(), "start", sysErr("OCI runtime create failed: runc create failed: unable to start container process: exec: \"ping\": executable file not found in $PATH"))),
		},
		{doc: "a Linux image on a Windows daemon",
			want:   Verdict{Status: "fail", Message: "the image is built for another operating system", Fix: "use a Windows base image: use the image tag for build 17763 (1809 / ltsc2019)", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "create error (invalid-parameter): image operating system \"linux\" cannot be used on this platform"}, Warnings: []string(nil)},
			source: "moby daemon/internal/distribution/config.go",
			got:    CheckStart(d, defaultExpect(), refusedAt(processWorkload(), "create", evidence.Failure{Kind: evidence.KindInvalidParameter, Message: "image operating system \"linux\" cannot be used on this platform"})),
		},
	}
	checkWholeVerdicts(t, rows)
}

// TestUnclassifiedRefusalsAndMismatchesWhole: a refusal no class names goes
// to HCS's log when it carries HCS's prefixes or codes, to the engine's log
// otherwise; "does not match" (0xc0370101) of a build that fits is reasoned
// about per mode and per revision.
func TestUnclassifiedRefusalsAndMismatchesWhole(t *testing.T) {
	d := ws2019()
	start := func(d evidence.Daemon, w evidence.Workload, message string) Verdict {
		return CheckStart(d, defaultExpect(), refusedAt(w, "start", sysErr(message)))
	}
	rows := []isoRow{
		{doc: "hcsshim:: prefix alone (19.03 layer import)", source: "moby 19.03 wraps HCS errors as hcsshim::<call>",
			want: Verdict{Status: "fail", Message: "the host compute service refused the container start: hcsshim::ImportLayer failed in Win32: The system cannot find the path specified. (0x3)", Fix: "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin) for the error above", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): hcsshim::ImportLayer failed in Win32: The system cannot find the path specified. (0x3)"}, Warnings: []string(nil)},
			got:  start(d, processWorkload(), "hcsshim::ImportLayer failed in Win32: The system cannot find the path specified. (0x3)")},
		{doc: "hcs:: prefix (20.10 and later)", source: "moby 20.10 wraps HCS errors as hcs::<call>",
			want: Verdict{Status: "fail", Message: "the host compute service refused the container start: hcs::System::Start cece6585ce23: The device is not ready.", Fix: "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin) for the error above", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): hcs::System::Start cece6585ce23: The device is not ready."}, Warnings: []string(nil)},
			got:  start(d, processWorkload(), "hcs::System::Start cece6585ce23: The device is not ready.")},
		{doc: "failure in a Windows system call without a prefix", source: "hcsshim internal/hcs/errors.go 'failure in a Windows system call'",
			want: Verdict{Status: "fail", Message: "the host compute service refused the container start: container cece6585ce23 encountered an error during Start: failure in a Windows system call: Insufficient system resources exist to complete the requested service.", Fix: "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin) for the error above", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): container cece6585ce23 encountered an error during Start: failure in a Windows system call: Insufficient system resources exist to complete the requested service."}, Warnings: []string(nil)},
			got:  start(d, processWorkload(), "container cece6585ce23 encountered an error during Start: failure in a Windows system call: Insufficient system resources exist to complete the requested service.")},
		{doc: "CreateComputeSystem named without a prefix, with extra info", source: "hcsshim HcsCreateComputeSystem",
			want: Verdict{Status: "fail", Message: "the host compute service refused the container start: CreateComputeSystem cece6585ce23: The system cannot find the path specified.", Fix: "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin) for the error above", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): CreateComputeSystem cece6585ce23: The system cannot find the path specified. (extra info: {\"SystemType\":\"Container\"})"}, Warnings: []string(nil)},
			got:  start(d, processWorkload(), "CreateComputeSystem cece6585ce23: The system cannot find the path specified. (extra info: {\"SystemType\":\"Container\"})")},
		{doc: "an NTSTATUS of the vmcompute facility (0xc037....)", source: "ERROR_VMCOMPUTE_* codes 0xc037xxxx (golang.org/x/sys/windows zerrors)",
			want: Verdict{Status: "fail", Message: "the host compute service refused the container start: container cece6585ce23: operation failed (0xc0370103)", Fix: "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin) for the error above", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): container cece6585ce23: operation failed (0xc0370103)"}, Warnings: []string(nil)},
			got:  start(d, processWorkload(), "container cece6585ce23: operation failed (0xc0370103)")},
		{doc: "an HRESULT of the HCS facility (0x8037....)", source: "HCS_E_* codes 0x8037xxxx (hcsshim internal/hcs/errors.go)",
			want: Verdict{Status: "fail", Message: "the host compute service refused the container start: container cece6585ce23: operation failed (0x80370109)", Fix: "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin) for the error above", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): container cece6585ce23: operation failed (0x80370109)"}, Warnings: []string(nil)},
			got:  start(d, processWorkload(), "container cece6585ce23: operation failed (0x80370109)")},
		{doc: "an engine-level refusal on a Windows daemon", source: "moby daemon: 'no such network' is the engine's own",
			want: Verdict{Status: "fail", Message: "the daemon refused the container start: Error response from daemon: failed to create endpoint on network nat: no such network", Fix: "an engine-level refusal, not the compute service's: read the engine's log (Get-WinEvent -LogName Application -ProviderName docker, or dockerd's log file) for the line above, and check the engine install", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): Error response from daemon: failed to create endpoint on network nat: no such network\nsecond line"}, Warnings: []string(nil)},
			got:  start(d, processWorkload(), "Error response from daemon: failed to create endpoint on network nat: no such network\nsecond line")},
		{doc: "0xc0370101 without the image's inspect: only the images that fit",
			want:   Verdict{Status: "fail", Message: "the daemon refused the image: its OS build does not match the host (hcs::CreateComputeSystem cece6585ce23: The container operating system does not match the host operating system.)", Fix: "use the image tag for build 17763 (1809 / ltsc2019)", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): hcs::CreateComputeSystem cece6585ce23: The container operating system does not match the host operating system."}, Warnings: []string(nil)},
			source: "gitlab-runner#29058; an image removed before the gate could inspect it",
			got:    start(with(d, func(d *evidence.Daemon) { d.Image.Inspect = nil }), processWorkload(), "hcs::CreateComputeSystem cece6585ce23: The container operating system does not match the host operating system.")},
		{doc: "0xc0370101 of an image whose OsVersion was not read", source: "an image manifest without os.version",
			want: Verdict{Status: "fail", Message: "the daemon refused the image: its OS build does not match the host (hcs::CreateComputeSystem cece6585ce23: The container operating system does not match the host operating system.)", Fix: "use the image tag for build 17763 (1809 / ltsc2019)", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): hcs::CreateComputeSystem cece6585ce23: The container operating system does not match the host operating system."}, Warnings: []string(nil)},
			got:  start(with(d, func(d *evidence.Daemon) { d.Image.Inspect.OsVersion = "" }), processWorkload(), "hcs::CreateComputeSystem cece6585ce23: The container operating system does not match the host operating system.")},
		{doc: "0xc0370101 under Hyper-V of a fitting build: not a build or revision problem",
			want:   Verdict{Status: "fail", Message: "the daemon refused the Hyper-V container (0xc0370101, 'does not match the host') although image build 17763 fits host build 17763 under hyperv isolation: not a build or revision problem (revisions do not matter under Hyper-V)", Fix: "update the host to its latest cumulative update and read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin) for the refusal", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"hyperv\"", "start error (system): hcs::CreateComputeSystem a503f75e9583: The container operating system does not match the host operating system."}, Warnings: []string(nil)},
			source: "Microsoft Learn, Update Windows Server containers (revisions do not matter under Hyper-V)",
			got:    start(revisionHost(17763, 805, 1098), hypervWorkload(), "hcs::CreateComputeSystem a503f75e9583: The container operating system does not match the host operating system.")},
		{doc: "0xc0370101 of an older LTSC image on a newer host: update-level, not the build",
			want:   Verdict{Status: "fail", Message: "the daemon refused the image (0xc0370101, 'does not match the host') although image build 20348 fits host build 26100 under process isolation: an update-level incompatibility, not the build", Fix: "update host and image to their latest cumulative updates, or use the image of the host's own build; Hyper-V isolation runs it meanwhile (revisions do not matter there)", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): hcs::CreateComputeSystem cece6585ce23: The container operating system does not match the host operating system."}, Warnings: []string(nil)},
			source: "hcsshim osversion CheckHostAndContainerCompat (from 20348 on)",
			got:    start(buildPair(26100, 2033, 20348, 2966), processWorkload(), "hcs::CreateComputeSystem cece6585ce23: The container operating system does not match the host operating system.")},
		{doc: "0xc0370101 of one build whose image revision could not be read",
			want:   Verdict{Status: "fail", Message: "the daemon refused the image (0xc0370101, 'does not match the host') although image build 17763 fits host build 17763 under process isolation: an update-level incompatibility of the same build (a revision could not be read) (host 17763.1098, image 17763.0)", Fix: "update host and image to their latest cumulative update; Hyper-V isolation runs it meanwhile (revisions do not matter there)", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): (0xc0370101)"}, Warnings: []string(nil)},
			source: "an image whose os.version is 10.0.17763 without a revision",
			got:    start(buildPair(17763, 1098, 17763, 0), processWorkload(), "(0xc0370101)")},
		{doc: "0xc0370101 of one build, image older than the host, both after the 2020 baseline",
			want:   Verdict{Status: "fail", Message: "the daemon refused the image (0xc0370101, 'does not match the host') although image build 17763 fits host build 17763 under process isolation: an update-level incompatibility of the same build (host 17763.1577, image 17763.1098)", Fix: "pull the image's tag again for the host's revision 1577 or later; Hyper-V isolation runs it meanwhile (revisions do not matter there)", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "start error (system): (0xc0370101)"}, Warnings: []string(nil)},
			source: "Microsoft Learn, Update Windows Server containers (after the baseline, an older image runs; a refusal is update-level)",
			got:    start(revisionHost(17763, 1577, 1098), processWorkload(), "(0xc0370101)")},
	}
	checkWholeVerdicts(t, rows)
}

// TestRowClaimsWhole: isolation field, process tree, PID visibility and
// cleanup on situations the fixtures do not carry.
func TestRowClaimsWhole(t *testing.T) {
	d := ws2019()
	linux := evidence.Daemon{Target: "unix:///var/run/docker.sock", Local: true}
	rows := []isoRow{
		{doc: "a Windows daemon reporting Isolation \"default\" for a process row", source: "moby: a container created without --isolation reports the daemon default in older engines",
			want: Verdict{Status: "fail", Message: "Isolation: got \"default\", want \"process\"", Fix: "the daemon did not honour --isolation=process; check its exec-opts and the engine version", BlockedBy: "", Evidence: []string{"inspect: \"Isolation\": \"default\""}, Warnings: []string(nil)},
			got:  CheckIsolationField(d, change(processWorkload(), func(w *evidence.Workload) { w.Inspect = running("default") }))},
		{doc: "a Linux daemon reporting Isolation \"default\"", source: "moby daemon/internal/runconfig: the platform default spelled out",
			want: Verdict{Status: "pass", Message: "Isolation is \"default\"", Fix: "", BlockedBy: "", Evidence: []string{"inspect: \"Isolation\": \"default\""}, Warnings: []string(nil)},
			got:  CheckIsolationField(linux, change(linuxWorkload(), func(w *evidence.Workload) { w.Inspect = running("default") }))},
		{doc: "a Linux daemon reporting Isolation \"\" (Debian 20.10)", source: "measured on this project's CI host",
			want: Verdict{Status: "pass", Message: "Isolation is \"\"", Fix: "", BlockedBy: "", Evidence: []string{"inspect: \"Isolation\": \"\""}, Warnings: []string(nil)},
			got:  CheckIsolationField(linux, linuxWorkload())},
		{doc: "no inspect answer", source: "an inspect lost with the container",
			want: Verdict{Status: "fail", Message: "no inspect of the container", Fix: "", BlockedBy: "", Evidence: []string(nil), Warnings: []string(nil)},
			got:  CheckIsolationField(d, change(processWorkload(), func(w *evidence.Workload) { w.Inspect = nil }))},
		{doc: "docker top through a lost connection", source: "moby client: EOF when dockerd exits mid-request",
			want: Verdict{Status: "fail", Message: "lost the daemon connection at docker top: EOF", Fix: "the daemon stopped answering mid-run: check that it still runs and read its log; the next run removes any container this run could not", BlockedBy: "", Evidence: []string{"docker top error (connection): EOF"}, Warnings: []string(nil)},
			got: CheckProcessTree(change(processWorkload(), func(w *evidence.Workload) {
				w.TopErr, w.Top = &evidence.Failure{Kind: evidence.KindConnection, Message: "EOF"}, nil
			}))},
		{doc: "docker top refused by the daemon", source: "moby daemon/top_windows.go: 'container is not running'",
			want: Verdict{Status: "fail", Message: "docker top failed: Error response from daemon: container cece6585ce23 is not running", Fix: "read the daemon's log", BlockedBy: "", Evidence: []string(nil), Warnings: []string(nil)},
			got: CheckProcessTree(change(processWorkload(), func(w *evidence.Workload) {
				w.TopErr, w.Top = &evidence.Failure{Kind: evidence.KindConflict, Message: "Error response from daemon: container cece6585ce23 is not running"}, nil
			}))},
		{doc: "docker top without the workload, never settled", source: "a workload that exited before top answered",
			want: Verdict{Status: "fail", Message: "PING.EXE is not in the container's process tree", Fix: "the workload did not run as started; read `docker logs`", BlockedBy: "", Evidence: []string{"top: smss.exe 5364, csrss.exe 3692, wininit.exe 716, services.exe 6552, lsass.exe 4952, CExecSvc.exe 6216", "docker top never settled: timed out after 30s"}, Warnings: []string(nil)},
			got: CheckProcessTree(change(processWorkload(), func(w *evidence.Workload) {
				w.Top.Processes = w.Top.Processes[:6]
				w.SettleErr = &evidence.Failure{Message: "timed out after 30s"}
			}))},
		{doc: "a Linux top answered by ps aux (COMMAND column)", source: "moby daemon/top_unix.go: ps_args aux gives USER PID ... COMMAND",
			want: Verdict{Status: "pass", Message: "ping is PID 14081 among 1 processes", Fix: "", BlockedBy: "", Evidence: []string{"top: ping 14081"}, Warnings: []string(nil)},
			got: CheckProcessTree(change(linuxWorkload(), func(w *evidence.Workload) {
				w.Top.Titles = []string{"USER", "PID", "%CPU", "%MEM", "VSZ", "RSS", "TTY", "STAT", "START", "TIME", "COMMAND"}
				w.Top.Processes = [][]string{{"root", "14081", "0.0", "0.0", "1300", "4", "?", "Ss", "19:58", "0:00", "ping localhost"}}
			}))},
		{doc: "a legacy 1.12 top on a Linux row is read, with no Windows warning", source: "moby v1.12.x daemon/top_windows.go is Windows only",
			want: Verdict{Status: "pass", Message: "ping is PID 14081 among 1 processes", Fix: "", BlockedBy: "", Evidence: []string{"top: ping 14081"}, Warnings: []string(nil)},
			got: CheckProcessTree(change(linuxWorkload(), func(w *evidence.Workload) {
				w.Top.Titles, w.Top.Processes = []string{"14081 ping localhost"}, nil
			}))},
		{doc: "PID visibility on a remote daemon", source: "DOCKER_HOST=tcp://: the gate's process table is another machine's",
			want: Verdict{Status: "skip", Message: "daemon at tcp://build-host:2376 is not local: this host's processes say nothing about its containers", Fix: "", BlockedBy: "", Evidence: []string(nil), Warnings: []string(nil)},
			got:  CheckPIDVisibility(with(d, func(d *evidence.Daemon) { d.Local, d.Target = false, "tcp://build-host:2376" }), processWorkload())},
		{doc: "PID visibility with a host probe error", source: "CreateToolhelp32Snapshot refused",
			want: Verdict{Status: "fail", Message: "probe broken: snapshot: Access is denied.", Fix: "run the gate elevated on the daemon's host", BlockedBy: "", Evidence: []string(nil), Warnings: []string(nil)},
			got:  CheckPIDVisibility(d, change(processWorkload(), func(w *evidence.Workload) { w.HostErr = &evidence.Failure{Message: "snapshot: Access is denied."} }))},
		{doc: "PID visibility without the workload in top", source: "a workload that exited",
			want: Verdict{Status: "fail", Message: "no workload PID to look for: PING.EXE is not in the container's process tree", Fix: "", BlockedBy: "", Evidence: []string{"top: smss.exe 5364, csrss.exe 3692, wininit.exe 716, services.exe 6552, lsass.exe 4952, CExecSvc.exe 6216"}, Warnings: []string(nil)},
			got:  CheckPIDVisibility(d, change(processWorkload(), func(w *evidence.Workload) { w.Top.Processes = w.Top.Processes[:6] }))},
		{doc: "the harness's own session unknown: the session claim cannot be shown", source: "ProcessIdToSessionId refused for the harness",
			want: Verdict{Status: "fail", Message: "the harness's session is unknown: cannot show the container runs in its own session", Fix: "the probe could not read a session id; run the gate elevated on the daemon's host", BlockedBy: "", Evidence: []string{"container: PING.EXE PID 4872", "host: PID 4872 is PING.EXE, session 3, pid namespace \"\"", "harness: PID 9000, session unknown, pid namespace \"\""}, Warnings: []string(nil)},
			got: CheckPIDVisibility(d, change(processWorkload(), func(w *evidence.Workload) {
				w.After = hostSnapshot(containerOnHost(3)...)
				for i := range w.After.Processes {
					if w.After.Processes[i].PID == harnessSelf.PID {
						w.After.Processes[i].Session = nil
					}
				}
			}))},
		{doc: "a top of smss.exe (session 0) and the workload (session 3) only: the workload's session is the container's", source: "real host outputs reviewed for this project (isolation.go ContainerSession)",
			want: Verdict{Status: "pass", Message: "PING.EXE PID 4872 is a host process in session 3 (harness: session 1), with all 2 processes of the container", Fix: "", BlockedBy: "", Evidence: []string{"container: PING.EXE PID 4872", "host: PID 4872 is PING.EXE, session 3, pid namespace \"\"", "harness: PID 9000, session 1, pid namespace \"\""}, Warnings: []string(nil)},
			got: CheckPIDVisibility(d, change(processWorkload(), func(w *evidence.Workload) {
				w.Top.Processes = [][]string{w.Top.Processes[0], w.Top.Processes[6]}
				w.After = hostSnapshot(hostprobe.Process{PID: 5364, Name: "smss.exe", Session: session(0)}, hostprobe.Process{PID: 4872, Name: "PING.EXE", Session: session(3)})
			}))},
		{doc: "a process-isolated container whose processes all run in session 0", source: "Windows services run in session 0; a container's processes run in their own",
			want: Verdict{Status: "fail", Message: "the container's processes run in session 0, among the host's services, not in a container session", Fix: "the processes are not one container's session; check the isolation the daemon really used", BlockedBy: "", Evidence: []string{"container: PING.EXE PID 4872", "host: PID 4872 is PING.EXE, session 0, pid namespace \"\"", "harness: PID 9000, session 1, pid namespace \"\""}, Warnings: []string(nil)},
			got:  CheckPIDVisibility(d, change(processWorkload(), func(w *evidence.Workload) { w.After = hostSnapshot(containerOnHost(0)...) }))},
		{doc: "smss.exe in session 0 beside the container's session 2", source: "real host outputs reviewed for this project (isolation.go ContainerSession)",
			want: Verdict{Status: "pass", Message: "PING.EXE PID 4872 is a host process in session 2 (harness: session 1), with all 7 processes of the container", Fix: "", BlockedBy: "", Evidence: []string{"container: PING.EXE PID 4872", "host: PID 4872 is PING.EXE, session 2, pid namespace \"\"", "harness: PID 9000, session 1, pid namespace \"\""}, Warnings: []string(nil)},
			got: CheckPIDVisibility(d, change(processWorkload(), func(w *evidence.Workload) {
				w.After = hostSnapshot(withSession(containerOnHost(2), "smss.exe", session(0))...)
			}))},
		{doc: "Linux: the harness's PID namespace could not be read (docker-group user, /proc/self/ns/pid readable but not the harness's)", source: "proc(5): /proc/[pid]/ns needs ptrace access",
			want: Verdict{Status: "fail", Message: "PID namespace unknown: cannot show the workload runs in its own namespace", Fix: "run the gate as root on the daemon's host", BlockedBy: "", Evidence: []string{"container: ping PID 14081", "host: PID 14081 is ping, session unknown, pid namespace \"pid:[4026532183]\"", "harness: PID 100, session unknown, pid namespace \"\""}, Warnings: []string(nil)},
			got: CheckPIDVisibility(linux, change(linuxWorkload(), func(w *evidence.Workload) {
				w.After.Processes[0].PIDNamespace = ""
			}))},
		{doc: "Linux: the workload's PID namespace could not be read (a gate run by a docker-group user)", source: "proc(5): /proc/[pid]/ns of another user's process needs ptrace access",
			want: Verdict{Status: "fail", Message: "PID namespace unknown: cannot show the workload runs in its own namespace", Fix: "run the gate as root on the daemon's host", BlockedBy: "", Evidence: []string{"container: ping PID 14081", "host: PID 14081 is ping, session unknown, pid namespace \"\"", "harness: PID 100, session unknown, pid namespace \"pid:[4026531836]\""}, Warnings: []string(nil)},
			got: CheckPIDVisibility(linux, change(linuxWorkload(), func(w *evidence.Workload) {
				w.After.Processes[1].PIDNamespace = ""
			}))},
		{doc: "Linux: the workload's PID is another program on the host", source: "a PID reused after the workload exited",
			want: Verdict{Status: "fail", Message: "ping PID 14081 is not a host process: got sshd, want a host ping", Fix: "under process isolation the container's processes are host processes; check the isolation the daemon really used", BlockedBy: "", Evidence: []string{"container: ping PID 14081", "host: PID 14081 is sshd, session unknown, pid namespace \"pid:[4026532183]\"", "harness: PID 100, session unknown, pid namespace \"pid:[4026531836]\""}, Warnings: []string(nil)},
			got: CheckPIDVisibility(linux, change(linuxWorkload(), func(w *evidence.Workload) {
				w.After.Processes[1].Name = "sshd"
			}))},
		{doc: "a create that lost its connection: a container may have been created", source: "moby client: EOF mid-create",
			want: Verdict{Status: "fail", Message: "lost the daemon connection at create: the daemon may have created a container the harness never heard of", Fix: "the daemon stopped answering mid-run: check that it still runs and read its log; the next run removes any container this run could not; list it with: docker ps -a --filter label=io.github.wincontainer-gate.conformance.run-id", BlockedBy: "", Evidence: []string{"create error (connection): EOF"}, Warnings: []string(nil)},
			got:  CheckCleanup(evidence.Workload{Row: windowsProcess, CreateErr: &evidence.Failure{Kind: evidence.KindConnection, Message: "EOF"}})},
		{doc: "a create the daemon refused: nothing to clean up", source: "moby: a refused create leaves no container",
			want: Verdict{Status: "skip", Message: "no container was created", Fix: "", BlockedBy: "", Evidence: []string(nil), Warnings: []string(nil)},
			got:  CheckCleanup(evidence.Workload{Row: windowsProcess, CreateErr: &evidence.Failure{Kind: evidence.KindInvalidParameter, Message: "invalid isolation"}})},
		{doc: "removal through a lost connection", source: "moby client: EOF mid-remove",
			want: Verdict{Status: "fail", Message: "lost the daemon connection at removal: EOF", Fix: "the daemon stopped answering mid-run: check that it still runs and read its log; the next run removes any container this run could not", BlockedBy: "", Evidence: []string{"container cece6585ce23", "removal error (connection): EOF"}, Warnings: []string(nil)},
			got: CheckCleanup(change(processWorkload(), func(w *evidence.Workload) {
				w.RemoveErr = &evidence.Failure{Kind: evidence.KindConnection, Message: "EOF"}
			}))},
		{doc: "removal refused", source: "moby daemon/delete.go: 'unable to remove filesystem' on a locked layer",
			want: Verdict{Status: "fail", Message: "removing the container failed: unable to remove filesystem for cece6585ce23: The process cannot access the file because it is being used by another process.", Fix: "docker rm -f cece6585ce23; read the daemon's log", BlockedBy: "", Evidence: []string{"container cece6585ce23"}, Warnings: []string(nil)},
			got: CheckCleanup(change(processWorkload(), func(w *evidence.Workload) {
				w.RemoveErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "unable to remove filesystem for cece6585ce23: The process cannot access the file because it is being used by another process."}
			}))},
		{doc: "wait for removal through a lost connection", source: "moby client: EOF while polling",
			want: Verdict{Status: "fail", Message: "lost the daemon connection at wait for removal: EOF", Fix: "the daemon stopped answering mid-run: check that it still runs and read its log; the next run removes any container this run could not", BlockedBy: "", Evidence: []string{"container cece6585ce23", "wait for removal error (connection): EOF"}, Warnings: []string(nil)},
			got: CheckCleanup(change(processWorkload(), func(w *evidence.Workload) {
				w.GoneErr = &evidence.Failure{Kind: evidence.KindConnection, Message: "EOF"}
			}))},
		{doc: "a template VM listed after a process row's start is not quoted by that row's cleanup", source: "moby daemon/graphdriver/windows: templates belong to Hyper-V starts",
			want: Verdict{Status: "pass", Message: "container removed and gone", Fix: "", BlockedBy: "", Evidence: []string{"container cece6585ce23"}, Warnings: []string(nil)},
			got: CheckCleanup(change(exactly(processWorkload(), "", "", vmB), func(w *evidence.Workload) {
				w.After.HCS.Systems[1].IsRuntimeTemplate = true
			}))},
	}
	checkWholeVerdicts(t, rows)
}

// TestVMWorkerAndRefusalWhole: the VM worker claim's host-side refusals,
// its fixes per attribution method, its evidence, and the Linux daemon's
// refusal of Windows isolation modes.
func TestVMWorkerAndRefusalWhole(t *testing.T) {
	d := ws2019()
	linuxRow := evidence.Row{Platform: "linux", Mode: "process"}
	refused := func(kind, message string) Verdict {
		return CheckRefused(evidence.Refusal{Row: linuxRow, ContainerID: "a386933c3add1234", CreateErr: &evidence.Failure{Kind: kind, Message: message}})
	}
	timingPair := change(window(hypervWorkload()), func(w *evidence.Workload) {
		w.After.Processes = append(w.After.Processes, hostprobe.Process{PID: 7400, Name: "vmwp.exe", Session: session(0), ParentPID: 1876, CreateTime: at(2), Owner: `NT VIRTUAL MACHINE\` + vmB, CommandLineIDs: []string{vmB}})
	})
	rows := []isoRow{
		{doc: "vm-worker on a remote daemon", source: "DOCKER_HOST=tcp://: the gate's process table is another machine's",
			want: Verdict{Status: "skip", Message: "daemon at tcp://build-host:2376 is not local: this host's VM workers say nothing about it", Fix: "", BlockedBy: "", Evidence: []string(nil), Warnings: []string(nil)},
			got:  CheckVMWorker(with(d, func(d *evidence.Daemon) { d.Local, d.Target = false, "tcp://build-host:2376" }), hypervWorkload())},
		{doc: "vm-worker with a host probe error", source: "CreateToolhelp32Snapshot refused",
			want: Verdict{Status: "fail", Message: "probe broken: snapshot: Access is denied.", Fix: "run the gate elevated on the daemon's host", BlockedBy: "", Evidence: []string(nil), Warnings: []string(nil)},
			got:  CheckVMWorker(d, change(hypervWorkload(), func(w *evidence.Workload) { w.HostErr = &evidence.Failure{Message: "snapshot: Access is denied."} }))},
		{doc: "vm-worker without an after-start snapshot", source: "a probe that failed after the start",
			want: Verdict{Status: "fail", Message: "probe broken: no after-start host snapshot", Fix: "the harness could not read the host's process table; run it elevated on the daemon's host", BlockedBy: "", Evidence: []string(nil), Warnings: []string(nil)},
			got:  CheckVMWorker(d, change(hypervWorkload(), func(w *evidence.Workload) { w.After = nil }))},
		{doc: "two workers by timing: the fix asks for an elevated run", source: "Get-Process vmwp -IncludeUserName needs elevation",
			want: Verdict{Status: "fail", Message: "ambiguous: 2 new VM workers could be the container's: 7312 (session 0, created 2019-12-17T05:30:01Z), 7400 (session 0, created 2019-12-17T05:30:02Z, owner NT VIRTUAL MACHINE\\C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35, command line C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35)", Fix: "the probe could not read whose VMs they are (the probe reported no HCS compute systems); run the gate elevated (as Administrator) so that HCS and process owners name each worker's VM", BlockedBy: "", Evidence: []string{"attribution: timing (new vmwp.exe by PID and create time, created by vmcompute.exe or vmms.exe inside the start window): the probe reported no HCS compute systems", "fact: RuntimeId present: unknown, the probe reported no HCS compute systems", "fact: worker account = RuntimeId: unknown", "fact: command line = RuntimeId: unknown", "fact: template VM seen: unknown", "vmwp before start: 2216 (session 0), 6704 (session 0)", "vmwp after start: 2216 (session 0), 6704 (session 0), 7312 (session 0, created 2019-12-17T05:30:01Z), 7400 (session 0, created 2019-12-17T05:30:02Z, owner NT VIRTUAL MACHINE\\C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35, command line C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35)"}, Warnings: []string(nil)},
			got:  CheckVMWorker(d, timingPair)},
		{doc: "a process row with a worker by timing, not serialised: attribution refused", source: "the harness serialises Windows rows (helpers/harness)",
			want: Verdict{Status: "fail", Message: "VM workers cannot be attributed: attribution by timing needs the harness's rows serialised, and this row was not", Fix: "run the gate again; if it repeats, report it with this evidence: the harness serialises every Windows row", BlockedBy: "", Evidence: []string{"attribution: timing (new vmwp.exe by PID and create time, created by vmcompute.exe or vmms.exe inside the start window): the probe reported no HCS compute systems", "vmwp before start: 2216 (session 0), 6704 (session 0)", "vmwp after start: 2216 (session 0), 6704 (session 0), 8100 (session 0)"}, Warnings: []string(nil)},
			got: CheckVMWorker(d, change(processWorkload(), func(w *evidence.Workload) {
				w.Serialized = false
				w.After = hostSnapshot(append(containerOnHost(3), hostprobe.Process{PID: 8100, Name: "vmwp.exe", Session: session(0)})...)
			}))},
		{doc: "a Hyper-V row by timing, HCS unreadable: no HCS line in the evidence", source: "HcsEnumerateComputeSystems: Access is denied. when not elevated",
			want: Verdict{Status: "pass", Message: "VM worker attributed (timing): vmwp.exe 7312 (session 0, created 2019-12-17T05:30:01Z)", Fix: "", BlockedBy: "", Evidence: []string{"attribution: timing (new vmwp.exe by PID and create time, created by vmcompute.exe or vmms.exe inside the start window): HCS compute systems unreadable: HcsEnumerateComputeSystems: Access is denied.", "fact: RuntimeId present: unknown, HCS compute systems unreadable: HcsEnumerateComputeSystems: Access is denied.", "fact: worker account = RuntimeId: unknown", "fact: command line = RuntimeId: unknown", "fact: template VM seen: unknown", "vmwp before start: 2216 (session 0), 6704 (session 0)", "vmwp after start: 2216 (session 0), 6704 (session 0), 7312 (session 0, created 2019-12-17T05:30:01Z)"}, Warnings: []string(nil)},
			got: CheckVMWorker(d, change(window(hypervWorkload()), func(w *evidence.Workload) {
				w.Before.HCS = &hostprobe.HCSView{Err: hcsDenied, Systems: []hostprobe.ComputeSystem{{ID: vmB}}}
				w.After.HCS = &hostprobe.HCSView{Err: hcsDenied, Systems: []hostprobe.ComputeSystem{{ID: vmB}}}
			}))},
		{doc: "a Hyper-V row by elimination with a template VM in the window", source: "moby daemon/graphdriver/windows (template VMs); microsoft/hcsshim#251",
			want: Verdict{Status: "pass", Message: "VM worker attributed (elimination): vmwp.exe 7312 (session 0, owner NT VIRTUAL MACHINE\\C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35)", Fix: "", BlockedBy: "", Evidence: []string{"attribution: elimination (new vmwp.exe created by vmcompute.exe inside the start window, less those naming another compute system HCS lists); exact did not apply: the container's compute system reports no utility VM id (a zero or empty RuntimeId)", "fact: RuntimeId present: no, a503f75e958370f0bb544c94 reports \"\"", "fact: worker account = RuntimeId: unknown (no RuntimeId to compare); new vmwp.exe 7312 as NT VIRTUAL MACHINE\\C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35", "fact: command line = RuntimeId: unknown (no RuntimeId to compare); new vmwp.exe 7312 no GUID read from it", "fact: template VM seen: yes, 5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418 (created in the start window)", "vmwp before start: 2216 (session 0), 6704 (session 0)", "vmwp after start: 2216 (session 0), 6704 (session 0), 7312 (session 0, owner NT VIRTUAL MACHINE\\C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35)", "HCS after start: compute system a503f75e958370f0bb544c94 (type Container, owner docker)", "HCS after start: template VM 5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418 (type VirtualMachine, no owner, RuntimeId 5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418, IsRuntimeTemplate)", "template VM created in the start window (never the container's worker): 5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418"}, Warnings: []string{"VM worker attributed by elimination, not exactly: the container's compute system reports no utility VM id (a zero or empty RuntimeId); please report this claim's attribution and fact lines (docs/hyperv-attribution.md#first-run-on-a-real-host)"}},
			got: CheckVMWorker(d, change(exactly(hypervWorkload(), "", vmB), func(w *evidence.Workload) {
				w.After.HCS.Systems = append(w.After.HCS.Systems, hostprobe.ComputeSystem{ID: vmA, SystemType: "VirtualMachine", RuntimeID: vmA, IsRuntimeTemplate: true})
			}))},
		{doc: "a worker with create time, owner and command line quoted in full", source: "hostprobe reads the create time, the owner and the command line's GUIDs",
			want: Verdict{Status: "pass", Message: "VM worker attributed (timing): vmwp.exe 7312 (session 0, created 2019-12-17T05:30:01Z, owner NT VIRTUAL MACHINE\\5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418, command line 5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418 7312)", Fix: "", BlockedBy: "", Evidence: []string{"attribution: timing (new vmwp.exe by PID and create time, created by vmcompute.exe or vmms.exe inside the start window): the probe reported no HCS compute systems", "fact: RuntimeId present: unknown, the probe reported no HCS compute systems", "fact: worker account = RuntimeId: unknown", "fact: command line = RuntimeId: unknown", "fact: template VM seen: unknown", "vmwp before start: 2216 (session 0), 6704 (session 0)", "vmwp after start: 2216 (session 0), 6704 (session 0), 7312 (session 0, created 2019-12-17T05:30:01Z, owner NT VIRTUAL MACHINE\\5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418, command line 5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418 7312)"}, Warnings: []string(nil)},
			got: CheckVMWorker(d, change(window(hypervWorkload()), func(w *evidence.Workload) {
				last := &w.After.Processes[len(w.After.Processes)-1]
				last.Owner, last.CommandLineIDs = `NT VIRTUAL MACHINE\`+vmA, []string{vmA, "7312"}
			}))},
		{doc: "refusal: current moby wording of the process mode (400)", source: "moby daemon/internal/runconfig/hostconfig_unix.go",
			want: Verdict{Status: "pass", Message: "isolation \"process\" refused as invalid", Fix: "", BlockedBy: "", Evidence: []string{"create error (invalid-parameter): Error response from daemon: invalid isolation (process): linux only supports 'default'"}, Warnings: []string(nil)},
			got:  refused(evidence.KindInvalidParameter, "Error response from daemon: invalid isolation (process): linux only supports 'default'")},
		{doc: "refusal: the 20.10 wording with a 400 is a refusal too", source: "Debian 20.10 wording; an engine that typed it",
			want: Verdict{Status: "pass", Message: "isolation \"process\" refused as invalid", Fix: "", BlockedBy: "", Evidence: []string{"create error (invalid-parameter): Error response from daemon: Invalid isolation: \"process\" - linux only supports 'default'"}, Warnings: []string(nil)},
			got:  refused(evidence.KindInvalidParameter, `Error response from daemon: Invalid isolation: "process" - linux only supports 'default'`)},
		{doc: "refusal: the 20.10 wording with a 409 is not the refusal", source: "only 400 (typed) and Debian's 500 are refusals",
			want: Verdict{Status: "fail", Message: "refusal kind: got conflict, want invalid-parameter", Fix: "the daemon failed for another reason; read its log", BlockedBy: "", Evidence: []string{"create error (conflict): Error response from daemon: Invalid isolation: \"process\" - linux only supports 'default'"}, Warnings: []string(nil)},
			got:  refused(evidence.KindConflict, `Error response from daemon: Invalid isolation: "process" - linux only supports 'default'`)},
		{doc: "refusal through a lost connection", source: "moby client: EOF mid-create",
			want: Verdict{Status: "fail", Message: "lost the daemon connection at create: EOF", Fix: "the daemon stopped answering mid-run: check that it still runs and read its log; the next run removes any container this run could not", BlockedBy: "", Evidence: []string{"create error (connection): EOF"}, Warnings: []string(nil)},
			got:  refused(evidence.KindConnection, "EOF")},
		{doc: "a Linux daemon that accepted process isolation", source: "an engine that ignores --isolation",
			want: Verdict{Status: "fail", Message: "the daemon accepted isolation \"process\" (container a386933c3add)", Fix: "a Linux daemon must refuse Windows isolation modes; check the engine", BlockedBy: "", Evidence: []string{"create: accepted"}, Warnings: []string(nil)},
			got:  CheckRefused(evidence.Refusal{Row: linuxRow, ContainerID: "a386933c3add1234"})},
	}
	checkWholeVerdicts(t, rows)
}

// TestReadingsOfARowWhole: which readings a row's evidence gives, and the
// disagreement (or none) they make, for each host situation that removes or
// changes one reading.
func TestReadingsOfARowWhole(t *testing.T) {
	d := ws2019()
	// The daemon says process; the workload is not on the host's table and
	// a worker appeared by timing: the table and the worker say hyperv.
	hypervUnderProcessField := change(window(hypervWorkload()), func(w *evidence.Workload) { w.Inspect = running("process") })
	tests := []struct {
		doc, source string
		d           evidence.Daemon
		w           evidence.Workload
		want        Disagreement
		disagrees   bool
	}{
		{doc: "inspect process, table and timing hyperv", source: "hcs-and-vm-workers: a Hyper-V container's processes live in the utility VM",
			d: d, w: hypervUnderProcessField, disagrees: true,
			want: Disagreement{
				Says:   `the row's evidence disagrees: the daemon says process (inspect reports "process"); the host process table says hyperv (PING.EXE PID 1308 is not a host process); VM worker attribution says hyperv (vmwp.exe 7312 (session 0, created 2019-12-17T05:30:01Z) is attributed to it (timing))`,
				Unseen: "the probe could not see which VM each vmwp.exe belongs to: the probe reported no HCS compute systems",
				Rerun:  "rerun the gate elevated (as Administrator) on the host: HCS's compute systems and the process owners then say which VM each worker belongs to, and this row is judged on them"}},
		{doc: "a remote daemon: only the daemon's field is read", source: "DOCKER_HOST=tcp://: the gate's process table is another machine's",
			d: with(d, func(d *evidence.Daemon) { d.Local = false }), w: hypervUnderProcessField},
		{doc: "a host probe error: only the daemon's field is read", source: "CreateToolhelp32Snapshot refused",
			d: d, w: change(hypervUnderProcessField, func(w *evidence.Workload) { w.HostErr = &evidence.Failure{Message: "snapshot: Access is denied."} })},
		{doc: "a Linux row is never read from the host's Windows tables", source: "the readings are of Windows rows",
			d: d, w: change(hypervUnderProcessField, func(w *evidence.Workload) { w.Row = linuxDefault })},
		{doc: "a Windows daemon reporting \"default\" gives no field reading", source: "moby: older engines report the daemon default",
			d: d, w: change(window(processWorkload()), func(w *evidence.Workload) {
				w.Inspect = running("default")
				w.After.Processes = append(w.After.Processes, containerOnHost(3)...)
			}), disagrees: true,
			want: Disagreement{
				Says:   `the row's evidence disagrees: the host process table says process (PING.EXE PID 4872 is a host process (session 3)); VM worker attribution says hyperv (vmwp.exe 7312 (session 0, created 2019-12-17T05:30:01Z) is attributed to it (timing))`,
				Unseen: "the probe could not see which VM each vmwp.exe belongs to: the probe reported no HCS compute systems",
				Rerun:  "rerun the gate elevated (as Administrator) on the host: HCS's compute systems and the process owners then say which VM each worker belongs to, and this row is judged on them"}},
		{doc: "two workers by timing: the attribution gives no reading", source: "an ambiguous attribution names no VM",
			d: d, w: change(window(change(processWorkload(), func(w *evidence.Workload) { w.Inspect = running("hyperv") })), func(w *evidence.Workload) {
				w.After.Processes = append(w.After.Processes, containerOnHost(3)...)
				w.After.Processes = append(w.After.Processes, hostprobe.Process{PID: 7400, Name: "vmwp.exe", Session: session(0), ParentPID: 1876, CreateTime: at(2)})
			}), disagrees: true,
			want: Disagreement{
				Says:   `the row's evidence disagrees: the daemon says hyperv (inspect reports "hyperv"); the host process table says process (PING.EXE PID 4872 is a host process (session 3))`,
				Unseen: "the probe could not see which VM each vmwp.exe belongs to: the probe reported no HCS compute systems",
				Rerun:  "rerun the gate elevated (as Administrator) on the host: HCS's compute systems and the process owners then say which VM each worker belongs to, and this row is judged on them"}},
		{doc: "all three readings agree on hyperv", source: "the documented Hyper-V run",
			d: d, w: window(hypervWorkload())},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			got, ok := RowDisagreement(tc.d, tc.w)
			assert.Check(t, is.Equal(ok, tc.disagrees), "source: %s", tc.source)
			assert.Check(t, is.DeepEqual(got, tc.want), "source: %s", tc.source)
		})
	}

	// withDisagreement adds the unseen line only when the probe missed one.
	v := withDisagreement(failed("found", "fix", "e1"), "found", Disagreement{Says: "the row's evidence disagrees: x", Rerun: "rerun"})
	assert.Check(t, is.DeepEqual(v, Verdict{Status: Fail, Message: "found, but the row's evidence disagrees: x", Fix: "rerun", Evidence: []string{"e1"}}))
	v = withDisagreement(failed("found", "fix", "e1"), "found", Disagreement{Says: "s", Unseen: "u", Rerun: "r"})
	assert.Check(t, is.DeepEqual(v, Verdict{Status: Fail, Message: "found, but s", Fix: "r", Evidence: []string{"e1", "u"}}))
}

// TestSilentDaemonEdgesWhole: the silent daemon's diagnosis at the build
// boundary of Docker Engine 23.0, with one Desktop process, with a dockerd
// that is (or is not) the service's, and the host facts quoted.
func TestSilentDaemonEdgesWhole(t *testing.T) {
	procs := func(ps ...hostprobe.Process) *hostprobe.Snapshot {
		return &hostprobe.Snapshot{SelfPID: 1, Processes: append([]hostprobe.Process{{PID: 1, Name: "conformance.test.exe"}}, ps...)}
	}
	tests := []struct {
		doc, source string
		change      func(d *evidence.Daemon)
		fix         string
		evidence    []string
	}{
		{doc: "build 17762 (an Insider build just below RS5): refused by 23.0", source: "moby daemon/daemon_windows.go checkSystem: osversion.Build() < osversion.RS5",
			change: func(d *evidence.Daemon) {
				d.Host.Build, d.Host.ProductType = "17762", "workstation"
				setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "stopped", StartType: "auto"})
			},
			fix:      `this host is build 17762: Docker Engine 23.0 and later refuse to start below build 17763 ("this version of Windows does not support the docker daemon (Windows build 17763 or higher is required)") (the docker service is stopped: starting it again fails the same way), so the supported path for this host is gone: move the image to Windows Server 2019 or later (serviced: Windows Server 2022, 2025)`,
			evidence: []string{"host probe: windows build 17762.805, product type workstation", "service docker: stopped, start type auto", "service vmms: running, start type auto"}},
		{doc: "build 17763 itself (Server 2019) with a stopped service: 23.0 runs there, start the service", source: "moby daemon/daemon_windows.go checkSystem accepts RS5",
			change: func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "stopped"})
			},
			fix:      "the docker service is stopped (start type unknown): Start-Service docker, and read the Application event log (source docker) if it stops again",
			evidence: []string{"host probe: windows build 17763.805, product type unknown", "service docker: stopped, start type ", "service vmms: running, start type auto"}},
		{doc: "only Docker Desktop's backend runs (the app was closed)", source: "docker/for-win#7186",
			change: func(d *evidence.Daemon) {
				d.Processes = procs(hostprobe.Process{PID: 4388, Name: "com.docker.backend.exe"})
			},
			fix:      "Docker Desktop runs (com.docker.backend.exe PID 4388) but its engine does not answer at npipe:////./pipe/docker_engine: restart Docker Desktop's engine (Troubleshoot > Restart, or quit and start Docker Desktop) in Windows containers mode; Docker Desktop 4.x runs no docker service to start",
			evidence: []string{"host probe: windows build 17763.805, product type unknown", "service docker: running, start type auto", "service vmms: running, start type auto", "engine processes: com.docker.backend.exe PID 4388"}},
		{doc: "the docker service's own dockerd.exe runs (same PID): not started by hand", source: "the service control manager reports the service's PID",
			change: func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "running", StartType: "auto", PID: 2740})
				d.Processes = procs(hostprobe.Process{PID: 2740, Name: "dockerd.exe"})
			},
			fix:      `the docker service runs (PID 2740) but nothing answers at npipe:////./pipe/docker_engine: the engine listens elsewhere (daemon.json "hosts"); point DOCKER_HOST at it, or Restart-Service docker`,
			evidence: []string{"host probe: windows build 17763.805, product type unknown", "service docker: running, start type auto", "service vmms: running, start type auto", "engine processes: dockerd.exe PID 2740"}},
		{doc: "a dockerd.exe runs and the service manager could not be read: started by hand", source: "dockerd.exe -H npipe:////./pipe/other run from a console",
			change: func(d *evidence.Daemon) {
				d.Services = nil
				d.Processes = procs(hostprobe.Process{PID: 5120, Name: "dockerd.exe"})
			},
			fix:      "a dockerd.exe started by hand runs (dockerd.exe PID 5120), outside the docker service, and does not answer at npipe:////./pipe/docker_engine: stop it (Stop-Process -Id 5120) and Start-Service docker, or point DOCKER_HOST at the address it listens on",
			evidence: []string{"host probe: windows build 17763.805, product type unknown", "engine processes: dockerd.exe PID 5120"}},
		{doc: "a dockerd.exe runs and there is no docker service: started by hand", source: "dockerd.exe run from a console on a host without --register-service",
			change: func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "docker"})
				d.Processes = procs(hostprobe.Process{PID: 5120, Name: "dockerd.exe"})
			},
			fix:      "a dockerd.exe started by hand runs (dockerd.exe PID 5120), outside the docker service, and does not answer at npipe:////./pipe/docker_engine: stop it (Stop-Process -Id 5120) and Start-Service docker, or point DOCKER_HOST at the address it listens on",
			evidence: []string{"host probe: windows build 17763.805, product type unknown", "service docker: not installed", "service vmms: running, start type auto", "engine processes: dockerd.exe PID 5120"}},
		{doc: "the service runs on an old build whose build could not be parsed", source: "hostprobe Build from CurrentBuildNumber",
			change:   func(d *evidence.Daemon) { d.Host.Build = "unknown" },
			fix:      `the docker service runs but nothing answers at npipe:////./pipe/docker_engine: the engine listens elsewhere (daemon.json "hosts"); point DOCKER_HOST at it, or Restart-Service docker`,
			evidence: []string{"host probe: windows build unknown.805, product type unknown", "service docker: running, start type auto", "service vmms: running, start type auto"}},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			d := with(ws2019(), tc.change)
			assert.Check(t, is.Equal(silentDaemonFix(d), tc.fix), "source: %s", tc.source)
			assert.Check(t, is.DeepEqual(hostFactsLines(d), tc.evidence), "source: %s", tc.source)
		})
	}
}

// TestTreeAndWorkerEdgesWhole: each process of the Windows system set, the
// pre-1.13 top's warning, the start decisions that quote the daemon's words
// when the build rule blocks, and the VM worker fixes that depend on the
// attribution method and on whether the row's readings agree.
func TestTreeAndWorkerEdgesWhole(t *testing.T) {
	d := ws2019()
	// The set is spelled out here, not read from WindowsSystemSet, so that a
	// name dropped from the set fails its row.
	systemSet := []string{"smss.exe", "csrss.exe", "wininit.exe", "services.exe", "lsass.exe", "CExecSvc.exe"}
	var rows []isoRow
	for i, name := range systemSet {
		w := change(processWorkload(), func(w *evidence.Workload) {
			w.Top.Processes = append(append([][]string{}, w.Top.Processes[:i]...), w.Top.Processes[i+1:]...)
		})
		var top []string
		for _, p := range w.Top.Processes {
			top = append(top, p[0]+" "+p[1])
		}
		rows = append(rows, isoRow{doc: "a Windows container whose top lacks " + name,
			source: "moby daemon/top_windows.go lists the compute system's processes; every Windows container runs smss, csrss, wininit, services, lsass and CExecSvc",
			got:    CheckProcessTree(w),
			want: Verdict{Status: Fail, Message: "process tree lacks " + name,
				Fix:      "the container is not a full Windows compute system; check the base image and the daemon's runtime",
				Evidence: []string{"top: " + strings.Join(top, ", ")}}})
	}
	rows = append(rows,
		isoRow{doc: "Docker 1.12 on Server 2016: the pre-1.13 top passes with the warning naming the unchecked set",
			want:   Verdict{Status: "pass", Message: "ping is PID 4872; the engine's docker top lists only the processes it started", Fix: "", BlockedBy: "", Evidence: []string{"top: ping 4872"}, Warnings: []string{"this engine answers docker top in the pre-1.13 shape (titles \"<pid> <command>\", no rows): the container's system processes (smss.exe, csrss.exe, wininit.exe, services.exe, lsass.exe, CExecSvc.exe) cannot be checked; upgrade the engine to check them"}},
			source: "moby v1.12.x daemon/top_windows.go",
			got:    CheckProcessTree(change(processWorkload(), func(w *evidence.Workload) { w.Top.Titles, w.Top.Processes = []string{"4872 ping localhost -t"}, nil }))},
		isoRow{doc: "a Server 2022 image blocked by the build rule at create: the create error is quoted",
			want:   Verdict{Status: "fail", Message: "blocked by image-build: image build 20348 cannot run under process isolation on host build 17763", Fix: "", BlockedBy: "image-build", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"process\"", "create error (system): hcs::CreateComputeSystem cece: The container operating system does not match the host operating system."}, Warnings: []string(nil)},
			source: "Microsoft Learn, Windows container version compatibility",
			got: CheckStart(with(d, func(d *evidence.Daemon) { d.Image.Inspect.OsVersion = "10.0.20348.2340" }), defaultExpect(),
				refusedAt(processWorkload(), "create", sysErr("hcs::CreateComputeSystem cece: The container operating system does not match the host operating system.")))},
		isoRow{doc: "a Server 2022 image the daemon started anyway under Hyper-V on Server 2019: blocked by the build rule, the daemon's acceptance quoted",
			want:   Verdict{Status: "fail", Message: "blocked by image-build: image build 20348 cannot run under hyperv isolation on host build 17763", Fix: "", BlockedBy: "image-build", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"hyperv\"", "the daemon created and started the container"}, Warnings: []string(nil)},
			source: "Microsoft Learn: Hyper-V isolation runs images of the host's build or older only",
			got:    CheckStart(with(d, func(d *evidence.Daemon) { d.Image.Inspect.OsVersion = "10.0.20348.2340" }), defaultExpect(), hypervWorkload())},
		isoRow{doc: "0xc0370106 on a Hyper-V row without the image's inspect: the plain verdict",
			want:   Verdict{Status: "fail", Message: "the container exited unexpectedly at start (0xc0370106)", Fix: "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Operational) and the daemon's log", BlockedBy: "", Evidence: []string{"image nanoserver:1809, HostConfig.Isolation \"hyperv\"", "start error (system): container a503f75e9583 encountered an error during hcs::System::Start: failure in a Windows system call: The virtual machine or container exited unexpectedly. (0xc0370106)"}, Warnings: []string(nil)},
			source: "microsoft/Windows-Containers#356",
			got: CheckStart(with(d, func(d *evidence.Daemon) { d.Image.Inspect = nil }), defaultExpect(),
				refusedAt(hypervWorkload(), "start", sysErr("container a503f75e9583 encountered an error during hcs::System::Start: failure in a Windows system call: The virtual machine or container exited unexpectedly. (0xc0370106)")))},
		isoRow{doc: "two unexplained new workers by elimination: ambiguous, find each one's VM",
			want:   Verdict{Status: "fail", Message: "ambiguous: 2 new VM workers could be the container's: 7312 (session 0, owner NT VIRTUAL MACHINE\\C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35), 7400 (session 0)", Fix: "none of them names a compute system HCS lists; find each one's VM (hcsdiag list; Get-Process vmwp -IncludeUserName) and attach this evidence to a report", BlockedBy: "", Evidence: []string{"attribution: elimination (new vmwp.exe created by vmcompute.exe inside the start window, less those naming another compute system HCS lists); exact did not apply: the container's compute system reports no utility VM id (a zero or empty RuntimeId)", "fact: RuntimeId present: no, a503f75e958370f0bb544c94 reports \"\"", "fact: worker account = RuntimeId: unknown (no RuntimeId to compare); new vmwp.exe 7312 as NT VIRTUAL MACHINE\\C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35, 7400 owner not read", "fact: command line = RuntimeId: unknown (no RuntimeId to compare); new vmwp.exe 7312 no GUID read from it, 7400 no GUID read from it", "fact: template VM seen: no", "vmwp before start: 2216 (session 0), 6704 (session 0)", "vmwp after start: 2216 (session 0), 6704 (session 0), 7312 (session 0, owner NT VIRTUAL MACHINE\\C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35), 7400 (session 0)", "HCS after start: compute system a503f75e958370f0bb544c94 (type Container, owner docker)"}, Warnings: []string(nil)},
			source: "hcsdiag list names each compute system; Get-Process vmwp -IncludeUserName names each worker's VM",
			got: CheckVMWorker(d, change(exactly(hypervWorkload(), "", vmB), func(w *evidence.Workload) {
				w.After.Processes = append(w.After.Processes, hostprobe.Process{PID: 7400, Name: "vmwp.exe", Session: session(0)})
			}))},
		isoRow{doc: "a Hyper-V row whose only new worker is another listed VM's, while the daemon and the table say process: no utility VM started",
			want:   Verdict{Status: "fail", Message: "no VM worker attributed to the Hyper-V container: the new vmwp.exe 7312 (session 0, owner NT VIRTUAL MACHINE\\C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35) are not its (see why below)", Fix: "the daemon did not start a utility VM for the container; check Hyper-V and the isolation the daemon used", BlockedBy: "", Evidence: []string{"attribution: elimination (new vmwp.exe created by vmcompute.exe inside the start window, less those naming another compute system HCS lists); exact did not apply: no new vmwp.exe runs as NT VIRTUAL MACHINE\\5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418 or names it on its command line", "fact: RuntimeId present: yes, 5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418", "fact: worker account = RuntimeId: no; new vmwp.exe 7312 as NT VIRTUAL MACHINE\\C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35", "fact: command line = RuntimeId: no; new vmwp.exe 7312 no GUID read from it", "fact: template VM seen: no", "vmwp before start: 2216 (session 0), 6704 (session 0)", "vmwp after start: 2216 (session 0), 6704 (session 0), 7312 (session 0, owner NT VIRTUAL MACHINE\\C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35)", "HCS after start: compute system a503f75e958370f0bb544c94 (type Container, owner docker, RuntimeId 5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418)", "HCS after start: compute system C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35 (type VirtualMachine, owner WSL, RuntimeId C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35)", "not attributed: vmwp.exe 7312: names C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35, another compute system HCS lists: compute system C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35 (type VirtualMachine, owner WSL, RuntimeId C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35)"}, Warnings: []string(nil)},
			source: "hcs-and-vm-workers: a worker running as another compute system's VM is not the container's",
			got: CheckVMWorker(d, exactly(change(hypervWorkload(), func(w *evidence.Workload) {
				w.Inspect = running("process")
				w.After.Processes = append(w.After.Processes, hostprobe.Process{PID: 1308, Name: "PING.EXE", Session: session(2)})
			}), vmA, vmB, vmB))},
		isoRow{doc: "PID visibility quotes a host snapshot that never settled",
			want:   Verdict{Status: "pass", Message: "PING.EXE PID 1308 is not a host process: it runs in the utility VM", Fix: "", BlockedBy: "", Evidence: []string{"container: PING.EXE PID 1308", "host: no process with PID 1308 among 8", "harness: PID 9000, session 1, pid namespace \"\"", "the host snapshot never settled: timed out after 30s"}, Warnings: []string(nil)},
			source: "helpers/harness waits for the snapshot to settle (bounded)",
			got: CheckPIDVisibility(d, change(hypervWorkload(), func(w *evidence.Workload) {
				w.SettleErr = &evidence.Failure{Message: "timed out after 30s"}
			}))},
	)
	checkWholeVerdicts(t, rows)
}

// TestLegacyTopTitlesThatAreNot: only titles of "<pid> <command>" make the
// pre-1.13 shape.
func TestLegacyTopTitlesThatAreNot(t *testing.T) {
	for _, titles := range [][]string{{"ping 4872"}, {"4872"}, {"4872   "}, {"4872 ping", "PID"}} {
		assert.Check(t, !LegacyWindowsTop(&container.TopResponse{Titles: titles}), "titles %q", titles)
	}
	assert.Check(t, LegacyWindowsTop(&container.TopResponse{Titles: []string{" 4872 ping", "5020 cmd /c dir"}}))
	assert.Check(t, !LegacyWindowsTop(nil))
}

// TestProbeEvidenceWhole: what the user reads of the host probe itself: a
// worker's create time at FILETIME's 100 ns resolution, and the snapshot a
// harness inside a container took.
func TestProbeEvidenceWhole(t *testing.T) {
	created := time.Date(2019, 12, 17, 5, 30, 1, 123456700, time.UTC)
	assert.Check(t, is.Equal(pids([]hostprobe.Process{{PID: 7312, Session: session(0), CreateTime: created}}),
		"7312 (session 0, created 2019-12-17T05:30:01.1234567Z)"), "Windows process create times are FILETIMEs (100 ns); the evidence keeps them whole")
	rows := []isoRow{
		{doc: "a harness run inside a process-isolated container (CExecSvc.exe in its session)",
			want:   Verdict{Status: "fail", Message: "probe broken: the harness runs inside a container: CExecSvc.exe (PID 6216) runs in the harness's session 1", Fix: "run the gate on the container host itself, not in a container", BlockedBy: "", Evidence: []string{"the before-start snapshot"}, Warnings: []string(nil)},
			source: "hcs-and-vm-workers: CExecSvc.exe runs in every Windows container's session",
			got: CheckVMWorker(ws2019(), change(hypervWorkload(), func(w *evidence.Workload) {
				w.Before = hostSnapshot(hostprobe.Process{PID: 6216, Name: "CExecSvc.exe", Session: session(1)})
			}))},
		{doc: "a snapshot of another session's view, without dockerd.exe",
			want:   Verdict{Status: "fail", Message: "probe broken: the after-start host snapshot lacks the docker service's dockerd.exe: it does not show this host's processes", Fix: "run the gate elevated on the daemon's host itself (not in a container or another session's view)", BlockedBy: "", Evidence: []string{"snapshot of 6 processes"}, Warnings: []string(nil)},
			source: "a probe that reads only its own session's processes (not elevated)",
			got: CheckPIDVisibility(ws2019(), change(hypervWorkload(), func(w *evidence.Workload) {
				w.After = &hostprobe.Snapshot{SelfPID: harnessSelf.PID, Processes: without(hostSnapshot().Processes, "dockerd.exe")}
			}))},
		{doc: "exact attribution: the worker runs as the container's utility VM",
			want:   Verdict{Status: "pass", Message: "VM worker attributed (exact): vmwp.exe 7312 (session 0, owner NT VIRTUAL MACHINE\\5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418)", Fix: "", BlockedBy: "", Evidence: []string{"attribution: exact (a new vmwp.exe runs as or names the container's utility VM): utility VM 5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418 (RuntimeId of compute system a503f75e958370f0bb544c94)", "fact: RuntimeId present: yes, 5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418", "fact: worker account = RuntimeId: yes; new vmwp.exe 7312 as NT VIRTUAL MACHINE\\5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418", "fact: command line = RuntimeId: no; new vmwp.exe 7312 no GUID read from it", "fact: template VM seen: no", "vmwp before start: 2216 (session 0), 6704 (session 0)", "vmwp after start: 2216 (session 0), 6704 (session 0), 7312 (session 0, owner NT VIRTUAL MACHINE\\5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418)", "HCS after start: compute system a503f75e958370f0bb544c94 (type Container, owner docker, RuntimeId 5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418)"}, Warnings: []string(nil)},
			source: "hcs-and-vm-workers: vmwp.exe runs as NT VIRTUAL MACHINE\\<VM id>, the RuntimeId HCS reports for the container",
			got:    CheckVMWorker(ws2019(), exactly(hypervWorkload(), vmA, vmA))},
	}
	checkWholeVerdicts(t, rows)
}

// TestRowAppliesQuotesTheIsolationSetting: a row left out by
// CONFORMANCE_ISOLATION=process,default (a Windows image pipeline that
// gates only process isolation) quotes the setting as the user spelled it.
func TestRowAppliesQuotesTheIsolationSetting(t *testing.T) {
	e, err := config.LoadExpectations(func(name string) string {
		if name == config.EnvIsolation {
			return "process,default"
		}
		return ""
	})
	assert.NilError(t, err)
	runs, reason := RowApplies(ws2019(), e, windowsHyperV)
	assert.Check(t, !runs)
	assert.Check(t, is.Equal(reason, "isolation hyperv is not under test (CONFORMANCE_ISOLATION=process,default)"))
	runs, reason = RowApplies(ws2019(), e, windowsProcess)
	assert.Check(t, runs)
	assert.Check(t, is.Equal(reason, ""))
}

// TestCleanupLeftoversWhole: what remains after the removal, whole.
func TestCleanupLeftoversWhole(t *testing.T) {
	rows := []isoRow{
		{doc: "the container is still listed after its removal", source: "moby: a removal that returned while the container lingers (docker ps -a still lists it)",
			got: CheckCleanup(change(processWorkload(), func(w *evidence.Workload) { w.GoneErr = &evidence.Failure{Message: "still listed after 30s"} })),
			want: Verdict{Status: Fail, Message: "container still present after removal: still listed after 30s",
				Fix: "docker rm -f cece6585ce23; a daemon that keeps removed containers leaks them", Evidence: []string{"container cece6585ce23"}}},
		{doc: "the Hyper-V container's vmwp.exe outlives it", source: "microsoft/hcsshim#251 (a vmwp.exe left after docker run --rm)",
			got: CheckCleanup(change(hypervWorkload(), func(w *evidence.Workload) {
				w.WorkersGoneErr = &evidence.Failure{Message: "vmwp.exe 7312 still runs after 30s"}
			})),
			want: Verdict{Status: Fail, Message: "VM worker still running after removal: vmwp.exe 7312 still runs after 30s",
				Fix: "the utility VM outlived its container; check Hyper-V and vmcompute", Evidence: []string{"container a503f75e9583"}}},
	}
	checkWholeVerdicts(t, rows)
}
