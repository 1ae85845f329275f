package harness

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/system"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// TestImageRefPerHost: the base image a run uses when CONFORMANCE_IMAGE is
// unset follows the host's build (Microsoft's version compatibility matrix,
// learn.microsoft.com/virtualization/windowscontainers/deploy-containers/version-compatibility:
// process isolation needs the image's build, Hyper-V runs an older LTSC
// image); a configured image always wins; a build older than any published
// image is an error naming the variable to set.
func TestImageRefPerHost(t *testing.T) {
	windows := func(kernel string) evidence.Daemon {
		return evidence.Daemon{Info: system.Info{OSType: "windows", KernelVersion: kernel}}
	}
	linux := evidence.Daemon{Info: system.Info{OSType: "linux", KernelVersion: "6.1.0-27-amd64"}}
	for _, tc := range []struct {
		doc    string
		d      evidence.Daemon
		image  string
		want   string
		refErr string
	}{
		{doc: "Windows Server 2019 (17763): nanoserver:1809", d: windows("10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"),
			want: "mcr.microsoft.com/windows/nanoserver:1809"},
		{doc: "Windows Server 2022 (20348): nanoserver:ltsc2022", d: windows("10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)"),
			want: "mcr.microsoft.com/windows/nanoserver:ltsc2022"},
		{doc: "Windows 10 22H2 (19045), no image of its own: the newest older LTSC image, under Hyper-V", d: windows("10.0 19045 (19041.1.amd64fre.vb_release.191206-1406)"),
			want: "mcr.microsoft.com/windows/nanoserver:1809"},
		{doc: "a configured image wins over the host's default", d: windows("10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"), image: "registry.corp/nano:1809-patched",
			want: "registry.corp/nano:1809-patched"},
		{doc: "a configured image on a Linux daemon", d: linux, image: "registry.corp/busybox:1", want: "registry.corp/busybox:1"},
		{doc: "a Linux daemon: the image make image builds", d: linux, want: "conformance/busybox:local"},
		{doc: "Windows 10 1507 (10240), older than any published image", d: windows("10.0 10240 (10240.16384.amd64fre.th1.150709-1700)"),
			refErr: `no default base image for Windows build 10240 (KernelVersion "10.0 10240 (10240.16384.amd64fre.th1.150709-1700)"): set CONFORMANCE_IMAGE`},
		{doc: "a Windows daemon whose KernelVersion cannot be read", d: windows(""),
			refErr: `no default base image for Windows build 0 (KernelVersion ""): set CONFORMANCE_IMAGE`},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			got, refErr := ImageRef(tc.d, config.Expectations{Image: tc.image})
			assert.Check(t, is.Equal(got, tc.want))
			if tc.refErr == "" {
				assert.Check(t, refErr == nil, "%+v", refErr)
				return
			}
			assert.Assert(t, refErr != nil)
			assert.Check(t, is.DeepEqual(*refErr, evidence.Failure{Kind: evidence.KindOther, Message: tc.refErr}))
		})
	}
}

