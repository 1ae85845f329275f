package claims

import (
	"fmt"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// One table per class of wrong diagnosis that real hosts showed (the classes
// of the servicing and diagnosis issue). Each row is a real wording with its
// source, on a host whose revisions the row sets; removing the rule the row
// holds makes it fail.

// revisionHost is the documented host at another host and image revision.
func revisionHost(build, hostRev, imageRev int) evidence.Daemon {
	return with(ws2019(), func(d *evidence.Daemon) {
		d.Info.KernelVersion = fmt.Sprintf("10.0 %d (%d.1.amd64fre.release)", build, build)
		d.Info.OperatingSystem = fmt.Sprintf("Windows Server Datacenter (OS Build %d.%d)", build, hostRev)
		d.Host.Build, d.Host.Revision = fmt.Sprint(build), hostRev
		d.Image.Inspect.OsVersion = fmt.Sprintf("10.0.%d.%d", build, imageRev)
	})
}

func startRefused(d evidence.Daemon, w evidence.Workload, wording string) Verdict {
	w.StartErr, w.Inspect, w.After, w.Top = &evidence.Failure{Kind: evidence.KindSystem, Message: wording}, nil, nil, nil
	return CheckStart(d, defaultExpect(), w)
}

// Class 1: HCS answers "does not match" (0xc0370101) also for update-level
// incompatibilities of one build; when the build rule holds the verdict says
// so, reasons about revisions, and never gives the build fix.
func TestClass1MismatchOfAFittingBuildIsNotABuildMismatch(t *testing.T) {
	const (
		hcs1803 = "container 6bece83bb16bbdb005639dc82fabda8c1678a0116cf29e22abaffc994170fc0b encountered an error during CreateContainer: failure in a Windows system call: The operating system of the container does not match the operating system of the host. (0xc0370101)"
		hcs2022 = "hcsshim::CreateComputeSystem f0e8722996e015f45c72a2baf0e772ddf28ae6b37bbd5ed93af03358298acdbf: The container operating system does not match the host operating system."
	)
	tests := []struct {
		doc, source, wording string
		d                    evidence.Daemon
		w                    evidence.Workload
		message, fix         string
	}{
		{doc: "equal build and revision", source: "moby/moby#36735 (17133.1 host, 17133.1 image, process isolation)", wording: hcs1803,
			d: revisionHost(17763, 805, 805), w: processWorkload(),
			message: "host and image at the same revision", fix: "update both to the latest cumulative update; Hyper-V isolation runs it meanwhile"},
		{doc: "image newer than the host", source: "microsoft/dotnet-framework-docker#1265 (20348.4294 host, the next month's ltsc2022 image; the previous tag works)", wording: hcs2022,
			d: revisionHost(20348, 4294, 4405), w: processWorkload(),
			message: "the image's revision is newer than the host's", fix: "update the host to revision 4405 or later (Windows Update), or pin the image's previous tag (revision 4294 or older)"},
		{doc: "image older than the host, across the 2020 baseline", source: "Microsoft Learn, Update Windows Server containers; KB4542617 (a 3B host and a 1B container won't work)", wording: hcs1803,
			d: revisionHost(17763, 1098, 973), w: processWorkload(),
			message: "different sides of the February 2020 baseline (17763.1039)", fix: "use a newer image: pull the tag again for revision 17763.1039 or later"},
		{doc: "host older than the image, across the 2020 baseline", source: "Microsoft Learn, Update Windows Server containers (a 1B host and a 2B container won't work)", wording: hcs1803,
			d: revisionHost(17763, 973, 1039), w: processWorkload(),
			message: "different sides of the February 2020 baseline", fix: "update the host past the February 2020 baseline (Windows Update, to 17763.1039 or later)"},
		{doc: "a Hyper-V start is never blamed on revisions", source: "Microsoft Learn, Update Windows Server containers ('only happen on process isolated containers')", wording: hcs2022,
			d: revisionHost(20348, 4294, 4405), w: hypervWorkload(),
			message: "not a build or revision problem", fix: "update the host to its latest cumulative update"},
		{doc: "an older LTSC image on a newer host", source: "hcsshim osversion.CheckHostAndContainerCompat (26100 runs 20348 images)", wording: hcs2022,
			d: with(revisionHost(26100, 2894, 2894), func(d *evidence.Daemon) { d.Image.Inspect.OsVersion = "10.0.20348.2966" }), w: processWorkload(),
			message: "an update-level incompatibility, not the build", fix: "update host and image to their latest cumulative updates"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			v := startRefused(tc.d, tc.w, tc.wording)
			assert.Check(t, is.Equal(v.Status, Fail), tc.source)
			assert.Check(t, is.Contains(v.Message, "fits host build"), "%s: %s", tc.source, v)
			assert.Check(t, is.Contains(v.Message, tc.message), "%s: %s", tc.source, v)
			assert.Check(t, is.Contains(v.Fix, tc.fix), "%s: %s", tc.source, v)
			assert.Check(t, !strings.Contains(v.Fix, "use the image tag for build"), "never the build fix: %s", v)
			assert.Check(t, !strings.Contains(v.Message, "its OS build does not match"), "never a build mismatch: %s", v)
		})
	}
	// Without the image's build the verdict cannot reason about it: the images that fit.
	noInspect := with(ws2019(), func(d *evidence.Daemon) { d.Image.Inspect = nil })
	v := startRefused(noInspect, processWorkload(), hcs1803)
	assert.Check(t, is.Contains(v.Fix, "use the image tag for build 17763 (1809 / ltsc2019)"), v.String())
}

