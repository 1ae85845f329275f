package claims

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// Which rows run is decided by the daemon's OSType, never the harness's own
// OS: a Windows client whose DOCKER_HOST reaches Docker Desktop's Linux engine
// runs the Linux rows, a Windows engine the Windows rows.
func TestRowAppliesByTheDaemonsOSType(t *testing.T) {
	desktopLinux := linuxDaemon("npipe:////./pipe/dockerDesktopLinuxEngine", true)
	processOnly := defaultExpect()
	processOnly.Isolation = []string{"process"}
	tests := []struct {
		doc    string
		d      evidence.Daemon
		row    evidence.Row
		runs   bool
		reason string
	}{
		{doc: "Docker Desktop's Linux engine on Windows 11 (docker/for-win#7186): the Windows hyperv row does not run",
			d: desktopLinux, row: evidence.Row{Platform: "windows", Mode: "hyperv"}, reason: "daemon OSType is linux"},
		{doc: "the same engine runs the Linux default row",
			d: desktopLinux, row: evidence.Row{Platform: "linux", Mode: "default"}, runs: true},
		{doc: "a Windows Server engine: the Linux rows do not run",
			d: ws2019(), row: evidence.Row{Platform: "linux", Mode: "default"}, reason: "daemon OSType is windows"},
		{doc: "a Windows Server engine: the Windows process row runs",
			d: ws2019(), row: evidence.Row{Platform: "windows", Mode: "process"}, runs: true},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			runs, reason := RowApplies(tc.d, defaultExpect(), tc.row)
			assert.Check(t, is.Equal(runs, tc.runs))
			assert.Check(t, is.Equal(reason, tc.reason))
		})
	}
	runs, reason := RowApplies(ws2019(), processOnly, evidence.Row{Platform: "windows", Mode: "hyperv"})
	assert.Check(t, !runs)
	assert.Check(t, is.Equal(reason, "isolation hyperv is not under test (CONFORMANCE_ISOLATION=process)"))
}

// Start refusals whose cause is the image's layers or its OS: the message
// quotes the daemon, the fix names what to do on this host.
func TestStartRefusedByTheImage(t *testing.T) {
	t.Run("layers downloaded but not registered (moby#46112: hcsshim::ProcessBaseLayer, The parameter is incorrect)", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) { d.Info.DockerRootDir = `D:\docker` })
		v := startRefused(d, processWorkload(), "failed to register layer: re-exec error: exit status 1: output: hcsshim::ProcessBaseLayer \\\\?\\D:\\docker\\windowsfilter\\a1b2: The parameter is incorrect.")
		assert.Check(t, is.Equal(v.Status, Fail))
		assert.Check(t, is.Equal(v.Message, `the daemon could not register the image's layers on this host: failed to register layer: re-exec error: exit status 1: output: hcsshim::ProcessBaseLayer \\?\D:\docker\windowsfilter\a1b2: The parameter is incorrect.`))
		assert.Check(t, is.Equal(v.Fix, `not the registry: the layers were downloaded, and registering them in D:\docker failed. Check that the data root is on a local NTFS volume with free space and is excluded from antivirus scanning, remove what the failed pull left (docker image prune) and pull again; moby#46112, moby#38582 (fixed by an engine update)`))
	})
	t.Run("a Linux image run on a Windows engine (moby distribution: image operating system cannot be used on this platform)", func(t *testing.T) {
		v := startRefused(ws2019(), processWorkload(), `image operating system "linux" cannot be used on this platform`)
		assert.Check(t, is.Equal(v.Status, Fail))
		assert.Check(t, is.Equal(v.Message, "the image is built for another operating system"))
		assert.Check(t, is.Equal(v.Fix, "use a Windows base image: use the image tag for build 17763 (1809 / ltsc2019)"))
	})
}
