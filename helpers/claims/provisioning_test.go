package claims

import (
	"strings"
	"testing"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/system"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

func defaultExpect() config.Expectations {
	e, err := config.LoadExpectations(func(string) string { return "" })
	if err != nil {
		panic(err)
	}
	return e
}

// ws2019 is the documented host, as evidence.
func ws2019() evidence.Daemon {
	return evidence.Daemon{
		Target: "npipe:////./pipe/docker_engine",
		Local:  true,
		Version: types.Version{
			Platform: struct{ Name string }{Name: "Docker Engine - Enterprise"},
			Version:  "19.03.5", APIVersion: "1.40", MinAPIVersion: "1.24", Os: "windows", Arch: "amd64",
			GitCommit: "2ee0c57608", GoVersion: "go1.12.12",
		},
		Info: system.Info{
			OSType:          "windows",
			OperatingSystem: "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.805)",
			KernelVersion:   "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)",
			Isolation:       "process",
		},
		Host: &hostprobe.OSInfo{OS: "windows", Build: "17763", Revision: 805, Edition: "server"},
		Services: []hostprobe.Service{
			{Name: "docker", Exists: true, State: "running", StartType: "auto"},
			{Name: "vmcompute", Exists: true, State: "running", StartType: "manual"},
			{Name: "vmms", Exists: true, State: "running", StartType: "auto"},
		},
		Image: evidence.Image{Ref: "mcr.microsoft.com/windows/nanoserver:1809", PresentBefore: true, Inspect: &image.InspectResponse{
			ID: "sha256:080394ef5494", Os: "windows", Architecture: "amd64", OsVersion: "10.0.17763.805",
		}},
	}
}

func with(d evidence.Daemon, change func(*evidence.Daemon)) evidence.Daemon {
	if d.Image.Inspect != nil {
		img := *d.Image.Inspect
		d.Image.Inspect = &img
	}
	if d.Host != nil {
		h := *d.Host
		d.Host = &h
	}
	d.Services = append([]hostprobe.Service(nil), d.Services...)
	change(&d)
	return d
}

func setService(d *evidence.Daemon, s hostprobe.Service) {
	for i := range d.Services {
		if d.Services[i].Name == s.Name {
			d.Services[i] = s
		}
	}
}

func TestProvisioningClaims(t *testing.T) {
	expect := defaultExpect()
	requireHyperVSkip := expect
	requireHyperVSkip.HyperV = config.HyperVSkip
	oldEngine := expect
	oldEngine.EngineVersion = ">=20.10"
	dockerAutomatic, dockerRunning := expect, expect
	dockerAutomatic.DockerService, dockerRunning.DockerService = config.DockerServiceAutomatic, config.DockerServiceRunning

	tests := []struct {
		doc     string
		check   func(evidence.Daemon, config.Expectations) Verdict
		daemon  evidence.Daemon
		expect  config.Expectations
		status  Status
		message string
		fix     string
	}{
		{
			doc:    "reachable daemon passes",
			check:  func(d evidence.Daemon, _ config.Expectations) Verdict { return CheckDaemonReachable(d) },
			daemon: ws2019(), status: Pass, message: "answered: Docker Engine - Enterprise 19.03.5, API 1.40",
		},
		{
			doc:   "missing named pipe fails naming the host and how to start the daemon",
			check: func(d evidence.Daemon, _ config.Expectations) Verdict { return CheckDaemonReachable(d) },
			daemon: evidence.Daemon{Target: "npipe:////./pipe/docker_engine", Unreachable: &evidence.Failure{
				Kind: evidence.KindConnection, Message: "open //./pipe/docker_engine: The system cannot find the file specified."}},
			status: Fail, message: "cannot reach the Docker daemon at npipe:////./pipe/docker_engine: nothing listens there", fix: "Start-Service docker",
		},
		{
			doc:   "access denied on the pipe says run elevated, not daemon down",
			check: func(d evidence.Daemon, _ config.Expectations) Verdict { return CheckDaemonReachable(d) },
			daemon: evidence.Daemon{Target: "npipe:////./pipe/docker_engine", Unreachable: &evidence.Failure{
				Kind: evidence.KindConnection, Message: "open //./pipe/docker_engine: Access is denied."}},
			status: Fail, message: "access denied", fix: "run elevated",
		},
		{
			doc: "platform of a local Windows daemon passes", check: CheckEnginePlatform,
			daemon: ws2019(), status: Pass, message: "windows/amd64 daemon, host build 17763",
		},
		{
			doc: "Linux daemon on a Windows host fails", check: CheckEnginePlatform,
			daemon: with(ws2019(), func(d *evidence.Daemon) { d.Info.OSType, d.Version.Os = "linux", "linux" }),
			status: Fail, message: `daemon OSType: got "linux", want "windows"`, fix: "switch to Windows containers",
		},
		{
			doc: "daemon on another build than the host fails", check: CheckEnginePlatform,
			daemon: with(ws2019(), func(d *evidence.Daemon) { d.Host.Build = "20348" }),
			status: Fail, message: "daemon reports host build 17763 but this host is build 20348",
		},
		{
			doc: "broken host probe fails, never passes", check: CheckEnginePlatform,
			daemon: with(ws2019(), func(d *evidence.Daemon) { d.Host, d.HostErr = nil, &evidence.Failure{Message: "access denied"} }),
			status: Fail, message: "host probe broken",
		},
		{
			doc: "engine within the constraint passes", check: CheckEngineVersion,
			daemon: ws2019(), expect: expect, status: Pass, message: "engine 19.03.5 satisfies >=19.03",
		},
		{
			doc: "engine older than the constraint fails", check: CheckEngineVersion,
			daemon: ws2019(), expect: oldEngine, status: Fail, message: "engine version: got 19.03.5, want >=20.10",
		},
		{
			doc: "API too old fails", check: CheckAPIVersion,
			daemon: with(ws2019(), func(d *evidence.Daemon) { d.Version.APIVersion = "1.39" }),
			status: Fail, message: "API version: got 1.39, want >= 1.40",
		},
		{
			doc: "API 1.40 passes the 1.40 minimum", check: CheckAPIVersion,
			daemon: ws2019(), status: Pass,
		},
		{
			doc: "server edition defaulting to hyperv fails", check: CheckDefaultIsolation,
			daemon: with(ws2019(), func(d *evidence.Daemon) { d.Info.Isolation = "hyperv" }),
			status: Fail, message: "default isolation: got hyperv, want process", fix: "--exec-opt isolation=process",
		},
		{
			doc: "client edition defaulting to hyperv passes", check: CheckDefaultIsolation,
			daemon: with(ws2019(), func(d *evidence.Daemon) {
				d.Info.Isolation, d.Info.OperatingSystem = "hyperv", "Windows 10 Enterprise Version 1809 (OS Build 17763.805)"
			}),
			status: Pass,
		},
		{
			doc: "a local host's product type decides over the daemon's text: Windows 11 defaults to hyperv", check: CheckDefaultIsolation,
			daemon: with(ws2019(), func(d *evidence.Daemon) {
				// Enterprise multi-session and Server both say "server"
				// somewhere; only the product type is what the daemon reads.
				d.Info.Isolation, d.Info.OperatingSystem = "hyperv", "Microsoft Windows Version 23H2 (OS Build 22631.4460)"
				d.Host.ProductType, d.Host.Edition = "workstation", "client"
			}),
			status: Pass, message: "default isolation is hyperv",
		},
		{
			doc: "a local server product type wants process even when the text names no Server", check: CheckDefaultIsolation,
			daemon: with(ws2019(), func(d *evidence.Daemon) {
				d.Info.Isolation, d.Info.OperatingSystem = "hyperv", "Azure Stack HCI Version 23H2 (OS Build 25398.1189)"
				d.Host.ProductType = "server"
			}),
			status: Fail, message: "default isolation: got hyperv, want process",
		},
		{
			doc: "a remote daemon is judged by its text: a client's wording wants hyperv", check: CheckDefaultIsolation,
			daemon: with(ws2019(), func(d *evidence.Daemon) {
				d.Local, d.Target, d.Host = false, "tcp://10.0.0.5:2376", &hostprobe.OSInfo{OS: "windows", ProductType: "server"}
				d.Info.Isolation, d.Info.OperatingSystem = "process", "Microsoft Windows Version 23H2 (OS Build 22631.4460)"
			}),
			status: Fail, message: "default isolation: got process, want hyperv",
		},
		{
			doc: "Linux daemon's empty isolation is its default", check: CheckDefaultIsolation,
			daemon: evidence.Daemon{Info: system.Info{OSType: "linux"}}, status: Pass, message: "default isolation is default",
		},
		{
			doc: "absent image fails with the pull fix", check: CheckBaseImage,
			daemon: with(ws2019(), func(d *evidence.Daemon) { d.Image.Inspect, d.Image.PresentBefore = nil, false }),
			status: Fail, message: "is not on the host", fix: "docker pull mcr.microsoft.com/windows/nanoserver:1809",
		},
		{
			doc: "unknown build without an image fails asking for the variable", check: CheckBaseImage,
			daemon: with(ws2019(), func(d *evidence.Daemon) {
				d.Image = evidence.Image{RefErr: &evidence.Failure{Message: "no default base image for Windows build \"19041\""}}
			}),
			status: Fail, fix: config.EnvImage,
		},
		{
			doc: "image of the host build passes both modes", check: CheckImageBuild,
			daemon: ws2019(), status: Pass, message: "image build 17763 fits host build 17763 for process, hyperv",
		},
		{
			doc: "older image fails process isolation", check: CheckImageBuild,
			daemon: with(ws2019(), func(d *evidence.Daemon) { d.Image.Inspect.OsVersion = "10.0.14393.3384" }),
			status: Fail, message: "process isolation on host build 17763 cannot run image build 14393", fix: "1809 / ltsc2019",
		},
		{
			doc: "newer image fails Hyper-V isolation", check: CheckImageBuild,
			daemon: with(ws2019(), func(d *evidence.Daemon) { d.Image.Inspect.OsVersion = "10.0.20348.707" }),
			status: Fail, message: "hyperv isolation runs images of build 17763 or older, got 20348",
		},
		{
			doc: "2025 host runs a 2022 image under process isolation", check: CheckImageBuild,
			daemon: with(ws2019(), func(d *evidence.Daemon) {
				d.Info.KernelVersion = "10.0 26100 (26100.1.amd64fre.ge_release.240331-1435)"
				d.Image.Inspect.OsVersion = "10.0.20348.707"
			}),
			status: Pass,
		},
		{
			doc: "docker service stopped fails", check: CheckServiceDocker,
			daemon: with(ws2019(), func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "stopped", StartType: "auto"})
			}),
			status: Fail, message: "the docker service is stopped", fix: "Start-Service docker",
		},
		{
			doc: "docker service on manual start fails", check: CheckServiceDocker,
			daemon: with(ws2019(), func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "running", StartType: "manual"})
			}),
			status: Fail, fix: "Set-Service docker -StartupType Automatic",
		},
		{
			doc: "Docker Desktop's docker service on a client starts manually and passes", check: CheckServiceDocker,
			daemon: with(ws2019(), func(d *evidence.Daemon) {
				d.Host.ProductType, d.Host.Edition = "workstation", "client"
				setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "running", StartType: "manual"})
			}),
			status: Pass, message: "docker service running (start type manual)",
		},
		{
			doc: "a client without the docker service is told to switch Docker Desktop to Windows containers", check: CheckServiceDocker,
			daemon: with(ws2019(), func(d *evidence.Daemon) {
				d.Host.ProductType, d.Host.Edition = "workstation", "client"
				setService(d, hostprobe.Service{Name: "docker"})
			}),
			status: Fail, message: "not installed", fix: "switch it to Windows containers",
		},
		{
			doc: "automatic asked for on a client fails a manual service", check: CheckServiceDocker,
			daemon: with(ws2019(), func(d *evidence.Daemon) {
				d.Host.ProductType = "workstation"
				setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "running", StartType: "manual"})
			}),
			expect: dockerAutomatic, status: Fail, message: "starts manual, not automatically",
		},
		{
			doc: "running asked for on a server accepts a manual service", check: CheckServiceDocker,
			daemon: with(ws2019(), func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "running", StartType: "manual"})
			}),
			expect: dockerRunning, status: Pass,
		},
		{
			doc: "remote daemon skips host services", check: CheckServiceDocker,
			daemon: with(ws2019(), func(d *evidence.Daemon) { d.Local, d.Target = false, "tcp://10.0.0.5:2375" }),
			status: Skip, message: "is not local",
		},
		{
			doc: "vmcompute missing fails with the feature fix", check: func(d evidence.Daemon, _ config.Expectations) Verdict { return CheckServiceVmcompute(d) },
			daemon: with(ws2019(), func(d *evidence.Daemon) { setService(d, hostprobe.Service{Name: "vmcompute"}) }),
			status: Fail, message: "not installed", fix: "Install-WindowsFeature -Name Containers",
		},
		{
			doc: "vmms missing fails when Hyper-V is required", check: CheckServiceVmms,
			daemon: with(ws2019(), func(d *evidence.Daemon) { setService(d, hostprobe.Service{Name: "vmms"}) }),
			expect: expect, status: Fail, message: "vmms (Hyper-V) is not installed",
		},
		{
			doc: "vmms missing skips under the skip policy", check: CheckServiceVmms,
			daemon: with(ws2019(), func(d *evidence.Daemon) { setService(d, hostprobe.Service{Name: "vmms"}) }),
			expect: requireHyperVSkip, status: Skip, message: "no usable Hyper-V",
		},
		{
			doc: "vmms stopped fails when Hyper-V is required", check: CheckServiceVmms,
			daemon: with(ws2019(), func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "vmms", Exists: true, State: "stopped", StartType: "disabled"})
			}),
			expect: expect, status: Fail, message: "vmms is installed but stopped", fix: "Set-Service vmms -StartupType Automatic",
		},
		{
			doc: "vmms stopped fails under the skip policy too: skip is for hosts without Hyper-V", check: CheckServiceVmms,
			daemon: with(ws2019(), func(d *evidence.Daemon) {
				setService(d, hostprobe.Service{Name: "vmms", Exists: true, State: "stopped", StartType: "auto"})
			}),
			expect: requireHyperVSkip, status: Fail, message: "vmms is installed but stopped", fix: "Start-Service vmms",
		},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			e := tc.expect
			if e.EngineVersion == "" {
				e = expect
			}
			v := tc.check(tc.daemon, e)
			assert.Equal(t, v.Status, tc.status, v.String())
			assert.Check(t, is.Contains(v.Message, tc.message), v.String())
			assert.Check(t, is.Contains(v.Fix, tc.fix), v.String())
			if v.Status == Fail {
				assert.Check(t, v.Fix != "" || strings.HasPrefix(v.Message, "blocked"), "a failure must say how to fix it: %s", v)
			}
		})
	}
}