// Class 2: revision readings apply from 17763 on, both ways across the 2020
// baseline, and only to process isolation.
func TestClass2RevisionReadings(t *testing.T) {
	e := defaultExpect()
	tests := []struct {
		doc, source      string
		d                evidence.Daemon
		status           Status
		message, warning string
	}{
		{doc: "2019 newer image revision warns", source: srcRevisionBug2019, d: revisionHost(17763, 7136, 7240), status: Pass,
			warning: "image revision 7240 is newer than the host's 7136"},
		{doc: "2022 newer image revision warns", source: "microsoft/dotnet-framework-docker#1265", d: revisionHost(20348, 4294, 4405), status: Pass,
			warning: "image revision 4405 is newer than the host's 4294"},
		{doc: "2019 across the baseline fails", source: srcBaseline, d: revisionHost(17763, 1098, 973), status: Fail,
			message: "different sides of the February 2020 baseline"},
		{doc: "1903 across its baseline fails", source: srcBaseline, d: revisionHost(18362, 535, 657), status: Fail,
			message: "(18362.657)"},
		{doc: "2019 older image on the same side passes in silence", source: srcMSRevision, d: revisionHost(17763, 7136, 6893), status: Pass},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			v := CheckImageBuild(tc.d, e)
			assert.Check(t, is.Equal(v.Status, tc.status), "%s: %s", tc.source, v)
			assert.Check(t, is.Contains(v.Message, tc.message), "%s: %s", tc.source, v)
			if tc.status == Fail {
				assert.Check(t, !strings.Contains(v.Fix, "use the image tag for build"), "a revision problem gets the revision fix: %s", v)
			}
			found := tc.warning == ""
			for _, w := range v.Warnings {
				found = found || strings.Contains(w, tc.warning)
				assert.Check(t, tc.warning != "" || !strings.Contains(w, "revision"), "no revision warning expected: %q", w)
			}
			assert.Check(t, found, "%s: warning %q missing from %q", tc.source, tc.warning, v.Warnings)
		})
	}
	// Under Hyper-V only, the same pairs raise nothing.
	hypervOnly := e
	hypervOnly.Isolation = []string{"hyperv"}
	for _, d := range []evidence.Daemon{revisionHost(17763, 1098, 973), revisionHost(17763, 7136, 7240)} {
		v := CheckImageBuild(d, hypervOnly)
		assert.Check(t, is.Equal(v.Status, Pass), v.String())
		assert.Check(t, is.Len(v.Warnings, 0), v.String())
	}
	// A Hyper-V container that exits at start is not blamed on a newer image revision.
	exit := "container 5e2d0c7f encountered an error during hcs::System::Start: failure in a Windows system call: The virtual machine or container exited unexpectedly. (0xc0370106)."
	v := startRefused(revisionHost(26100, 2894, 3194), hypervWorkload(), exit)
	assert.Check(t, is.Contains(v.Message, "not a revision problem"), v.String())
	assert.Check(t, !strings.Contains(v.Fix, "update the host to the image's revision"), v.String())
	v = startRefused(revisionHost(17763, 7136, 7240), processWorkload(), exit)
	assert.Check(t, is.Contains(v.Message, "image revision 7240 is newer than the host's 7136"), v.String())
}