// TestBaseImageAsThePullPolicySays: which requests the pull policy makes on a
// host that has, or lacks, the base image (CONFORMANCE_PULL, docs): missing
// pulls only an absent image, never re-pulls a present one (an air-gapped
// host with a preloaded image must not reach for a registry); never does not
// pull at all and reports the inspect's "No such image".
func TestBaseImageAsThePullPolicySays(t *testing.T) {
	const ref = "busybox:latest"
	for _, tc := range []struct {
		doc           string
		policy        config.PullPolicy
		present       bool
		pulls         int
		presentBefore bool
		inspectErr    string
	}{
		{doc: "missing, with the image present (preloaded): no pull", policy: config.PullMissing, present: true, presentBefore: true},
		{doc: "never, with the image absent: no pull, the inspect's refusal is evidence", policy: config.PullNever,
			inspectErr: "Error response from daemon: No such image: busybox:latest"},
		{doc: "never, with the image present", policy: config.PullNever, present: true, presentBefore: true},
		{doc: "always, with the image present: pulled again", policy: config.PullAlways, present: true, pulls: 1, presentBefore: true},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			engine := newFakeEngine()
			engine.images = map[string]bool{ref: tc.present}
			var mu sync.Mutex
			pulls := 0
			engine.pull = func(w http.ResponseWriter) {
				mu.Lock()
				pulls++
				mu.Unlock()
				_, _ = w.Write([]byte(`{"status":"Status: Image is up to date for busybox:latest"}` + "\n"))
			}
			s := openAgainst(t, config.Live, engine)
			defer s.Close()
			s.Expect.Image, s.Expect.Pull = ref, tc.policy
			img, err := s.BaseImage(context.Background(), evidence.Daemon{Info: system.Info{OSType: "linux"}})
			assert.NilError(t, err)
			mu.Lock()
			assert.Check(t, is.Equal(pulls, tc.pulls), "pull requests")
			mu.Unlock()
			assert.Check(t, is.Equal(img.Pulled, tc.pulls == 1))
			assert.Check(t, img.PullErr == nil, "%+v", img.PullErr)
			assert.Check(t, is.Equal(img.PresentBefore, tc.presentBefore))
			assert.Check(t, is.Equal(img.Ref, ref))
			if tc.inspectErr != "" {
				assert.Assert(t, img.InspectErr != nil)
				assert.Check(t, is.Equal(img.InspectErr.Message, tc.inspectErr))
				assert.Check(t, img.Inspect == nil)
				return
			}
			assert.Check(t, img.InspectErr == nil, "%+v", img.InspectErr)
			assert.Check(t, img.Inspect != nil)
		})
	}
	t.Run("a Windows build without a default image: nothing is asked of the daemon", func(t *testing.T) {
		engine := newFakeEngine()
		engine.pull = func(http.ResponseWriter) { t.Error("a pull was sent") }
		s := openAgainst(t, config.Live, engine)
		defer s.Close()
		img, err := s.BaseImage(context.Background(), evidence.Daemon{Info: system.Info{OSType: "windows", KernelVersion: "10.0 10240 (10240.16384.amd64fre.th1.150709-1700)"}})
		assert.NilError(t, err)
		assert.Check(t, is.Equal(img.Ref, ""))
		assert.Assert(t, img.RefErr != nil)
		assert.Check(t, img.Inspect == nil && img.InspectErr == nil && !img.PresentBefore, "%+v", img)
	})
}

// TestSettleInsideAWindowsContainer: a gate run inside a Windows container
// (CExecSvc.exe in its own session, hostprobe.WindowsInContainerSignals) sees
// the container's process table, never the host's: under process isolation
// it must not wait for PING.EXE among the host's processes, which would cost
// the step timeout and a settle failure on a healthy host.
func TestSettleInsideAWindowsContainer(t *testing.T) {
	for _, tc := range []struct {
		doc     string
		inside  []string
		settled string
	}{
		{doc: "inside a container: settled once docker top lists PING.EXE", inside: []string{"CExecSvc.exe (PID 1200) runs in the harness's session 2"}},
		{doc: "on the host itself: the host must show PING.EXE", settled: "timed out: docker top lists PING.EXE PID 5001; the host has no process with that PID yet"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			host := &scriptedHost{os: hostprobe.OSInfo{OS: "windows", InContainer: tc.inside}, processes: procs(hostprobe.Process{PID: 1200, Name: "CExecSvc.exe"})}
			s := sessionOn(t, &rowEngine{osType: "windows", top: windowsTop("CExecSvc.exe", "PING.EXE")}, host, 300*time.Millisecond)
			d, err := s.Daemon(context.Background())
			assert.NilError(t, err)
			assert.Assert(t, d.Host != nil && d.Unreachable == nil, "%+v", d)
			w := runRow(t, s, evidence.Row{Platform: "windows", Mode: "process"})
			assert.Check(t, w.Serialized, "a local Windows row takes the worker lock")
			assert.Check(t, w.After != nil && w.Top != nil, "%+v", w)
			if tc.settled == "" {
				assert.Check(t, w.SettleErr == nil, "%+v", w.SettleErr)
				return
			}
			assert.Assert(t, w.SettleErr != nil)
			assert.Check(t, is.DeepEqual(*w.SettleErr, evidence.Failure{Kind: evidence.KindTimeout, Message: tc.settled}))
		})
	}
}

