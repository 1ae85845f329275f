package harness

import (
	"context"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
	"gotest.tools/v3/poll"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// TestDaemonFactsPerTarget: which host facts a run gathers, by where the
// daemon is (a local socket or pipe describes this host; a remote tcp://
// daemon's host is not this one, so this host's facts would be judged as the
// daemon's) and by its platform (only a Windows daemon's host has the docker,
// vmcompute and vmms services and VM workers), and how the log then says VM
// workers are attributed (exact when HCS and owners are readable,
// hostprobe.ExactAttributionPossible).
func TestDaemonFactsPerTarget(t *testing.T) {
	readable := hostprobe.Snapshot{Processes: []hostprobe.Process{{PID: 4, Name: "System"}}, HCS: &hostprobe.HCSView{}}
	ownersUnreadable := readable
	ownersUnreadable.OwnersErr = "OpenProcessToken: access denied"
	for _, tc := range []struct {
		doc         string
		osType      string
		local       bool
		snap        hostprobe.Snapshot
		services    int
		processes   bool
		attribution string
	}{
		{doc: "local Windows host, HCS and owners readable", osType: "windows", local: true, snap: readable, services: 3, processes: true,
			attribution: "VM worker attribution: exact, else elimination (HCS compute systems and process owners readable): the Windows rows' start windows take turns"},
		{doc: "local Windows host, owners unreadable (not elevated)", osType: "windows", local: true, snap: ownersUnreadable, services: 3, processes: true,
			attribution: "VM worker attribution: timing (HCS compute systems or process owners unreadable at provisioning): the Windows rows' start windows take turns"},
		{doc: "local Linux host: no Windows services", osType: "linux", local: true, snap: readable},
		{doc: "remote Windows daemon: nothing of this host", osType: "windows", snap: readable},
		{doc: "remote Linux daemon", osType: "linux", snap: readable},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			host := &scriptedHost{os: hostprobe.OSInfo{OS: tc.osType, Hostname: "gate-host"}, processes: procs(tc.snap.Processes...)}
			host.processes = func(string, int) (hostprobe.Snapshot, error) { return tc.snap, nil }
			s := sessionOn(t, &rowEngine{osType: tc.osType}, host, 5*time.Second)
			s.Local = tc.local
			d, err := s.Daemon(context.Background())
			assert.NilError(t, err)
			assert.Assert(t, d.Unreachable == nil, "%+v", d.Unreachable)
			assert.Check(t, is.Equal(d.Local, tc.local))
			assert.Check(t, is.Equal(d.Host != nil, tc.local), "host facts")
			assert.Check(t, is.Len(d.Services, tc.services))
			assert.Check(t, is.Equal(d.Processes != nil, tc.processes))
			assert.Check(t, is.Equal(s.WorkerAttribution(), tc.attribution))
		})
	}
	t.Run("a remote daemon that is down: this host is not described", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		target := "tcp://" + srv.Listener.Addr().String()
		srv.Close()
		s := sessionAt(t, target, &scriptedHost{os: hostprobe.OSInfo{OS: "windows"}, processes: procs()}, 2*time.Second)
		s.Local = false
		d, err := s.Daemon(context.Background())
		assert.NilError(t, err)
		assert.Assert(t, d.Unreachable != nil)
		assert.Check(t, is.Equal(d.Unreachable.Kind, evidence.KindConnection))
		assert.Check(t, d.Host == nil && d.Services == nil && d.Processes == nil, "%+v", d)
	})
	t.Run("the daemon answers the ping but fails /info (moby: the daemon is still starting)", func(t *testing.T) {
		failInfo := failingPath(&rowEngine{osType: "linux"}, "/info", http.StatusServiceUnavailable, "daemon is not ready")
		d, err := sessionOn(t, failInfo, nil, 5*time.Second).Daemon(context.Background())
		assert.NilError(t, err)
		assert.Assert(t, d.Unreachable != nil)
		assert.Check(t, is.DeepEqual(*d.Unreachable, evidence.Failure{Kind: evidence.KindConnection, Message: "Error response from daemon: daemon is not ready"}))
	})
}