// Class 7: a class is decided by the error's code, not by the step it
// happened at.
func TestClass7ClassByCodeNotByStep(t *testing.T) {
	const at = "container 8c232986c20a encountered an error during hcsshim::System::CreateProcess: failure in a Windows system call: "
	missing := startRefused(ws2019(), processWorkload(), at+"The system cannot find the file specified. (0x2)")
	rpc := startRefused(ws2019(), processWorkload(), at+"The remote procedure call failed. (0x6be)")
	assert.Check(t, is.Contains(missing.Fix, "the image lacks the workload's program"), "jenkinsci/docker-agents#208: %s", missing)
	assert.Check(t, is.Contains(rpc.Message, "a host fault, not the image"), "microsoft/hcsshim#1472: %s", rpc)
	assert.Check(t, !strings.Contains(rpc.Fix, "lacks"), "microsoft/hcsshim#1472: %s", rpc)
	other := startRefused(ws2019(), processWorkload(), at+"Access is denied. (0x5)")
	assert.Check(t, !strings.Contains(other.Fix, "lacks the workload's program"), "only 0x2 says the program is missing: %s", other)

	// "The parameter is incorrect" of a layer registration is local, not
	// HCS's generic start error and not an unreachable registry.
	pull := `failed to register layer: re-exec error: exit status 1: output: hcsshim::ProcessBaseLayer \\?\D:\Docker-Graph\windowsfilter\1ab6d367: The parameter is incorrect.`
	assert.Check(t, is.Equal(Classify(pull), ClassLayerRegistration), "moby/moby#46112")
	d := with(ws2019(), func(d *evidence.Daemon) {
		d.Image.Inspect, d.Image.PullErr = nil, &evidence.Failure{Kind: evidence.KindSystem, Message: pull}
	})
	v := CheckBaseImage(d, defaultExpect())
	assert.Check(t, is.Contains(v.Fix, "not the registry"), "moby/moby#46112: %s", v)
	assert.Check(t, !strings.Contains(v.Fix, "make the image reachable"), "moby/moby#46112: %s", v)
}

// Class 8: a wording of no class gets the daemon's own first line in the
// message, and its fix sends it to the engine or to HCS by where it came from.
func TestClass8FallbackSaysWhatHappened(t *testing.T) {
	engine := startRefused(ws2019(), processWorkload(), "Conflict. The container name \"/conformance-x\" is already in use by container \"0a1b\".\nmore")
	assert.Check(t, is.Contains(engine.Message, `the daemon refused the container start: Conflict. The container name "/conformance-x" is already in use`), engine.String())
	assert.Check(t, !strings.Contains(engine.Message, "more"), "only the first line: %s", engine)
	assert.Check(t, is.Contains(engine.Fix, "engine's log"), engine.String())
	assert.Check(t, !strings.Contains(engine.Fix, "Hyper-V-Compute"), "an engine refusal is not sent to HCS logs: %s", engine)

	hcs := startRefused(ws2019(), processWorkload(), "hcs::System::Start 9f8e: The device is not ready. (0x15)")
	assert.Check(t, is.Contains(hcs.Message, "the host compute service refused the container start: hcs::System::Start 9f8e: The device is not ready."), hcs.String())
	assert.Check(t, is.Contains(hcs.Fix, "Hyper-V-Compute-Admin"), hcs.String())

	for _, tc := range []struct{ wording, source, message string }{
		{"Windows client operating systems only support Hyper-V containers", "moby 17.x daemon_windows.go", "refuses process isolation on this Windows client"},
		{"hcsshim::PrepareLayer failed in Win32: the container image contains a layer with an unrecognized format. (0xc0370112)", "microsoft/hcsshim#2566", "cannot use a layer of the image (0xc0370112"},
		{"hcsshim::CreateComputeSystem 5c8a7e1f: hcsshim: timeout waiting for notification", "hcsshim ErrTimeout", "did not answer in time"},
		{"OCI runtime create failed: container with id exists: 4a1b", "moby runtime create", "the engine's runtime refused"},
	} {
		v := startRefused(ws2019(), processWorkload(), tc.wording)
		assert.Check(t, is.Contains(v.Message, tc.message), "%s: %s", tc.source, v)
		assert.Check(t, !strings.Contains(v.Message, "container start failed"), "%s: %s", tc.source, v)
	}
}

