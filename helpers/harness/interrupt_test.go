package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/system"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
)

// fakeEngine is an in-process Docker Engine, enough for the interrupt path:
// ping, create, list with a label filter, remove. It holds the containers of
// several runs, as a daemon shared by two pipelines does.
type fakeEngine struct {
	mu         sync.Mutex
	containers map[string]map[string]string // id → labels
	next       int
	// createArrived is closed when the first create arrives; a create then
	// waits for its client to give up (the interrupt cancels it) and lands
	// landAfter later, as a daemon finishes a create whose client left.
	createArrived chan struct{}
	landAfter     time.Duration
	landed        chan struct{}
	holdCreates   bool
	failLists     bool
	// exited are the containers that stopped: listed only to a client that
	// asks for all (moby: GET /containers/json lists running ones unless all=1).
	exited map[string]bool
	// images are the images the engine holds; pull answers each pull.
	images map[string]bool
	pull   func(w http.ResponseWriter)
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{containers: map[string]map[string]string{}, createArrived: make(chan struct{}), landed: make(chan struct{})}
}

func (f *fakeEngine) add(labels map[string]string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	id := fmt.Sprintf("%012x", f.next) + strings.Repeat("0", 52)
	f.containers[id] = labels
	return id
}

// addExited holds a container that stopped (its process exited).
func (f *fakeEngine) addExited(labels map[string]string) string {
	id := f.add(labels)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.exited == nil {
		f.exited = map[string]bool{}
	}
	f.exited[id] = true
	return id
}

