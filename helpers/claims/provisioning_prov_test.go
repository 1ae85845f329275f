package claims

import (
	"testing"

	"github.com/docker/docker/api/types/image"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// Whole verdicts of the provisioning claims, one row per branch a real host
// takes: status, message, evidence, fix and warnings as the user reads them,
// so that a changed comparison, a dropped state or a garbled fix fails a row.

// provRow is one host situation and the whole verdict the user reads.
type provRow struct {
	doc    string // the host situation
	source string // where the situation or wording is documented
	got    Verdict
	want   Verdict
}

func checkProvRows(t *testing.T, rows []provRow) {
	t.Helper()
	for _, tc := range rows {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Check(t, is.DeepEqual(tc.got, tc.want), "%s\ngot: %s", tc.source, tc.got)
		})
	}
}

const (
	ws2019Version = `version: os/arch windows/amd64, kernel ""`
	ws2019Info    = `info: OSType "windows", OperatingSystem "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.805)", KernelVersion "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"`
	ws2019Probe   = "host probe: os windows, build 17763"
	pipeTarget    = "npipe:////./pipe/docker_engine"
)

func unreachableAt(d evidence.Daemon, target, message string) evidence.Daemon {
	d.Target = target
	d.Unreachable = &evidence.Failure{Kind: evidence.KindConnection, Message: message}
	return d
}

// debianDaemon is this machine's own daemon as it answers: Debian's docker.io
// 20.10.24 leaves Platform.Name empty (measured: docker version --format
// '{{json .Server}}').
func debianDaemon() evidence.Daemon {
	d := linuxDaemon("unix:///var/run/docker.sock", true)
	d.Version.Version, d.Version.APIVersion, d.Version.MinAPIVersion = "20.10.24+dfsg1", "1.41", "1.12"
	d.Version.Os, d.Version.Arch = "linux", "amd64"
	d.Version.KernelVersion = "6.1.0-18-amd64"
	d.Info.OperatingSystem, d.Info.KernelVersion = "Debian GNU/Linux 12 (bookworm)", "6.1.0-18-amd64"
	d.Host = &hostprobe.OSInfo{OS: "linux", Build: "6.1.0-18-amd64"}
	return d
}

func TestDaemonReachableWholeVerdicts(t *testing.T) {
	const notListeningFix = "start the daemon (Windows: Start-Service docker; Linux: systemctl start docker, or dockerd &), or point DOCKER_HOST at the daemon to test"
	const desktopFix = "restart Docker Desktop's engine (Docker Desktop: Troubleshoot > Restart, or quit and start Docker Desktop; for the WSL 2 backend run wsl --shutdown first): Docker Desktop 4.x runs no docker service to start"
	busy := "open //./pipe/docker_engine: All pipe instances are busy."
	denied := "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/version\": dial unix /var/run/docker.sock: connect: permission denied"
	desktop500 := "request returned Internal Server Error for API route and version http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.47/version, check if the server supports the requested API version"
	html := "Error response from daemon: <!DOCTYPE HTML>\n<html><head><title>404 Not Found</title></head></html>"
	refused := "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
	// A Server whose docker service is stopped while nothing listens: the
	// host's own facts decide the fix (silent.go).
	stopped := with(ws2019(), func(d *evidence.Daemon) {
		setService(d, svc("docker", "stopped", "auto"))
		d.Processes = &hostprobe.Snapshot{SelfPID: 1, Processes: []hostprobe.Process{{PID: 1, Name: "conformance.test.exe"}}}
	})
	checkProvRows(t, []provRow{
		{doc: "Debian's docker.io answers without a platform name", source: "measured on this machine: Platform.Name is empty",
			got:  CheckDaemonReachable(debianDaemon()),
			want: Verdict{Status: Pass, Message: "daemon at unix:///var/run/docker.sock answered: Docker Engine 20.10.24+dfsg1, API 1.41"}},
		{doc: "a Linux user outside the docker group", source: "docker CLI on a socket of mode 660 root:docker",
			got: CheckDaemonReachable(unreachableAt(debianDaemon(), "unix:///var/run/docker.sock", denied)),
			want: Verdict{Status: Fail, Message: "cannot reach the Docker daemon at unix:///var/run/docker.sock: access denied",
				Fix:      "run elevated (an Administrator shell on Windows, root or the docker group on Linux), or have the daemon grant this user access",
				Evidence: []string{"error: " + denied}}},
		{doc: "every instance of the engine's pipe is busy (ERROR_PIPE_BUSY)", source: "Win32 error 231 on //./pipe/docker_engine",
			got: CheckDaemonReachable(unreachableAt(ws2019(), pipeTarget, busy)),
			want: Verdict{Status: Fail, Message: "cannot reach the Docker daemon at npipe:////./pipe/docker_engine: every instance of the pipe is busy",
				Fix:      "the daemon is overloaded or hung: wait and re-run, or restart it (Restart-Service docker) when it stays so",
				Evidence: []string{"error: " + busy}}},
		{doc: "Docker Desktop's proxy answers 500 on /version while its engine is down: no backend pipe named", source: "docker/for-win#13770, #14869",
			got: CheckDaemonReachable(unreachableAt(ws2019(), pipeTarget, desktop500)),
			want: Verdict{Status: Fail, Message: "cannot reach the Docker daemon at npipe:////./pipe/docker_engine: Docker Desktop's proxy answered, but its backend engine is down",
				Fix: desktopFix, Evidence: []string{"error: " + desktop500}}},
		{doc: "Docker Desktop's proxy names its Linux backend's pipe", source: "docker/for-win#7186",
			got: CheckDaemonReachable(unreachableAt(ws2019(), pipeTarget, `Error response from daemon: open \\.\pipe\docker_engine_linux: The system cannot find the file specified.`)),
			want: Verdict{Status: Fail, Message: `cannot reach the Docker daemon at npipe:////./pipe/docker_engine: Docker Desktop's proxy answered, but its backend engine at \\.\pipe\docker_engine_linux is down`,
				Fix: desktopFix, Evidence: []string{`error: Error response from daemon: open \\.\pipe\docker_engine_linux: The system cannot find the file specified.`}}},
		{doc: "a web server on the DOCKER_HOST port: only its first line is quoted in the message", source: "measured against a web server (classify.go)",
			got: CheckDaemonReachable(unreachableAt(debianDaemon(), "tcp://127.0.0.1:8080", html)),
			want: Verdict{Status: Fail, Message: "not a Docker Engine at tcp://127.0.0.1:8080: it answered, but not with the Engine API (Error response from daemon: <!DOCTYPE HTML>)",
				Fix:      "something else (a web server, a proxy) listens at tcp://127.0.0.1:8080: point DOCKER_HOST at the Docker Engine's socket or pipe",
				Evidence: []string{"error: " + html}}},
		{doc: "nothing listens on a Linux socket: no Windows host facts, the generic start fix", source: "moby client/errors.go",
			got: CheckDaemonReachable(unreachableAt(debianDaemon(), "unix:///var/run/docker.sock", refused)),
			want: Verdict{Status: Fail, Message: "cannot reach the Docker daemon at unix:///var/run/docker.sock: nothing listens there",
				Fix: notListeningFix, Evidence: []string{"error: " + refused}}},
		{doc: "nothing listens on a Server whose docker service is stopped: the host's facts are quoted", source: "the service control manager; silent.go",
			got: CheckDaemonReachable(unreachableAt(stopped, pipeTarget, "open //./pipe/docker_engine: The system cannot find the file specified.")),
			want: Verdict{Status: Fail, Message: "cannot reach the Docker daemon at npipe:////./pipe/docker_engine: nothing listens there",
				Fix: "the docker service is stopped (start type auto): Start-Service docker, and read the Application event log (source docker) if it stops again",
				Evidence: []string{"error: open //./pipe/docker_engine: The system cannot find the file specified.",
					"host probe: windows build 17763.805, product type unknown",
					"service docker: stopped, start type auto", "service vmms: running, start type auto",
					"engine processes: none (no dockerd.exe, no Docker Desktop)"}}},
	})
}