// Class 6: an answer of Docker Desktop's proxy, or of something that is not a
// Docker Engine, is not "nothing listens there".
func TestClass6AnswersThatAreNotNothingListening(t *testing.T) {
	unreachable := func(target, message string) Verdict {
		d := ws2019()
		d.Target = target
		d.Unreachable = &evidence.Failure{Kind: evidence.KindConnection, Message: message}
		return CheckDaemonReachable(d)
	}
	desktop := unreachable("npipe:////./pipe/docker_engine", `Error response from daemon: open \\.\pipe\docker_engine_linux: The system cannot find the file specified.`)
	assert.Check(t, is.Contains(desktop.Message, `Docker Desktop's proxy answered, but its backend engine at \\.\pipe\docker_engine_linux is down`), "docker/for-win#7186: %s", desktop)
	assert.Check(t, !strings.Contains(desktop.Fix, "Start-Service docker"), "Desktop 4.x has no docker service: %s", desktop)
	direct := unreachable("npipe:////./pipe/dockerDesktopLinuxEngine", `error during connect: Get "http://%2F%2F.%2Fpipe%2FdockerDesktopLinuxEngine/v1.51/version": open //./pipe/dockerDesktopLinuxEngine: The system cannot find the file specified.`)
	assert.Check(t, is.Contains(direct.Message, "//./pipe/dockerDesktopLinuxEngine is down"), "docker/for-win#14975: %s", direct)

	for _, message := range []string{"Error response from daemon: <!DOCTYPE HTML>\n<html>", "invalid character '<' looking for beginning of value", "json: cannot unmarshal string into Go value of type system.Info"} {
		v := unreachable("tcp://127.0.0.1:8080", message)
		assert.Check(t, is.Contains(v.Message, "not a Docker Engine at tcp://127.0.0.1:8080"), v.String())
		assert.Check(t, !strings.Contains(v.Message, "cannot reach"), v.String())
	}
	// A pipe nobody serves is still "nothing listens there".
	none := unreachable("npipe:////./pipe/docker_engine", "open //./pipe/docker_engine: The system cannot find the file specified.")
	assert.Check(t, is.Contains(none.Message, "nothing listens there"), none.String())
}

// Class 5: fixes follow what the host shows, also when the daemon is silent.
func TestClass5FixesFollowWhatTheHostShows(t *testing.T) {
	pipeAbsent := "open //./pipe/docker_engine: The system cannot find the file specified."
	silent := func(change func(d *evidence.Daemon)) Verdict {
		d := with(ws2019(), change)
		d.Unreachable = &evidence.Failure{Kind: evidence.KindConnection, Message: pipeAbsent}
		return CheckDaemonReachable(d)
	}
	procs := func(ps ...hostprobe.Process) *hostprobe.Snapshot {
		return &hostprobe.Snapshot{SelfPID: 1, Processes: append([]hostprobe.Process{{PID: 1, Name: "conformance.test.exe"}}, ps...)}
	}
	tests := []struct {
		doc, source string
		change      func(d *evidence.Daemon)
		fix, not    string
	}{
		{doc: "Server 2016 whose engine refuses its build", source: "moby daemon/daemon_windows.go checkSystem (23.0 and later)",
			change: func(d *evidence.Daemon) {
				d.Host.Build = "14393"
				setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "stopped", StartType: "auto"})
				d.Processes = procs()
			},
			fix: "Docker Engine 23.0 and later refuse to start below build 17763", not: "Start-Service docker"},
		{doc: "Docker Desktop runs, its engine does not", source: "docker/for-win#7186; Desktop 4.x has no docker service",
			change: func(d *evidence.Daemon) {
				d.Host.ProductType = "workstation"
				setService(d, hostprobe.Service{Name: "docker"})
				d.Processes = procs(hostprobe.Process{PID: 4120, Name: "Docker Desktop.exe"}, hostprobe.Process{PID: 4388, Name: "com.docker.backend.exe"})
			},
			fix: "restart Docker Desktop's engine", not: "Start-Service docker"},
		{doc: "a dockerd started by hand", source: "a dockerd.exe that is not the docker service's process",
			change: func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "stopped", StartType: "auto"})
				d.Processes = procs(hostprobe.Process{PID: 5120, Name: "dockerd.exe"})
			},
			fix: "a dockerd.exe started by hand runs (dockerd.exe PID 5120)", not: "install the engine"},
		{doc: "a disabled docker service", source: "the service control manager's start type",
			change: func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "stopped", StartType: "disabled"})
				d.Processes = procs()
			},
			fix: "Set-Service docker -StartupType Automatic; Start-Service docker"},
		{doc: "a stopped docker service", source: "the service control manager",
			change: func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "stopped", StartType: "auto"})
				d.Processes = procs()
			},
			fix: "the docker service is stopped (start type auto): Start-Service docker"},
		{doc: "no engine at all", source: "the service control manager",
			change: func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "docker"})
				d.Processes = procs()
			},
			fix: "install the engine as a service", not: "Start-Service docker"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			v := silent(tc.change)
			assert.Check(t, is.Equal(v.Status, Fail))
			assert.Check(t, is.Contains(v.Fix, tc.fix), "%s: %s", tc.source, v)
			if tc.not != "" {
				assert.Check(t, !strings.Contains(v.Fix, tc.not), "%s: %s", tc.source, v)
			}
		})
	}

	// Making hyperv the default is never advised where vmms is absent.
	client := with(ws2019(), func(d *evidence.Daemon) {
		d.Host.ProductType = "workstation"
		d.Info.Isolation = "process"
		setService(d, hostprobe.Service{Name: "vmms"})
	})
	v := CheckDefaultIsolation(client, defaultExpect())
	assert.Check(t, is.Equal(v.Status, Fail), v.String())
	assert.Check(t, !strings.Contains(v.Fix, "--exec-opt isolation=hyperv"), v.String())
	assert.Check(t, is.Contains(v.Fix, "no Hyper-V"), v.String())
	withHyperV := with(client, func(d *evidence.Daemon) {
		setService(d, hostprobe.Service{Name: "vmms", Exists: true, State: "running", StartType: "auto"})
	})
	assert.Check(t, is.Contains(CheckDefaultIsolation(withHyperV, defaultExpect()).Fix, "--exec-opt isolation=hyperv"))
}