// ids lists the containers left, sorted.
func (f *fakeEngine) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for id := range f.containers {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

var (
	containerPath = regexp.MustCompile(`^/containers/([0-9a-f]+)$`)
	versioned     = regexp.MustCompile(`^/v[0-9.]+`)
)

func (f *fakeEngine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Api-Version", "1.47")
	w.Header().Set("Ostype", "linux")
	path := versioned.ReplaceAllString(r.URL.Path, "")
	switch {
	case path == "/_ping":
		_, _ = w.Write([]byte("OK"))
	case r.Method == http.MethodPost && path == "/containers/create":
		var body struct{ Labels map[string]string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		if body.Labels == nil {
			body.Labels = map[string]string{}
		}
		body.Labels["fake.name"] = r.URL.Query().Get("name")
		if f.holdCreates {
			close(f.createArrived)
			<-r.Context().Done() // the client gave up: the interrupt cancelled it
			time.Sleep(f.landAfter)
			f.add(body.Labels)
			close(f.landed)
			return
		}
		id := f.add(body.Labels)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"Id": id, "Warnings": []string{}})
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/images/") && strings.HasSuffix(path, "/json"):
		ref := strings.TrimSuffix(strings.TrimPrefix(path, "/images/"), "/json")
		if !f.images[ref] {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"No such image: ` + ref + `"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"Id":"sha256:0a1b2c3d4e5f","Os":"linux","Architecture":"amd64"}`))
	case r.Method == http.MethodPost && path == "/images/create":
		f.pull(w)
	case r.Method == http.MethodGet && path == "/containers/json" && f.failLists:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"message":"the daemon is shutting down"}`))
	case r.Method == http.MethodGet && path == "/containers/json":
		var filters map[string]map[string]bool
		_ = json.Unmarshal([]byte(r.URL.Query().Get("filters")), &filters)
		f.mu.Lock()
		list := []map[string]any{}
		all := r.URL.Query().Get("all") == "1"
		for id, labels := range f.containers {
			state := "running"
			if f.exited[id] {
				state = "exited"
			}
			if matchesLabels(labels, filters["label"]) && (all || state == "running") {
				list = append(list, map[string]any{"Id": id, "Names": []string{"/" + labels["fake.name"]}, "Labels": labels, "State": state})
			}
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(list)
	case r.Method == http.MethodDelete && containerPath.MatchString(path):
		id := containerPath.FindStringSubmatch(path)[1]
		f.mu.Lock()
		_, ok := f.containers[id]
		delete(f.containers, id)
		f.mu.Unlock()
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"No such container: ` + id + `"}`))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNotImplemented)
		_, _ = w.Write([]byte(`{"message":"not faked: ` + r.Method + " " + path + `"}`))
	}
}

func matchesLabels(labels map[string]string, want map[string]bool) bool {
	for kv := range want {
		k, v, hasValue := strings.Cut(kv, "=")
		got, ok := labels[k]
		if !ok || hasValue && got != v {
			return false
		}
	}
	return true
}

// interruptedCode replaces the process exit of the handler for one test and
// restores the handler's state afterwards, so that the next test (and a real
// signal) starts from a run that was never interrupted.
func interruptedCode(t *testing.T) <-chan int {
	t.Helper()
	codes := make(chan int, 1)
	exitAfterInterrupt = func(code int) { codes <- code }
	t.Cleanup(func() {
		exitAfterInterrupt = os.Exit
		interrupts.mu.Lock()
		defer interrupts.mu.Unlock()
		interrupts.sessions = nil
		interrupts.interrupted = make(chan struct{})
		interrupts.creating = sync.RWMutex{} // the handler keeps it locked: the process was to exit
	})
	return codes
}

// openAgainst opens a live or recording session against the fake engine.
func openAgainst(t *testing.T, mode config.Mode, engine *fakeEngine) *Session {
	t.Helper()
	srv := httptest.NewServer(engine)
	t.Cleanup(srv.Close)
	cfg := config.Config{Mode: mode, DockerHost: "tcp://" + srv.Listener.Addr().String(), Fixtures: t.TempDir(), Expect: config.Expectations{StepTimeout: config.Duration(5 * time.Second)}}
	var s *Session
	var err error
	if mode == config.Record {
		s, err = OpenRecord(cfg)
	} else {
		s, err = OpenLive(cfg)
	}
	assert.NilError(t, err)
	return s
}

// TestInterruptRemovesOnlyItsOwnRun: SIGINT or SIGTERM, live or recording,
// with two runs' containers on one daemon: the handler removes exactly this
// run's, never the other run's or a container the harness did not make,
// discards a recording, and exits 130 or 143.
func TestInterruptRemovesOnlyItsOwnRun(t *testing.T) {
	for _, tc := range []struct {
		mode config.Mode
		sig  os.Signal
		code int
	}{
		{mode: config.Live, sig: syscall.SIGTERM, code: 143},
		{mode: config.Live, sig: os.Interrupt, code: 130},
		{mode: config.Record, sig: syscall.SIGTERM, code: 143},
		{mode: config.Record, sig: os.Interrupt, code: 130},
	} {
		t.Run(fmt.Sprintf("%s, %s", tc.mode, signalName(tc.sig)), func(t *testing.T) {
			codes := interruptedCode(t)
			engine := newFakeEngine()
			s := openAgainst(t, tc.mode, engine)
			defer s.Close()
			other := engine.add(map[string]string{LabelHarness: harnessLabelValue, LabelRunID: "0ther0run000"})
			foreign := engine.add(map[string]string{"com.example.app": "web"})
			ctx, _ := s.RunContext(context.Background()) // its stop would wait for the exit: never called here

			// This run's containers, one per row, running when the signal comes.
			for _, row := range evidence.Rows {
				engine.add(s.labels(row))
			}
			staging := s.stagingDir

			onInterrupt(tc.sig)
			assert.Equal(t, <-codes, tc.code)
			assert.DeepEqual(t, engine.ids(), sortedIDs(other, foreign))
			assert.Check(t, ctx.Err() != nil, "the run's context is cancelled")
			assert.Check(t, Interrupted())
			if tc.mode == config.Record {
				_, err := os.Stat(staging)
				assert.Check(t, os.IsNotExist(err), "the recording's staging folder %s is removed", staging)
				assert.Check(t, !s.recording())
				root := t.TempDir()
				_, err = s.FinishRecording(root, "x", fixture.Metadata{})
				assert.Check(t, err != nil, "a recording is never saved after an interrupt")
				_, err = os.Stat(filepath.Join(root, "x"))
				assert.Check(t, os.IsNotExist(err), "nothing is written")
			}
		})
	}
}

// TestInterruptWithACreateInFlight: the interrupt arrives while a create is
// in flight, and the daemon finishes that create after its client gave up.
// The handler waits for the create to return, keeps listing until the
// container shows up, and removes it; no create is sent after the interrupt.
func TestInterruptWithACreateInFlight(t *testing.T) {
	for _, mode := range []config.Mode{config.Live, config.Record} {
		t.Run(string(mode), func(t *testing.T) {
			codes := interruptedCode(t)
			engine := newFakeEngine()
			engine.holdCreates, engine.landAfter = true, 300*time.Millisecond
			s := openAgainst(t, mode, engine)
			defer s.Close()
			other := engine.add(map[string]string{LabelHarness: harnessLabelValue, LabelRunID: "0ther0run000"})
			ctx, _ := s.RunContext(context.Background())

			refused := make(chan evidence.Refusal, 1)
			go func() {
				r, _ := s.TryRefusal(ctx, evidence.Row{Platform: "linux", Mode: "hyperv"}, "busybox", func(func()) {})
				refused <- r
			}()
			<-engine.createArrived
			go onInterrupt(syscall.SIGTERM)
			r := <-refused
			assert.Check(t, r.CreateErr != nil, "the create in flight was cancelled")
			assert.Equal(t, <-codes, 143)
			<-engine.landed
			assert.DeepEqual(t, engine.ids(), []string{other})
		})
	}
}

// TestCreateAfterTheInterruptIsRefused: between the signal and the handler's
// listing, a row that goes on creating is refused before any request.
func TestCreateAfterTheInterruptIsRefused(t *testing.T) {
	interruptedCode(t)
	engine := newFakeEngine()
	s := openAgainst(t, config.Live, engine)
	defer s.Close()
	close(interrupts.interrupted) // the handler's first step
	r, err := s.TryRefusal(context.Background(), evidence.Row{Platform: "linux", Mode: "process"}, "busybox", func(func()) {})
	assert.NilError(t, err)
	assert.Check(t, r.CreateErr != nil && strings.Contains(r.CreateErr.Message, errInterrupted.Error()), "%+v", r.CreateErr)
	assert.Check(t, is.Len(engine.ids(), 0), "no create reached the daemon")
}

// TestInFlightCreateThatNeverLands: a create in flight at the interrupt that
// the daemon never finishes costs the handler createLandGrace, no more, and
// the message says so.
func TestInFlightCreateThatNeverLands(t *testing.T) {
	defer func(grace time.Duration) { createLandGrace = grace }(createLandGrace)
	createLandGrace = 300 * time.Millisecond
	engine := newFakeEngine()
	s := openAgainst(t, config.Live, engine)
	defer s.Close()
	started := time.Now()
	msg := s.cleanUpInterrupted(context.Background(), map[string]bool{s.containerName(evidence.Row{Platform: "linux", Mode: "hyperv"}): true, "conformance-0ther0run000-linux-hyperv": true})
	took := time.Since(started)
	assert.Check(t, took >= createLandGrace, took)
	assert.Check(t, is.Contains(msg, "removed 0 container(s) of run "+s.RunID+" (the create of conformance-"+s.RunID+"-linux-hyperv, in flight at the interrupt, did not land within 300ms; if it lands, the next run removes it)"))
	assert.Check(t, !strings.Contains(msg, "0ther0run000"), "another run's create is not waited for")
}

func sortedIDs(ids ...string) []string {
	sort.Strings(ids)
	return ids
}

// TestSweepAndLeftoversAgainstTheFakeEngine: the sweep removes only the
// containers of dead runs of this host (never a live run's, this run's or a
// foreign one), and says what it did; a leftover of another run is never
// removed by this run.
func TestSweepAndLeftoversAgainstTheFakeEngine(t *testing.T) {
	engine := newFakeEngine()
	s := openAgainst(t, config.Live, engine)
	defer s.Close()
	self := Owner{Host: "h1", PID: 10, ProcessStart: "100", PIDNamespace: "pid:[1]"}
	run := func(runID string, o Owner) string {
		l := ownerLabels(o)
		l[LabelHarness], l[LabelRunID] = harnessLabelValue, runID
		return engine.add(l)
	}
	dead := run("deadrun00001", Owner{Host: "h1", PID: 20, ProcessStart: "200", RunStart: "2026-12-03T08:00:00Z"})
	alive := run("liverun00001", Owner{Host: "h1", PID: 30, ProcessStart: "300"})
	otherHost := run("otherhost001", Owner{Host: "h2", PID: 20, ProcessStart: "200"})
	own := run(s.RunID, self)
	foreign := engine.add(map[string]string{"com.example.app": "web"})

	isAlive := func(pid int, _ string) bool { return pid == 30 }
	swept, err := sweep(context.Background(), s.unrecorded, self, s.RunID, 5*time.Second, isAlive)
	assert.NilError(t, err)
	assert.Assert(t, is.Len(swept, 1))
	assert.Check(t, is.Equal(swept[0].ID, dead))
	assert.Check(t, is.Equal(swept[0].String(), "removed container "+dead[:12]+" (running) left by dead run deadrun00001 (pid 20 started 200 on this host, run began 2026-12-03T08:00:00Z)"))
	assert.Check(t, is.DeepEqual(engine.ids(), sortedIDs(alive, otherHost, own, foreign)))

	failed := Swept{ID: dead, RunID: "deadrun00001", State: "exited", Owner: Owner{PID: 20, ProcessStart: "200"}, Err: errors.New("conflict")}
	assert.Check(t, is.Equal(failed.String(), "could not remove (conflict) container "+dead[:12]+" (exited) left by dead run deadrun00001 (pid 20 started 200 on this host, run began )"))

	err = s.RemoveLeftover(context.Background(), container.Summary{ID: alive, Labels: map[string]string{LabelRunID: "liverun00001"}})
	assert.Check(t, is.ErrorContains(err, "is not of run "+s.RunID+": not touched"))
	assert.NilError(t, s.RemoveLeftover(context.Background(), container.Summary{ID: own, Labels: map[string]string{LabelRunID: s.RunID}}))
	err = s.RemoveLeftover(context.Background(), container.Summary{ID: own, Labels: map[string]string{LabelRunID: s.RunID}})
	assert.Check(t, is.ErrorContains(err, "remove leftover "+own), "a second removal is refused by the daemon, and says so")
	assert.Check(t, is.DeepEqual(engine.ids(), sortedIDs(alive, otherHost, foreign)))
}

// TestSweepOfAnUnreachableDaemon: a listing that fails is an error naming
// what was being listed, never an empty sweep.
func TestSweepOfAnUnreachableDaemon(t *testing.T) {
	engine := newFakeEngine()
	s := openAgainst(t, config.Live, engine)
	defer s.Close()
	engine.failLists = true
	_, err := sweep(context.Background(), s.unrecorded, Owner{Host: "h1"}, s.RunID, 5*time.Second, func(int, string) bool { return false })
	assert.Check(t, is.ErrorContains(err, "list containers of earlier runs"))
}

// TestBaseImagePullOutcomes: the base image as the pull policy and the
// registry leave it: pulled, present when a pull failed (registry down, pull:
// always), and a pull error that arrives inside the progress stream.
func TestBaseImagePullOutcomes(t *testing.T) {
	const ref = "busybox:latest"
	for _, tc := range []struct {
		doc           string
		present       bool
		pull          func(w http.ResponseWriter)
		pulled        bool
		pullErr       string
		inspected     bool
		presentBefore bool
	}{
		{doc: "missing, pulled", pull: func(w http.ResponseWriter) {
			_, _ = w.Write([]byte(`{"status":"Pulling from library/busybox","id":"latest"}` + "\n" + `{"status":"Downloading","id":"a1"}` + "\n"))
		}, pulled: true},
		{doc: "pull: always with the registry down: present, not pulled", present: true, pull: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"message":"Get https://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io: no such host"}`))
		}, pullErr: "no such host", inspected: true, presentBefore: true},
		{doc: "an error inside the progress stream (no matching manifest)", pull: func(w http.ResponseWriter) {
			_, _ = w.Write([]byte(`{"status":"Pulling from library/busybox"}` + "\n" + `{"errorDetail":{"message":"no matching manifest for windows/amd64 10.0.17763 in the manifest list entries"},"error":"no matching manifest for windows/amd64 10.0.17763 in the manifest list entries"}` + "\n"))
		}, pullErr: "no matching manifest"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			engine := newFakeEngine()
			engine.images = map[string]bool{ref: tc.present}
			engine.pull = func(w http.ResponseWriter) {
				tc.pull(w)
				if tc.pulled {
					engine.mu.Lock()
					engine.images[ref] = true
					engine.mu.Unlock()
				}
			}
			s := openAgainst(t, config.Live, engine)
			defer s.Close()
			s.Expect.Image, s.Expect.Pull = ref, config.PullMissing
			if tc.present {
				s.Expect.Pull = config.PullAlways
			}
			d := evidence.Daemon{Info: system.Info{OSType: "linux"}}
			img, err := s.BaseImage(context.Background(), d)
			assert.NilError(t, err)
			assert.Check(t, is.Equal(img.Pulled, tc.pulled))
			assert.Check(t, is.Equal(img.PresentBefore, tc.presentBefore))
			if tc.pullErr != "" {
				assert.Assert(t, img.PullErr != nil)
				assert.Check(t, is.Contains(img.PullErr.Message, tc.pullErr))
			} else {
				assert.Check(t, img.PullErr == nil, "%+v", img.PullErr)
			}
			assert.Check(t, is.Equal(img.Inspect != nil, tc.pulled || tc.inspected))
		})
	}
}