// TestRowRemovalAndItsCleanup: a row's container is removed once by the row;
// the cleanup registered at its creation removes it again only when the
// row's removal failed (moby answers 409 "removal of container is already in
// progress" while a previous removal runs), and not at all after an
// interrupt, whose handler removes every container of the run.
func TestRowRemovalAndItsCleanup(t *testing.T) {
	for _, tc := range []struct {
		doc            string
		refuse         bool
		interrupted    bool
		removeErr      string
		cleanupDeletes int
	}{
		{doc: "removed and gone: the cleanup sends nothing"},
		{doc: "removal refused: the cleanup removes it", refuse: true, cleanupDeletes: 1,
			removeErr: "Error response from daemon: removal of container is already in progress"},
		{doc: "removal refused, then interrupted: the handler's job", refuse: true, interrupted: true,
			removeErr: "Error response from daemon: removal of container is already in progress"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			interruptedCode(t)
			e := &rowEngine{osType: "linux", top: linuxTop("ping")}
			if tc.refuse {
				e.removeStatus = http.StatusConflict
			}
			s := sessionOn(t, e, nil, 300*time.Millisecond)
			var cleanups []func()
			w, err := s.RunWorkload(context.Background(), linuxDefault, "busybox", func(f func()) { cleanups = append(cleanups, f) })
			assert.NilError(t, err)
			assert.Check(t, is.Equal(w.ContainerID, edgeID))
			assert.Check(t, is.Equal(w.Isolation, ""), "the default row asks for no isolation")
			assert.Check(t, !w.Serialized, "a Linux row takes no worker lock")
			if tc.removeErr == "" {
				assert.Check(t, w.RemoveErr == nil && w.GoneErr == nil, "%+v %+v", w.RemoveErr, w.GoneErr)
			} else {
				assert.Assert(t, w.RemoveErr != nil)
				assert.Check(t, is.Equal(w.RemoveErr.Message, tc.removeErr))
				assert.Check(t, w.GoneErr == nil, "no wait for a removal that was refused")
			}
			e.mu.Lock()
			before := e.deletes
			e.mu.Unlock()
			assert.Check(t, is.Equal(before, 1))
			if tc.interrupted {
				close(interrupts.interrupted)
			}
			assert.Assert(t, is.Len(cleanups, 1))
			cleanups[0]()
			e.mu.Lock()
			defer e.mu.Unlock()
			assert.Check(t, is.Equal(e.deletes-before, tc.cleanupDeletes))
		})
	}
}

// TestSettleWhenDockerTopFails: docker top refused (a Windows container
// whose compute system HCS lost: "container ... encountered an error during
// Properties") ends the settle wait at once with the daemon's words as
// evidence, and no top is kept.
func TestSettleWhenDockerTopFails(t *testing.T) {
	failTop := failingPath(&rowEngine{osType: "linux"}, "/top", http.StatusInternalServerError, "container is not running")
	w := runRow(t, sessionOn(t, failTop, nil, 5*time.Second), linuxDefault)
	assert.Check(t, w.Top == nil)
	assert.Assert(t, w.TopErr != nil)
	assert.Check(t, is.Equal(w.TopErr.Message, "Error response from daemon: container is not running"))
	assert.Assert(t, w.SettleErr != nil)
	assert.Check(t, is.DeepEqual(*w.SettleErr, evidence.Failure{Kind: evidence.KindOther,
		Message: "polling check failed: docker top " + edgeID[:12] + ": Error response from daemon: container is not running"}))
}