func TestEnginePlatformWholeVerdicts(t *testing.T) {
	remote := func(d *evidence.Daemon) { d.Target, d.Local = "tcp://10.0.0.5:2376", false }
	pinned := func(platform string) config.Expectations {
		e := defaultExpect()
		e.Platform = platform
		return e
	}
	checkProvRows(t, []provRow{
		{doc: "the documented Server 2019 host", source: "seed session",
			got: CheckEnginePlatform(ws2019(), defaultExpect()),
			want: Verdict{Status: Pass, Message: "windows/amd64 daemon, host build 17763",
				Evidence: []string{ws2019Version, ws2019Info, ws2019Probe}}},
		{doc: "a local host probe that could not read the OS (an unelevated gate)", source: "design rule 6: a broken probe never passes",
			got: CheckEnginePlatform(with(ws2019(), func(d *evidence.Daemon) {
				d.Host, d.HostErr = nil, &evidence.Failure{Message: "RtlGetVersion: Access is denied."}
			}), defaultExpect()),
			want: Verdict{Status: Fail, Message: "host probe broken: RtlGetVersion: Access is denied.",
				Fix:      "the harness could not read this host's OS; run it on the daemon's host with the rights to do so",
				Evidence: []string{ws2019Version, ws2019Info}}},
		{doc: "a remote daemon with a pinned platform: the harness host's probe error says nothing about it", source: "a DOCKER_HOST=tcp:// gate run from a locked-down runner",
			got: CheckEnginePlatform(with(ws2019(), func(d *evidence.Daemon) {
				remote(d)
				d.Host, d.HostErr = nil, &evidence.Failure{Message: "RtlGetVersion: Access is denied."}
			}), pinned("windows")),
			want: Verdict{Status: Pass, Message: "windows/amd64 daemon, host build 17763", Evidence: []string{ws2019Version, ws2019Info}}},
		{doc: "/version says linux, /info says windows", source: "moby api/types Version.Os and system.Info.OSType must agree",
			got: CheckEnginePlatform(with(ws2019(), func(d *evidence.Daemon) { d.Version.Os = "linux" }), defaultExpect()),
			want: Verdict{Status: Fail, Message: `version says os "linux" but info says OSType "windows"`,
				Fix:      "the daemon contradicts itself; reinstall the engine",
				Evidence: []string{`version: os/arch linux/amd64, kernel ""`, ws2019Info, ws2019Probe}}},
		{doc: "a proxy that forwards /version but answers /info without OSType", source: "Engine API proxies that filter /info",
			got: CheckEnginePlatform(with(ws2019(), func(d *evidence.Daemon) { d.Info.OSType = "" }), defaultExpect()),
			want: Verdict{Status: Fail, Message: "the daemon reports no OS type or architecture",
				Fix: "the daemon's /version and /info answers are incomplete; check the engine install",
				Evidence: []string{ws2019Version,
					`info: OSType "", OperatingSystem "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.805)", KernelVersion "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"`,
					ws2019Probe}}},
		{doc: "a remote daemon and no CONFORMANCE_PLATFORM", source: "design rule 6",
			got: CheckEnginePlatform(with(ws2019(), func(d *evidence.Daemon) { remote(d); d.Host = nil }), defaultExpect()),
			want: Verdict{Status: Fail, Message: `daemon at tcp://10.0.0.5:2376 is not local and no platform is pinned: got OSType "windows", want a platform named by CONFORMANCE_PLATFORM`,
				Fix:      "set CONFORMANCE_PLATFORM=windows or linux: a remote daemon cannot be compared with this host, so the gate must be told which containers it runs",
				Evidence: []string{ws2019Version, ws2019Info}}},
		{doc: "CONFORMANCE_PLATFORM=linux given a Windows daemon: the pin decides over the host's OS", source: "config CONFORMANCE_PLATFORM",
			got: CheckEnginePlatform(ws2019(), pinned("linux")),
			want: Verdict{Status: Fail, Message: `daemon OSType: got "windows", want "linux"`,
				Fix:      "this gate expects linux containers; point DOCKER_HOST at the linux daemon",
				Evidence: []string{ws2019Version, ws2019Info, ws2019Probe}}},
		{doc: "Docker Desktop in Linux mode on a Windows host", source: "docker/for-win: Switch to Windows containers",
			got: CheckEnginePlatform(with(ws2019(), func(d *evidence.Daemon) { d.Info.OSType, d.Version.Os = "linux", "linux" }), defaultExpect()),
			want: Verdict{Status: Fail, Message: `daemon OSType: got "linux", want "windows"`,
				Fix: "the daemon runs Linux containers (Docker Desktop in Linux mode?): switch to Windows containers, or install the Windows engine",
				Evidence: []string{`version: os/arch linux/amd64, kernel ""`,
					`info: OSType "linux", OperatingSystem "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.805)", KernelVersion "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"`,
					ws2019Probe}}},
		{doc: "DOCKER_HOST=tcp://127.0.0.1 forwarded to a Server 2022 while the gate runs on a 2019", source: "the daemon's KernelVersion against RtlGetVersion",
			got: CheckEnginePlatform(with(ws2022(), func(d *evidence.Daemon) { d.Host.Build = "17763" }), defaultExpect()),
			want: Verdict{Status: Fail, Message: "daemon reports host build 20348 but this host is build 17763",
				Fix: "DOCKER_HOST reaches a daemon on another machine; run the gate on the daemon's host or unset DOCKER_HOST",
				Evidence: []string{ws2019Version,
					`info: OSType "windows", OperatingSystem "Windows Server 2022 Datacenter Version 2009 (OS Build 20348.2113)", KernelVersion "10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)"`,
					ws2019Probe}}},
		{doc: "a host probe that read no build: nothing to compare, the daemon's build is reported", source: "design rule 6",
			got: CheckEnginePlatform(with(ws2019(), func(d *evidence.Daemon) { d.Host.Build = "" }), defaultExpect()),
			want: Verdict{Status: Pass, Message: "windows/amd64 daemon, host build 17763",
				Evidence: []string{ws2019Version, ws2019Info, "host probe: os windows, build "}}},
		{doc: "a remote daemon on another build than the harness's host: builds are not compared", source: "design rule 6",
			got:  CheckEnginePlatform(with(ws2019(), func(d *evidence.Daemon) { remote(d); d.Host.Build = "20348" }), pinned("windows")),
			want: Verdict{Status: Pass, Message: "windows/amd64 daemon, host build 17763", Evidence: []string{ws2019Version, ws2019Info}}},
		{doc: "this machine's Debian daemon", source: "measured on this machine",
			got: CheckEnginePlatform(debianDaemon(), defaultExpect()),
			want: Verdict{Status: Pass, Message: "linux/amd64 daemon, host build 6.1.0-18-amd64",
				Evidence: []string{`version: os/arch linux/amd64, kernel "6.1.0-18-amd64"`,
					`info: OSType "linux", OperatingSystem "Debian GNU/Linux 12 (bookworm)", KernelVersion "6.1.0-18-amd64"`,
					"host probe: os linux, build 6.1.0-18-amd64"}}},
	})
}