func TestImageBuildWarnsOfNewerRevisionOn2025(t *testing.T) {
	d := with(ws2019(), func(d *evidence.Daemon) {
		d.Info.KernelVersion = "10.0 26100 (26100.1.amd64fre.ge_release.240331-1435)"
		d.Info.OperatingSystem = "Windows Server 2025 Datacenter Version 24H2 (OS Build 26100.2894)"
		d.Image.Inspect.OsVersion = "10.0.26100.3000"
	})
	v := CheckImageBuild(d, defaultExpect())
	assert.Equal(t, v.Status, Pass)
	assert.Assert(t, is.Len(v.Warnings, 1))
	assert.Check(t, is.Contains(v.Warnings[0], "image revision 3000 is newer than the host's 2894"))

	d.Image.Inspect.OsVersion = "10.0.26100.2894"
	assert.Check(t, is.Len(CheckImageBuild(d, defaultExpect()).Warnings, 0))
}

func TestWindowsBuildAndRevision(t *testing.T) {
	tests := []struct {
		doc      string
		in       string
		build    int
		revision int
	}{
		{doc: "KernelVersion", in: "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)", build: 17763},
		{doc: "image OsVersion", in: "10.0.20348.707", build: 20348, revision: 707},
		{doc: "older OperatingSystem wording", in: "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.805)", revision: 805},
		{doc: "newer OperatingSystem wording", in: "Microsoft Windows Server Version 21H2 (OS Build 20348.707)", revision: 707},
		{doc: "Linux kernel", in: "6.1.0-18-amd64"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Check(t, is.Equal(evidence.WindowsBuild(tc.in), tc.build))
			assert.Check(t, is.Equal(WindowsRevision(tc.in), tc.revision))
		})
	}
}

