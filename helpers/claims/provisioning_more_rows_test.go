package claims

import (
	"testing"

	"github.com/docker/docker/api/types/image"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// More host situations of the provisioning claims, each with the words the
// user reads.
func TestProvisioningMoreHostSituations(t *testing.T) {
	t.Run("a Server whose engine runs by hand, never registered as the docker service", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) { setService(d, hostprobe.Service{Name: "docker"}) })
		v := CheckServiceDocker(d, defaultExpect())
		assert.Check(t, is.Equal(v.Status, Fail))
		assert.Check(t, is.Equal(v.Message, "the docker service is not installed"))
		assert.Check(t, is.Equal(v.Fix, "install the engine as a service (dockerd --register-service) so that it survives a reboot"), "moby docs: dockerd --register-service")
	})
	t.Run("the gate run inside a Windows container given the daemon's pipe: its service reads are not the host's", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) { d.Host.InContainer = []string{"CExecSvc.exe runs (PID 1044)"} })
		v := CheckServiceVmcompute(d)
		assert.Check(t, is.Equal(v.Status, Fail))
		assert.Check(t, is.Equal(v.Message, InContainerMessage))
		assert.Check(t, is.DeepEqual(v.Evidence, []string{"CExecSvc.exe runs (PID 1044)"}))
	})
	t.Run("an unreachable daemon whose error no wording classifies (a TLS handshake to a tcp daemon)", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) {
			d.Target, d.Local = "tcp://build-host:2376", false
			d.Unreachable = &evidence.Failure{Kind: evidence.KindConnection, Message: "tls: failed to verify certificate: x509: certificate signed by unknown authority"}
		})
		v := CheckDaemonReachable(d)
		assert.Check(t, is.Equal(v.Status, Fail))
		assert.Check(t, is.Equal(v.Message, "cannot reach the Docker daemon at tcp://build-host:2376"))
		assert.Check(t, is.Equal(v.Fix, "check that the daemon runs and DOCKER_HOST (or the platform default) names it"))
		assert.Check(t, is.DeepEqual(v.Evidence, []string{"error: tls: failed to verify certificate: x509: certificate signed by unknown authority"}))
	})
	t.Run("a Linux image on a Linux daemon: no Windows build rule applies", func(t *testing.T) {
		d := linuxDaemon("unix:///var/run/docker.sock", true)
		d.Image = evidence.Image{Ref: "conformance/busybox:local", Inspect: &image.InspectResponse{Os: "linux", Architecture: "amd64"}}
		checkWhole(t, CheckImageBuild(d, defaultExpect()), want{status: Pass, message: "linux image on a linux daemon: no OS build rule applies"}, "Info.OSType")
	})
	t.Run("a Windows daemon whose KernelVersion names no build: the platform claim quotes it as reported", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) { d.Info.KernelVersion = "10.0" })
		assert.Check(t, is.Equal(DaemonBuild(d), "10.0"))
		assert.Check(t, is.Equal(DaemonBuild(ws2019()), "17763"))
	})
}

// The pid-visibility evidence says when the host snapshot never settled.
func TestPIDVisibilityQuotesAnUnsettledSnapshot(t *testing.T) {
	w := change(processWorkload(), func(w *evidence.Workload) {
		w.SettleErr = &evidence.Failure{Message: "the process table still changed after 2m0s"}
	})
	v := CheckPIDVisibility(ws2019(), w)
	assert.Check(t, is.Contains(v.Evidence, "the host snapshot never settled: the process table still changed after 2m0s"), v.String())
}
