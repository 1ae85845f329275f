package harness

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/system"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// TestInterruptLineOnStderr: the one line a CI log shows when a pipeline
// cancels the gate (GitHub Actions and Azure Pipelines send SIGINT, then
// SIGTERM, then kill): the signal, what each run of this process removed,
// runs in run-id order, and the exit code 128 + the signal's number.
func TestInterruptLineOnStderr(t *testing.T) {
	codes := interruptedCode(t)
	engine := newFakeEngine()
	a := openAgainst(t, config.Live, engine)
	defer a.Close()
	b := openAgainst(t, config.Live, engine)
	defer b.Close()
	a.RunID, b.RunID = "bbbbbbbbbbbb", "aaaaaaaaaaaa"
	a.RunContext(context.Background())
	b.RunContext(context.Background())
	engine.add(a.labels(linuxDefault))
	engine.add(a.labels(evidence.Row{Platform: "linux", Mode: "process"}))
	engine.add(b.labels(linuxDefault))

	stderr := filepath.Join(t.TempDir(), "stderr")
	f, err := os.Create(stderr)
	assert.NilError(t, err)
	saved := os.Stderr
	os.Stderr = f
	onInterrupt(os.Interrupt)
	os.Stderr = saved
	assert.NilError(t, f.Close())
	assert.Equal(t, <-codes, 130)
	line, err := os.ReadFile(stderr)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(string(line),
		"conformance: interrupted by SIGINT: removed 1 container(s) of run aaaaaaaaaaaa; removed 2 container(s) of run bbbbbbbbbbbb; exit 130\n"))
	assert.Check(t, is.Len(engine.ids(), 0))
}

// TestPullWording: what a pull says, in the log while it runs and as
// evidence when it fails, word for word: the policy that made the run pull,
// the daemon's refusal, an error inside the progress stream, and a stream
// that breaks off (a proxy that cuts the connection mid-pull).
func TestPullWording(t *testing.T) {
	const ref = "mcr.microsoft.com/windows/nanoserver:ltsc2022"
	for _, tc := range []struct {
		doc     string
		pull    func(w http.ResponseWriter)
		pullErr string
	}{
		{doc: "the daemon refuses the pull (no registry)", pull: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"message":"Get \"https://mcr.microsoft.com/v2/\": dial tcp: lookup mcr.microsoft.com: no such host"}`))
		}, pullErr: `pull ` + ref + `: Error response from daemon: Get "https://mcr.microsoft.com/v2/": dial tcp: lookup mcr.microsoft.com: no such host`},
		{doc: "an error in the progress stream (a Windows image on a host of an older build)", pull: func(w http.ResponseWriter) {
			_, _ = w.Write([]byte(`{"status":"Pulling from windows/nanoserver","id":"ltsc2022"}` + "\n" +
				`{"errorDetail":{"message":"no matching manifest for windows/amd64 10.0.17763 in the manifest list entries"},"error":"no matching manifest for windows/amd64 10.0.17763 in the manifest list entries"}` + "\n"))
		}, pullErr: "pull " + ref + ": no matching manifest for windows/amd64 10.0.17763 in the manifest list entries"},
		{doc: "the stream breaks off mid-message", pull: func(w http.ResponseWriter) {
			_, _ = w.Write([]byte(`{"status":"Pulling from windows/nanoserver","id":"ltsc2022"}` + "\n" + `{"status":"Downlo`))
		}, pullErr: "read pull progress of " + ref + ": unexpected EOF"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			engine := newFakeEngine()
			engine.images = map[string]bool{}
			engine.pull = tc.pull
			s := openAgainst(t, config.Live, engine)
			defer s.Close()
			s.Expect.Image, s.Expect.Pull = ref, config.PullMissing
			var logged []string
			s.Logf = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
			img, err := s.BaseImage(context.Background(), evidence.Daemon{Info: system.Info{OSType: "windows"}})
			assert.NilError(t, err)
			assert.Assert(t, len(logged) > 0)
			assert.Check(t, is.Equal(logged[0], "pulling "+ref+" (CONFORMANCE_PULL=missing)"))
			assert.Assert(t, img.PullErr != nil)
			assert.Check(t, is.Equal(img.PullErr.Message, tc.pullErr))
			assert.Check(t, !img.Pulled && !img.PresentBefore)
		})
	}
}

// TestLiveSessionTarget: whether host probes describe the daemon's host
// follows DOCKER_HOST (config.IsLocal): a socket or a named pipe is this
// host, a tcp:// address of another machine is not; a TLS daemon whose
// certificates are missing is refused, naming the file.
func TestLiveSessionTarget(t *testing.T) {
	for _, tc := range []struct {
		host  string
		local bool
	}{
		{host: "unix:///var/run/docker.sock", local: true},
		{host: "tcp://10.20.30.40:2375"},
		{host: "tcp://127.0.0.1:2375", local: true},
	} {
		s, err := OpenLive(config.Config{Mode: config.Live, DockerHost: tc.host})
		assert.NilError(t, err)
		assert.Check(t, is.Equal(s.Local, tc.local), tc.host)
		assert.Check(t, is.Equal(s.Target, tc.host))
		assert.Check(t, is.Equal(len(s.RunID), 12))
		assert.Check(t, s.sweepClient() == s.Client, "a live run sweeps through its own client")
		assert.NilError(t, s.Close())
	}
	certs := t.TempDir()
	_, err := OpenLive(config.Config{Mode: config.Live, DockerHost: "tcp://10.20.30.40:2376", TLSCertPath: certs})
	assert.Check(t, is.ErrorContains(err, "create docker client for tcp://10.20.30.40:2376: "))
	assert.Check(t, err != nil && strings.Contains(err.Error(), filepath.Join(certs, "ca.pem")), "%v", err)
}

// TestRunContextStop: a run that ended is no longer the handler's: a signal
// that arrives afterwards (while go test prints its summary) removes nothing
// of it, and its context is released.
func TestRunContextStop(t *testing.T) {
	codes := interruptedCode(t)
	engine := newFakeEngine()
	ended := openAgainst(t, config.Live, engine)
	defer ended.Close()
	ctx, stop := ended.RunContext(context.Background())
	kept := engine.add(ended.labels(linuxDefault))
	stop()
	assert.Check(t, ctx.Err() != nil, "the ended run's context is released")
	onInterrupt(os.Interrupt)
	assert.Equal(t, <-codes, 130)
	assert.Check(t, is.DeepEqual(engine.ids(), []string{kept}))
}

// TestCleanupIsBoundedByTheCleanupTimeout: a row's cleanup against a daemon
// that never answers the removal (a Windows daemon stuck in HCS) gives up
// after CleanupTimeout, which the suite shortens when go test's -timeout is
// near, not after the step timeout.
func TestCleanupIsBoundedByTheCleanupTimeout(t *testing.T) {
	e := &rowEngine{osType: "linux"}
	hangRemovals := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			<-r.Context().Done()
			return
		}
		e.ServeHTTP(w, r)
	})
	s := sessionOn(t, hangRemovals, nil, time.Minute)
	s.CleanupTimeout = 100 * time.Millisecond
	var cleanups []func()
	created, _, err := s.create(context.Background(), linuxDefault, "busybox", func(f func()) { cleanups = append(cleanups, f) })
	assert.NilError(t, err)
	assert.Check(t, is.Equal(created.ID, edgeID))
	assert.Assert(t, is.Len(cleanups, 1))
	done := make(chan struct{})
	go func() { cleanups[0](); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the cleanup waited past its CleanupTimeout of 100ms")
	}
}
