package claims

import (
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

func session(n uint32) *uint32 { return &n }

var (
	windowsProcess = evidence.Row{Platform: "windows", Mode: "process"}
	windowsHyperV  = evidence.Row{Platform: "windows", Mode: "hyperv"}
	linuxDefault   = evidence.Row{Platform: "linux", Mode: "default"}
)

// harnessSelf is the harness in the interactive session 1.
var harnessSelf = hostprobe.Process{PID: 9000, Name: "conformance.test.exe", Session: session(1)}

func hostSnapshot(extra ...hostprobe.Process) *hostprobe.Snapshot {
	procs := []hostprobe.Process{
		{PID: 4, Name: "System", Session: session(0)},
		{PID: 1876, Name: "vmcompute.exe", Session: session(0)},
		{PID: 2604, Name: "vmms.exe", Session: session(0)},
		{PID: 2740, Name: "dockerd.exe", Session: session(0)},
		{PID: 2216, Name: "vmwp.exe", Session: session(0)},
		{PID: 6704, Name: "vmwp.exe", Session: session(0)},
		harnessSelf,
	}
	return &hostprobe.Snapshot{SelfPID: harnessSelf.PID, Processes: append(procs, extra...)}
}

// containerOnHost is the process container's top as host processes, all in
// one session.
func containerOnHost(s uint32) []hostprobe.Process {
	var out []hostprobe.Process
	for _, p := range windowsTop("4872").Processes {
		pid := 0
		for _, c := range p[1] {
			pid = pid*10 + int(c-'0')
		}
		out = append(out, hostprobe.Process{PID: pid, Name: p[0], Session: session(s)})
	}
	return out
}

func windowsTop(pingPID string) *container.TopResponse {
	return &container.TopResponse{
		Titles: []string{"Name", "PID", "CPU", "Private Working Set"},
		Processes: [][]string{
			{"smss.exe", "5364", "00:00:00.062", "245.8kB"},
			{"csrss.exe", "3692", "00:00:00.000", "417.8kB"},
			{"wininit.exe", "716", "00:00:00.031", "651.3kB"},
			{"services.exe", "6552", "00:00:00.203", "1.266MB"},
			{"lsass.exe", "4952", "00:00:00.281", "2.798MB"},
			{"CExecSvc.exe", "6216", "00:00:00.015", "790.5kB"},
			{"PING.EXE", pingPID, "00:00:00.031", "528.4kB"},
		},
	}
}

func withSession(ps []hostprobe.Process, name string, s *uint32) []hostprobe.Process {
	out := append([]hostprobe.Process{}, ps...)
	for i := range out {
		if out[i].Name == name {
			out[i].Session = s
		}
	}
	return out
}

func without(ps []hostprobe.Process, name string) []hostprobe.Process {
	var out []hostprobe.Process
	for _, p := range ps {
		if p.Name != name {
			out = append(out, p)
		}
	}
	return out
}

var startWindow = time.Date(2019, 12, 17, 5, 30, 0, 0, time.UTC)

func at(seconds int) time.Time { return startWindow.Add(time.Duration(seconds) * time.Second) }

// window gives the Hyper-V run a start window of 5 s and its new worker 7312
// (the last process) vmcompute as parent and a create time inside it.
func window(w evidence.Workload) evidence.Workload {
	w.Before = hostSnapshot()
	w.Before.TakenAt = at(0)
	w.After = hostSnapshot(hostprobe.Process{PID: 7312, Name: "vmwp.exe", Session: session(0), ParentPID: 1876, CreateTime: at(1)})
	w.After.TakenAt = at(5)
	return w
}

const (
	vmA = "5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418"
	vmB = "C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35"
)

// exactly gives the snapshots HCS's view, the container's compute system
// with RuntimeId runtimeID and the VMs listed (by id), and makes the new
// worker 7312 run as workerVM's account ("" leaves its owner unknown).
func exactly(w evidence.Workload, runtimeID, workerVM string, listed ...string) evidence.Workload {
	before, after := *w.Before, *w.After
	before.HCS = &hostprobe.HCSView{Systems: []hostprobe.ComputeSystem{}}
	after.HCS = &hostprobe.HCSView{Systems: []hostprobe.ComputeSystem{{ID: w.ContainerID, SystemType: "Container", Owner: "docker", RuntimeID: runtimeID}}}
	for _, id := range listed {
		after.HCS.Systems = append(after.HCS.Systems, hostprobe.ComputeSystem{ID: id, SystemType: "VirtualMachine", Owner: "WSL", RuntimeID: id})
	}
	after.Processes = append([]hostprobe.Process{}, after.Processes...)
	for i, p := range after.Processes {
		if p.PID == 7312 && workerVM != "" {
			after.Processes[i].Owner = `NT VIRTUAL MACHINE\` + workerVM
		}
	}
	w.Before, w.After = &before, &after
	return w
}

func running(isolation string) *container.InspectResponse {
	return &container.InspectResponse{ContainerJSONBase: &container.ContainerJSONBase{
		State:      &container.State{Status: "running", Running: true, Pid: 4872},
		HostConfig: &container.HostConfig{Isolation: container.Isolation(isolation)},
	}}
}

// processWorkload is the documented process-isolated run.
func processWorkload() evidence.Workload {
	return evidence.Workload{
		Row: windowsProcess, Image: "nanoserver:1809", Isolation: "process", ContainerID: "cece6585ce235d4790d6ab4d86c4",
		Inspect: running("process"), Top: windowsTop("4872"),
		Before: hostSnapshot(), Serialized: true,
		After: hostSnapshot(containerOnHost(3)...),
	}
}

// hypervWorkload is the documented Hyper-V run with the new worker 7312.
func hypervWorkload() evidence.Workload {
	return evidence.Workload{
		Row: windowsHyperV, Image: "nanoserver:1809", Isolation: "hyperv", ContainerID: "a503f75e958370f0bb544c94",
		Inspect: running("hyperv"), Top: windowsTop("1308"),
		Before: hostSnapshot(), Serialized: true,
		After: hostSnapshot(hostprobe.Process{PID: 7312, Name: "vmwp.exe", Session: session(0)}),
	}
}

func linuxWorkload() evidence.Workload {
	self := hostprobe.Process{PID: 100, Name: "conformance.tes", PIDNamespace: "pid:[4026531836]"}
	ping := hostprobe.Process{PID: 14081, Name: "ping", PIDNamespace: "pid:[4026532183]"}
	return evidence.Workload{
		Row: linuxDefault, Image: "busybox", ContainerID: "a386933c3add1234",
		Inspect: running(""),
		Top: &container.TopResponse{Titles: []string{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"},
			Processes: [][]string{{"root", "14081", "14060", "0", "19:58", "?", "00:00:00", "ping localhost"}}},
		After: &hostprobe.Snapshot{SelfPID: 100, Processes: []hostprobe.Process{self, ping}},
	}
}

func change(w evidence.Workload, f func(*evidence.Workload)) evidence.Workload {
	f(&w)
	return w
}

func TestIsolationClaims(t *testing.T) {
	d := ws2019()
	remote := with(d, func(d *evidence.Daemon) { d.Local, d.Target = false, "tcp://build-host:2375" })
	linux := evidence.Daemon{Target: "unix:///var/run/docker.sock", Local: true}
	skipPolicy := defaultExpect()
	skipPolicy.HyperV = config.HyperVSkip
	noHypervisor := change(hypervWorkload(), func(w *evidence.Workload) {
		w.StartErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "hcs::CreateComputeSystem a503f75e9583: No hypervisor is present on this system."}
	})

	tests := []struct {
		doc     string
		verdict Verdict
		status  Status
		message string
	}{
		{doc: "process start passes", verdict: CheckStart(d, defaultExpect(), processWorkload()), status: Pass, message: "running"},
		{doc: "image mismatch at start of an image of the host's build is not called a build mismatch", status: Fail, message: "although image build 17763 fits host build 17763 under process isolation",
			verdict: CheckStart(d, defaultExpect(), change(processWorkload(), func(w *evidence.Workload) {
				w.StartErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "hcsshim::CreateComputeSystem cece: The container operating system does not match the host operating system."}
			}))},
		{doc: "no hypervisor skips under the skip policy", verdict: CheckStart(d, skipPolicy, noHypervisor), status: Skip, message: "no usable hypervisor"},
		{doc: "no hypervisor fails under require", verdict: CheckStart(d, defaultExpect(), noHypervisor), status: Fail, message: "no usable hypervisor"},
		{doc: "missing vmcompute blocks the start", status: Fail, message: "blocked by service-vmcompute",
			verdict: CheckStart(with(d, func(d *evidence.Daemon) { setService(d, hostprobe.Service{Name: "vmcompute"}) }), defaultExpect(), processWorkload())},
		{doc: "missing vmms skips hyperv under the skip policy", status: Skip, message: "vmms not installed",
			verdict: CheckStart(with(d, func(d *evidence.Daemon) { setService(d, hostprobe.Service{Name: "vmms"}) }), skipPolicy, hypervWorkload())},
		{doc: "missing vmms blocks hyperv under require", status: Fail, message: "blocked by service-vmms",
			verdict: CheckStart(with(d, func(d *evidence.Daemon) { setService(d, hostprobe.Service{Name: "vmms"}) }), defaultExpect(), hypervWorkload())},
		{doc: "stopped vmms does not skip under the skip policy: the daemon's answer decides", status: Pass, message: "running",
			verdict: CheckStart(with(d, func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "vmms", Exists: true, State: "stopped"})
			}), skipPolicy, hypervWorkload())},
		{doc: "stopped vmms does not block under require: the daemon's answer decides", status: Pass, message: "running",
			verdict: CheckStart(with(d, func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "vmms", Exists: true, State: "stopped"})
			}), defaultExpect(), hypervWorkload())},
		{doc: "stopped vmms with a no-hypervisor answer skips under the skip policy", status: Skip, message: "no usable hypervisor",
			verdict: CheckStart(with(d, func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "vmms", Exists: true, State: "stopped"})
			}), skipPolicy, noHypervisor)},
		{doc: "container that exited fails", status: Fail, message: "did not stay running",
			verdict: CheckStart(linux, defaultExpect(), change(linuxWorkload(), func(w *evidence.Workload) {
				w.RunErr = &evidence.Failure{Message: "container a386933c3add is exited with exit code 1"}
			}))},

		{doc: "process isolation field passes", verdict: CheckIsolationField(d, processWorkload()), status: Pass},
		{doc: "hyperv container reporting process fails", status: Fail, message: `Isolation: got "process", want "hyperv"`,
			verdict: CheckIsolationField(d, change(hypervWorkload(), func(w *evidence.Workload) { w.Inspect = running("process") }))},
		{doc: "linux empty isolation is default", verdict: CheckIsolationField(d, linuxWorkload()), status: Pass},

		{doc: "process tree with the system set passes", verdict: CheckProcessTree(processWorkload()), status: Pass, message: "PING.EXE is PID 4872 among 7 processes"},
		{doc: "process tree without the system set fails", status: Fail, message: "process tree lacks smss.exe",
			verdict: CheckProcessTree(change(processWorkload(), func(w *evidence.Workload) {
				w.Top = &container.TopResponse{Titles: w.Top.Titles, Processes: w.Top.Processes[6:]}
			}))},
		{doc: "linux tree finds ping in CMD", verdict: CheckProcessTree(linuxWorkload()), status: Pass, message: "ping is PID 14081"},

		{doc: "process PID on the host in its own session passes", verdict: CheckPIDVisibility(d, processWorkload()), status: Pass,
			message: "PING.EXE PID 4872 is a host process in session 3 (harness: session 1)"},
		{doc: "process PID absent from the host fails", status: Fail, message: "is not a host process",
			verdict: CheckPIDVisibility(d, change(processWorkload(), func(w *evidence.Workload) { w.After = hostSnapshot() }))},
		{doc: "process PID in an unknown session fails", status: Fail, message: "session unknown for PING.EXE PID 4872",
			verdict: CheckPIDVisibility(d, change(processWorkload(), func(w *evidence.Workload) {
				w.After = hostSnapshot(withSession(containerOnHost(3), "PING.EXE", nil)...)
			}))},
		{doc: "container processes in the harness's own session are a harness inside a container", status: Fail, message: "probe broken: the harness runs inside a container",
			verdict: CheckPIDVisibility(d, change(processWorkload(), func(w *evidence.Workload) {
				w.After = hostSnapshot(containerOnHost(1)...)
			}))},
		{doc: "container processes in session 0 fail", status: Fail, message: "run in session 0, among the host's services",
			verdict: CheckPIDVisibility(d, change(processWorkload(), func(w *evidence.Workload) {
				w.After = hostSnapshot(containerOnHost(0)...)
			}))},
		{doc: "a container process in another session fails", status: Fail, message: "container processes in two sessions: lsass.exe PID 4952 in session 5",
			verdict: CheckPIDVisibility(d, change(processWorkload(), func(w *evidence.Workload) {
				w.After = hostSnapshot(withSession(containerOnHost(3), "lsass.exe", session(5))...)
			}))},
		{doc: "a container process missing from the host fails", status: Fail, message: "container process CExecSvc.exe PID 6216 is not a host process",
			verdict: CheckPIDVisibility(d, change(processWorkload(), func(w *evidence.Workload) {
				w.After = hostSnapshot(without(containerOnHost(3), "CExecSvc.exe")...)
			}))},
		{doc: "smss.exe in session 0 beside the container's session passes", status: Pass, message: "in session 3",
			verdict: CheckPIDVisibility(d, change(processWorkload(), func(w *evidence.Workload) {
				w.After = hostSnapshot(withSession(containerOnHost(3), "smss.exe", session(0))...)
			}))},
		{doc: "smss.exe in a third session fails", status: Fail, message: "smss.exe PID 5364 is in session 7",
			verdict: CheckPIDVisibility(d, change(processWorkload(), func(w *evidence.Workload) {
				w.After = hostSnapshot(withSession(containerOnHost(3), "smss.exe", session(7))...)
			}))},
		{doc: "harness inside a process-isolated container is a broken probe", status: Fail, message: "probe broken: the harness runs inside a container: CExecSvc.exe (PID 6216) runs in the harness's session 1",
			verdict: CheckPIDVisibility(d, change(hypervWorkload(), func(w *evidence.Workload) {
				w.After = hostSnapshot(hostprobe.Process{PID: 6216, Name: "CExecSvc.exe", Session: session(1)})
			}))},
		{doc: "snapshot without dockerd is a broken probe", status: Fail, message: "lacks the docker service's dockerd.exe",
			verdict: CheckPIDVisibility(d, change(hypervWorkload(), func(w *evidence.Workload) {
				w.After = &hostprobe.Snapshot{SelfPID: harnessSelf.PID, Processes: without(hostSnapshot().Processes, "dockerd.exe")}
			}))},
		{doc: "dockerd is looked for by the PID the service manager reports", status: Fail, message: "lacks the docker service's dockerd.exe PID 3100",
			verdict: CheckPIDVisibility(with(d, func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "running", StartType: "auto", PID: 3100})
			}), hypervWorkload())},
		{doc: "snapshot without vmcompute is a broken probe", status: Fail, message: "lacks the host compute service's vmcompute.exe",
			verdict: CheckVMWorker(d, change(hypervWorkload(), func(w *evidence.Workload) {
				w.Before = &hostprobe.Snapshot{SelfPID: harnessSelf.PID, Processes: without(hostSnapshot().Processes, "vmcompute.exe")}
			}))},
		{doc: "snapshot without the harness is a broken probe, not a pass", status: Fail, message: "probe broken",
			verdict: CheckPIDVisibility(d, change(hypervWorkload(), func(w *evidence.Workload) {
				w.After = &hostprobe.Snapshot{SelfPID: 9000}
			}))},
		{doc: "hyperv guest PID absent from the host passes", verdict: CheckPIDVisibility(d, hypervWorkload()), status: Pass, message: "runs in the utility VM"},
		{doc: "hyperv PING visible on the host fails, naming the evidence that disagrees", status: Fail, message: "is a host process, but the row's evidence disagrees: the daemon says hyperv",
			verdict: CheckPIDVisibility(d, change(hypervWorkload(), func(w *evidence.Workload) {
				w.After = hostSnapshot(hostprobe.Process{PID: 1308, Name: "PING.EXE", Session: session(2)})
			}))},
		{doc: "hyperv guest PID reused by another host process passes", verdict: CheckPIDVisibility(d, change(hypervWorkload(), func(w *evidence.Workload) {
			w.After = hostSnapshot(hostprobe.Process{PID: 1308, Name: "svchost.exe", Session: session(0)}, hostprobe.Process{PID: 7312, Name: "vmwp.exe"})
		})), status: Pass},
		{doc: "remote daemon skips host processes", verdict: CheckPIDVisibility(remote, processWorkload()), status: Skip, message: "not local"},
		{doc: "linux PID in its own namespace passes", verdict: CheckPIDVisibility(linux, linuxWorkload()), status: Pass, message: "PID namespace pid:[4026532183]"},
		{doc: "linux PID in the harness's namespace fails", status: Fail, message: "shares the harness's PID namespace",
			verdict: CheckPIDVisibility(linux, change(linuxWorkload(), func(w *evidence.Workload) {
				w.After = &hostprobe.Snapshot{SelfPID: 100, Processes: []hostprobe.Process{
					{PID: 100, Name: "t", PIDNamespace: "pid:[1]"}, {PID: 14081, Name: "ping", PIDNamespace: "pid:[1]"}}}
			}))},

		{doc: "hyperv brings a new vmwp", verdict: CheckVMWorker(d, hypervWorkload()), status: Pass, message: "vmwp.exe 7312 (session 0)"},
		{doc: "hyperv without a new vmwp fails", status: Fail, message: "no new vmwp.exe",
			verdict: CheckVMWorker(d, change(hypervWorkload(), func(w *evidence.Workload) { w.After = hostSnapshot() }))},
		{doc: "process isolation without a new vmwp passes", verdict: CheckVMWorker(d, processWorkload()), status: Pass},
		{doc: "process isolation with a new vmwp fails", status: Fail, message: "a VM worker attributed (timing) to a process-isolated container",
			verdict: CheckVMWorker(d, change(processWorkload(), func(w *evidence.Workload) {
				w.After = hostSnapshot(hostprobe.Process{PID: 8100, Name: "vmwp.exe", Session: session(0)})
			}))},

		{doc: "a reused worker PID is a new worker", status: Fail, message: "a VM worker attributed (timing) to a process-isolated container: vmwp.exe 6704",
			verdict: CheckVMWorker(d, change(processWorkload(), func(w *evidence.Workload) {
				w.Before = hostSnapshot()
				w.Before.Processes[5].CreateTime = at(-3600)
				w.After = hostSnapshot(containerOnHost(3)...)
				w.After.Processes[5].CreateTime = at(1)
			}))},
		{doc: "a worker created by neither vmcompute nor vmms is not attributed", status: Pass, message: "no VM worker attributed (timing)",
			verdict: CheckVMWorker(d, change(processWorkload(), func(w *evidence.Workload) {
				w.After.Processes = append(w.After.Processes, hostprobe.Process{PID: 8100, Name: "vmwp.exe", Session: session(0), ParentPID: 4, CreateTime: at(1)})
			}))},
		{doc: "a worker created outside the start window is not attributed", status: Fail, message: "no VM worker attributed to the Hyper-V container: the new vmwp.exe 7312",
			verdict: CheckVMWorker(d, change(window(hypervWorkload()), func(w *evidence.Workload) {
				w.After.Processes[len(w.After.Processes)-1].CreateTime = at(-10)
			}))},
		{doc: "a worker created by vmcompute inside the window is attributed", status: Pass, message: "VM worker attributed (timing): vmwp.exe 7312",
			verdict: CheckVMWorker(d, window(hypervWorkload()))},
		{doc: "two candidates by timing are ambiguous", status: Fail, message: "ambiguous: 2 new VM workers",
			verdict: CheckVMWorker(d, change(window(hypervWorkload()), func(w *evidence.Workload) {
				w.After.Processes = append(w.After.Processes, hostprobe.Process{PID: 7400, Name: "vmwp.exe", Session: session(0), ParentPID: 1876, CreateTime: at(2)})
			}))},
		{doc: "timing without the harness-wide lock attributes nothing", status: Fail, message: "cannot be attributed",
			verdict: CheckVMWorker(d, change(hypervWorkload(), func(w *evidence.Workload) { w.Serialized = false }))},
		{doc: "exact: the worker running as the container's VM passes", status: Pass, message: "VM worker attributed (exact): vmwp.exe 7312",
			verdict: CheckVMWorker(d, exactly(hypervWorkload(), vmA, vmA))},
		{doc: "a listed foreign VM starting in the window is not attributed", status: Fail, message: "no VM worker attributed to the Hyper-V container: the new vmwp.exe 7312",
			verdict: CheckVMWorker(d, exactly(hypervWorkload(), vmA, vmB, vmB))},
		{doc: "an unlisted VM's worker, the only candidate, is attributed by elimination", status: Pass, message: "VM worker attributed (elimination): vmwp.exe 7312",
			verdict: CheckVMWorker(d, exactly(hypervWorkload(), vmA, vmB))},
		{doc: "a listed foreign VM in a process row's window is not the container's", status: Pass, message: "no VM worker attributed (elimination)",
			verdict: CheckVMWorker(d, exactly(change(processWorkload(), func(w *evidence.Workload) {
				w.After.Processes = append(w.After.Processes, hostprobe.Process{PID: 7312, Name: "vmwp.exe", Session: session(0)})
			}), "", vmB, vmB))},
		{doc: "an unexplained worker in a process row's window fails", status: Fail, message: "a VM worker attributed (elimination) to a process-isolated container: vmwp.exe 7312",
			verdict: CheckVMWorker(d, exactly(change(processWorkload(), func(w *evidence.Workload) {
				w.After.Processes = append(w.After.Processes, hostprobe.Process{PID: 7312, Name: "vmwp.exe", Session: session(0)})
			}), "", vmB))},
		{doc: "exact: a process container with a utility VM fails", status: Fail, message: "a VM worker attributed (exact) to a process-isolated container",
			verdict: CheckVMWorker(d, exactly(change(processWorkload(), func(w *evidence.Workload) {
				w.After.Processes = append(w.After.Processes, hostprobe.Process{PID: 7312, Name: "vmwp.exe", Session: session(0)})
			}), vmA, vmA))},
		{doc: "a Hyper-V container without a VM id is attributed by elimination", status: Pass, message: "VM worker attributed (elimination)",
			verdict: CheckVMWorker(d, exactly(hypervWorkload(), "", vmB))},
		{doc: "elimination needs the lock", status: Fail, message: "attribution by elimination needs the harness's rows serialised",
			verdict: CheckVMWorker(d, change(exactly(hypervWorkload(), "", vmB), func(w *evidence.Workload) { w.Serialized = false }))},
		{doc: "two unexplained workers by elimination are ambiguous", status: Fail, message: "ambiguous: 2 new VM workers could be the container's",
			verdict: CheckVMWorker(d, change(exactly(hypervWorkload(), "", vmB), func(w *evidence.Workload) {
				w.After.Processes = append(w.After.Processes, hostprobe.Process{PID: 7400, Name: "vmwp.exe", Session: session(0)})
			}))},
		{doc: "exact needs no lock", status: Pass, message: "(exact)",
			verdict: CheckVMWorker(d, change(exactly(hypervWorkload(), vmA, vmA), func(w *evidence.Workload) { w.Serialized = false }))},
		{doc: "a new worker of unknown owner is attributed by elimination", status: Pass, message: "VM worker attributed (elimination)",
			verdict: CheckVMWorker(d, exactly(hypervWorkload(), vmA, ""))},

		{doc: "removed container passes cleanup", verdict: CheckCleanup(processWorkload()), status: Pass},
		{doc: "container still present fails cleanup", status: Fail, message: "container still present after removal",
			verdict: CheckCleanup(change(processWorkload(), func(w *evidence.Workload) { w.GoneErr = &evidence.Failure{Message: "timed out"} }))},
		{doc: "worker outliving its container fails cleanup", status: Fail, message: "VM worker still running",
			verdict: CheckCleanup(change(hypervWorkload(), func(w *evidence.Workload) { w.WorkersGoneErr = &evidence.Failure{Message: "vmwp.exe 7312"} }))},
		{doc: "nothing created skips cleanup", verdict: CheckCleanup(evidence.Workload{}), status: Skip},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Equal(t, tc.verdict.Status, tc.status, tc.verdict.String())
			assert.Check(t, is.Contains(tc.verdict.Message, tc.message), tc.verdict.String())
		})
	}
}

func TestCheckRefused(t *testing.T) {
	hyperv := evidence.Row{Platform: "linux", Mode: "hyperv"}
	tests := []struct {
		doc       string
		createErr *evidence.Failure
		status    Status
		message   string
	}{
		{doc: "current moby: 400 with the new wording", status: Pass,
			createErr: &evidence.Failure{Kind: evidence.KindInvalidParameter, Message: "Error response from daemon: invalid isolation (hyperv): linux only supports 'default'"}},
		{doc: "Debian 20.10: 500 with the old wording", status: Pass,
			createErr: &evidence.Failure{Kind: evidence.KindSystem, Message: `Error response from daemon: Invalid isolation: "hyperv" - linux only supports 'default'`}},
		{doc: "500 with the new wording is not a refusal", status: Fail, message: "refusal kind: got system",
			createErr: &evidence.Failure{Kind: evidence.KindSystem, Message: "invalid isolation (hyperv): linux only supports 'default'"}},
		{doc: "unknown wording fails", status: Fail, message: "unknown wording",
			createErr: &evidence.Failure{Kind: evidence.KindInvalidParameter, Message: "bad request"}},
		{doc: "accepted fails", status: Fail, message: `the daemon accepted isolation "hyperv"`},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			v := CheckRefused(evidence.Refusal{Row: hyperv, CreateErr: tc.createErr, ContainerID: "abc"})
			assert.Equal(t, v.Status, tc.status, v.String())
			assert.Check(t, is.Contains(v.Message, tc.message), v.String())
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		doc     string
		message string
		want    Class
	}{
		{doc: "19.03 mismatch", message: "hcsshim::CreateComputeSystem 1: The container operating system does not match the host operating system.", want: ClassImageMismatch},
		{doc: "20.10 mismatch", message: "hcs::CreateComputeSystem 1: The container operating system does not match the host operating system.", want: ClassImageMismatch},
		{doc: "pull incompatible", message: "a Windows version 10.0.18362-based image is incompatible with a 10.0.17763 host", want: ClassImageMismatch},
		{doc: "pull manifest", message: "no matching manifest for windows/amd64 10.0.17763 in the manifest list entries", want: ClassImageMismatch},
		{doc: "no hypervisor", message: "hcs::CreateComputeSystem 1: No hypervisor is present on this system.", want: ClassNoHypervisor},
		{doc: "hyperv not installed code", message: "failed: HCS_E_HYPERV_NOT_INSTALLED (0x80370102)", want: ClassNoHypervisor},
		{doc: "required feature", message: "The virtual machine could not be started because a required feature is not installed.", want: ClassNoHypervisor},
		{doc: "unexpected exit", message: "container 1 encountered an error during hcs::System::Start: failure in a Windows system call: The virtual machine or container exited unexpectedly. (0xc0370106)", want: ClassUnexpectedExit},
		{doc: "linux refusal, old", message: `Invalid isolation: "process" - linux only supports 'default'`, want: ClassUnsupportedIsolation},
		{doc: "pipe access denied", message: "open //./pipe/docker_engine: Access is denied.", want: ClassAccessDenied},
		{doc: "pipe missing", message: "open //./pipe/docker_engine: The system cannot find the file specified.", want: ClassNotListening},
		{doc: "socket missing", message: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", want: ClassNotListening},
		{doc: "anything else", message: "disk full", want: ClassOther},
		{doc: "nothing", message: "", want: ClassNone},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Check(t, is.Equal(Classify(tc.message), tc.want))
		})
	}
}

// Docker 1.12 on Windows (moby v1.12.x daemon/top_windows.go) answers top with
// one title "<pid> <command>" per started process and no rows.
func TestLegacyWindowsTopShape(t *testing.T) {
	legacy := &container.TopResponse{Titles: []string{"4872 ping"}}
	assert.Check(t, LegacyWindowsTop(legacy))
	assert.Check(t, !LegacyWindowsTop(windowsTop("4872")), "the 1.13+ table is not legacy")
	assert.Check(t, !LegacyWindowsTop(&container.TopResponse{Titles: []string{"Name", "PID"}}), "columns without rows are not legacy")
	assert.Check(t, !LegacyWindowsTop(&container.TopResponse{Titles: []string{"4872 ping"}, Processes: [][]string{{"ping"}}}),
		"an answer with rows is a table, whatever its titles look like")

	w := change(processWorkload(), func(w *evidence.Workload) { w.Top = legacy })
	v := CheckProcessTree(w)
	assert.Equal(t, v.Status, Pass, v.String())
	assert.Check(t, is.Contains(v.Message, "ping is PID 4872"))
	assert.Assert(t, is.Len(v.Warnings, 1))
	assert.Check(t, is.Contains(v.Warnings[0], "pre-1.13 shape"))
	assert.Equal(t, CheckPIDVisibility(ws2019(), w).Status, Pass, "the workload PID is read from the legacy titles")

	w.Top = &container.TopResponse{Titles: []string{"4990 cmd"}}
	assert.Equal(t, CheckProcessTree(w).Status, Fail, "a legacy answer without the workload still fails")
}

func TestContainerSessionRefusesTheHarnesssSession(t *testing.T) {
	top := []TopProcess{{Name: "smss.exe", PID: 5364}, {Name: "PING.EXE", PID: 4872}}
	after := hostSnapshot(
		hostprobe.Process{PID: 5364, Name: "smss.exe", Session: session(0)},
		hostprobe.Process{PID: 4872, Name: "PING.EXE", Session: session(1)})
	_, problem := ContainerSession(top, *after, harnessSelf)
	assert.Check(t, is.Contains(problem, "run in the harness's session 1"))

	after.Processes[len(after.Processes)-1].Session = session(3)
	got, problem := ContainerSession(top, *after, harnessSelf)
	assert.Check(t, is.Equal(problem, ""))
	assert.Check(t, is.Equal(got, uint32(3)))

	_, problem = ContainerSession(top[:1], *after, harnessSelf)
	assert.Check(t, is.Contains(problem, "no container process besides smss.exe"))
	_, problem = ContainerSession(top, *after, hostprobe.Process{PID: 9000})
	assert.Check(t, is.Contains(problem, "the harness's session is unknown"))
}

// TestVMWorkerSaysWhatHeld: a Hyper-V verdict names its method and the facts
// the exact step rests on; elimination passes only with a warning that asks
// for a report, exact without one; a lingering template is named by cleanup.
func TestVMWorkerSaysWhatHeld(t *testing.T) {
	d := ws2019()
	exact := CheckVMWorker(d, exactly(hypervWorkload(), vmA, vmA))
	assert.Check(t, is.Len(exact.Warnings, 0), exact.String())
	assert.Check(t, is.Contains(strings.Join(exact.Evidence, "\n"), "fact: worker account = RuntimeId: yes"), exact.String())

	elimination := CheckVMWorker(d, exactly(hypervWorkload(), "", vmB))
	assert.Assert(t, is.Len(elimination.Warnings, 1), elimination.String())
	assert.Check(t, is.Contains(elimination.Warnings[0], "zero or empty RuntimeId"))
	assert.Check(t, is.Contains(elimination.Warnings[0], FirstRunDoc))
	for _, fact := range []string{"fact: RuntimeId present: no", "fact: worker account = RuntimeId: unknown", "fact: command line = RuntimeId: unknown", "fact: template VM seen: no"} {
		assert.Check(t, is.Contains(strings.Join(elimination.Evidence, "\n"), fact), elimination.String())
	}

	process := CheckVMWorker(d, exactly(processWorkload(), "", ""))
	assert.Check(t, !strings.Contains(strings.Join(process.Evidence, "\n"), "fact:"), "the facts are about a utility VM: only the Hyper-V row states them")

	withTemplate := exactly(hypervWorkload(), vmA, vmA)
	withTemplate.After.HCS.Systems = append(withTemplate.After.HCS.Systems, hostprobe.ComputeSystem{ID: vmB, RuntimeID: vmB, IsRuntimeTemplate: true})
	cleanup := CheckCleanup(withTemplate)
	assert.Check(t, is.Equal(cleanup.Status, Pass))
	assert.Check(t, is.Contains(strings.Join(cleanup.Evidence, "\n"), "template VM "+vmB+" is not the container's"), cleanup.String())
}