// TestWaitWithAStepTimeoutShorterThanACheck: a step timeout that passes
// before the first check could run (CONFORMANCE_STEP_TIMEOUT far below a
// request's round trip) is a timeout that says no check completed, never a
// success and never an empty message.
func TestWaitWithAStepTimeoutShorterThanACheck(t *testing.T) {
	// Already past, not 1ns: Go on Windows reads a clock that advances once per
	// timer tick (up to 15.6 ms), so a 1ns deadline can still read as "now"
	// when the first check is due, and that check would run.
	s := &Session{Expect: config.Expectations{StepTimeout: config.Duration(-time.Millisecond)}, PollDelay: time.Millisecond, Logf: t.Logf, mode: config.Live}
	failure := s.waitOn(context.Background(), func(context.Context) poll.Result { return poll.Success() })
	assert.Assert(t, failure != nil)
	assert.Check(t, is.DeepEqual(*failure, evidence.Failure{Kind: evidence.KindTimeout, Message: "timed out: the first check never completed"}))
}

// TestInterruptWithACreateInFlightOnAFailingDaemon: the daemon refuses the
// listing (it is shutting down) while a create of this run was in flight:
// the line says what failed, and not that the create "did not land", which
// no listing could tell.
func TestInterruptWithACreateInFlightOnAFailingDaemon(t *testing.T) {
	engine := newFakeEngine()
	engine.failLists = true
	s := openAgainst(t, config.Live, engine)
	defer s.Close()
	msg := s.cleanUpInterrupted(context.Background(), map[string]bool{s.containerName(linuxDefault): true})
	assert.Check(t, is.Equal(msg, "removed 0 container(s) of run "+s.RunID+" (could not remove: list: Error response from daemon: the daemon is shutting down; the next run removes them)"))
}

// TestSweepReportsARemovalTheDaemonRefused: a dead run's container that the
// daemon will not remove (moby 409 while its removal is in progress) is
// reported with the daemon's words, not as removed.
func TestSweepReportsARemovalTheDaemonRefused(t *testing.T) {
	engine := newFakeEngine()
	refuseRemovals := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusConflict)
			_, _ = w.Write([]byte(`{"message":"removal of container is already in progress"}`))
			return
		}
		engine.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(refuseRemovals)
	defer srv.Close()
	s, err := OpenLive(config.Config{Mode: config.Live, DockerHost: "tcp://" + srv.Listener.Addr().String(), Expect: config.Expectations{StepTimeout: config.Duration(5 * time.Second)}})
	assert.NilError(t, err)
	defer s.Close()
	self := Owner{Host: "h1", PID: 10, ProcessStart: "100"}
	l := ownerLabels(Owner{Host: "h1", PID: 20, ProcessStart: "200", RunStart: "2026-12-03T08:00:00Z"})
	l[LabelHarness], l[LabelRunID] = harnessLabelValue, "deadrun00001"
	dead := engine.add(l)
	swept, err := sweep(context.Background(), s.unrecorded, self, s.RunID, 5*time.Second, func(int, string) bool { return false })
	assert.NilError(t, err)
	assert.Assert(t, is.Len(swept, 1))
	assert.Check(t, is.Equal(swept[0].String(), "could not remove (Error response from daemon: removal of container is already in progress) container "+dead[:12]+
		" (running) left by dead run deadrun00001 (pid 20 started 200 on this host, run began 2026-12-03T08:00:00Z)"))
	assert.Check(t, is.DeepEqual(engine.ids(), []string{dead}))
}

// TestRunIDAndOwnerOfThisProcess: a run id is 12 hex digits (the labels'
// and container names' width) and fresh for every run; this process's owner
// names this host's digest, its own PID and an RFC 3339 UTC run start.
func TestRunIDAndOwnerOfThisProcess(t *testing.T) {
	a, b := NewRunID(), NewRunID()
	assert.Check(t, is.Len(a, 12))
	_, err := hex.DecodeString(a)
	assert.Check(t, err)
	assert.Check(t, a != b, "two runs got the same id %s", a)

	// A host whose clock runs on local time (CET here): the label is still UTC.
	defer func(local *time.Location) { time.Local = local }(time.Local)
	time.Local = time.FixedZone("CET", 3600)
	o := CurrentOwner()
	name, _ := os.Hostname()
	assert.Check(t, is.Equal(o.Host, HostDigest(name)))
	assert.Check(t, is.Equal(o.PID, os.Getpid()))
	started, err := time.Parse(time.RFC3339, o.RunStart)
	assert.Check(t, err)
	assert.Check(t, strings.HasSuffix(o.RunStart, "Z"), "run start %s is not UTC", o.RunStart)
	assert.Check(t, time.Since(started) < time.Hour, "run start %s", o.RunStart)
}

