package claims

import (
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// The rows here pin rules at their edges and on values the fixtures never
// carry; each fails when its rule's comparison, condition or wording is
// changed (make mutants found them alive).

// TestTopProcessesShapes: docker top's table as each engine shapes it, and
// the shapes that are not a table the claims can read.
func TestTopProcessesShapes(t *testing.T) {
	tests := []struct {
		doc     string
		top     container.TopResponse
		want    []TopProcess
		problem string
	}{
		{doc: "Windows: Name, PID, CPU, Private Working Set",
			top:  container.TopResponse{Titles: []string{"Name", "PID", "CPU", "Private Working Set"}, Processes: [][]string{{"PING.EXE", "4872", "00:00:00.000", "1.6MB"}}},
			want: []TopProcess{{Name: "PING.EXE", PID: 4872}}},
		{doc: "Linux ps -ef: CMD with its arguments, PID in column 1",
			top:  container.TopResponse{Titles: []string{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}, Processes: [][]string{{"root", "14081", "14060", "0", "19:58", "?", "00:00:00", "ping localhost"}}},
			want: []TopProcess{{Name: "ping", PID: 14081}}},
		{doc: "PID in the first column (ps -o pid,comm)",
			top:  container.TopResponse{Titles: []string{"PID", "COMMAND"}, Processes: [][]string{{"7", "ping"}}},
			want: []TopProcess{{Name: "ping", PID: 7}}},
		{doc: "a process without a name (a zombie's empty CMD)",
			top:  container.TopResponse{Titles: []string{"PID", "CMD"}, Processes: [][]string{{"9", "   "}}},
			want: []TopProcess{{Name: "", PID: 9}}},
		{doc: "no name column", top: container.TopResponse{Titles: []string{"PID", "CPU"}, Processes: [][]string{{"7", "0"}}},
			problem: "lack a name or PID column"},
		{doc: "no PID column", top: container.TopResponse{Titles: []string{"Name", "CPU"}, Processes: [][]string{{"ping", "0"}}},
			problem: "lack a name or PID column"},
		{doc: "a row that stops before the PID column", top: container.TopResponse{Titles: []string{"Name", "PID"}, Processes: [][]string{{"ping"}}},
			problem: "is shorter than its titles"},
		{doc: "a row that stops before the name column", top: container.TopResponse{Titles: []string{"PID", "Name"}, Processes: [][]string{{"7"}}},
			problem: "is shorter than its titles"},
		{doc: "a PID that is no number", top: container.TopResponse{Titles: []string{"Name", "PID"}, Processes: [][]string{{"ping", "x7"}}},
			problem: `PID "x7" is not a number`},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			got, err := TopProcesses(&tc.top)
			if tc.problem != "" {
				assert.Check(t, is.ErrorContains(err, tc.problem))
				return
			}
			assert.NilError(t, err)
			assert.Check(t, is.DeepEqual(got, tc.want))
		})
	}
}

func TestSmallWordings(t *testing.T) {
	assert.Check(t, is.Equal(WorkloadName("windows"), "PING.EXE"))
	assert.Check(t, is.Equal(WorkloadName("linux"), "ping"))
	assert.Check(t, is.Equal(firstLine("hcs::CreateComputeSystem: refused\n(extra info: {})"), "hcs::CreateComputeSystem: refused"))
	assert.Check(t, is.Equal(firstLine("\n(extra info only)"), ""), "a message that starts with a line break has an empty first line")
	assert.Check(t, is.Equal(firstLine("one line"), "one line"))
	assert.Check(t, is.Equal(stateLine(nil), "state: not inspected"))
	assert.Check(t, is.Equal(stateLine(&container.InspectResponse{}), "state: not inspected"))
	assert.Check(t, is.Equal(stateLine(&container.InspectResponse{ContainerJSONBase: &container.ContainerJSONBase{}}), "state: not inspected"))
	assert.Check(t, is.Equal(stateLine(running("process")), `state: running (pid 4872, exit code 0, error "")`))

	v := Verdict{Claim: "engine-version", Status: Fail, Message: "engine 18.09 does not satisfy >=19.03", Evidence: []string{"version: 18.09"}, Warnings: []string{"old"}, Fix: "upgrade"}
	assert.Check(t, is.Equal(v.String(), "engine-version fail: engine 18.09 does not satisfy >=19.03\n    evidence: version: 18.09\n    WARNING: old\n    fix: upgrade"))
	v.Fix = ""
	assert.Check(t, !strings.Contains(v.String(), "fix:"), "no fix line without a fix")
}