func TestVersionClaimsWholeVerdicts(t *testing.T) {
	const ws2019Engine = "Docker Engine - Enterprise 19.03.5 (commit 2ee0c57608, go1.12.12)"
	constraint := func(c string) config.Expectations {
		e := defaultExpect()
		e.EngineVersion = c
		return e
	}
	minAPI := func(v string) config.Expectations {
		e := defaultExpect()
		e.MinAPIVersion = v
		return e
	}
	api := func(v string) evidence.Daemon {
		return with(ws2019(), func(d *evidence.Daemon) { d.Version.APIVersion = v })
	}
	debian := debianDaemon()
	debian.Version.GitCommit, debian.Version.GoVersion = "5d6db84", "go1.19.8"
	checkProvRows(t, []provRow{
		{doc: "the documented 19.03.5 under the default constraint", source: "seed session",
			got:  CheckEngineVersion(ws2019(), defaultExpect()),
			want: Verdict{Status: Pass, Message: "engine 19.03.5 satisfies >=19.03", Evidence: []string{ws2019Engine}}},
		{doc: "Debian's 20.10.24+dfsg1 (a build suffix) with no platform name", source: "measured on this machine",
			got:  CheckEngineVersion(debian, defaultExpect()),
			want: Verdict{Status: Pass, Message: "engine 20.10.24+dfsg1 satisfies >=19.03", Evidence: []string{"engine 20.10.24+dfsg1 (commit 5d6db84, go1.19.8)"}}},
		{doc: "19.03.5 under a pin >=19.03.5: at the boundary", source: "Mirantis 19.03.x patch releases",
			got:  CheckEngineVersion(ws2019(), constraint(">=19.03.5")),
			want: Verdict{Status: Pass, Message: "engine 19.03.5 satisfies >=19.03.5", Evidence: []string{ws2019Engine}}},
		{doc: "19.03.5 under >=19.03.6: one patch short", source: "Mirantis 19.03.x patch releases",
			got: CheckEngineVersion(ws2019(), constraint(">=19.03.6")),
			want: Verdict{Status: Fail, Message: "engine version: got 19.03.5, want >=19.03.6",
				Fix:      "upgrade the engine to a version within >=19.03.6, or change CONFORMANCE_ENGINE_VERSION",
				Evidence: []string{ws2019Engine}}},
		{doc: "API 1.40 against the default minimum 1.40: at the boundary", source: "moby api: 19.03 serves 1.40",
			got:  CheckAPIVersion(ws2019(), defaultExpect()),
			want: Verdict{Status: Pass, Message: "API 1.40 >= 1.40", Evidence: []string{"API 1.40 (daemon minimum 1.24)"}}},
		{doc: "API 1.39 (18.09) against 1.40: one below", source: "moby api: 18.09 serves 1.39",
			got: CheckAPIVersion(api("1.39"), defaultExpect()),
			want: Verdict{Status: Fail, Message: "API version: got 1.39, want >= 1.40",
				Fix:      "upgrade the engine to one that serves API 1.40 or later",
				Evidence: []string{"API 1.39 (daemon minimum 1.24)"}}},
		{doc: "API 1.41 (20.10) against 1.40: one above", source: "moby api: 20.10 serves 1.41",
			got:  CheckAPIVersion(api("1.41"), defaultExpect()),
			want: Verdict{Status: Pass, Message: "API 1.41 >= 1.40", Evidence: []string{"API 1.41 (daemon minimum 1.24)"}}},
		{doc: "API 1.40 against a minimum of 1.4 written without its zero: 40 is above 4, not equal", source: "config.CompareVersions compares numbers",
			got:  CheckAPIVersion(ws2019(), minAPI("1.4")),
			want: Verdict{Status: Pass, Message: "API 1.40 >= 1.4", Evidence: []string{"API 1.40 (daemon minimum 1.24)"}}},
		{doc: "API 1.9 (Docker 1.x era numbering) against 1.24: 9 is below 24", source: "config.CompareVersions compares numbers, not strings",
			got: CheckAPIVersion(api("1.9"), minAPI("1.24")),
			want: Verdict{Status: Fail, Message: "API version: got 1.9, want >= 1.24",
				Fix:      "upgrade the engine to one that serves API 1.24 or later",
				Evidence: []string{"API 1.9 (daemon minimum 1.24)"}}},
	})
}

func TestExpectedDefaultIsolationEveryBranch(t *testing.T) {
	pinned := func(v string) config.Expectations {
		e := defaultExpect()
		e.DefaultIsolation = v
		return e
	}
	local := func(productType, operatingSystem string) evidence.Daemon {
		return with(ws2019(), func(d *evidence.Daemon) {
			d.Host.ProductType = productType
			d.Info.OperatingSystem = operatingSystem
		})
	}
	remote := func(operatingSystem string) evidence.Daemon {
		return with(ws2019(), func(d *evidence.Daemon) {
			d.Target, d.Local, d.Host = "tcp://10.0.0.5:2376", false, nil
			d.Info.OperatingSystem = operatingSystem
		})
	}
	for _, tc := range []struct {
		doc, source string
		daemon      evidence.Daemon
		expect      config.Expectations
		want, why   string
	}{
		{doc: "CONFORMANCE_DEFAULT_ISOLATION=process on a client", source: "config",
			daemon: local(hostprobe.ProductWorkstation, "Microsoft Windows Version 23H2 (OS Build 22631.4460)"), expect: pinned("process"),
			want: "process", why: "CONFORMANCE_DEFAULT_ISOLATION=process"},
		{doc: "auto on this machine's Linux daemon", source: "moby daemon/info.go sets Isolation only on Windows",
			daemon: debianDaemon(), expect: defaultExpect(), want: "default", why: "a linux daemon has only its default isolation"},
		{doc: "a pin on a Linux daemon is still the pin", source: "config",
			daemon: debianDaemon(), expect: pinned("hyperv"), want: "hyperv", why: "CONFORMANCE_DEFAULT_ISOLATION=hyperv"},
		{doc: "Windows 11 (product type workstation) whose text a proxy rewrote", source: "moby IsWindowsClient: ProductType == VER_NT_WORKSTATION",
			daemon: local(hostprobe.ProductWorkstation, "Windows Server"), expect: defaultExpect(),
			want: "hyperv", why: "host product type workstation (a client edition): the daemon defaults to hyperv"},
		{doc: "Azure Stack HCI (product type server) whose text names no Server", source: "moby IsWindowsClient",
			daemon: local(hostprobe.ProductServer, "Azure Stack HCI Version 23H2 (OS Build 25398.1189)"), expect: defaultExpect(),
			want: "process", why: "host product type server: the daemon defaults to process"},
		{doc: "a local Server whose probe read no product type: the text decides and says why", source: "design rule 6",
			daemon: ws2019(), expect: defaultExpect(),
			want: "process", why: "daemon's OperatingSystem text (the host probe read no product type) names a Server edition"},
		{doc: "a local Windows 10 whose probe read no product type", source: "moby pkg/parsers/operatingsystem (ProductName)",
			daemon: local("", "Windows 10 Enterprise Version 1809 (OS Build 17763.805)"), expect: defaultExpect(),
			want: "hyperv", why: "daemon's OperatingSystem text (the host probe read no product type) names no Server edition"},
		{doc: "a remote 20.10+ Server", source: "moby pkg/parsers/operatingsystem windows_os_string.go",
			daemon: remote("Microsoft Windows Server Version 21H2 (OS Build 20348.707)"), expect: defaultExpect(),
			want: "process", why: "daemon's OperatingSystem text names a Server edition"},
		{doc: "a remote 23.0+ client", source: "moby pkg/parsers/operatingsystem windows_os_string.go",
			daemon: remote("Microsoft Windows Version 23H2 (OS Build 22631.4460)"), expect: defaultExpect(),
			want: "hyperv", why: "daemon's OperatingSystem text names no Server edition"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			want, why := ExpectedDefaultIsolation(tc.daemon, tc.expect)
			assert.Check(t, is.Equal(want, tc.want), tc.source)
			assert.Check(t, is.Equal(why, tc.why), tc.source)
		})
	}
}

