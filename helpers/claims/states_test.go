package claims

import (
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// TestServiceStates: every state and start type the service control manager
// reports (hostprobe.ServiceStateName, ServiceStartTypeName), for each
// service claim. Only "running" runs; a pending or paused service is not
// settled and is judged as not running, naming its state.
func TestServiceStates(t *testing.T) {
	client := func(d *evidence.Daemon) { d.Host.Edition, d.Host.ProductType = "client", "workstation" }
	tests := []struct {
		doc       string
		service   hostprobe.Service
		host      func(*evidence.Daemon)
		expect    func(*config.Expectations)
		claim     func(evidence.Daemon, config.Expectations) Verdict
		status    Status
		message   string
		fixSubstr string
		fixPrefix string
	}{
		// docker on a Server: it must run and start with Windows.
		{doc: "Server, docker running on Automatic", service: svc("docker", "running", "auto"), claim: CheckServiceDocker,
			status: Pass, message: "docker service running, starts automatically"},
		{doc: "Server, docker running on Automatic (Delayed Start): starts with Windows too", service: svc("docker", "running", "delayed-auto"), claim: CheckServiceDocker,
			status: Pass, message: "docker service running, starts automatically"},
		{doc: "Server, docker running on Manual: gone after a reboot", service: svc("docker", "running", "manual"), claim: CheckServiceDocker,
			status: Fail, message: "the docker service starts manual, not automatically", fixSubstr: "Set-Service docker -StartupType Automatic"},
		{doc: "Server, docker running but Disabled (started by hand before it was disabled)", service: svc("docker", "running", "disabled"), claim: CheckServiceDocker,
			status: Fail, message: "the docker service starts disabled, not automatically"},
		{doc: "Server, docker start-pending (the gate ran seconds after boot)", service: svc("docker", "start-pending", "auto"), claim: CheckServiceDocker,
			status: Fail, message: "the docker service is start-pending", fixSubstr: "Start-Service docker"},
		{doc: "Server, docker stop-pending (someone is stopping the engine)", service: svc("docker", "stop-pending", "auto"), claim: CheckServiceDocker,
			status: Fail, message: "the docker service is stop-pending"},
		{doc: "Server, docker paused", service: svc("docker", "paused", "auto"), claim: CheckServiceDocker,
			status: Fail, message: "the docker service is paused"},
		{doc: "Server, docker stopped", service: svc("docker", "stopped", "auto"), claim: CheckServiceDocker,
			status: Fail, message: "the docker service is stopped"},
		{doc: "Server under CONFORMANCE_DOCKER_SERVICE=running: Manual is enough", service: svc("docker", "running", "manual"), claim: CheckServiceDocker,
			expect: func(e *config.Expectations) { e.DockerService = config.DockerServiceRunning }, status: Pass, message: "docker service running (start type manual)"},
		{doc: "Server under CONFORMANCE_DOCKER_SERVICE=running: start-pending still is not running", service: svc("docker", "start-pending", "manual"), claim: CheckServiceDocker,
			expect: func(e *config.Expectations) { e.DockerService = config.DockerServiceRunning }, status: Fail, message: "the docker service is start-pending"},
		{doc: "Windows 11 with Docker Desktop: docker running on Manual passes", service: svc("docker", "running", "manual"), host: client, claim: CheckServiceDocker,
			status: Pass, message: "docker service running (start type manual)"},
		{doc: "Windows 11 with Docker Desktop: docker stopped names Docker Desktop", service: svc("docker", "stopped", "manual"), host: client, claim: CheckServiceDocker,
			status: Fail, message: "the docker service is stopped", fixSubstr: "Docker Desktop in Windows containers mode"},
		{doc: "Windows 11 under CONFORMANCE_DOCKER_SERVICE=automatic: Manual fails", service: svc("docker", "running", "manual"), host: client, claim: CheckServiceDocker,
			expect: func(e *config.Expectations) { e.DockerService = config.DockerServiceAutomatic }, status: Fail, message: "not automatically"},

		// vmcompute: it must run; its start type is Windows' own (manual, trigger-started).
		{doc: "vmcompute running on Manual (as Windows installs it)", service: svc("vmcompute", "running", "manual"), claim: vmcompute,
			status: Pass, message: "vmcompute running"},
		{doc: "vmcompute start-pending", service: svc("vmcompute", "start-pending", "manual"), claim: vmcompute,
			status: Fail, message: "vmcompute is not running", fixSubstr: "Start-Service vmcompute"},
		{doc: "vmcompute paused", service: svc("vmcompute", "paused", "manual"), claim: vmcompute,
			status: Fail, message: "vmcompute is not running"},

		// vmms: it must run when Hyper-V is under test; installed but not running fails under both policies.
		{doc: "vmms running", service: svc("vmms", "running", "auto"), claim: CheckServiceVmms, status: Pass, message: "vmms running"},
		{doc: "vmms start-pending", service: svc("vmms", "start-pending", "auto"), claim: CheckServiceVmms,
			status: Fail, message: "vmms is installed but start-pending: Hyper-V is configured off", fixSubstr: "Start-Service vmms"},
		{doc: "vmms stop-pending under hyperv: skip", service: svc("vmms", "stop-pending", "auto"), claim: CheckServiceVmms,
			expect: func(e *config.Expectations) { e.HyperV = config.HyperVSkip }, status: Fail, message: "vmms is installed but stop-pending"},
		{doc: "vmms paused", service: svc("vmms", "paused", "auto"), claim: CheckServiceVmms,
			status: Fail, message: "vmms is installed but paused", fixSubstr: "Start-Service vmms (", fixPrefix: "Start-Service vmms"},
		{doc: "vmms stopped and Disabled: the fix re-enables it", service: svc("vmms", "stopped", "disabled"), claim: CheckServiceVmms,
			status: Fail, message: "vmms is installed but stopped", fixSubstr: "Set-Service vmms -StartupType Automatic; Start-Service vmms"},
		{doc: "vmms stopped on Manual: the fix sets it automatic", service: svc("vmms", "stopped", "manual"), claim: CheckServiceVmms,
			status: Fail, message: "vmms is installed but stopped", fixSubstr: "Set-Service vmms -StartupType Automatic; Start-Service vmms"},
		{doc: "vmms with no state read", service: svc("vmms", "", "auto"), claim: CheckServiceVmms,
			status: Fail, message: "vmms is installed but not running"},
		{doc: "vmms not installed, hyperv: skip", service: hostprobe.Service{Name: "vmms"}, claim: CheckServiceVmms,
			expect: func(e *config.Expectations) { e.HyperV = config.HyperVSkip }, status: Skip, message: "no usable Hyper-V on this host (vmms not installed)"},
		{doc: "vmms not installed, hyperv: require", service: hostprobe.Service{Name: "vmms"}, claim: CheckServiceVmms,
			status: Fail, message: "vmms (Hyper-V) is not installed", fixSubstr: "Install-WindowsFeature -Name Hyper-V"},
		{doc: "vmms stopped but Hyper-V not under test (CONFORMANCE_ISOLATION=process)", service: svc("vmms", "stopped", "manual"), claim: CheckServiceVmms,
			expect: func(e *config.Expectations) { e.Isolation = []string{"process"} }, status: Skip, message: "hyperv isolation is not under test"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			d := with(ws2019(), func(d *evidence.Daemon) {
				setService(d, tc.service)
				if tc.host != nil {
					tc.host(d)
				}
			})
			e := defaultExpect()
			if tc.expect != nil {
				tc.expect(&e)
			}
			v := tc.claim(d, e)
			assert.Check(t, is.Equal(v.Status, tc.status), v.String())
			assert.Check(t, is.Contains(v.Message, tc.message), v.String())
			if tc.fixSubstr != "" {
				assert.Check(t, is.Contains(v.Fix, tc.fixSubstr), v.String())
			}
			assert.Check(t, strings.HasPrefix(v.Fix, tc.fixPrefix), "fix %q starts with %q", v.Fix, tc.fixPrefix)
		})
	}
}

