package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/client"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
	"gotest.tools/v3/poll"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// rowEngine is an in-process Engine API for one row's workload: create,
// start, inspect, top, remove and list, each answer scripted by the row's
// host situation. Unscripted answers are those of a healthy daemon.
type rowEngine struct {
	osType string
	mu     sync.Mutex
	// removed is set by the first DELETE; deletes counts them.
	removed bool
	deletes int
	creates int
	// startErr, when set, is the daemon's refusal of the start (status, message).
	startStatus int
	startErr    string
	// inspect answers one inspect: before removal, after removal (n counts
	// the inspects of that phase from 0).
	inspect  func(removed bool, n int) (int, string)
	inspects [2]int
	// top answers docker top.
	top string
	// list answers GET /containers/json; removeStatus, when set, refuses every removal.
	list         []map[string]any
	removeStatus int
	// hangLists holds a listing until its client gives up.
	hangLists bool
}

const edgeID = "0e1d2c3b4a59" + "0000000000000000000000000000000000000000000000000000"

func (e *rowEngine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Api-Version", "1.47")
	w.Header().Set("Ostype", e.osType)
	w.Header().Set("Content-Type", "application/json")
	path := versioned.ReplaceAllString(r.URL.Path, "")
	e.mu.Lock()
	defer e.mu.Unlock()
	answer := func(status int, body string) {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
	switch {
	case path == "/_ping":
		answer(http.StatusOK, "OK")
	case path == "/version":
		answer(http.StatusOK, `{"ApiVersion":"1.47","Os":"`+e.osType+`","Version":"27.5.1"}`)
	case path == "/info":
		answer(http.StatusOK, `{"OSType":"`+e.osType+`","Name":"edgehost"}`)
	case path == "/containers/create":
		e.creates++
		answer(http.StatusCreated, `{"Id":"`+edgeID+`","Warnings":[]}`)
	case path == "/containers/"+edgeID+"/start":
		if e.startErr != "" {
			answer(e.startStatus, `{"message":"`+e.startErr+`"}`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case path == "/containers/"+edgeID+"/json":
		phase := 0
		if e.removed {
			phase = 1
		}
		n := e.inspects[phase]
		e.inspects[phase]++
		if e.inspect != nil {
			if status, body := e.inspect(e.removed, n); status != 0 {
				answer(status, body)
				return
			}
		}
		if e.removed {
			answer(http.StatusNotFound, `{"message":"No such container: `+edgeID+`"}`)
			return
		}
		answer(http.StatusOK, `{"Id":"`+edgeID+`","State":{"Status":"running","Running":true,"Pid":4242}}`)
	case path == "/containers/"+edgeID+"/top":
		answer(http.StatusOK, e.top)
	case path == "/containers/json":
		if e.hangLists {
			e.mu.Unlock()
			<-r.Context().Done()
			e.mu.Lock()
			return
		}
		body, _ := json.Marshal(e.list)
		answer(http.StatusOK, string(body))
	case r.Method == http.MethodDelete && containerPath.MatchString(path):
		e.deletes++
		if e.removeStatus != 0 {
			answer(e.removeStatus, `{"message":"removal of container is already in progress"}`)
			return
		}
		e.removed = true
		e.list = nil
		w.WriteHeader(http.StatusNoContent)
	default:
		answer(http.StatusNotImplemented, `{"message":"not faked: `+r.Method+" "+path+`"}`)
	}
}

// scriptedHost answers the host probe by step.
type scriptedHost struct {
	mu        sync.Mutex
	os        hostprobe.OSInfo
	osErr     error
	processes func(step string, n int) (hostprobe.Snapshot, error)
	asked     map[string]int
}

func (h *scriptedHost) Processes(_ context.Context, step string) (hostprobe.Snapshot, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.asked == nil {
		h.asked = map[string]int{}
	}
	n := h.asked[step]
	h.asked[step]++
	return h.processes(step, n)
}

func (h *scriptedHost) Services(_ context.Context, _ string, names []string) ([]hostprobe.Service, error) {
	var out []hostprobe.Service
	for _, n := range names {
		out = append(out, hostprobe.Service{Name: n, Exists: true, State: "running", StartType: "auto"})
	}
	return out, nil
}

func (h *scriptedHost) OS(context.Context, string) (hostprobe.OSInfo, error) { return h.os, h.osErr }

// sessionOn opens a live session against engine, local (with host) when host is not nil.
func sessionOn(t *testing.T, engine http.Handler, host hostprobe.Host, stepTimeout time.Duration) *Session {
	t.Helper()
	srv := httptest.NewServer(engine)
	t.Cleanup(srv.Close)
	return sessionAt(t, "tcp://"+srv.Listener.Addr().String(), host, stepTimeout)
}

func sessionAt(t *testing.T, target string, host hostprobe.Host, stepTimeout time.Duration) *Session {
	t.Helper()
	cli, err := client.NewClientWithOpts(client.WithHost(target), client.WithAPIVersionNegotiation())
	assert.NilError(t, err)
	t.Cleanup(func() { _ = cli.Close() })
	s := newSession(cli, host, target, "edgerun00001", config.Expectations{StepTimeout: config.Duration(stepTimeout)}, config.Live)
	s.Local, s.unrecorded, s.PollDelay, s.Logf = host != nil, cli, time.Millisecond, t.Logf
	return s
}

// linuxTop is docker top of a Linux container (ps -ef columns).
func linuxTop(names ...string) string {
	var rows []string
	for i, n := range names {
		rows = append(rows, fmt.Sprintf(`["root","%d","1","0","08:00","?","00:00:00","%s"]`, 4242+i, n))
	}
	return `{"Titles":["UID","PID","PPID","C","STIME","TTY","TIME","CMD"],"Processes":[` + strings.Join(rows, ",") + `]}`
}

// windowsTop is docker top of a Windows container (moby daemon/top_windows.go columns).
func windowsTop(names ...string) string {
	var rows []string
	for i, n := range names {
		rows = append(rows, fmt.Sprintf(`["%s","%d","00:00:00.015","1.2MB"]`, n, 5000+i))
	}
	return `{"Titles":["Name","PID","CPU","Private Working Set"],"Processes":[` + strings.Join(rows, ",") + `]}`
}

func procs(ps ...hostprobe.Process) func(string, int) (hostprobe.Snapshot, error) {
	return func(string, int) (hostprobe.Snapshot, error) { return hostprobe.Snapshot{Processes: ps}, nil }
}

func runRow(t *testing.T, s *Session, row evidence.Row) evidence.Workload {
	t.Helper()
	w, err := s.RunWorkload(context.Background(), row, "busybox", t.Cleanup)
	assert.NilError(t, err)
	return w
}

var linuxDefault = evidence.Row{Platform: "linux", Mode: "default"}

// TestRunWorkloadOnHostsThatMisbehave: each row is a host situation the
// settle, running and removal waits must turn into evidence, with the
// message an operator reads in the report.
func TestRunWorkloadOnHostsThatMisbehave(t *testing.T) {
	id12 := edgeID[:12]
	t.Run("the start is refused (hcsshim: the virtual machine could not be started): a host snapshot is still taken", func(t *testing.T) {
		e := &rowEngine{osType: "linux", startStatus: http.StatusInternalServerError, startErr: "failed to create shim task: OCI runtime create failed"}
		w := runRow(t, sessionOn(t, e, &scriptedHost{processes: procs()}, 5*time.Second), linuxDefault)
		assert.Assert(t, w.StartErr != nil)
		assert.Check(t, is.Contains(w.StartErr.Message, "OCI runtime create failed"))
		assert.Check(t, w.Inspect == nil && w.RunErr == nil, "no running wait after a refused start")
		assert.Check(t, w.After != nil, "the after-start snapshot is evidence of what the failed start left")
	})
	// moby reports "dead" for a container it could not stop or remove cleanly
	// (container/state.go StateString): it never runs, so the wait ends at once.
	for _, status := range []string{"exited", "dead"} {
		t.Run("the workload stops at once: "+status, func(t *testing.T) {
			e := &rowEngine{osType: "linux", inspect: func(removed bool, _ int) (int, string) {
				if removed {
					return 0, ""
				}
				return http.StatusOK, `{"Id":"` + edgeID + `","State":{"Status":"` + status + `","Running":false,"ExitCode":1,"Error":"exec: ping: not found"}}`
			}}
			w := runRow(t, sessionOn(t, e, nil, 5*time.Second), linuxDefault)
			assert.Assert(t, w.RunErr != nil)
			assert.Check(t, is.DeepEqual(*w.RunErr, evidence.Failure{Kind: evidence.KindOther, Message: "container " + id12 + " is " + status + ` with exit code 1 (error "exec: ping: not found")`}))
		})
	}
	t.Run("docker top never lists the workload (runc:[2:INIT] not yet exec'd): the wait says what it saw", func(t *testing.T) {
		e := &rowEngine{osType: "linux", top: linuxTop("runc:[2:INIT]")}
		w := runRow(t, sessionOn(t, e, nil, 300*time.Millisecond), linuxDefault)
		assert.Assert(t, w.SettleErr != nil)
		assert.Check(t, is.Equal(w.SettleErr.Message, "timed out: docker top of "+id12+" lists no ping yet: [runc:[2:INIT] 4242]"))
	})
	t.Run("docker top without a PID column: the wait quotes the titles", func(t *testing.T) {
		e := &rowEngine{osType: "linux", top: `{"Titles":["UID","CMD"],"Processes":[["root","ping localhost"]]}`}
		w := runRow(t, sessionOn(t, e, nil, 300*time.Millisecond), linuxDefault)
		assert.Assert(t, w.SettleErr != nil)
		assert.Check(t, is.Equal(w.SettleErr.Message, `timed out: docker top of `+id12+` lists no ping yet: top titles ["UID" "CMD"] lack a name or PID column`))
	})
	t.Run("the host probe fails at every snapshot: the first failure is the evidence", func(t *testing.T) {
		host := &scriptedHost{processes: func(step string, n int) (hostprobe.Snapshot, error) {
			return hostprobe.Snapshot{}, fmt.Errorf("read /proc: permission denied (%s #%d)", step, n)
		}}
		e := &rowEngine{osType: "linux", top: linuxTop("ping")}
		w := runRow(t, sessionOn(t, e, host, 300*time.Millisecond), linuxDefault)
		assert.Assert(t, w.HostErr != nil)
		assert.Check(t, is.Equal(w.HostErr.Message, "snapshot at linux/default/before-start: read /proc: permission denied (linux/default/before-start #0)"))
	})
	t.Run("the container lingers in removing after its removal (moby#43190)", func(t *testing.T) {
		e := &rowEngine{osType: "linux", top: linuxTop("ping"), inspect: func(removed bool, _ int) (int, string) {
			if removed {
				return http.StatusOK, `{"Id":"` + edgeID + `","State":{"Status":"removing","Running":false}}`
			}
			return 0, ""
		}}
		w := runRow(t, sessionOn(t, e, nil, 300*time.Millisecond), linuxDefault)
		assert.Assert(t, w.GoneErr != nil)
		assert.Check(t, is.DeepEqual(*w.GoneErr, evidence.Failure{Kind: evidence.KindTimeout, Message: "timed out: container " + id12 + " still present after removal: removing"}))
	})
	t.Run("the daemon fails the inspect after the removal", func(t *testing.T) {
		e := &rowEngine{osType: "linux", top: linuxTop("ping"), inspect: func(removed bool, _ int) (int, string) {
			if removed {
				return http.StatusInternalServerError, `{"message":"container store is locked"}`
			}
			return 0, ""
		}}
		w := runRow(t, sessionOn(t, e, nil, 5*time.Second), linuxDefault)
		assert.Assert(t, w.GoneErr != nil)
		assert.Check(t, is.Contains(w.GoneErr.Message, "inspect "+edgeID+" after removal: "))
		assert.Check(t, is.Contains(w.GoneErr.Message, "container store is locked"))
	})
	t.Run("the removal is answered and the container is gone at once", func(t *testing.T) {
		e := &rowEngine{osType: "linux", top: linuxTop("ping")}
		w := runRow(t, sessionOn(t, e, nil, 5*time.Second), linuxDefault)
		assert.Check(t, w.GoneErr == nil && w.RemoveErr == nil && w.SettleErr == nil && w.RunErr == nil, "%+v", w)
	})
}

// TestSettleWaitsForTheHostProcess: a process-isolated workload has settled
// only when the host shows its PID under its name; under Hyper-V the workload
// runs in the utility VM, and a harness inside a container cannot see the
// host's processes: neither waits for a host process.
func TestSettleWaitsForTheHostProcess(t *testing.T) {
	ping := hostprobe.Process{PID: 4242, Name: "ping"}
	for _, tc := range []struct {
		doc       string
		platform  string
		row       evidence.Row
		top       string
		inside    []string
		hostProcs []hostprobe.Process
		settled   string // "" when settled, else the message
	}{
		{doc: "Linux, the host shows ping at the PID docker top lists", platform: "linux", row: linuxDefault, top: linuxTop("ping"), hostProcs: []hostprobe.Process{ping}},
		{doc: "Linux, the host has no such PID yet", platform: "linux", row: linuxDefault, top: linuxTop("ping"),
			settled: "timed out: docker top lists ping PID 4242; the host has no process with that PID yet"},
		{doc: "Linux, the PID is still runc's init on the host", platform: "linux", row: linuxDefault, top: linuxTop("ping"), hostProcs: []hostprobe.Process{{PID: 4242, Name: "runc:[2:INIT]"}},
			settled: "timed out: docker top lists ping PID 4242; on the host that PID is runc:[2:INIT]"},
		{doc: "Linux, the harness runs in a container (/.dockerenv): the host's PIDs are not its to see", platform: "linux", row: linuxDefault, top: linuxTop("ping"), inside: []string{"/.dockerenv exists"}},
		{doc: "Windows Hyper-V: PING.EXE runs in the utility VM, never on the host", platform: "windows", row: evidence.Row{Platform: "windows", Mode: "hyperv"}, top: windowsTop("CExecSvc.exe", "PING.EXE")},
		{doc: "Windows process isolation: the host shows no PING.EXE yet", platform: "windows", row: evidence.Row{Platform: "windows", Mode: "process"}, top: windowsTop("CExecSvc.exe", "PING.EXE"),
			settled: "timed out: docker top lists PING.EXE PID 5001; the host has no process with that PID yet"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			host := &scriptedHost{os: hostprobe.OSInfo{OS: tc.platform, InContainer: tc.inside}, processes: procs(tc.hostProcs...)}
			s := sessionOn(t, &rowEngine{osType: tc.platform, top: tc.top}, host, 300*time.Millisecond)
			d, err := s.Daemon(context.Background())
			assert.NilError(t, err)
			assert.Assert(t, d.Unreachable == nil && d.Host != nil, "%+v", d)
			w := runRow(t, s, tc.row)
			if tc.settled == "" {
				assert.Check(t, w.SettleErr == nil, "%+v", w.SettleErr)
				return
			}
			assert.Assert(t, w.SettleErr != nil)
			assert.Check(t, is.Equal(w.SettleErr.Message, tc.settled))
		})
	}
}

// TestHyperVWorkerWaitAfterRemoval: the vmwp.exe that came with a Hyper-V
// container must be gone after its removal (hcsshim tears the utility VM
// down with it); the wait ends when it is, and a probe failure is evidence.
func TestHyperVWorkerWaitAfterRemoval(t *testing.T) {
	worker := hostprobe.Process{PID: 7100, Name: "vmwp.exe"}
	row := evidence.Row{Platform: "windows", Mode: "hyperv"}
	for _, tc := range []struct {
		doc      string
		remove   func(n int) (hostprobe.Snapshot, error)
		goneErr  string
		required bool
	}{
		{doc: "the worker exits a moment after the container", remove: func(n int) (hostprobe.Snapshot, error) {
			if n == 0 {
				return hostprobe.Snapshot{Processes: []hostprobe.Process{worker}}, nil
			}
			return hostprobe.Snapshot{}, nil
		}},
		{doc: "the process table cannot be read after the removal", remove: func(int) (hostprobe.Snapshot, error) {
			return hostprobe.Snapshot{}, errors.New("NtQuerySystemInformation: access denied")
		}, goneErr: "polling check failed: snapshot at windows/hyperv/after-remove: NtQuerySystemInformation: access denied"},
		{doc: "the worker outlives the container", remove: func(int) (hostprobe.Snapshot, error) {
			return hostprobe.Snapshot{Processes: []hostprobe.Process{worker}}, nil
		}, goneErr: "timed out: vmwp.exe 7100 still running after removal"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			host := &scriptedHost{os: hostprobe.OSInfo{OS: "windows"}, processes: func(step string, n int) (hostprobe.Snapshot, error) {
				switch {
				case strings.HasSuffix(step, "/before-start"), step == "provisioning/processes":
					return hostprobe.Snapshot{}, nil
				case strings.HasSuffix(step, "/after-remove"):
					return tc.remove(n)
				}
				return hostprobe.Snapshot{Processes: []hostprobe.Process{worker}}, nil
			}}
			s := sessionOn(t, &rowEngine{osType: "windows", top: windowsTop("CExecSvc.exe", "PING.EXE")}, host, time.Second) // room for the second snapshot on a loaded machine
			w := runRow(t, s, row)
			assert.Assert(t, w.After != nil && len(hostprobe.AttributeWorkers(*w.Before, *w.After, edgeID).Workers) == 1, "the new vmwp.exe is the row's worker")
			if tc.goneErr == "" {
				assert.Check(t, w.WorkersGoneErr == nil, "%+v", w.WorkersGoneErr)
				return
			}
			assert.Assert(t, w.WorkersGoneErr != nil)
			assert.Check(t, is.Equal(w.WorkersGoneErr.Message, tc.goneErr))
		})
	}
}

// TestDaemonDownStillDescribesTheHost: a local daemon that does not answer
// (the docker service stopped, Docker Desktop not started) still gets the
// host's facts, and on Windows the services and processes that say why.
func TestDaemonDownStillDescribesTheHost(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	target := "tcp://" + srv.Listener.Addr().String()
	srv.Close() // connection refused: nothing listens on the daemon's port
	snapshot := procs(hostprobe.Process{PID: 4, Name: "System"})
	for _, tc := range []struct {
		doc          string
		host         *scriptedHost
		wantHost     bool
		wantServices bool
		processesErr string
	}{
		{doc: "Windows host: services and processes read", host: &scriptedHost{os: hostprobe.OSInfo{OS: "windows", Hostname: "WIN-GATE01"}, processes: snapshot}, wantHost: true, wantServices: true},
		{doc: "Windows host whose process table is unreadable", host: &scriptedHost{os: hostprobe.OSInfo{OS: "windows"}, processes: func(string, int) (hostprobe.Snapshot, error) {
			return hostprobe.Snapshot{}, errors.New("access denied")
		}}, wantHost: true, wantServices: true, processesErr: "access denied"},
		{doc: "Linux host: no Windows services to read", host: &scriptedHost{os: hostprobe.OSInfo{OS: "linux"}, processes: snapshot}, wantHost: true},
		{doc: "a host probe that fails: no host facts, no services", host: &scriptedHost{osErr: errors.New("read /etc/os-release: no such file"), processes: snapshot}},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			s := sessionAt(t, target, tc.host, 2*time.Second)
			d, err := s.Daemon(context.Background())
			assert.NilError(t, err)
			assert.Assert(t, d.Unreachable != nil)
			assert.Check(t, is.Equal(d.Host != nil, tc.wantHost))
			assert.Check(t, is.Equal(len(d.Services) == len(WindowsServices), tc.wantServices), "%+v", d.Services)
			if tc.processesErr != "" {
				assert.Assert(t, d.ProcessesErr != nil)
				assert.Check(t, is.Equal(d.ProcessesErr.Message, tc.processesErr))
				assert.Check(t, d.Processes == nil)
			} else {
				assert.Check(t, is.Equal(d.Processes != nil, tc.wantServices))
			}
		})
	}
}