// TestLedgerChainsAndOrder: a claim blocked by a claim that was itself
// blocked says so; All lists the verdicts by claim ID.
func TestLedgerChainsAndOrder(t *testing.T) {
	l := NewLedger()
	l.Judge("c-first", nil, func() Verdict { return failed("daemon unreachable", "") })
	l.Judge("b-second", []string{"c-first"}, func() Verdict { return passed("never") })
	third := l.Judge("a-third", []string{"b-second"}, func() Verdict { return passed("never") })
	assert.Check(t, is.Equal(third.Message, "blocked by b-second: itself blocked by c-first"))
	assert.Check(t, is.Equal(third.BlockedBy, "b-second"))
	var ids []string
	for _, v := range l.All() {
		ids = append(ids, v.Claim)
	}
	assert.Check(t, is.DeepEqual(ids, []string{"a-third", "b-second", "c-first"}))
}

// TestRequirementReasons: why each kind of claim is required.
func TestRequirementReasons(t *testing.T) {
	reqs := Requirements(ws2019(), defaultExpect())
	for claim, why := range map[string]string{
		EngineVersion:                  "applies to every daemon",
		ServiceDocker:                  "applies to windows daemons",
		ServiceVmms:                    "applies to windows daemons, isolation hyperv under test",
		"windows/process/start":        "applies to windows daemons, isolation process under test",
		"windows/hyperv/vm-worker":     "applies to windows daemons, isolation hyperv under test",
		"linux/default/pid-visibility": "the gated platform is windows",
	} {
		r, ok := RequirementOf(reqs, claim)
		assert.Assert(t, ok, claim)
		assert.Check(t, is.Equal(r.Why, why), claim)
	}
}

// TestGatedPlatformOfAnUnreachableDaemon: with no OSType and no pinned
// platform, a local daemon's platform is the host's; a remote one's is unknown.
func TestGatedPlatformOfAnUnreachableDaemon(t *testing.T) {
	e := defaultExpect()
	local := evidence.Daemon{Target: "npipe:////./pipe/docker_engine", Local: true, Host: &hostprobe.OSInfo{OS: "windows"}}
	assert.Check(t, is.Equal(GatedPlatform(local, e), "windows"))
	noProbe := evidence.Daemon{Target: "npipe:////./pipe/docker_engine", Local: true}
	assert.Check(t, is.Equal(GatedPlatform(noProbe, e), ""))
	remote := evidence.Daemon{Target: "tcp://10.0.0.5:2375", Host: &hostprobe.OSInfo{OS: "linux"}}
	assert.Check(t, is.Equal(GatedPlatform(remote, e), ""), "the harness's own host says nothing about a remote daemon")
	e.Platform = "windows"
	assert.Check(t, is.Equal(GatedPlatform(remote, e), "windows"))
}

// TestStartBlockedByTheImageBuild: a Windows row whose image build cannot
// run under its mode is blocked by image-build, naming both builds; a build
// that fits, or a build that is not known, is judged by what the daemon said.
func TestStartBlockedByTheImageBuild(t *testing.T) {
	image := func(osVersion string) func(*evidence.Daemon) {
		return func(d *evidence.Daemon) {
			d.Image.Inspect = &image.InspectResponse{ID: "sha256:1", Os: "windows", OsVersion: osVersion}
		}
	}
	tests := []struct {
		doc    string
		daemon evidence.Daemon
		w      evidence.Workload
		status Status
		msg    string
	}{
		{doc: "ltsc2016 image under process isolation on Server 2019", daemon: with(ws2019(), image("10.0.14393.7515")), w: processWorkload(),
			status: Fail, msg: "blocked by image-build: image build 14393 cannot run under process isolation on host build 17763"},
		{doc: "the same image under Hyper-V runs", daemon: with(ws2019(), image("10.0.14393.7515")), w: hypervWorkload(), status: Pass},
		{doc: "a 2022 image under Hyper-V on Server 2019 cannot", daemon: with(ws2019(), image("10.0.20348.707")), w: hypervWorkload(),
			status: Fail, msg: "blocked by image-build: image build 20348 cannot run under hyperv isolation on host build 17763"},
		{doc: "an image whose OsVersion is not read: judged by the daemon", daemon: with(ws2019(), image("")), w: processWorkload(), status: Pass},
		{doc: "no image inspect: judged by the daemon", daemon: with(ws2019(), func(d *evidence.Daemon) { d.Image.Inspect = nil }), w: processWorkload(), status: Pass},
		{doc: "a host build that is not read: judged by the daemon", daemon: with(ws2019(), func(d *evidence.Daemon) {
			d.Info.KernelVersion = ""
			image("10.0.14393.7515")(d)
		}), w: processWorkload(), status: Pass},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			v := CheckStart(tc.daemon, defaultExpect(), tc.w)
			assert.Check(t, is.Equal(v.Status, tc.status), v.String())
			assert.Check(t, is.Contains(v.Message, tc.msg), v.String())
		})
	}
	// A Linux row is never judged by Windows builds.
	linux := with(ws2019(), image("10.0.14393.7515"))
	linux.Info.OSType = "linux"
	v := CheckStart(linux, defaultExpect(), linuxWorkload())
	assert.Check(t, is.Equal(v.Status, Pass), v.String())
}