// TestWaitRunningStates: the states moby reports before "running"
// (container/state.go StateString: created, restarting, paused, removing)
// keep the wait going, and one that never ends is a timeout naming the last
// state; an inspect without a State yet says so.
func TestWaitRunningStates(t *testing.T) {
	id12 := edgeID[:12]
	for _, tc := range []struct {
		doc   string
		state string // the State object, "" for none
		want  string
	}{
		{doc: "stays created (a Windows start that hangs in HCS)", state: `{"Status":"created","Running":false}`,
			want: "timed out: container " + id12 + " is created, waiting for running"},
		{doc: "paused", state: `{"Status":"paused","Running":false,"Paused":true}`,
			want: "timed out: container " + id12 + " is paused, waiting for running"},
		{doc: "no State in the answer", want: "timed out: container " + id12 + ": no state yet"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			e := &rowEngine{osType: "linux", inspect: func(removed bool, _ int) (int, string) {
				if removed {
					return 0, ""
				}
				if tc.state == "" {
					return http.StatusOK, `{"Id":"` + edgeID + `"}`
				}
				return http.StatusOK, `{"Id":"` + edgeID + `","State":` + tc.state + `}`
			}}
			w := runRow(t, sessionOn(t, e, nil, 300*time.Millisecond), linuxDefault)
			assert.Assert(t, w.RunErr != nil)
			assert.Check(t, is.DeepEqual(*w.RunErr, evidence.Failure{Kind: evidence.KindTimeout, Message: tc.want}))
			assert.Check(t, w.SettleErr == nil && w.Top == nil, "no settle wait for a container that never ran")
			assert.Check(t, w.GoneErr == nil, "%+v", w.GoneErr)
		})
	}
	t.Run("an answer without State after the removal", func(t *testing.T) {
		e := &rowEngine{osType: "linux", top: linuxTop("ping"), inspect: func(removed bool, _ int) (int, string) {
			if removed {
				return http.StatusOK, `{"Id":"` + edgeID + `"}`
			}
			return 0, ""
		}}
		w := runRow(t, sessionOn(t, e, nil, 300*time.Millisecond), linuxDefault)
		assert.Assert(t, w.GoneErr != nil)
		assert.Check(t, is.DeepEqual(*w.GoneErr, evidence.Failure{Kind: evidence.KindTimeout, Message: "timed out: container " + id12 + " still present after removal"}))
	})
}

// TestSweepWithAnUnsetStepTimeout: a session whose expectations leave the
// step timeout at 0 (a hand-built configuration) sweeps with the default
// timeout, not with a deadline that has already passed: the dead run's
// container on this host is removed and reported.
func TestSweepWithAnUnsetStepTimeout(t *testing.T) {
	engine := newFakeEngine()
	s := openAgainst(t, config.Live, engine)
	defer s.Close()
	s.Expect.StepTimeout = 0
	// A run of this host whose process no longer exists (a PID above Linux's
	// pid_max, 2^22).
	l := ownerLabels(Owner{Host: s.Owner.Host, PID: 1<<22 + 7, ProcessStart: "1", RunStart: "2026-12-03T08:00:00Z", PIDNamespace: s.Owner.PIDNamespace})
	l[LabelHarness], l[LabelRunID] = harnessLabelValue, "deadrun00001"
	dead := engine.add(l)
	swept, err := s.SweepDeadRuns(context.Background())
	assert.NilError(t, err)
	assert.Assert(t, is.Len(swept, 1))
	assert.Check(t, is.Equal(swept[0].String(), "removed container "+dead[:12]+" (running) left by dead run deadrun00001 (pid 4194311 started 1 on this host, run began 2026-12-03T08:00:00Z)"))
	assert.Check(t, is.Len(engine.ids(), 0))
}