// TestDaemonUpWithAnUnreadableHost: the daemon answers but the host probe
// fails: the failure is evidence (HostErr), never a described host.
func TestDaemonUpWithAnUnreadableHost(t *testing.T) {
	host := &scriptedHost{osErr: errors.New("read /etc/os-release: permission denied"), processes: procs()}
	s := sessionOn(t, &rowEngine{osType: "linux"}, host, 5*time.Second)
	d, err := s.Daemon(context.Background())
	assert.NilError(t, err)
	assert.Check(t, d.Host == nil)
	assert.Assert(t, d.HostErr != nil)
	assert.Check(t, is.Equal(d.HostErr.Message, "read /etc/os-release: permission denied"))
}

// TestPullProgressIsLoggedOncePerLayerState: a pull logs each layer's state
// change once and leaves out the byte counters of Downloading and
// Extracting, which the daemon repeats many times a second.
func TestPullProgressIsLoggedOncePerLayerState(t *testing.T) {
	engine := newFakeEngine()
	engine.pull = func(w http.ResponseWriter) {
		for _, m := range []string{
			`{"status":"Pulling from library/busybox","id":"latest"}`,
			`{"status":"Pulling fs layer","id":"a1"}`,
			`{"status":"Downloading","id":"a1","progressDetail":{"current":1,"total":9}}`,
			`{"status":"Downloading","id":"a1","progressDetail":{"current":5,"total":9}}`,
			`{"status":"Verifying Checksum","id":"a1"}`,
			`{"status":"Extracting","id":"a1","progressDetail":{"current":5,"total":9}}`,
			`{"status":"Pull complete","id":"a1"}`,
			`{"status":"Pull complete","id":"a1"}`,
			`{"status":"Status: Downloaded newer image for busybox:latest"}`,
		} {
			_, _ = w.Write([]byte(m + "\n"))
		}
	}
	s := openAgainst(t, config.Live, engine)
	defer s.Close()
	var logged []string
	s.Logf = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
	assert.NilError(t, s.pull(context.Background(), "busybox:latest"))
	assert.Check(t, is.DeepEqual(logged[1:], []string{
		"pull busybox:latest: latest Pulling from library/busybox",
		"pull busybox:latest: a1 Pulling fs layer",
		"pull busybox:latest: a1 Verifying Checksum",
		"pull busybox:latest: a1 Pull complete",
		"pull busybox:latest: Status: Downloaded newer image for busybox:latest",
	}))
}