// TestGenericHCSRefusalOfHyperV: "The request is not supported" at a Hyper-V
// start is read as "no hypervisor" only without host evidence that Hyper-V
// is up; under hyperv: skip that decides between a skip and a failure.
func TestGenericHCSRefusalOfHyperV(t *testing.T) {
	skip := defaultExpect()
	skip.HyperV = config.HyperVSkip
	refused := func(w evidence.Workload) evidence.Workload {
		w.StartErr = &evidence.Failure{Message: "hcs::System::Start a503f75e9583: The request is not supported."}
		w.Inspect = nil
		return w
	}
	workers := func(n int) func(*evidence.Workload) {
		return func(w *evidence.Workload) {
			var ps []hostprobe.Process
			for i := range n {
				ps = append(ps, hostprobe.Process{PID: 9000 + i, Name: "vmwp.exe", Session: session(0)})
			}
			before := hostSnapshot() // the documented host: two VMs' workers
			before.Processes = append(without(before.Processes, "vmwp.exe"), ps...)
			w.Before = before
		}
	}
	noVmms := func(d *evidence.Daemon) {
		var kept []hostprobe.Service
		for _, s := range d.Services {
			if s.Name != "vmms" {
				kept = append(kept, s)
			}
		}
		d.Services = kept
	}
	tests := []struct {
		doc    string
		daemon evidence.Daemon
		w      evidence.Workload
		status Status
		msg    string
	}{
		{doc: "vmms runs and no VM runs, hyperv: skip: a failure, not a skip", daemon: ws2019(), w: refused(change(hypervWorkload(), workers(0))),
			status: Fail, msg: "not read as 'no hypervisor' because vmms running"},
		{doc: "vmms not probed, one VM worker of another VM runs: the hypervisor is up", daemon: with(ws2019(), noVmms), w: refused(change(hypervWorkload(), workers(1))),
			status: Fail, msg: "because vmms not probed, 1 VM worker(s) of other VMs running"},
		{doc: "vmms not probed, no VM worker: read as no hypervisor, skipped", daemon: with(ws2019(), noVmms), w: refused(change(hypervWorkload(), workers(0))),
			status: Skip, msg: "no usable hypervisor on this host and CONFORMANCE_HYPERV=skip (decided without host evidence of Hyper-V"},
		{doc: "vmms stopped: Hyper-V switched off, a failure", daemon: with(ws2019(), func(d *evidence.Daemon) { setService(d, svc("vmms", "stopped", "manual")) }),
			w: refused(change(hypervWorkload(), workers(0))), status: Fail, msg: "while vmms installed but stopped"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			v := CheckStart(tc.daemon, skip, tc.w)
			assert.Check(t, is.Equal(v.Status, tc.status), v.String())
			assert.Check(t, is.Contains(v.Message, tc.msg), v.String())
			if strings.HasSuffix(tc.msg, "because vmms running") {
				assert.Check(t, strings.HasSuffix(v.Message, "because vmms running"), "no VM worker is named when none runs: %s", v.Message)
			}
		})
	}
}

// TestHostRevisionSources: the daemon's OperatingSystem text names the
// revision on 20.10 and later; older engines leave it out and the probe's
// registry reading is used.
func TestHostRevisionSources(t *testing.T) {
	d := ws2019()
	assert.Check(t, is.Equal(hostRevision(d), 805))
	older := with(d, func(d *evidence.Daemon) {
		d.Info.OperatingSystem = "Windows Server 2019 Datacenter"
		d.Host.Revision = 1234
	})
	assert.Check(t, is.Equal(hostRevision(older), 1234))
	remote := with(older, func(d *evidence.Daemon) { d.Host = nil })
	assert.Check(t, is.Equal(hostRevision(remote), 0))
}