func TestDefaultIsolationWholeVerdicts(t *testing.T) {
	const serverWhy = "expected process: daemon's OperatingSystem text (the host probe read no product type) names a Server edition"
	const ws2019OS = `OperatingSystem "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.805)"`
	noVmms := func(d *evidence.Daemon) { setService(d, hostprobe.Service{Name: "vmms"}) }
	client := func(d *evidence.Daemon) {
		d.Host.ProductType, d.Host.Edition = hostprobe.ProductWorkstation, "client"
		d.Info.OperatingSystem = "Microsoft Windows Version 23H2 (OS Build 22631.4460)"
		d.Info.Isolation = "process"
	}
	const clientInfo = `info: Isolation "process", OperatingSystem "Microsoft Windows Version 23H2 (OS Build 22631.4460)"`
	const clientWhy = "expected hyperv: host product type workstation (a client edition): the daemon defaults to hyperv"
	checkProvRows(t, []provRow{
		{doc: "the documented Server 2019 defaulting to process", source: "moby daemon_windows.go setDefaultIsolation",
			got:  CheckDefaultIsolation(ws2019(), defaultExpect()),
			want: Verdict{Status: Pass, Message: "default isolation is process", Evidence: []string{`info: Isolation "process", ` + ws2019OS, serverWhy}}},
		{doc: "a Windows daemon whose /info carries no Isolation (a proxy, or an engine older than 1.13)", source: "moby daemon/info.go",
			got: CheckDefaultIsolation(with(ws2019(), func(d *evidence.Daemon) { d.Info.Isolation = "" }), defaultExpect()),
			want: Verdict{Status: Fail, Message: "default isolation: got default, want process",
				Fix:      `set the daemon's default with --exec-opt isolation=process (daemon.json "exec-opts": ["isolation=process"]) and restart it, or set CONFORMANCE_DEFAULT_ISOLATION`,
				Evidence: []string{`info: Isolation "", ` + ws2019OS, serverWhy}}},
		{doc: "a Server without Hyper-V whose daemon defaults to hyperv: the wanted default is process, so the exec-opt fix holds", source: "moby daemon_windows.go setDefaultIsolation",
			got: CheckDefaultIsolation(with(ws2019(), func(d *evidence.Daemon) { noVmms(d); d.Info.Isolation = "hyperv" }), defaultExpect()),
			want: Verdict{Status: Fail, Message: "default isolation: got hyperv, want process",
				Fix:      `set the daemon's default with --exec-opt isolation=process (daemon.json "exec-opts": ["isolation=process"]) and restart it, or set CONFORMANCE_DEFAULT_ISOLATION`,
				Evidence: []string{`info: Isolation "hyperv", ` + ws2019OS, serverWhy}}},
		{doc: "Windows 11 without Hyper-V whose daemon was set to process: a hyperv default would fail every container", source: "Microsoft Learn: Hyper-V on Windows 11 (Enable-WindowsOptionalFeature)",
			got: CheckDefaultIsolation(with(ws2019(), func(d *evidence.Daemon) { client(d); noVmms(d) }), defaultExpect()),
			want: Verdict{Status: Fail, Message: "default isolation: got process, want hyperv",
				Fix:      "this host has no Hyper-V (vmms not installed (no Hyper-V role)), so a hyperv default would fail every container: install Hyper-V (Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V -All; in a VM, enable nested virtualization first) before setting the daemon's default to hyperv, or set CONFORMANCE_DEFAULT_ISOLATION=process to gate this host as it is",
				Evidence: []string{clientInfo, clientWhy}}},
		{doc: "Windows 11 whose vmms is stopped: Hyper-V is installed, the exec-opt fix holds", source: "vmms installed but stopped (VmmsReading)",
			got: CheckDefaultIsolation(with(ws2019(), func(d *evidence.Daemon) { client(d); setService(d, svc("vmms", "stopped", "manual")) }), defaultExpect()),
			want: Verdict{Status: Fail, Message: "default isolation: got process, want hyperv",
				Fix:      `set the daemon's default with --exec-opt isolation=hyperv (daemon.json "exec-opts": ["isolation=hyperv"]) and restart it, or set CONFORMANCE_DEFAULT_ISOLATION`,
				Evidence: []string{clientInfo, clientWhy}}},
	})
}

func TestBaseImageWholeVerdicts(t *testing.T) {
	const ref = "mcr.microsoft.com/windows/nanoserver:1809"
	pullFailed := func(d evidence.Daemon, message string) evidence.Daemon {
		return with(d, func(d *evidence.Daemon) {
			d.Image.Inspect, d.Image.PresentBefore = nil, false
			d.Image.PullErr = &evidence.Failure{Message: message}
		})
	}
	row := func(doc, source, message, fix string) provRow {
		return provRow{doc: doc, source: source, got: CheckBaseImage(pullFailed(ws2019(), message), defaultExpect()),
			want: Verdict{Status: Fail, Message: "image " + ref + " is not on the host", Fix: fix,
				Evidence: []string{"pull policy: missing", "pull error: " + message}}}
	}
	const ownTag = "use the image tag for build 17763 (1809 / ltsc2019) (set CONFORMANCE_IMAGE)"
	const reachable = "make the image reachable (registry, proxy, credentials) or load it with docker load; then re-run"
	checkProvRows(t, []provRow{
		row("a manifest list without a variant for the host's build", "moby daemon/internal/distribution/pull_v2.go",
			"no matching manifest for windows/amd64 10.0.17763 in the manifest list entries",
			"the registry has no variant of this image for the host's build: "+ownTag),
		row("a tag the registry does not have", "OCI distribution spec MANIFEST_UNKNOWN",
			"manifest for "+ref+" not found: manifest unknown: manifest unknown",
			"the tag does not exist: "+ownTag),
		row("a Linux image pulled by a Windows daemon", "moby daemon/internal/distribution/config.go",
			`image operating system "linux" cannot be used on this platform`,
			"the image is for another operating system: "+ownTag),
		row("layers downloaded but not registered on this host's disk", "moby#46112",
			"failed to register layer: re-exec error: exit status 1: output: hcsshim::ProcessBaseLayer C:\\ProgramData\\docker\\windowsfilter\\0f1a: The parameter is incorrect.",
			`not the registry: the layers were downloaded, and registering them in the daemon's data root (C:\ProgramData\docker) failed. Check that the data root is on a local NTFS volume with free space and is excluded from antivirus scanning, remove what the failed pull left (docker image prune) and pull again; moby#46112, moby#38582 (fixed by an engine update)`),
		row("a mirror without Microsoft's foreign layers", "docker-archive/docker-registry#1117",
			"unknown blob",
			"the registry or mirror lacks the image's Windows base layers (foreign layers): pull from mcr.microsoft.com, or push the image to the mirror with the daemon's allow-nondistributable-artifacts set; then re-run"),
		row("Docker Hub's rate limit", "Docker Hub: toomanyrequests",
			"toomanyrequests: You have reached your pull rate limit.", reachable),
		row("an error no wording classifies", "fallback",
			"unexpected EOF", reachable),
		{doc: "the image is absent and no pull was tried (pull policy missing, image removed after the check)", source: "CONFORMANCE_PULL",
			got: CheckBaseImage(with(ws2019(), func(d *evidence.Daemon) { d.Image.Inspect = nil }), defaultExpect()),
			want: Verdict{Status: Fail, Message: "image " + ref + " is not on the host",
				Fix: "docker pull " + ref + ", or set CONFORMANCE_PULL=missing", Evidence: []string{"pull policy: missing"}}},
		{doc: "the Linux test image not built, its pull refused: the build is the fix, not the registry", source: "Makefile target image",
			got: CheckBaseImage(func() evidence.Daemon {
				d := debianDaemon()
				d.Image = evidence.Image{Ref: config.LinuxTestImage, PullErr: &evidence.Failure{Message: "pull access denied for conformance/busybox, repository does not exist or may require 'docker login'"}}
				return d
			}(), defaultExpect()),
			want: Verdict{Status: Fail, Message: "image conformance/busybox:local is not on the host", Fix: "build it with `make image`",
				Evidence: []string{"pull policy: missing", "pull error: pull access denied for conformance/busybox, repository does not exist or may require 'docker login'"}}},
		{doc: "a build with no default image and no CONFORMANCE_IMAGE", source: "DefaultBaseImage",
			got: CheckBaseImage(with(ws2019(), func(d *evidence.Daemon) {
				d.Image = evidence.Image{RefErr: &evidence.Failure{Message: `no default base image for Windows build "19041"`}}
			}), defaultExpect()),
			want: Verdict{Status: Fail, Message: `no default base image for Windows build "19041"`, Fix: "set CONFORMANCE_IMAGE to an image built for this host"}},
		{doc: "the documented image, present before the run", source: "seed session",
			got:  CheckBaseImage(ws2019(), defaultExpect()),
			want: Verdict{Status: Pass, Message: "image " + ref + " present: id 080394ef5494, windows/amd64 10.0.17763.805"}},
		{doc: "the image pulled by the run", source: "CONFORMANCE_PULL=missing",
			got:  CheckBaseImage(with(ws2019(), func(d *evidence.Daemon) { d.Image.Pulled = true }), defaultExpect()),
			want: Verdict{Status: Pass, Message: "image " + ref + " pulled: id 080394ef5494, windows/amd64 10.0.17763.805"}},
	})
}