func svc(name, state, startType string) hostprobe.Service {
	return hostprobe.Service{Name: name, Exists: true, State: state, StartType: startType}
}

func vmcompute(d evidence.Daemon, _ config.Expectations) Verdict { return CheckServiceVmcompute(d) }

// TestReadVmms: what vmms tells about Hyper-V, per state.
func TestReadVmms(t *testing.T) {
	for _, tc := range []struct {
		doc     string
		change  func(*evidence.Daemon)
		reading VmmsReading
		line    string
	}{
		{doc: "running", reading: VmmsRunning, line: "vmms running"},
		{doc: "not installed: no Hyper-V role", change: func(d *evidence.Daemon) { setService(d, hostprobe.Service{Name: "vmms"}) },
			reading: VmmsMissing, line: "vmms not installed (no Hyper-V role)"},
		{doc: "stop-pending", change: func(d *evidence.Daemon) { setService(d, svc("vmms", "stop-pending", "auto")) },
			reading: VmmsNotRunning, line: "vmms installed but stop-pending (start type auto)"},
		{doc: "a remote daemon: not probed", change: func(d *evidence.Daemon) { d.Local = false }, reading: VmmsUnknown, line: "vmms not probed"},
		{doc: "no service answers (a broken probe)", change: func(d *evidence.Daemon) { d.Services = nil }, reading: VmmsUnknown, line: "vmms not probed"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			d := ws2019()
			if tc.change != nil {
				d = with(d, tc.change)
			}
			reading, line := ReadVmms(d)
			assert.Check(t, is.Equal(reading, tc.reading))
			assert.Check(t, is.Equal(line, tc.line))
		})
	}
}