// TestEmptyDefaultIsolationSettingIsAuto: an empty CONFORMANCE_DEFAULT_ISOLATION
// is the automatic rule, not a demand for "".
func TestEmptyDefaultIsolationSettingIsAuto(t *testing.T) {
	e := defaultExpect()
	e.DefaultIsolation = ""
	want, why := ExpectedDefaultIsolation(ws2019(), e)
	assert.Check(t, is.Equal(want, "process"))
	assert.Check(t, is.Contains(why, "Server"))
}

// TestDefaultBaseImageOfOldAndUnpublishedBuilds: Server 2016 runs its own
// servercore:ltsc2016; a build Microsoft published no image for (Windows 10
// 1703, 15063) gets the newest LTSC image older than itself, for Hyper-V.
func TestDefaultBaseImageOfOldAndUnpublishedBuilds(t *testing.T) {
	assert.Check(t, is.Equal(DefaultBaseImage(14393), "mcr.microsoft.com/windows/servercore:ltsc2016"))
	assert.Check(t, is.Equal(DefaultBaseImage(15063), "mcr.microsoft.com/windows/servercore:ltsc2016"))
	assert.Check(t, is.Equal(DefaultBaseImage(19045), "mcr.microsoft.com/windows/nanoserver:1809"))
	assert.Check(t, is.Equal(DefaultBaseImage(10586), ""), "older than every published image")
}

// TestSnapshotSoundness: a host snapshot is judged only when it shows this
// host: dockerd and vmcompute.exe at the PIDs the service manager reported
// running, or by name when it reported none.
func TestSnapshotSoundness(t *testing.T) {
	pids := func(docker, vmcompute int) func(*evidence.Daemon) {
		return func(d *evidence.Daemon) {
			setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "running", StartType: "auto", PID: docker})
			setService(d, hostprobe.Service{Name: "vmcompute", Exists: true, State: "running", StartType: "manual", PID: vmcompute})
		}
	}
	tests := []struct {
		doc    string
		daemon evidence.Daemon
		status Status
		msg    string
	}{
		{doc: "dockerd and vmcompute at the PIDs the service manager reported", daemon: with(ws2019(), pids(2740, 1876)), status: Pass},
		{doc: "no PID reported: any dockerd.exe and vmcompute.exe count", daemon: with(ws2019(), pids(0, 0)), status: Pass},
		{doc: "the docker service's PID belongs to another program (a snapshot of another host or session)", daemon: with(ws2019(), pids(2604, 1876)),
			status: Fail, msg: "probe broken: the after-start host snapshot lacks the docker service's dockerd.exe PID 2604"},
		{doc: "vmcompute's PID belongs to another program", daemon: with(ws2019(), pids(2740, 4)),
			status: Fail, msg: "lacks the host compute service's vmcompute.exe PID 4"},
		{doc: "a PID the snapshot does not hold", daemon: with(ws2019(), pids(31337, 1876)),
			status: Fail, msg: "lacks the docker service's dockerd.exe PID 31337"},
		{doc: "a stopped service's PID is not looked for", daemon: with(ws2019(), func(d *evidence.Daemon) {
			setService(d, hostprobe.Service{Name: "vmcompute", Exists: true, State: "stop-pending", StartType: "manual", PID: 4})
		}), status: Pass},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			v := CheckPIDVisibility(tc.daemon, processWorkload())
			assert.Check(t, is.Equal(v.Status, tc.status), v.String())
			assert.Check(t, is.Contains(v.Message, tc.msg), v.String())
		})
	}
}