func TestImageBuildWholeVerdicts(t *testing.T) {
	const ev2019 = `host build 17763.805 (KernelVersion "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"), image mcr.microsoft.com/windows/nanoserver:1809 OsVersion "10.0.17763.805"`
	modes := func(m ...string) config.Expectations {
		e := defaultExpect()
		e.Isolation = m
		return e
	}
	osVersion := func(v string) evidence.Daemon {
		return with(ws2019(), func(d *evidence.Daemon) { d.Image.Inspect.OsVersion = v })
	}
	checkProvRows(t, []provRow{
		{doc: "the documented host and image under both modes", source: "seed session",
			got:  CheckImageBuild(ws2019(), defaultExpect()),
			want: Verdict{Status: Pass, Message: "image build 17763 fits host build 17763 for process, hyperv", Evidence: []string{ev2019}}},
		{doc: "CONFORMANCE_ISOLATION=hyperv: only the Hyper-V rule is named", source: "config",
			got:  CheckImageBuild(ws2019(), modes("hyperv")),
			want: Verdict{Status: Pass, Message: "image build 17763 fits host build 17763 for hyperv", Evidence: []string{ev2019}}},
		{doc: "an ltsc2016 image under Hyper-V only on a 2019 host: older builds run there", source: "Microsoft Learn, version compatibility",
			got: CheckImageBuild(with(ws2019(), func(d *evidence.Daemon) {
				d.Image.Ref, d.Image.Inspect.OsVersion = "mcr.microsoft.com/windows/servercore:ltsc2016", "10.0.14393.3384"
				d.Info.SystemTime = "2025-06-02T10:00:00Z"
			}), modes("hyperv")),
			want: Verdict{Status: Pass, Message: "image build 14393 fits host build 17763 for hyperv",
				Evidence: []string{`host build 17763.805 (KernelVersion "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"), image mcr.microsoft.com/windows/servercore:ltsc2016 OsVersion "10.0.14393.3384"`}}},
		{doc: "an image of the host's build at a newer revision (17763.864 on 17763.805): a warning, not a failure", source: "actions/runner-images#11582 (0xc0370106 on hosts behind the image)",
			got: CheckImageBuild(osVersion("10.0.17763.864"), modes("process")),
			want: Verdict{Status: Pass, Message: "image build 17763 fits host build 17763 for process",
				Evidence: []string{`host build 17763.805 (KernelVersion "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"), image mcr.microsoft.com/windows/nanoserver:1809 OsVersion "10.0.17763.864"`},
				Warnings: []string{"image revision 864 is newer than the host's 805: hosts behind the image's update fail such process-isolated starts with 0xc0370106 (seen on 17763 and 26100); update the host, or pin the image's tag of revision 805 or older"}}},
		{doc: "a 17763 image from before the February 2020 baseline on a host past it: the revision fix, not a build fix", source: "KB4542617",
			got: CheckImageBuild(revisionHost(17763, 1040, 805), modes("process")),
			want: Verdict{Status: Fail,
				Message:  "host 17763.1040 and image 17763.805 are on different sides of the February 2020 baseline (17763.1039): Microsoft documents that they do not work together under process isolation (KB4542617)",
				Fix:      "use a newer image: pull the tag again for revision 17763.1039 or later (the host is past the February 2020 baseline, the image is not); Hyper-V isolation runs it meanwhile (revisions do not matter there)",
				Evidence: []string{`host build 17763.1040 (KernelVersion "10.0 17763 (17763.1.amd64fre.release)"), image mcr.microsoft.com/windows/nanoserver:1809 OsVersion "10.0.17763.805"`}}},
		{doc: "an ltsc2016 image under both modes on a 2019 host: the process rule fails, the fix names the host's own tag", source: "Microsoft Learn, version compatibility",
			got: CheckImageBuild(osVersion("10.0.14393.3384"), defaultExpect()),
			want: Verdict{Status: Fail, Message: "process isolation on host build 17763 cannot run image build 14393",
				Fix:      "use the image tag for build 17763 (1809 / ltsc2019)",
				Evidence: []string{`host build 17763.805 (KernelVersion "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"), image mcr.microsoft.com/windows/nanoserver:1809 OsVersion "10.0.14393.3384"`}}},
		{doc: "an ltsc2022 image on a 2019 host under both modes: both rules fail, both are named", source: "Microsoft Learn, version compatibility",
			got: CheckImageBuild(osVersion("10.0.20348.707"), defaultExpect()),
			want: Verdict{Status: Fail, Message: "process isolation on host build 17763 cannot run image build 20348; hyperv isolation runs images of build 17763 or older, got 20348",
				Fix:      "use the image tag for build 17763 (1809 / ltsc2019)",
				Evidence: []string{`host build 17763.805 (KernelVersion "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"), image mcr.microsoft.com/windows/nanoserver:1809 OsVersion "10.0.20348.707"`}}},
		{doc: "a Linux image given to a Windows daemon", source: "docker image inspect Os",
			got: CheckImageBuild(with(ws2019(), func(d *evidence.Daemon) {
				d.Image.Inspect = &image.InspectResponse{ID: "sha256:5e1f2a3b4c5d6e7f", Os: "linux", Architecture: "amd64"}
			}), defaultExpect()),
			want: Verdict{Status: Fail, Message: "image OS: got linux, want windows", Fix: "use an image built for windows"}},
	})
}

