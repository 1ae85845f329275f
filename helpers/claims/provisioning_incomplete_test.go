package claims

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// Daemon and image answers that are incomplete or unreadable: the gate fails
// closed and says which answer is missing.
func TestProvisioningOnIncompleteAnswers(t *testing.T) {
	t.Run("a daemon whose /version has no Arch (a proxy that rewrites the answer)", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) { d.Version.Arch = "" })
		v := CheckEnginePlatform(d, defaultExpect())
		assert.Check(t, is.Equal(v.Status, Fail))
		assert.Check(t, is.Equal(v.Message, "the daemon reports no OS type or architecture"))
		assert.Check(t, is.Equal(v.Fix, "the daemon's /version and /info answers are incomplete; check the engine install"))
	})
	t.Run("a dockerd built from source without a version (moby dockerversion: \"library-import\")", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) { d.Version.Version = "library-import" })
		v := CheckEngineVersion(d, defaultExpect())
		assert.Check(t, is.Equal(v.Status, Fail))
		assert.Check(t, is.Equal(v.Message, `engine version "library-import" is not a version: version "library-import" does not start with a number`))
		assert.Check(t, is.Equal(v.Fix, "check the engine install"))
	})
	t.Run("no image inspect: the base image was not found", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) { d.Image.Inspect = nil })
		checkWhole(t, CheckImageBuild(d, defaultExpect()), want{status: Fail, message: "no image inspect to judge",
			fix: "check the base-image claim: the image was not found on the host"}, "fail closed")
	})
	t.Run("a Windows image whose config carries no os.version (OCI image-spec: os.version is optional)", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) { d.Image.Inspect.OsVersion = "" })
		checkWhole(t, CheckImageBuild(d, defaultExpect()), want{status: Fail, message: "cannot read the OS build of the host or the image",
			evidence: []string{`host build 17763.805 (KernelVersion "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"), image mcr.microsoft.com/windows/nanoserver:1809 OsVersion ""`},
			fix:      "check the daemon's KernelVersion and the image's OsVersion"}, "https://github.com/opencontainers/image-spec/blob/main/config.md (os.version OPTIONAL)")
	})
	t.Run("services of a remote daemon are not this host's", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) { d.Target, d.Local = "tcp://build-host:2376", false })
		checkWhole(t, CheckServiceVmcompute(d), want{status: Skip, message: "daemon at tcp://build-host:2376 is not local: this host's services say nothing about it"}, "design rule 6")
	})
	t.Run("a Windows 11 client without the docker service: Docker Desktop is the way to it", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) {
			d.Host.ProductType, d.Host.Build = "workstation", "22631"
			setService(d, hostprobe.Service{Name: "docker"})
		})
		v := CheckServiceDocker(d, defaultExpect())
		assert.Check(t, is.Equal(v.Status, Fail))
		assert.Check(t, is.Equal(v.Message, "the docker service is not installed"))
		assert.Check(t, is.Equal(v.Fix, "start Docker Desktop and switch it to Windows containers (it runs the Windows engine as the docker service), or install the engine as a service with dockerd --register-service"), "docker/for-win#6670: Docker Desktop starts the engine")
	})
	t.Run("a required claim that failed names its reason and why it is required", func(t *testing.T) {
		r := RequiredResult{Claim: ServiceVmms, Outcome: Failed, Reason: "the vmms service is stopped", Why: "Hyper-V rows are under test"}
		assert.Check(t, is.Equal(r.String(), "required claim service-vmms failed: the vmms service is stopped (required: Hyper-V rows are under test)"))
		assert.Check(t, is.Equal(RequiredResult{Claim: ServiceVmms, Outcome: Passed}.String(), "required claim service-vmms passed"))
	})
}