// Class 3: only serviced images are recommended; an unserviced (or soon
// unserviced) host or image under test is warned about, by the run's date.
func TestClass3ServicingWarnings(t *testing.T) {
	at := func(d evidence.Daemon, date string) evidence.Daemon {
		d.Info.SystemTime = date + "T10:00:00Z"
		return d
	}
	host := func(build int, os string) evidence.Daemon {
		return with(revisionHost(build, 100, 100), func(d *evidence.Daemon) { d.Info.OperatingSystem = os })
	}
	tests := []struct {
		doc     string
		d       evidence.Daemon
		host    string // substring of engine-platform's warning; "" none
		image   string // substring of image-build's warning; "" none
		instead string
	}{
		{doc: "Server 23H2 after its end", d: at(host(25398, "Microsoft Windows Server Version 23H2 (OS Build 25398.100)"), "2025-11-01"),
			host: "Windows Server, version 23H2 (build 25398), is no longer serviced: its support ended on 2025-10-24"},
		{doc: "Windows 10 22H2 within a year of its end", d: at(with(host(19045, "Windows 10 Pro Version 2009 (OS Build 19045.100)"), func(d *evidence.Daemon) { d.Host.ProductType = "workstation" }), "2025-01-10"),
			host: "stops being serviced on 2025-10-14, within a year"},
		{doc: "Windows 10 Enterprise LTSC is not judged by the build's GA date", d: at(with(host(17763, "Windows 10 Enterprise LTSC 2019 Version 1809 (OS Build 17763.100)"), func(d *evidence.Daemon) { d.Host.ProductType = "workstation" }), "2025-01-10")},
		{doc: "Server 2019 in 2025: serviced", d: at(host(17763, "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.100)"), "2025-01-10")},
		{doc: "a 1909 image after its end names the serviced way", d: at(with(host(18363, "Windows Server Datacenter Version 1909 (OS Build 18363.100)"), func(d *evidence.Daemon) {
			d.Image.Ref = "mcr.microsoft.com/windows/nanoserver:1909"
		}), "2023-03-14"),
			host: "Windows Server, version 1909 (build 18363), is no longer serviced", image: "nanoserver:1909 (1909, build 18363) is no longer serviced",
			instead: "hyperv: 1809 / ltsc2019 (17763)); the serviced way on this host is Hyper-V isolation"},
		{doc: "Server Core ltsc2016 within a year of its end", d: at(with(host(14393, "Windows Server 2016 Datacenter Version 1607 (OS Build 14393.100)"), func(d *evidence.Daemon) {
			d.Image.Ref = "mcr.microsoft.com/windows/servercore:ltsc2016"
		}), "2026-03-01"),
			host: "Windows Server 2016 (build 14393), stops being serviced on 2027-01-12", image: "servercore:ltsc2016 (ltsc2016, build 14393) stops being serviced on 2027-01-11"},
		{doc: "Nano Server 2016 was a Semi-Annual release", d: at(with(host(14393, "Windows Server 2016 Datacenter Version 1607 (OS Build 14393.100)"), func(d *evidence.Daemon) {
			d.Image.Ref = "microsoft/nanoserver:10.0.14393.100"
		}), "2019-06-01"),
			image: "is no longer serviced: its support ended on 2018-10-09", instead: "use the image tag for build 14393 (ltsc2016)"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			checkWarning(t, CheckEnginePlatform(tc.d, defaultExpect()), tc.host, "")
			checkWarning(t, CheckImageBuild(tc.d, defaultExpect()), tc.image, tc.instead)
		})
	}
}