func TestServiceClaimsWholeVerdicts(t *testing.T) {
	const serverPolicy = "policy automatic: server edition: the engine must start with Windows"
	const desktopPolicy = "policy running: client edition (product type workstation, installation type client): Docker Desktop starts the engine"
	const byHand = "Start-Service docker; a daemon that answers without the service was started by hand and will not come back after a reboot"
	const toAutomatic = "Set-Service docker -StartupType Automatic, or set CONFORMANCE_DOCKER_SERVICE=running where another program starts the engine"
	const stillFails = " (a stopped vmms fails under CONFORMANCE_HYPERV=skip too: skip is for hosts without Hyper-V)"
	server := func(s hostprobe.Service) evidence.Daemon {
		return with(ws2019(), func(d *evidence.Daemon) { setService(d, s) })
	}
	client := func(s hostprobe.Service) evidence.Daemon {
		return with(ws2019(), func(d *evidence.Daemon) {
			d.Host.ProductType, d.Host.Edition = hostprobe.ProductWorkstation, "client"
			setService(d, s)
		})
	}
	docker := func(policy config.DockerServicePolicy) config.Expectations {
		e := defaultExpect()
		e.DockerService = policy
		return e
	}
	hyperV := func(p config.HyperVPolicy) config.Expectations {
		e := defaultExpect()
		e.HyperV = p
		return e
	}
	checkProvRows(t, []provRow{
		// docker
		{doc: "a Server whose docker service runs on Automatic", source: "dockerd --register-service; Microsoft's install scripts",
			got:  CheckServiceDocker(ws2019(), defaultExpect()),
			want: Verdict{Status: Pass, Message: "docker service running, starts automatically", Evidence: []string{"service docker: running, start type auto", serverPolicy}}},
		{doc: "a Server whose docker service runs on Automatic (Delayed Start)", source: "sc.exe config docker start= delayed-auto",
			got:  CheckServiceDocker(server(svc("docker", "running", "delayed-auto")), defaultExpect()),
			want: Verdict{Status: Pass, Message: "docker service running, starts automatically", Evidence: []string{"service docker: running, start type delayed-auto", serverPolicy}}},
		{doc: "a Server whose docker service runs on Manual: gone after a reboot", source: "the service control manager's start type",
			got: CheckServiceDocker(server(svc("docker", "running", "manual")), defaultExpect()),
			want: Verdict{Status: Fail, Message: "the docker service starts manual, not automatically", Fix: toAutomatic,
				Evidence: []string{"service docker: running, start type manual", serverPolicy}}},
		{doc: "a Server whose docker service is start-pending (the gate ran seconds after boot)", source: "SERVICE_START_PENDING",
			got: CheckServiceDocker(server(svc("docker", "start-pending", "auto")), defaultExpect()),
			want: Verdict{Status: Fail, Message: "the docker service is start-pending", Fix: byHand,
				Evidence: []string{"service docker: start-pending, start type auto", serverPolicy}}},
		{doc: "a Server whose docker service is paused", source: "SERVICE_PAUSED",
			got: CheckServiceDocker(server(svc("docker", "paused", "auto")), defaultExpect()),
			want: Verdict{Status: Fail, Message: "the docker service is paused", Fix: byHand,
				Evidence: []string{"service docker: paused, start type auto", serverPolicy}}},
		{doc: "a Server gated under CONFORMANCE_DOCKER_SERVICE=running: Manual is enough", source: "a CI runner whose agent starts the engine",
			got: CheckServiceDocker(server(svc("docker", "running", "manual")), docker(config.DockerServiceRunning)),
			want: Verdict{Status: Pass, Message: "docker service running (start type manual)",
				Evidence: []string{"service docker: running, start type manual", "policy running: CONFORMANCE_DOCKER_SERVICE=running"}}},
		{doc: "a Server gated under CONFORMANCE_DOCKER_SERVICE=running whose service is stopped: not Docker Desktop's fix", source: "no Docker Desktop on a Server",
			got: CheckServiceDocker(server(svc("docker", "stopped", "manual")), docker(config.DockerServiceRunning)),
			want: Verdict{Status: Fail, Message: "the docker service is stopped", Fix: byHand,
				Evidence: []string{"service docker: stopped, start type manual", "policy running: CONFORMANCE_DOCKER_SERVICE=running"}}},
		{doc: "a Server whose service list lacks docker entirely", source: "OpenService: ERROR_SERVICE_DOES_NOT_EXIST",
			got: CheckServiceDocker(with(ws2019(), func(d *evidence.Daemon) { d.Services = d.Services[1:] }), defaultExpect()),
			want: Verdict{Status: Fail, Message: "the docker service is not installed",
				Fix:      "install the engine as a service (dockerd --register-service) so that it survives a reboot",
				Evidence: []string{"service docker: not installed", serverPolicy}}},
		{doc: "Windows 11 with Docker Desktop: the service on Manual runs", source: "docker/for-win#6670",
			got: CheckServiceDocker(client(svc("docker", "running", "manual")), defaultExpect()),
			want: Verdict{Status: Pass, Message: "docker service running (start type manual)",
				Evidence: []string{"service docker: running, start type manual", desktopPolicy}}},
		{doc: "Windows 11 with Docker Desktop in Linux mode: the service is stopped", source: "docker/for-win#6670",
			got: CheckServiceDocker(client(svc("docker", "stopped", "manual")), defaultExpect()),
			want: Verdict{Status: Fail, Message: "the docker service is stopped", Fix: "start Docker Desktop in Windows containers mode, or Start-Service docker",
				Evidence: []string{"service docker: stopped, start type manual", desktopPolicy}}},
		{doc: "a client whose probe read only the installation type", source: "HKLM InstallationType Client",
			got: CheckServiceDocker(with(ws2019(), func(d *evidence.Daemon) {
				d.Host.Edition = "client"
				setService(d, svc("docker", "running", "manual"))
			}), defaultExpect()),
			want: Verdict{Status: Pass, Message: "docker service running (start type manual)",
				Evidence: []string{"service docker: running, start type manual",
					"policy running: client edition (product type unknown, installation type client): Docker Desktop starts the engine"}}},
		{doc: "a client gated under CONFORMANCE_DOCKER_SERVICE=automatic without the service: the register-service fix", source: "a Windows 11 build agent",
			got: CheckServiceDocker(client(hostprobe.Service{Name: "docker"}), docker(config.DockerServiceAutomatic)),
			want: Verdict{Status: Fail, Message: "the docker service is not installed",
				Fix:      "install the engine as a service (dockerd --register-service) so that it survives a reboot",
				Evidence: []string{"service docker: not installed", "policy automatic: CONFORMANCE_DOCKER_SERVICE=automatic"}}},
		// vmcompute
		{doc: "vmcompute runs on Manual, as Windows installs it", source: "Containers feature",
			got:  CheckServiceVmcompute(ws2019()),
			want: Verdict{Status: Pass, Message: "vmcompute running: the Containers feature is installed", Evidence: []string{"service vmcompute: running, start type manual"}}},
		{doc: "the Containers feature not installed", source: "Install-WindowsFeature Containers",
			got: CheckServiceVmcompute(server(hostprobe.Service{Name: "vmcompute"})),
			want: Verdict{Status: Fail, Message: "vmcompute (the Containers feature) is not installed", Fix: "Install-WindowsFeature -Name Containers; Restart-Computer",
				Evidence: []string{"service vmcompute: not installed"}}},
		{doc: "vmcompute stopped", source: "the service control manager",
			got: CheckServiceVmcompute(server(svc("vmcompute", "stopped", "manual"))),
			want: Verdict{Status: Fail, Message: "vmcompute is not running", Fix: "Start-Service vmcompute",
				Evidence: []string{"service vmcompute: stopped, start type manual"}}},
		// vmms
		{doc: "vmms runs", source: "Hyper-V role",
			got:  CheckServiceVmms(ws2019(), defaultExpect()),
			want: Verdict{Status: Pass, Message: "vmms running: Hyper-V is installed", Evidence: []string{"service vmms: running, start type auto"}}},
		{doc: "no Hyper-V role, Hyper-V required", source: "a VM without nested virtualization",
			got: CheckServiceVmms(server(hostprobe.Service{Name: "vmms"}), defaultExpect()),
			want: Verdict{Status: Fail, Message: "vmms (Hyper-V) is not installed",
				Fix:      "Install-WindowsFeature -Name Hyper-V -IncludeManagementTools; Restart-Computer (client: Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V -All; in a VM, enable nested virtualization first), or set CONFORMANCE_HYPERV=skip",
				Evidence: []string{"service vmms: not installed"}}},
		{doc: "no Hyper-V role under CONFORMANCE_HYPERV=skip", source: "a cloud VM without nested virtualization",
			got: CheckServiceVmms(server(hostprobe.Service{Name: "vmms"}), hyperV(config.HyperVSkip)),
			want: Verdict{Status: Skip, Message: "no usable Hyper-V on this host (vmms not installed) and CONFORMANCE_HYPERV=skip",
				Evidence: []string{"service vmms: not installed"}}},
		{doc: "vmms stopped on Automatic", source: "Stop-Service vmms",
			got: CheckServiceVmms(server(svc("vmms", "stopped", "auto")), defaultExpect()),
			want: Verdict{Status: Fail, Message: "vmms is installed but stopped: Hyper-V is configured off, not absent", Fix: "Start-Service vmms" + stillFails,
				Evidence: []string{"service vmms: stopped, start type auto"}}},
		{doc: "vmms stopped on Automatic (Delayed Start) under skip", source: "Stop-Service vmms",
			got: CheckServiceVmms(server(svc("vmms", "stopped", "delayed-auto")), hyperV(config.HyperVSkip)),
			want: Verdict{Status: Fail, Message: "vmms is installed but stopped: Hyper-V is configured off, not absent", Fix: "Start-Service vmms" + stillFails,
				Evidence: []string{"service vmms: stopped, start type delayed-auto"}}},
		{doc: "vmms stopped and Manual", source: "Set-Service vmms -StartupType Manual",
			got: CheckServiceVmms(server(svc("vmms", "stopped", "manual")), defaultExpect()),
			want: Verdict{Status: Fail, Message: "vmms is installed but stopped: Hyper-V is configured off, not absent", Fix: "Set-Service vmms -StartupType Automatic; Start-Service vmms" + stillFails,
				Evidence: []string{"service vmms: stopped, start type manual"}}},
		{doc: "vmms stopped and Disabled", source: "Set-Service vmms -StartupType Disabled",
			got: CheckServiceVmms(server(svc("vmms", "stopped", "disabled")), defaultExpect()),
			want: Verdict{Status: Fail, Message: "vmms is installed but stopped: Hyper-V is configured off, not absent", Fix: "Set-Service vmms -StartupType Automatic; Start-Service vmms" + stillFails,
				Evidence: []string{"service vmms: stopped, start type disabled"}}},
		{doc: "vmms stop-pending", source: "SERVICE_STOP_PENDING",
			got: CheckServiceVmms(server(svc("vmms", "stop-pending", "auto")), defaultExpect()),
			want: Verdict{Status: Fail, Message: "vmms is installed but stop-pending: Hyper-V is configured off, not absent", Fix: "Start-Service vmms" + stillFails,
				Evidence: []string{"service vmms: stop-pending, start type auto"}}},
		{doc: "vmms whose state could not be read", source: "QueryServiceStatus refused",
			got: CheckServiceVmms(server(svc("vmms", "", "auto")), defaultExpect()),
			want: Verdict{Status: Fail, Message: "vmms is installed but not running: Hyper-V is configured off, not absent", Fix: "Start-Service vmms" + stillFails,
				Evidence: []string{"service vmms: , start type auto"}}},
		{doc: "Hyper-V not under test (CONFORMANCE_ISOLATION=process): a missing vmms is not judged", source: "config",
			got: CheckServiceVmms(server(hostprobe.Service{Name: "vmms"}), func() config.Expectations {
				e := defaultExpect()
				e.Isolation = []string{"process"}
				return e
			}()),
			want: Verdict{Status: Skip, Message: "hyperv isolation is not under test (CONFORMANCE_ISOLATION)"}},
	})
}