func TestLedgerBlocksAndSkipsDownstream(t *testing.T) {
	l := NewLedger()
	l.Judge("a", nil, func() Verdict { return failed("a broke", "fix a") })
	l.Judge("b", nil, func() Verdict { return skipped("b does not apply") })
	called := false
	v := l.Judge("c", []string{"a"}, func() Verdict { called = true; return passed("c") })
	assert.Check(t, !called, "a blocked claim must not be judged")
	assert.Check(t, is.Equal(v.Status, Fail))
	assert.Check(t, is.Equal(v.BlockedBy, "a"))
	assert.Check(t, is.Equal(v.Message, "blocked by a"))

	v = l.Judge("d", []string{"b"}, func() Verdict { return passed("d") })
	assert.Check(t, is.Equal(v.Status, Skip))
	assert.Check(t, is.Contains(v.Message, "b was skipped: b does not apply"))

	v = l.Judge("e", []string{"never"}, func() Verdict { return passed("e") })
	assert.Check(t, is.Equal(v.Status, Fail), "an unjudged prerequisite is a harness bug, never a pass")

	v = l.Judge("a", nil, func() Verdict { return passed("again") })
	assert.Check(t, is.Equal(v.Status, Fail), "a claim judged twice fails")
	assert.Check(t, is.Equal(l.Count(Pass), 0))
}