func checkWarning(t *testing.T, v Verdict, want, instead string) {
	t.Helper()
	var servicing []string
	for _, w := range v.Warnings {
		if strings.Contains(w, "serviced") {
			servicing = append(servicing, w)
		}
	}
	if want == "" {
		assert.Check(t, is.Len(servicing, 0), "%s: %q", v.Claim, servicing)
		return
	}
	assert.Assert(t, is.Len(servicing, 1), "%s: %s", v.Claim, v)
	assert.Check(t, is.Contains(servicing[0], want))
	assert.Check(t, is.Contains(servicing[0], instead))
	assert.Check(t, is.Equal(RecommendsUnserviced(servicing[0]), ""), servicing[0])
}

// Class 4: image fixes from every rule the gate knows, not the build table
// alone.
func TestClass4ImageFixesFromEveryRule(t *testing.T) {
	tests := []struct {
		doc  string
		fit  Fit
		want []string
		not  string
	}{
		{doc: "26100: the 20348 images fit process isolation too", fit: Fit{Host: 26100, Modes: []string{"process"}},
			want: []string{"use the image tag for build 26100 (ltsc2025)", "ltsc2022 (20348)"}},
		{doc: "Server 2016: the same-revision rule inside the fix", fit: Fit{Host: 14393, HostRev: 7699, Modes: []string{"process"}},
			want: []string{"(ltsc2016) at the host's revision (10.0.14393.7699)"}},
		{doc: "a third-party image: its variant for the build", fit: Fit{Host: 17763, Modes: []string{"process"}, Image: "contoso.azurecr.io/app:2.1"},
			want: []string{"use contoso.azurecr.io/app:2.1's variant for build 17763"}, not: "use the image tag"},
		{doc: "Hyper-V suggested where its rule admits a serviced image", fit: Fit{Host: 19045, Modes: []string{"process"}},
			want: []string{"the serviced way on this host is Hyper-V isolation"}},
		{doc: "Hyper-V not suggested where no image fits it", fit: Fit{Host: 10586, Modes: []string{"process", "hyperv"}},
			want: []string{"no serviced image fits build 10586"}, not: "Hyper-V isolation (CONFORMANCE_ISOLATION=hyperv)"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			fix := FitFix(tc.fit)
			for _, w := range tc.want {
				assert.Check(t, is.Contains(fix, w))
			}
			if tc.not != "" {
				assert.Check(t, !strings.Contains(fix, tc.not), fix)
			}
			assert.Check(t, is.Equal(RecommendsUnserviced(fix), ""), fix)
		})
	}
}

// Class 4 at pull: a third-party image without a variant for the host's
// build is told to use its variant for the build, not a Microsoft tag.
func TestClass4ThirdPartyPullGetsItsVariant(t *testing.T) {
	d := with(ws2019(), func(d *evidence.Daemon) {
		d.Image.Ref = "contoso.azurecr.io/app:2.1"
		d.Image.Inspect = nil
		d.Image.PullErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "no matching manifest for windows/amd64 10.0.17763 in the manifest list entries"}
	})
	v := CheckBaseImage(d, defaultExpect())
	assert.Check(t, is.Contains(v.Fix, "use contoso.azurecr.io/app:2.1's variant for build 17763"), v.String())
	d.Image.Ref = "mcr.microsoft.com/windows/nanoserver:ltsc2022"
	v = CheckBaseImage(d, defaultExpect())
	assert.Check(t, is.Contains(v.Fix, "use the image tag for build 17763 (1809 / ltsc2019)"), v.String())
}
