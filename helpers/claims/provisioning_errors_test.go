package claims

import (
	"testing"

	"github.com/docker/docker/api/types/image"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// want is a whole verdict as the user reads it: status, message, evidence
// and fix. Rows compare all four, so a garbled fix fails as a wrong status
// does.
type want struct {
	status   Status
	message  string
	evidence []string
	fix      string
}

func checkWhole(t *testing.T, got Verdict, w want, source string) {
	t.Helper()
	assert.Check(t, is.Equal(got.Status, w.status), "%s: %s", source, got)
	assert.Check(t, is.Equal(got.Message, w.message), "%s", source)
	assert.Check(t, is.DeepEqual(got.Evidence, w.evidence), "%s", source)
	assert.Check(t, is.Equal(got.Fix, w.fix), "%s", source)
}

// ws2022 is a Windows Server 2022 host (build 20348) as a daemon reports it.
func ws2022() evidence.Daemon {
	return with(ws2019(), func(d *evidence.Daemon) {
		d.Info.KernelVersion = "10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)"
		d.Info.OperatingSystem = "Windows Server 2022 Datacenter Version 2009 (OS Build 20348.2113)"
		d.Host.Build, d.Host.Revision = "20348", 2113
	})
}

// Error paths of the version claims: the gate fails closed on a constraint or
// a version it cannot read, and names what to fix.
func TestVersionClaimsOnValuesTheyCannotRead(t *testing.T) {
	const engineLine = "Docker Engine - Enterprise 19.03.5 (commit 2ee0c57608, go1.12.12)"
	t.Run("a fixture's recorded engine_version hand-edited to a word: the constraint is refused, never read as passing", func(t *testing.T) {
		e := defaultExpect()
		e.EngineVersion = ">=nineteen"
		checkWhole(t, CheckEngineVersion(ws2019(), e), want{
			status:   Fail,
			message:  `bad engine version constraint: constraint ">=nineteen": ">=nineteen" is not a comparison (version "nineteen": segment "nineteen" is not a number); use ` + config.ConstraintForms,
			evidence: []string{engineLine},
			fix:      "fix CONFORMANCE_ENGINE_VERSION",
		}, "config.ParseConstraint")
	})
	t.Run("an engine_version left empty by a fixture written before the field held a default", func(t *testing.T) {
		e := defaultExpect()
		e.EngineVersion = ""
		checkWhole(t, CheckEngineVersion(ws2019(), e), want{
			status:   Fail,
			message:  `bad engine version constraint: constraint "" names no version; use ` + config.ConstraintForms,
			evidence: []string{engineLine},
			fix:      "fix CONFORMANCE_ENGINE_VERSION",
		}, "config.ParseConstraint")
	})
	t.Run("a daemon (or a proxy in front of it) that reports no API version", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) { d.Version.APIVersion = "" })
		checkWhole(t, CheckAPIVersion(d, defaultExpect()), want{
			status:   Fail,
			message:  "cannot compare API versions: empty version",
			evidence: []string{"API  (daemon minimum 1.24)"},
			fix:      "check the engine install and CONFORMANCE_MIN_API_VERSION",
		}, "moby api/types Version.APIVersion")
	})
}

// The default isolation the gate expects where the user pinned it, and the fix
// on a Linux daemon asked for a Windows mode.
func TestDefaultIsolationPinnedOrOnLinux(t *testing.T) {
	t.Run("CONFORMANCE_DEFAULT_ISOLATION=hyperv on a Server whose daemon defaults to process", func(t *testing.T) {
		e := defaultExpect()
		e.DefaultIsolation = "hyperv"
		checkWhole(t, CheckDefaultIsolation(ws2019(), e), want{
			status:  Fail,
			message: "default isolation: got process, want hyperv",
			evidence: []string{`info: Isolation "process", OperatingSystem "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.805)"`,
				"expected hyperv: CONFORMANCE_DEFAULT_ISOLATION=hyperv"},
			fix: `set the daemon's default with --exec-opt isolation=hyperv (daemon.json "exec-opts": ["isolation=hyperv"]) and restart it, or set CONFORMANCE_DEFAULT_ISOLATION`,
		}, "moby daemon/daemon_windows.go setDefaultIsolation reads exec-opt isolation")
	})
	t.Run("a Linux daemon asked for hyperv: it has no isolation modes at all", func(t *testing.T) {
		e := defaultExpect()
		e.DefaultIsolation = "hyperv"
		d := linuxDaemon("unix:///var/run/docker.sock", true)
		d.Info.OperatingSystem = "Debian GNU/Linux 12 (bookworm)"
		checkWhole(t, CheckDefaultIsolation(d, e), want{
			status:  Fail,
			message: "default isolation: got default, want hyperv",
			evidence: []string{`info: Isolation "", OperatingSystem "Debian GNU/Linux 12 (bookworm)"`,
				"expected hyperv: CONFORMANCE_DEFAULT_ISOLATION=hyperv"},
			fix: "a Linux daemon has only the default isolation; set CONFORMANCE_DEFAULT_ISOLATION=default",
		}, "moby: Info.Isolation is only set by the Windows daemon (daemon/info.go)")
	})
}