// TestWorkloadCommandNeverEnds: Windows ping stops after four echoes unless
// given -t; Linux (busybox) ping runs until stopped.
func TestWorkloadCommandNeverEnds(t *testing.T) {
	assert.Check(t, is.DeepEqual(WorkloadCommand("windows"), []string{"ping", "localhost", "-t"}))
	assert.Check(t, is.DeepEqual(WorkloadCommand("linux"), []string{"ping", "localhost"}))
}

// TestAcceptedRefusalIsRemovedOnce: a Linux daemon that accepts a container
// asking for hyperv isolation (it should refuse) gets it removed at once, and
// the row's cleanup sends no second removal.
func TestAcceptedRefusalIsRemovedOnce(t *testing.T) {
	e := &rowEngine{osType: "linux"}
	s := sessionOn(t, e, nil, 5*time.Second)
	var cleanups []func()
	r, err := s.TryRefusal(context.Background(), evidence.Row{Platform: "linux", Mode: "hyperv"}, "busybox", func(f func()) { cleanups = append(cleanups, f) })
	assert.NilError(t, err)
	assert.Check(t, is.Equal(r.ContainerID, edgeID))
	for _, c := range cleanups {
		c()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	assert.Check(t, is.Equal(e.deletes, 1))
}

// TestStepTimeoutBoundsEachRequest: a step timeout of 0 (unset in a
// hand-built expectation) means the default, not an expired deadline; a
// daemon that accepts the connection and never answers costs one step.
func TestStepTimeoutBoundsEachRequest(t *testing.T) {
	unset := sessionOn(t, &rowEngine{osType: "linux"}, nil, 0)
	_, err := unset.Leftovers(context.Background())
	assert.NilError(t, err, "a step timeout of 0 falls back to the default")

	hung := sessionOn(t, &rowEngine{osType: "linux", hangLists: true}, nil, 200*time.Millisecond)
	done := make(chan error, 1)
	go func() {
		_, err := hung.Leftovers(context.Background())
		done <- err
	}()
	poll.WaitOn(t, func(poll.LogT) poll.Result {
		select {
		case err := <-done:
			if err == nil {
				return poll.Error(errors.New("a listing that never got an answer succeeded"))
			}
			return poll.Success()
		default:
			return poll.Continue("the listing of a daemon that never answers is still waiting")
		}
	}, poll.WithTimeout(10*time.Second), poll.WithDelay(20*time.Millisecond))
}

// TestReplayWaitIsCapped: in replay a poll that keeps answering "not yet"
// ends after replayWaitCap, whatever the recorded step timeout, with a
// timeout verdict.
func TestReplayWaitIsCapped(t *testing.T) {
	f, err := fixture.Load("../../fixtures/linux-debian12-docker.io-20.10")
	assert.NilError(t, err)
	s, err := OpenReplay(f)
	assert.NilError(t, err)
	defer s.Close()
	s.Expect.StepTimeout = config.Duration(time.Hour)
	done := make(chan *evidence.Failure, 1)
	go func() {
		done <- s.waitOn(context.Background(), func(context.Context) poll.Result {
			return poll.Continue("container abc is created, waiting for running")
		})
	}()
	var failure *evidence.Failure
	poll.WaitOn(t, func(poll.LogT) poll.Result {
		select {
		case failure = <-done:
			return poll.Success()
		default:
			return poll.Continue("the replayed wait under a 1 h step timeout is still waiting")
		}
	}, poll.WithTimeout(4*replayWaitCap+10*time.Second), poll.WithDelay(50*time.Millisecond))
	assert.Assert(t, failure != nil)
	assert.Check(t, is.DeepEqual(*failure, evidence.Failure{Kind: evidence.KindTimeout, Message: "timed out: container abc is created, waiting for running"}))
}

// TestWaitEndsOnALostConnection: the daemon stops answering while the wait
// asks: the evidence is a lost connection, not a finding about the container.
func TestWaitEndsOnALostConnection(t *testing.T) {
	s := &Session{Expect: config.Expectations{StepTimeout: config.Duration(time.Minute)}, PollDelay: time.Millisecond, Logf: t.Logf, mode: config.Live}
	lost := fmt.Errorf("inspect abc: %w", context.DeadlineExceeded)
	failure := s.waitOn(context.Background(), func(context.Context) poll.Result { return poll.Error(lost) })
	assert.Assert(t, failure != nil)
	assert.Check(t, is.DeepEqual(*failure, *evidence.FailureOf(lost)))
	assert.Check(t, is.Equal(failure.Kind, evidence.KindConnection))

	refused := errors.New("inspect abc: Error response from daemon: invalid reference format")
	other := s.waitOn(context.Background(), func(context.Context) poll.Result { return poll.Error(refused) })
	assert.Assert(t, other != nil)
	assert.Check(t, is.Equal(other.Kind, evidence.KindOther))
}

// TestSignalNames: the exit line names the signal as operators know it.
func TestSignalNames(t *testing.T) {
	assert.Check(t, is.Equal(signalName(syscall.SIGTERM), "SIGTERM"))
	assert.Check(t, is.Equal(signalName(syscall.SIGINT), "SIGINT"))
	assert.Check(t, is.Equal(signalName(syscall.SIGHUP), "hangup"))
}

// TestInterruptCleanupMessages: what the interrupt line says of this run's
// containers: removed, or refused by the daemon (a removal already in
// progress) and left to the next run's sweep.
func TestInterruptCleanupMessages(t *testing.T) {
	own := []map[string]any{{"Id": edgeID, "Names": []string{"/conformance-edgerun00001-linux-default"}, "State": "running"}}
	e := &rowEngine{osType: "linux", list: own}
	s := sessionOn(t, e, nil, 5*time.Second)
	assert.Check(t, is.Equal(s.cleanUpInterrupted(context.Background(), map[string]bool{}), "removed 1 container(s) of run edgerun00001"))

	e = &rowEngine{osType: "linux", list: own, removeStatus: http.StatusConflict}
	s = sessionOn(t, e, nil, 5*time.Second)
	// Long enough for a listing and a refused removal on a loaded machine: the
	// message must name the refusal, not a listing the deadline cut short.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	msg := s.cleanUpInterrupted(ctx, map[string]bool{})
	assert.Check(t, is.Equal(msg, "removed 0 container(s) of run edgerun00001 (could not remove: "+edgeID[:12]+" (Error response from daemon: removal of container is already in progress); the next run removes them)"))
}

// TestDeadRunOfPIDZero: an owner label of pid 0 (Windows' System Idle
// Process; no harness runs as it) is never taken for a dead run's.
func TestDeadRunOfPIDZero(t *testing.T) {
	self := Owner{Host: "h1", PID: 10, ProcessStart: "100"}
	labels := ownerLabels(Owner{Host: "h1", PID: 0, ProcessStart: "200"})
	labels[LabelHarness], labels[LabelRunID] = harnessLabelValue, "deadrun00001"
	_, dead := DeadRun(labels, self, "liverun00001", func(int, string) bool { return false })
	assert.Check(t, !dead)
	labels[LabelOwnerPID] = "1"
	_, dead = DeadRun(labels, self, "liverun00001", func(int, string) bool { return false })
	assert.Check(t, dead, "pid 1 that no longer runs with that start time is a dead run")
}

// TestWindowsBeforeSnapshotPrecedesTheCreate: on Windows the VM worker
// difference rests on a snapshot taken before anything of the row reached the
// host compute service (hcsshim creates the utility VM at create time), so
// the before-start snapshot is taken before the create is sent.
func TestWindowsBeforeSnapshotPrecedesTheCreate(t *testing.T) {
	e := &rowEngine{osType: "windows", top: windowsTop("CExecSvc.exe", "PING.EXE")}
	createsAtBefore := -1
	host := &scriptedHost{os: hostprobe.OSInfo{OS: "windows"}, processes: func(step string, _ int) (hostprobe.Snapshot, error) {
		if strings.HasSuffix(step, "/before-start") {
			e.mu.Lock()
			createsAtBefore = e.creates
			e.mu.Unlock()
		}
		return hostprobe.Snapshot{}, nil
	}}
	runRow(t, sessionOn(t, e, host, 5*time.Second), evidence.Row{Platform: "windows", Mode: "hyperv"})
	assert.Check(t, is.Equal(createsAtBefore, 0), "creates sent before the before-start snapshot")
}