// TestRowsTakeTheWorkerLockOnlyOnALocalWindowsHost: the lock that keeps
// other rows from starting containers between a row's host snapshots is for
// VM worker attribution, which exists only on a local Windows host; a Linux
// row or a remote daemon's row never waits for it, and its evidence says so.
func TestRowsTakeTheWorkerLockOnlyOnALocalWindowsHost(t *testing.T) {
	for _, tc := range []struct {
		doc        string
		osType     string
		local      bool
		row        evidence.Row
		serialized bool
	}{
		{doc: "local Linux host", osType: "linux", local: true, row: linuxDefault},
		{doc: "remote Windows daemon", osType: "windows", row: evidence.Row{Platform: "windows", Mode: "process"}},
		{doc: "local Windows host", osType: "windows", local: true, row: evidence.Row{Platform: "windows", Mode: "process"}, serialized: true},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			top := linuxTop("ping")
			if tc.osType == "windows" {
				top = windowsTop("CExecSvc.exe", "PING.EXE")
			}
			host := &scriptedHost{os: hostprobe.OSInfo{OS: tc.osType}, processes: procs(hostprobe.Process{PID: 4242, Name: "ping"}, hostprobe.Process{PID: 5001, Name: "PING.EXE"})}
			s := sessionOn(t, &rowEngine{osType: tc.osType, top: top}, host, 5*time.Second)
			s.Local = tc.local
			w := runRow(t, s, tc.row)
			assert.Check(t, is.Equal(w.Serialized, tc.serialized))
			assert.Check(t, is.Equal(w.Isolation, string(isolationFor(tc.row.Mode))))
			assert.Check(t, w.SettleErr == nil, "%+v", w.SettleErr)
			assert.Check(t, is.Equal(w.Before != nil, tc.local), "host snapshots only of a local daemon's host")
		})
	}
}

// TestFinishRecording: a recording is saved as the three files a fixture
// holds, its staging folder goes, and the session then no longer records; a
// live session, a name that is a path, and a DOCKER_HOST that is no URL are
// refused with the variable named.
func TestFinishRecording(t *testing.T) {
	requireFileDeletion(t)
	engine := newFakeEngine()
	s := openAgainst(t, config.Record, engine)
	defer s.Close()
	_, err := s.Client.Ping(context.Background())
	assert.NilError(t, err)
	root := t.TempDir()
	_, err = s.FinishRecording(root, "../elsewhere", fixture.Metadata{})
	assert.Check(t, is.ErrorContains(err, `CONFORMANCE_RECORD_NAME="../elsewhere" is a path, not a folder name`))
	staging := s.stagingDir
	dir, err := s.FinishRecording(root, "ws2022-prod", fixture.Metadata{FormatVersion: fixture.FormatVersion, Target: "npipe:////./pipe/docker_engine"})
	assert.NilError(t, err)
	assert.Check(t, is.Equal(dir, filepath.Join(root, "ws2022-prod")))
	entries, err := os.ReadDir(dir)
	assert.NilError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	assert.Check(t, is.DeepEqual(names, []string{fixture.EngineFile, fixture.MetadataFile, fixture.HostFile}))
	_, err = os.Stat(staging)
	assert.Check(t, os.IsNotExist(err), "staging folder %s left", staging)
	_, err = s.FinishRecording(root, "again", fixture.Metadata{})
	assert.Check(t, is.Error(err, "session is not recording"))

	live := openAgainst(t, config.Live, newFakeEngine())
	defer live.Close()
	_, err = live.FinishRecording(root, "x", fixture.Metadata{})
	assert.Check(t, is.Error(err, "session is not recording"))

	_, err = OpenRecord(config.Config{Mode: config.Record, DockerHost: "docker.example:2375", Fixtures: t.TempDir()})
	assert.Check(t, is.ErrorContains(err, `parse DOCKER_HOST="docker.example:2375": `))
}

