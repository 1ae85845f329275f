package claims

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// The host-side row claims (pid-visibility, vm-worker) on hosts whose
// processes the gate cannot see: each says why, fails closed where the probe
// broke, and never blames the daemon.
func TestHostSideRowClaimsWhereTheHostCannotBeSeen(t *testing.T) {
	claims := map[string]func(evidence.Daemon, evidence.Workload) Verdict{
		"pid-visibility": CheckPIDVisibility,
		"vm-worker":      CheckVMWorker,
	}
	notLocalWhy := map[string]string{
		"pid-visibility": "this host's processes say nothing about its containers",
		"vm-worker":      "this host's VM workers say nothing about it",
	}
	for name, check := range claims {
		t.Run(name+": a remote daemon (DOCKER_HOST=tcp://build-host:2376)", func(t *testing.T) {
			d := with(ws2019(), func(d *evidence.Daemon) { d.Target, d.Local = "tcp://build-host:2376", false })
			checkWhole(t, check(d, hypervWorkload()), want{status: Skip, message: "daemon at tcp://build-host:2376 is not local: " + notLocalWhy[name]}, "design rule 6")
		})
		t.Run(name+": the gate run inside a container given the daemon's pipe", func(t *testing.T) {
			d := with(ws2019(), func(d *evidence.Daemon) { d.Host.InContainer = []string{"CExecSvc.exe runs on this host (PID 1044)"} })
			checkWhole(t, check(d, hypervWorkload()), want{status: Fail, message: InContainerMessage,
				evidence: []string{"CExecSvc.exe runs on this host (PID 1044)"},
				fix:      "run the gate on the container host itself (not in a container, even one given the daemon's socket or pipe): its host-side claims need the host's own process table and services"}, "moby daemon/top_windows.go: CExecSvc runs in every Windows container")
		})
		t.Run(name+": a gate run unelevated whose process-table read was refused", func(t *testing.T) {
			w := change(hypervWorkload(), func(w *evidence.Workload) {
				w.HostErr = &evidence.Failure{Message: "NtQuerySystemInformation: Access is denied."}
			})
			checkWhole(t, check(ws2019(), w), want{status: Fail, message: "probe broken: NtQuerySystemInformation: Access is denied.",
				fix: "run the gate elevated on the daemon's host"}, "a probe error is the harness's, never the daemon's")
		})
		t.Run(name+": no host snapshot after the start", func(t *testing.T) {
			w := change(hypervWorkload(), func(w *evidence.Workload) { w.After = nil })
			checkWhole(t, check(ws2019(), w), want{status: Fail, message: "probe broken: no after-start host snapshot",
				fix: "the harness could not read the host's process table; run it elevated on the daemon's host"}, "fail closed")
		})
	}
	t.Run("vm-worker: no host snapshot before the start", func(t *testing.T) {
		w := change(hypervWorkload(), func(w *evidence.Workload) { w.Before = nil })
		checkWhole(t, CheckVMWorker(ws2019(), w), want{status: Fail, message: "probe broken: no before-start host snapshot",
			fix: "the harness could not read the host's process table; run it elevated on the daemon's host"}, "fail closed")
	})
}

// Daemon answers the row claims cannot use: a failed docker top, a container
// with no inspect, a removal the daemon refused.
func TestRowClaimsOnFailedDaemonAnswers(t *testing.T) {
	t.Run("docker top refused (the container exited before top ran)", func(t *testing.T) {
		w := change(processWorkload(), func(w *evidence.Workload) {
			w.Top, w.TopErr = nil, &evidence.Failure{Kind: evidence.KindSystem, Message: "Error response from daemon: container cece6585ce23 is not running"}
		})
		checkWhole(t, CheckProcessTree(w), want{status: Fail, message: "docker top failed: Error response from daemon: container cece6585ce23 is not running", fix: "read the daemon's log"}, "moby daemon/top_windows.go: errNotRunning")
	})
	t.Run("no inspect of the container", func(t *testing.T) {
		w := change(processWorkload(), func(w *evidence.Workload) { w.Inspect = nil })
		checkWhole(t, CheckIsolationField(ws2019(), w), want{status: Fail, message: "no inspect of the container"}, "fail closed")
	})
	t.Run("the daemon refused to remove the container (a file of the container still in use)", func(t *testing.T) {
		w := change(processWorkload(), func(w *evidence.Workload) {
			w.RemoveErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "Error response from daemon: unable to remove filesystem: The process cannot access the file because it is being used by another process."}
		})
		v := CheckCleanup(w)
		assert.Check(t, is.Equal(v.Status, Fail))
		assert.Check(t, is.Equal(v.Message, "removing the container failed: Error response from daemon: unable to remove filesystem: The process cannot access the file because it is being used by another process."))
		assert.Check(t, is.Equal(v.Fix, "docker rm -f cece6585ce23; read the daemon's log"), "the daemon's removal error is quoted, the fix names this container")
	})
}