// A host whose revision neither the daemon nor the registry gave: the claim
// says so in its evidence, and warns where a revision rule was left unchecked
// (a 2016 or 2025 process-isolated image of the host's build), never fails.
func TestImageBuildWithUnknownHostRevision(t *testing.T) {
	unknown := map[string]string{"revision": `HKLM\...\UBR: The system cannot find the file specified.`}
	for _, tc := range []struct {
		doc, kernel, image string
		warns              bool
	}{
		{doc: "2025, same build", kernel: "10.0 26100 (26100.1.amd64fre.ge_release.240331-1435)", image: "10.0.26100.3000", warns: true},
		{doc: "2016, same build", kernel: "10.0 14393 (14393.693.amd64fre.rs1_release.161220-1747)", image: "10.0.14393.2000", warns: true},
		{doc: "2019, same build", kernel: "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)", image: "10.0.17763.864", warns: true},
		{doc: "1803: no revision rule", kernel: "10.0 17134 (17134.1.amd64fre.rs4_release.180410-1804)", image: "10.0.17134.100", warns: false},
		{doc: "2025, older build under hyperv only", kernel: "10.0 26100 (26100.1.amd64fre.ge_release.240331-1435)", image: "10.0.20348.100", warns: false},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			d := with(ws2019(), func(d *evidence.Daemon) {
				d.Info.KernelVersion = tc.kernel
				d.Info.OperatingSystem = "Windows Server"
				d.Host.Revision = 0
				d.Host.Unknown = unknown
				d.Image.Inspect.OsVersion = tc.image
			})
			expect := defaultExpect()
			if tc.image == "10.0.20348.100" {
				expect.Isolation = []string{"hyperv"}
			}
			v := CheckImageBuild(d, expect)
			assert.Equal(t, v.Status, Pass, v.String())
			assert.Check(t, is.Contains(strings.Join(v.Evidence, "\n"), "host revision unknown (HKLM"), v.String())
			unchecked := 0
			for _, w := range v.Warnings {
				if strings.Contains(w, "host revision unknown") {
					unchecked++
				}
			}
			assert.Check(t, is.Equal(unchecked, map[bool]int{true: 1, false: 0}[tc.warns]), v.String())
			// Known: no such evidence.
			d.Host.Revision, d.Host.Unknown = 2000, nil
			assert.Check(t, !strings.Contains(strings.Join(CheckImageBuild(d, expect).Evidence, "\n"), "unknown"))
		})
	}
}

// A service whose delayed-start flag could not be read keeps its state and
// start type and judges as such; the reason is in the evidence.
func TestServiceWithUnreadableDelayedFlag(t *testing.T) {
	note := "delayed-start flag unreadable: QueryServiceConfig2(SERVICE_CONFIG_DELAYED_AUTO_START_INFO): Invalid level."
	d := with(ws2019(), func(d *evidence.Daemon) {
		setService(d, hostprobe.Service{Name: "docker", Exists: true, State: "running", StartType: "auto", StartTypeNote: note})
	})
	v := CheckServiceDocker(d, defaultExpect())
	assert.Equal(t, v.Status, Pass, v.String())
	assert.Check(t, is.Contains(strings.Join(v.Evidence, "\n"), "start type auto ("+note+")"))
}