// TestLinuxPIDNamespaceUnreadable: a gate run by a member of the docker
// group, not root, cannot read another user's /proc/<pid>/ns/pid: the
// namespace is unknown, and the claim fails naming that, never passes.
func TestLinuxPIDNamespaceUnreadable(t *testing.T) {
	d := linuxDaemon("unix:///var/run/docker.sock", true)
	for _, tc := range []struct {
		doc        string
		ping, self string
		status     Status
		msg        string
	}{
		{doc: "root: both namespaces read, different", ping: "pid:[4026532183]", self: "pid:[4026531836]", status: Pass, msg: "is a host process in PID namespace pid:[4026532183]"},
		{doc: "docker-group user: the workload's namespace unreadable", ping: "", self: "pid:[4026531836]", status: Fail, msg: "PID namespace unknown"},
		{doc: "the harness's own namespace unreadable", ping: "pid:[4026532183]", self: "", status: Fail, msg: "PID namespace unknown"},
		{doc: "neither readable", status: Fail, msg: "PID namespace unknown"},
		{doc: "--pid=host: the same namespace", ping: "pid:[4026531836]", self: "pid:[4026531836]", status: Fail, msg: "ping shares the harness's PID namespace pid:[4026531836]"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			w := change(linuxWorkload(), func(w *evidence.Workload) {
				after := *w.After
				after.Processes = []hostprobe.Process{{PID: 100, Name: "conformance.tes", PIDNamespace: tc.self}, {PID: 14081, Name: "ping", PIDNamespace: tc.ping}}
				w.After = &after
			})
			v := CheckPIDVisibility(d, w)
			assert.Check(t, is.Equal(v.Status, tc.status), v.String())
			assert.Check(t, is.Contains(v.Message, tc.msg), v.String())
			if tc.status == Fail && tc.msg == "PID namespace unknown" {
				assert.Check(t, is.Contains(v.Fix, "run the gate as root"), v.String())
			}
		})
	}
}

// TestWindowsDaemonWithEmptyIsolation: a Windows daemon that reports no
// Isolation, in /info (Docker 1.12 on Server 2016) or in a container's
// inspect, did not say which isolation it used: that fails, naming "".
func TestWindowsDaemonWithEmptyIsolation(t *testing.T) {
	d := with(ws2019(), func(d *evidence.Daemon) { d.Info.Isolation = "" })
	v := CheckDefaultIsolation(d, defaultExpect())
	assert.Check(t, is.Equal(v.Status, Fail), v.String())
	assert.Check(t, is.Contains(v.Message, "default isolation: got default, want process"), v.String())
	for _, w := range []evidence.Workload{processWorkload(), hypervWorkload()} {
		w.Inspect = running("")
		v := CheckIsolationField(ws2019(), w)
		assert.Check(t, is.Equal(v.Status, Fail), v.String())
		assert.Check(t, is.Contains(v.Message, `Isolation: got "", want "`+w.Row.Mode+`"`), v.String())
	}
}

// TestProcessRowWithANewWorkerOfUnknownOwner: a vmwp.exe that appears in a
// process row's start window and whose owner the probe could not read is not
// proof of a utility VM: the row's readings disagree, and the failure says
// which reading said what and what the probe could not see.
func TestProcessRowWithANewWorkerOfUnknownOwner(t *testing.T) {
	withWorker := change(processWorkload(), func(w *evidence.Workload) {
		w.After.Processes = append(w.After.Processes, hostprobe.Process{PID: 7312, Name: "vmwp.exe", Session: session(0)})
	})
	for _, tc := range []struct {
		doc      string
		w        evidence.Workload
		method   string
		evidence string
		fix      string
	}{
		{doc: "owners readable, this worker's unknown, no other VM listed", w: exactly(withWorker, "", ""), method: "(elimination)",
			evidence: "the probe could not tie a vmwp.exe to the container's own VM", fix: "rerun the gate elevated; if the row disagrees again"},
		{doc: "owners unreadable while HCS is readable: timing", w: change(exactly(withWorker, "", ""), func(w *evidence.Workload) { w.After.OwnersErr = "Access is denied." }),
			method: "(timing)", evidence: "process owners unreadable: Access is denied.", fix: "rerun the gate elevated (as Administrator)"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			v := CheckVMWorker(ws2019(), tc.w)
			assert.Check(t, is.Equal(v.Status, Fail), v.String())
			assert.Check(t, is.Contains(v.Message, "a VM worker attributed "+tc.method+" to a process-isolated container: vmwp.exe 7312"), v.String())
			assert.Check(t, is.Contains(v.Message, "the row's evidence disagrees: the daemon says process"), v.String())
			assert.Check(t, is.Contains(strings.Join(v.Evidence, "\n"), tc.evidence), v.String())
			assert.Check(t, strings.HasPrefix(v.Fix, tc.fix), v.String())
		})
	}
}