// TestReplaySweepsNothing: a replayed run has no live daemon to sweep: it
// reports nothing and asks nothing.
func TestReplaySweepsNothing(t *testing.T) {
	f, err := fixture.Load("../../fixtures/linux-debian12-docker.io-20.10")
	assert.NilError(t, err)
	s, err := OpenReplay(f)
	assert.NilError(t, err)
	defer s.Close()
	swept, err := s.SweepDeadRuns(context.Background())
	assert.Check(t, swept == nil && err == nil, "%v %v", swept, err)
	assert.Check(t, is.Len(s.FixtureProblems(), len(f.Interactions())+len(f.Host.Calls)), "no recorded answer was used")
}

// TestRecordingNeverNamesTheRecordingHost: a recording made on a build host
// is committed to a repository: its user's home folder ($HOME, a CI runner's
// work area) is redacted from the recorded answers (here a pull progress
// stream that names it, as a registry mirror's error does), and the daemon
// host's name (learned from /info, Session.AddRedaction) from the target
// fixture.json keeps; this machine's own name too, where it is long enough
// to be told from other words.
func TestRecordingNeverNamesTheRecordingHost(t *testing.T) {
	requireFileDeletion(t)
	home := "/srv/ci-home-" + NewRunID()
	t.Setenv("HOME", home)
	own, _ := os.Hostname()
	checkOwn := len(own) >= 5 && !strings.EqualFold(own, "localhost")
	engine := newFakeEngine()
	engine.pull = func(w http.ResponseWriter) {
		status := "mirror read " + home + "/.docker/config.json"
		if checkOwn {
			status += " on " + own
		}
		_, _ = w.Write([]byte(`{"status":"` + status + `"}` + "\n"))
	}
	s := openAgainst(t, config.Record, engine)
	defer s.Close()
	s.AddRedaction("build-agent-7.corp.example")
	assert.NilError(t, s.pull(context.Background(), "busybox:latest"))
	dir, err := s.FinishRecording(t.TempDir(), "rec", fixture.Metadata{FormatVersion: fixture.FormatVersion, Target: "tcp://build-agent-7.corp.example:2375"})
	assert.NilError(t, err)
	recorded, err := os.ReadFile(filepath.Join(dir, fixture.EngineFile))
	assert.NilError(t, err)
	assert.Check(t, !strings.Contains(string(recorded), home), "the recording names the home folder %s", home)
	assert.Check(t, is.Contains(string(recorded), "mirror read REDACTED/.docker/config.json"))
	if checkOwn {
		assert.Check(t, !strings.Contains(strings.ToLower(string(recorded)), strings.ToLower(own)), "the recording names this host, %s", own)
	}
	meta, err := os.ReadFile(filepath.Join(dir, fixture.MetadataFile))
	assert.NilError(t, err)
	assert.Check(t, is.Contains(string(meta), `"target": "tcp://redacted-host:2375"`))
}

// requireFileDeletion skips a test that finishes a recording where files
// cannot be deleted: finishing removes the staging folder. Wine 8 does not
// implement the delete Go 1.26 uses on Windows (docs/wine.md); a Windows host
// does. Decided before the test makes any folder, so the skip stays clean.
func requireFileDeletion(t *testing.T) {
	t.Helper()
	dir, err := os.MkdirTemp("", "conformance-delete-probe-")
	assert.NilError(t, err)
	assert.NilError(t, os.WriteFile(filepath.Join(dir, "probe"), nil, 0o600))
	if err := os.RemoveAll(dir); err != nil {
		t.Skipf("this system cannot delete files the way Go does (Wine 8, docs/wine.md): %v", err)
	}
}

// failingPath answers requests whose path ends in suffix with the daemon's
// error body and status, and passes the others to engine.
func failingPath(engine http.Handler, suffix string, status int, message string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, suffix) {
			engine.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"message":"` + message + `"}`))
	})
}