// The base image: what a missing image's failure quotes and advises, and how a
// present image is described.
func TestBaseImageErrorsAndPlatform(t *testing.T) {
	missing := func(d *evidence.Daemon) { d.Image.Inspect = nil }
	t.Run("pull policy never and an image whose inspect fails", func(t *testing.T) {
		e := defaultExpect()
		e.Pull = config.PullNever
		d := with(ws2019(), func(d *evidence.Daemon) {
			missing(d)
			d.Image.InspectErr = &evidence.Failure{Message: "Error response from daemon: No such image: mcr.microsoft.com/windows/nanoserver:1809"}
		})
		checkWhole(t, CheckBaseImage(d, e), want{
			status:  Fail,
			message: "image mcr.microsoft.com/windows/nanoserver:1809 is not on the host",
			evidence: []string{"pull policy: never",
				"inspect error: Error response from daemon: No such image: mcr.microsoft.com/windows/nanoserver:1809"},
			fix: "docker pull mcr.microsoft.com/windows/nanoserver:1809, or set CONFORMANCE_PULL=missing",
		}, "moby errdefs.NotFound wording of image inspect")
	})
	t.Run("a Linux daemon whose pull of a missing tag failed: no Windows build to fit", func(t *testing.T) {
		d := linuxDaemon("unix:///var/run/docker.sock", true)
		d.Image = evidence.Image{Ref: "example.com/busybox:nosuch", PullErr: &evidence.Failure{Message: "Error response from daemon: manifest for example.com/busybox:nosuch not found: manifest unknown: manifest unknown"}}
		checkWhole(t, CheckBaseImage(d, defaultExpect()), want{
			status:  Fail,
			message: "image example.com/busybox:nosuch is not on the host",
			evidence: []string{"pull policy: missing",
				"pull error: Error response from daemon: manifest for example.com/busybox:nosuch not found: manifest unknown: manifest unknown"},
			fix: "the tag does not exist: set CONFORMANCE_IMAGE to an image built for this daemon's platform",
		}, "distribution registry's MANIFEST_UNKNOWN as moby quotes it")
	})
	tagMissing := func(d *evidence.Daemon) {
		missing(d)
		d.Image.Ref = "mcr.microsoft.com/windows/nanoserver:ltsc2030"
		d.Image.PullErr = &evidence.Failure{Message: "Error response from daemon: manifest for mcr.microsoft.com/windows/nanoserver:ltsc2030 not found: manifest unknown: manifest tagged by \"ltsc2030\" is not found"}
	}
	t.Run("a Server 2019 pull of a tag MCR does not have: the tag for this build is named", func(t *testing.T) {
		v := CheckBaseImage(with(ws2019(), tagMissing), defaultExpect())
		assert.Check(t, is.Equal(v.Status, Fail))
		assert.Check(t, is.Equal(v.Fix, "the tag does not exist: use the image tag for build 17763 (1809 / ltsc2019) (set CONFORMANCE_IMAGE)"), "MCR tags per build: https://mcr.microsoft.com/en-us/product/windows/nanoserver/tags")
	})
	t.Run("a Windows daemon whose KernelVersion names no build: no tag can be fitted", func(t *testing.T) {
		v := CheckBaseImage(with(ws2019(), func(d *evidence.Daemon) { tagMissing(d); d.Info.KernelVersion = "" }), defaultExpect())
		assert.Check(t, is.Equal(v.Status, Fail))
		assert.Check(t, is.Equal(v.Fix, "the tag does not exist: set CONFORMANCE_IMAGE to an image built for this daemon's platform"))
	})
	t.Run("the Linux test image not built yet", func(t *testing.T) {
		d := linuxDaemon("unix:///var/run/docker.sock", true)
		d.Image = evidence.Image{Ref: config.LinuxTestImage}
		e := defaultExpect()
		e.Pull = config.PullNever
		checkWhole(t, CheckBaseImage(d, e), want{
			status:   Fail,
			message:  "image conformance/busybox:local is not on the host",
			evidence: []string{"pull policy: never"},
			fix:      "build it with `make image`",
		}, "Makefile target image")
	})
	// A pull on Windows Server 2022 that the compute service refused
	// (ERROR_VMCOMPUTE_INVALID_LAYER, 0xc0370112, hcsshim#2566): the fix names the
	// images that fit the modes under test. Hyper-V isolation also runs older
	// builds (Microsoft Learn, Windows container version compatibility:
	// https://learn.microsoft.com/en-us/virtualization/windowscontainers/deploy-containers/version-compatibility),
	// process isolation only the host's own.
	invalidLayer := func(d *evidence.Daemon) {
		missing(d)
		d.Image.Ref = "example.com/app:1"
		d.Image.PullErr = &evidence.Failure{Message: "hcsshim::PrepareLayer failed in Win32: The container image contains a layer with an unrecognized format. (0xc0370112)"}
	}
	const lead = "the compute service cannot use a layer of the image (0xc0370112): remove it (docker rmi) and pull again, or use the image tag for build 20348 (ltsc2022)"
	for _, tc := range []struct {
		doc       string
		isolation []string
		fix       string
	}{
		{doc: "CONFORMANCE_ISOLATION=hyperv: older serviced images fit too", isolation: []string{"hyperv"}, fix: lead + "; serviced images that also fit hyperv here: 1809 / ltsc2019 (17763)"},
		{doc: "CONFORMANCE_ISOLATION=process: only the host's build fits", isolation: []string{"process"}, fix: lead},
		{doc: "every mode under test (the default): the process rule bounds the advice", fix: lead},
		{doc: "CONFORMANCE_ISOLATION=default on Windows (no named mode): both modes' rules still bound the advice", isolation: []string{"default"}, fix: lead},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			e := defaultExpect()
			e.Isolation = tc.isolation
			v := CheckBaseImage(with(ws2022(), invalidLayer), e)
			assert.Check(t, is.Equal(v.Status, Fail))
			assert.Check(t, is.Equal(v.Fix, tc.fix))
		})
	}
	t.Run("a present Windows image is described by its platform and OS version", func(t *testing.T) {
		v := CheckBaseImage(ws2019(), defaultExpect())
		checkWhole(t, v, want{status: Pass, message: "image mcr.microsoft.com/windows/nanoserver:1809 present: id 080394ef5494, windows/amd64 10.0.17763.805"}, "docker image inspect Os, Architecture, OsVersion")
	})
	t.Run("a pulled Linux image has no OsVersion: none is appended", func(t *testing.T) {
		d := linuxDaemon("unix:///var/run/docker.sock", true)
		d.Image = evidence.Image{Ref: config.LinuxTestImage, Pulled: true, Inspect: &image.InspectResponse{ID: "sha256:5e1f2a3b4c5d6e7f", Os: "linux", Architecture: "amd64"}}
		v := CheckBaseImage(d, defaultExpect())
		checkWhole(t, v, want{status: Pass, message: "image conformance/busybox:local pulled: id 5e1f2a3b4c5d, linux/amd64"}, "docker image inspect of a Linux image")
	})
}