// TestHostSideClaimsOrderOfReasons: which reason a host-side claim gives when
// several hold at once.
func TestHostSideClaimsOrderOfReasons(t *testing.T) {
	const inContainerFix = "run the gate on the container host itself (not in a container, even one given the daemon's socket or pipe): its host-side claims need the host's own process table and services"
	inContainer := func(d *evidence.Daemon) {
		d.Host.InContainer = []string{`C:\ProgramData\Docker mount point absent; CExecSvc.exe runs (PID 1044)`}
	}
	probeRefused := func(d *evidence.Daemon) {
		d.Services, d.ServicesErr = nil, &evidence.Failure{Message: "OpenSCManager: Access is denied."}
	}
	for name, check := range map[string]func(evidence.Daemon) Verdict{
		"docker":    func(d evidence.Daemon) Verdict { return CheckServiceDocker(d, defaultExpect()) },
		"vmcompute": CheckServiceVmcompute,
		"vmms":      func(d evidence.Daemon) Verdict { return CheckServiceVmms(d, defaultExpect()) },
	} {
		checkProvRows(t, []provRow{
			{doc: name + ": inside a container whose service probe is refused: the container is the reason", source: "a gate in a Windows container given the pipe",
				got: check(with(ws2019(), func(d *evidence.Daemon) { inContainer(d); probeRefused(d) })),
				want: Verdict{Status: Fail, Message: InContainerMessage, Fix: inContainerFix,
					Evidence: []string{`C:\ProgramData\Docker mount point absent; CExecSvc.exe runs (PID 1044)`}}},
			{doc: name + ": a remote daemon, the harness in a container: the daemon is not local", source: "design rule 6",
				got: check(with(ws2019(), func(d *evidence.Daemon) {
					inContainer(d)
					d.Target, d.Local = "tcp://10.0.0.5:2376", false
				})),
				want: Verdict{Status: Skip, Message: "daemon at tcp://10.0.0.5:2376 is not local: this host's services say nothing about it"}},
			{doc: name + ": a Linux daemon whose probe failed: Windows services do not apply", source: "Info.OSType",
				got: check(func() evidence.Daemon {
					d := debianDaemon()
					d.ServicesErr = &evidence.Failure{Message: "no service manager"}
					return d
				}()),
				want: Verdict{Status: Skip, Message: "daemon OSType is linux: Windows services do not apply"}},
		})
	}
}