// TestInterruptCleanupLines: the words the interrupt line says about this
// run, as an operator reads them on stderr: a listing the daemon refuses
// (it is shutting down), a recording discarded, and a create in flight
// whose container is never seen while a removal failed (the failure says
// it all).
func TestInterruptCleanupLines(t *testing.T) {
	t.Run("the listing fails", func(t *testing.T) {
		engine := newFakeEngine()
		engine.failLists = true
		s := openAgainst(t, config.Live, engine)
		defer s.Close()
		assert.Check(t, is.Equal(s.cleanUpInterrupted(context.Background(), map[string]bool{}),
			"removed 0 container(s) of run "+s.RunID+" (could not remove: list: Error response from daemon: the daemon is shutting down; the next run removes them)"))
	})
	t.Run("a recording is discarded", func(t *testing.T) {
		engine := newFakeEngine()
		s := openAgainst(t, config.Record, engine)
		defer s.Close()
		engine.add(s.labels(linuxDefault))
		staging := s.stagingDir
		assert.Check(t, is.Equal(s.cleanUpInterrupted(context.Background(), map[string]bool{}),
			"removed 1 container(s) of run "+s.RunID+", recording discarded"))
		_, err := os.Stat(staging)
		assert.Check(t, os.IsNotExist(err), "staging folder %s left", staging)
		assert.Check(t, is.Len(engine.ids(), 0))
	})
	t.Run("a live run discards nothing", func(t *testing.T) {
		engine := newFakeEngine()
		s := openAgainst(t, config.Live, engine)
		defer s.Close()
		engine.add(s.labels(linuxDefault))
		engine.add(s.labels(evidence.Row{Platform: "linux", Mode: "process"}))
		assert.Check(t, is.Equal(s.cleanUpInterrupted(context.Background(), map[string]bool{}), "removed 2 container(s) of run "+s.RunID))
	})
}

// TestOpenRecordRefusals: record mode refuses, before any run, a TLS daemon
// (its recording would hold a client certificate's traffic) and a fixtures
// path that is a file, each naming what to change.
func TestOpenRecordRefusals(t *testing.T) {
	_, err := OpenRecord(config.Config{Mode: config.Record, DockerHost: "tcp://10.0.0.5:2376", TLSCertPath: "/etc/docker/certs", Fixtures: t.TempDir()})
	assert.Check(t, is.Error(err, "record mode records local daemons and plain tcp:// ones; unset DOCKER_TLS_VERIFY"))

	file := filepath.Join(t.TempDir(), "fixtures")
	assert.NilError(t, os.WriteFile(file, nil, 0o644))
	_, err = OpenRecord(config.Config{Mode: config.Record, DockerHost: "unix:///var/run/docker.sock", Fixtures: file})
	// %q as the message has it: a Windows path's backslashes are doubled.
	assert.Check(t, is.Error(err, fmt.Sprintf("CONFORMANCE_FIXTURES=%q is not a folder", file)))
}

// TestWorkerAttributionWording: the log line that says how this run
// attributes VM workers, word for word: an operator reading a Hyper-V
// failure needs to know whether the exact step was available.
func TestWorkerAttributionWording(t *testing.T) {
	assert.Check(t, is.Equal((&Session{Local: true, windowsHost: true, exactAttribution: true}).WorkerAttribution(),
		"VM worker attribution: exact, else elimination (HCS compute systems and process owners readable): the Windows rows' start windows take turns"))
	assert.Check(t, is.Equal((&Session{Local: true, windowsHost: true}).WorkerAttribution(),
		"VM worker attribution: timing (HCS compute systems or process owners unreadable at provisioning): the Windows rows' start windows take turns"))
	assert.Check(t, is.Equal((&Session{Local: false, windowsHost: true, exactAttribution: true}).WorkerAttribution(), ""))
}