// The image-build claim on an image for another OS, and with no Windows mode
// under test.
func TestImageBuildOutsideTheBuildRules(t *testing.T) {
	t.Run("a Linux image given to a Windows daemon (CONFORMANCE_IMAGE=busybox on a Server)", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) {
			d.Image.Inspect.Os, d.Image.Inspect.OsVersion = "linux", ""
		})
		checkWhole(t, CheckImageBuild(d, defaultExpect()), want{
			status:  Fail,
			message: "image OS: got linux, want windows",
			fix:     "use an image built for windows",
		}, "docker image inspect Os")
	})
	t.Run("CONFORMANCE_ISOLATION=default on a Windows host: no build rule is judged", func(t *testing.T) {
		e := defaultExpect()
		e.Isolation = []string{"default"}
		checkWhole(t, CheckImageBuild(ws2019(), e), want{
			status:   Skip,
			message:  "no Windows isolation mode is under test (CONFORMANCE_ISOLATION)",
			evidence: []string{`host build 17763.805 (KernelVersion "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"), image mcr.microsoft.com/windows/nanoserver:1809 OsVersion "10.0.17763.805"`},
		}, "config: CONFORMANCE_ISOLATION lists the modes under test")
	})
}

// The service claims on hosts whose services cannot be judged.
func TestServiceClaimsWhereServicesCannotBeRead(t *testing.T) {
	services := map[string]func(evidence.Daemon) Verdict{
		"docker":    func(d evidence.Daemon) Verdict { return CheckServiceDocker(d, defaultExpect()) },
		"vmcompute": CheckServiceVmcompute,
		"vmms":      func(d evidence.Daemon) Verdict { return CheckServiceVmms(d, defaultExpect()) },
	}
	for name, check := range services {
		t.Run(name+": a Linux daemon", func(t *testing.T) {
			d := linuxDaemon("unix:///var/run/docker.sock", true)
			checkWhole(t, check(d), want{status: Skip, message: "daemon OSType is linux: Windows services do not apply"}, "Info.OSType")
		})
		t.Run(name+": a gate run unelevated, the service control manager refuses access", func(t *testing.T) {
			d := with(ws2019(), func(d *evidence.Daemon) {
				d.Services = nil
				d.ServicesErr = &evidence.Failure{Message: "OpenSCManager: Access is denied."}
			})
			checkWhole(t, check(d), want{
				status:  Fail,
				message: "service probe broken: OpenSCManager: Access is denied.",
				fix:     "run the gate elevated so that it can query the service control manager",
			}, "Microsoft Learn, OpenSCManagerW: ERROR_ACCESS_DENIED without the rights asked for")
		})
	}
}