// TestServiceLineAndVmmsReading: the service line every service claim
// quotes, and what vmms says about Hyper-V, per state.
func TestServiceLineAndVmmsReading(t *testing.T) {
	for _, tc := range []struct {
		doc             string
		service         hostprobe.Service
		line            string
		exists, running bool
		reading         VmmsReading
		readingLine     string
	}{
		{doc: "running", service: svc("vmms", "running", "auto"), line: "service vmms: running, start type auto", exists: true, running: true,
			reading: VmmsRunning, readingLine: "vmms running"},
		{doc: "start-pending", service: svc("vmms", "start-pending", "auto"), line: "service vmms: start-pending, start type auto", exists: true,
			reading: VmmsNotRunning, readingLine: "vmms installed but start-pending (start type auto)"},
		{doc: "paused", service: svc("vmms", "paused", "manual"), line: "service vmms: paused, start type manual", exists: true,
			reading: VmmsNotRunning, readingLine: "vmms installed but paused (start type manual)"},
		{doc: "continue-pending", service: svc("vmms", "continue-pending", "auto"), line: "service vmms: continue-pending, start type auto", exists: true,
			reading: VmmsNotRunning, readingLine: "vmms installed but continue-pending (start type auto)"},
		{doc: "stopped, Disabled", service: svc("vmms", "stopped", "disabled"), line: "service vmms: stopped, start type disabled", exists: true,
			reading: VmmsNotRunning, readingLine: "vmms installed but stopped (start type disabled)"},
		{doc: "not installed", service: hostprobe.Service{Name: "vmms"}, line: "service vmms: not installed",
			reading: VmmsMissing, readingLine: "vmms not installed (no Hyper-V role)"},
		{doc: "delayed-start flag unreadable", service: hostprobe.Service{Name: "vmms", Exists: true, State: "running", StartType: "auto", StartTypeNote: "delayed-start flag unreadable"},
			line: "service vmms: running, start type auto (delayed-start flag unreadable)", exists: true, running: true,
			reading: VmmsRunning, readingLine: "vmms running"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			d := with(ws2019(), func(d *evidence.Daemon) { setService(d, tc.service) })
			line, exists, running := serviceLine("vmms", d)
			assert.Check(t, is.Equal(line, tc.line))
			assert.Check(t, is.Equal(exists, tc.exists))
			assert.Check(t, is.Equal(running, tc.running))
			reading, readingLine := ReadVmms(d)
			assert.Check(t, is.Equal(reading, tc.reading))
			assert.Check(t, is.Equal(readingLine, tc.readingLine))
			// The same service of a remote daemon is never read.
			d.Local = false
			reading, readingLine = ReadVmms(d)
			assert.Check(t, is.Equal(reading, VmmsUnknown))
			assert.Check(t, is.Equal(readingLine, "vmms not probed"))
		})
	}
}

// TestImageBuildEdgesOfTheHostReadings: a host build the daemon does not
// name, and a host revision the daemon names while the probe's registry
// read failed.
func TestImageBuildEdgesOfTheHostReadings(t *testing.T) {
	unreadableUBR := map[string]string{"revision": `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\UBR: Access is denied.`}
	checkProvRows(t, []provRow{
		{doc: "a Windows daemon whose KernelVersion names no build", source: "a proxy that rewrites /info",
			got: CheckImageBuild(with(ws2019(), func(d *evidence.Daemon) { d.Info.KernelVersion = "10.0" }), defaultExpect()),
			want: Verdict{Status: Fail, Message: "cannot read the OS build of the host or the image",
				Fix:      "check the daemon's KernelVersion and the image's OsVersion",
				Evidence: []string{`host build 0.805 (KernelVersion "10.0"), image mcr.microsoft.com/windows/nanoserver:1809 OsVersion "10.0.17763.805"`}}},
		{doc: "a 20.10+ daemon names the revision in OperatingSystem while the probe could not read UBR: the revision is known", source: "moby pkg/parsers/operatingsystem windows_os_string.go (OS Build <build>.<UBR>)",
			got: CheckImageBuild(with(ws2019(), func(d *evidence.Daemon) {
				d.Host.Revision, d.Host.Unknown = 0, unreadableUBR
				d.Image.Inspect.OsVersion = "10.0.17763.864"
			}), func() config.Expectations { e := defaultExpect(); e.Isolation = []string{"process"}; return e }()),
			want: Verdict{Status: Pass, Message: "image build 17763 fits host build 17763 for process",
				Evidence: []string{`host build 17763.805 (KernelVersion "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"), image mcr.microsoft.com/windows/nanoserver:1809 OsVersion "10.0.17763.864"`},
				Warnings: []string{"image revision 864 is newer than the host's 805: hosts behind the image's update fail such process-isolated starts with 0xc0370106 (seen on 17763 and 26100); update the host, or pin the image's tag of revision 805 or older"}}},
		{doc: "a 19.03 daemon (no OS Build in its text) and an unreadable UBR: the revision rules are not applied, and it says so", source: "19.03 OperatingSystem is the registry's ProductName",
			got: CheckImageBuild(with(ws2019(), func(d *evidence.Daemon) {
				d.Info.OperatingSystem = "Windows Server 2019 Datacenter"
				d.Host.Revision, d.Host.Unknown = 0, unreadableUBR
				d.Image.Inspect.OsVersion = "10.0.17763.864"
			}), func() config.Expectations { e := defaultExpect(); e.Isolation = []string{"process"}; return e }()),
			want: Verdict{Status: Pass, Message: "image build 17763 fits host build 17763 for process",
				Evidence: []string{`host build 17763.0 (KernelVersion "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"), image mcr.microsoft.com/windows/nanoserver:1809 OsVersion "10.0.17763.864"`,
					`host revision unknown (HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\UBR: Access is denied.): the revision rules were not applied`},
				Warnings: []string{`host revision unknown (HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\UBR: Access is denied.): whether image revision 17763.864 fits process isolation on this build was not checked`}}},
	})
	for in, revision := range map[string]int{
		"10.0.17763":        0, // an os.version without its revision
		"10.0.17763.1039.1": 0, // not an OsVersion
		"Windows Server 2019 (OS Build 17763.1039)": 1039,
		"Windows Server 2019 Datacenter":            0,
	} {
		assert.Check(t, is.Equal(WindowsRevision(in), revision), in)
	}
}

// TestPullFixWithNoNamedMode: CONFORMANCE_ISOLATION=default on a Windows host
// names no mode, and the pull fix then bounds its advice by both modes'
// rules: on Server 2025 the ltsc2022 images fit process isolation too
// (hcsshim's stable-ABI rule) and Hyper-V (older builds), so both are named.
func TestPullFixWithNoNamedMode(t *testing.T) {
	const message = "no matching manifest for windows/amd64 10.0.26100 in the manifest list entries"
	d := with(ws2019(), func(d *evidence.Daemon) {
		d.Info.KernelVersion = "10.0 26100 (26100.1.amd64fre.ge_release.240331-1435)"
		d.Info.OperatingSystem = "Microsoft Windows Server Version 24H2 (OS Build 26100.2894)"
		d.Info.SystemTime = "2025-06-02T10:00:00Z"
		d.Host.Build, d.Host.Revision = "26100", 2894
		d.Image = evidence.Image{Ref: "mcr.microsoft.com/windows/servercore:ltsc2025", PullErr: &evidence.Failure{Message: message}}
	})
	e := defaultExpect()
	e.Isolation = []string{"default"}
	checkProvRows(t, []provRow{{doc: "Server 2025, CONFORMANCE_ISOLATION=default, a pull with no variant for the host", source: "moby pull_v2.go; hcsshim osversion stable ABI (20348 images on 26100)",
		got: CheckBaseImage(d, e),
		want: Verdict{Status: Fail, Message: "image mcr.microsoft.com/windows/servercore:ltsc2025 is not on the host",
			Fix:      "the registry has no variant of this image for the host's build: use the image tag for build 26100 (ltsc2025); serviced images that also fit process and hyperv here: ltsc2022 (20348) (set CONFORMANCE_IMAGE)",
			Evidence: []string{"pull policy: missing", "pull error: " + message}}}})
}