// TestDefaultIsolationOfARemoteHostFromItsOperatingSystem: a remote daemon's
// host cannot be probed; its OperatingSystem text decides, in the wordings
// engines write: every Server edition defaults to process, a client to hyperv.
func TestDefaultIsolationOfARemoteHostFromItsOperatingSystem(t *testing.T) {
	for os, want := range map[string]string{
		"Windows Server 2019 Standard Version 1809 (OS Build 17763.805)":   "process", // 19.03, ProductName
		"Windows Server 2016 Datacenter":                                   "process",
		"Microsoft Windows Server Version 21H2 (OS Build 20348.707)":       "process", // 20.10+
		"Windows 10 Pro Version 22H2 (OS Build 19045.5131)":                "hyperv",
		"Microsoft Windows Version 23H2 (OS Build 22631.4460)":             "hyperv", // 23.0+ on a client
		"Windows Server Datacenter: Azure Edition Version 21H2 (OS Build)": "process",
	} {
		d := with(ws2019(), func(d *evidence.Daemon) {
			d.Target, d.Local, d.Host = "tcp://10.0.0.5:2375", false, nil
			d.Info.OperatingSystem = os
		})
		got, why := ExpectedDefaultIsolation(d, defaultExpect())
		assert.Check(t, is.Equal(got, want), os)
		assert.Check(t, is.Contains(why, "daemon's OperatingSystem text"), os)
	}
}

// TestUnexpectedExitWithAnUnknownHostRevision: 0xc0370106 on a host whose
// revision could not be read is not blamed on the image's revision.
func TestUnexpectedExitWithAnUnknownHostRevision(t *testing.T) {
	d := with(ws2019(), func(d *evidence.Daemon) {
		d.Info.OperatingSystem = "Windows Server 2019 Datacenter"
		d.Host.Revision = 0
		d.Image.Inspect = &image.InspectResponse{ID: "sha256:1", Os: "windows", OsVersion: "10.0.17763.6532"}
	})
	w := processWorkload()
	w.StartErr = &evidence.Failure{Message: "container cece6585ce23 encountered an error during hcs::System::Start: failure in a Windows system call: The virtual machine or container exited unexpectedly. (0xc0370106)"}
	v := CheckStart(d, defaultExpect(), w)
	assert.Check(t, is.Equal(v.Status, Fail), v.String())
	assert.Check(t, is.Contains(v.Message, "not the revision problem"), v.String())
}

// TestFixTextsNameTheHostsOwnPlaces: the engine log a fix sends to is the
// platform's, and the data root a layer fix names is the daemon's own, never
// the redaction placeholder of a replayed recording.
func TestFixTextsNameTheHostsOwnPlaces(t *testing.T) {
	assert.Check(t, is.Contains(engineLogFix(ws2019()), "Get-WinEvent -LogName Application -ProviderName docker"))
	assert.Check(t, is.Contains(engineLogFix(linuxDaemon("unix:///var/run/docker.sock", true)), "journalctl -u docker"))
	for root, want := range map[string]string{
		`D:\docker`: `registering them in D:\docker failed`,
		"REDACTED":  "registering them in the daemon's data root failed",
		"":          `registering them in the daemon's data root (C:\ProgramData\docker) failed`,
	} {
		d := with(ws2019(), func(d *evidence.Daemon) { d.Info.DockerRootDir = root })
		assert.Check(t, is.Contains(layerRegistrationFix(d), want), root)
	}
}

// TestCRIRowSpecs: a containerd row claim needs its isolation mode under test
// only on Windows (a Linux row has its runtime's default), and only the
// isolation claim judges the host's own process table.
func TestCRIRowSpecs(t *testing.T) {
	n := 0
	for _, s := range Catalogue() {
		if s.CRIRow == (evidence.CRIRow{}) {
			continue
		}
		n++
		want := s.CRIRow.Mode
		if s.Platform != "windows" {
			want = ""
		}
		assert.Check(t, is.Equal(s.Mode, want), s.ID)
		assert.Check(t, is.Equal(s.HostSide, strings.HasSuffix(s.ID, "/"+KindIsolation)), s.ID)
	}
	assert.Check(t, n > 0, "the catalogue lists containerd row claims")
}

// TestReadingsThatAgreeAreNoDisagreement: a healthy Hyper-V row (every
// reading says hyperv) and a healthy process row (every reading says
// process) disagree about nothing.
func TestReadingsThatAgreeAreNoDisagreement(t *testing.T) {
	for _, w := range []evidence.Workload{exactly(hypervWorkload(), vmA, vmA), processWorkload(), window(hypervWorkload())} {
		got, ok := RowDisagreement(ws2019(), w)
		assert.Check(t, !ok, "%s: %+v", w.Row, got)
	}
}
