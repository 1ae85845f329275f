//go:build linux

package conformance

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"golang.org/x/sys/unix"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
	"gotest.tools/v3/poll"
	"gotest.tools/v3/skip"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/harness"
)

// TestLiveFaults runs the suite, as a separate process, against a private
// dockerd of its own (own socket, data root, exec root and pid file,
// --bridge=none --iptables=false; the main daemon is never touched) through
// an in-process proxy that can hang one endpoint, drop a connection or kill
// the daemon when a given request arrives. Every case asserts the exit code,
// the message, and that no container of the run remains.
func TestLiveFaults(t *testing.T) {
	cfg := loadConfig(t)
	skip.If(t, cfg.Mode != config.Live, "needs a live daemon (CONFORMANCE_MODE=live) to copy the test image from")
	skip.If(t, os.Geteuid() != 0, "a private dockerd needs root")
	_, err := exec.LookPath("dockerd")
	skip.If(t, err != nil, "needs dockerd: %v", err)

	d := startPrivateDaemon(t, cfg)
	proxy := newFaultProxy(t, d)

	t.Run("endpoint that never answers", func(t *testing.T) {
		proxy.set(hangOn("/top"))
		run := startSuite(t, nil, proxy.env("CONFORMANCE_STEP_TIMEOUT=2s")...)
		out, code := run.wait(t)
		assert.Check(t, is.Equal(code, 1), out)
		assert.Check(t, is.Contains(out, "linux/default/process-tree fail: lost the daemon connection at docker top: no answer before the request deadline"))
		assert.Check(t, is.Contains(out, "linux/default/cleanup pass"))
		d.assertNoContainerOf(t, run.pid())
	})

	t.Run("ping that never answers", func(t *testing.T) {
		proxy.set(hangOn("/_ping"))
		run := startSuite(t, nil, proxy.env("CONFORMANCE_STEP_TIMEOUT=2s")...)
		out, code := run.wait(t)
		assert.Check(t, is.Equal(code, 1), out)
		assert.Check(t, is.Contains(out, "daemon-reachable fail"))
		assert.Check(t, is.Contains(out, "no answer before the request deadline"))
		d.assertNoContainerOf(t, run.pid())
	})

	t.Run("run bound ends a hung run before go test's timeout", func(t *testing.T) {
		proxy.set(hangOn("/top"))
		run := startSuite(t, []string{"-test.timeout=8s"}, proxy.env("CONFORMANCE_STEP_TIMEOUT=5m")...)
		out, code := run.wait(t)
		assert.Check(t, is.Equal(code, 1), out)
		assert.Check(t, is.Contains(out, "run bound reached"))
		assert.Check(t, !strings.Contains(out, "panic: test timed out"), out)
		d.assertNoContainerOf(t, run.pid())
	})

	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(fmt.Sprintf("%s to a running suite", unix.SignalName(sig)), func(t *testing.T) {
			proxy.set(hangOn("/top"))
			run := startSuite(t, nil, proxy.env("CONFORMANCE_STEP_TIMEOUT=5m")...)
			proxy.waitFor(t, "/top")
			assert.NilError(t, run.cmd.Process.Signal(sig))
			out, code := run.wait(t)
			assert.Check(t, is.Equal(code, 128+int(sig)), out)
			assert.Check(t, is.Contains(out, fmt.Sprintf("conformance: interrupted by %s: removed 1 container(s) of run", unix.SignalName(sig))))
			d.assertNoContainerOf(t, run.pid())
		})
	}

	t.Run("record interrupted writes nothing and removes its staging folder", func(t *testing.T) {
		proxy.set(hangOn("/top"))
		fixtures, tmp := t.TempDir(), t.TempDir()
		run := startSuite(t, nil, proxy.env("CONFORMANCE_MODE=record", "CONFORMANCE_FIXTURES="+fixtures, "CONFORMANCE_RECORD_NAME=x", "TMPDIR="+tmp)...)
		proxy.waitFor(t, "/top")
		assert.NilError(t, run.cmd.Process.Signal(syscall.SIGINT))
		out, code := run.wait(t)
		assert.Check(t, is.Equal(code, 130), out)
		assert.Check(t, is.Contains(out, "recording discarded"))
		assertEmptyFolder(t, fixtures)
		assertEmptyFolder(t, tmp)
		d.assertNoContainerOf(t, run.pid())
	})

	t.Run("daemon killed mid-row, then the next run sweeps what it left", func(t *testing.T) {
		proxy.set(func(r *http.Request) faultAction {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/start") {
				return killDaemon
			}
			return pass
		})
		first := startSuite(t, nil, proxy.env("CONFORMANCE_STEP_TIMEOUT=3s")...)
		out, code := first.wait(t)
		assert.Check(t, is.Equal(code, 1), out)
		assert.Check(t, is.Contains(out, "linux/default/start fail: lost the daemon connection at start"))
		assert.Check(t, !strings.Contains(out, "no container was created"), out)

		d.restart(t)
		left := d.containersOf(t, first.pid())
		assert.Assert(t, len(left) > 0, "the killed daemon kept no container of the run: nothing to sweep")
		proxy.set(func(*http.Request) faultAction { return pass })
		second := startSuite(t, nil, proxy.env()...)
		out, code = second.wait(t)
		assert.Check(t, is.Equal(code, 0), out)
		for _, c := range left {
			assert.Check(t, is.Contains(out, "sweep: removed container "+c.ID[:12]))
		}
		d.assertNoContainerOf(t, first.pid())
		d.assertNoContainerOf(t, second.pid())
	})

	t.Run("a run killed outright is swept by the next, foreign containers untouched", func(t *testing.T) {
		foreign := d.startForeign(t)
		proxy.set(hangOn("/top"))
		first := startSuite(t, nil, proxy.env("CONFORMANCE_STEP_TIMEOUT=5m")...)
		proxy.waitFor(t, "/top")
		assert.NilError(t, first.cmd.Process.Kill()) // as go test's -timeout panic or a cancelled CI job leaves it
		_, _ = first.wait(t)
		left := d.containersOf(t, first.pid())
		assert.Assert(t, is.Len(left, 1), "the killed run left its workload")

		proxy.set(func(*http.Request) faultAction { return pass })
		second := startSuite(t, nil, proxy.env()...)
		out, code := second.wait(t)
		assert.Check(t, is.Equal(code, 0), out)
		assert.Check(t, is.Contains(out, "sweep: removed container "+left[0].ID[:12]))
		assert.Check(t, is.Contains(out, "left by dead run"))
		d.assertNoContainerOf(t, first.pid())
		d.assertNoContainerOf(t, second.pid())
		for name, id := range foreign {
			in, err := d.cli.ContainerInspect(context.Background(), id)
			if assert.Check(t, err, "the sweep removed the %s container", name) {
				assert.Check(t, in.State.Running, "the sweep stopped the %s container", name)
			}
		}
	})

	t.Run("two runs at once leave each other alone", func(t *testing.T) {
		release := make(chan struct{})
		var once sync.Once
		tops := 0
		var mu sync.Mutex
		proxy.set(func(r *http.Request) faultAction {
			if !strings.HasSuffix(r.URL.Path, "/top") {
				return pass
			}
			mu.Lock()
			tops++
			if tops == 2 {
				once.Do(func() { close(release) })
			}
			mu.Unlock()
			return waitFor(release)
		})
		first := startSuite(t, nil, proxy.env("CONFORMANCE_STEP_TIMEOUT=20s")...)
		proxy.waitFor(t, "/top") // the first run holds a running container
		second := startSuite(t, nil, proxy.env("CONFORMANCE_STEP_TIMEOUT=20s")...)
		out1, code1 := first.wait(t)
		out2, code2 := second.wait(t)
		assert.Check(t, is.Equal(code1, 0), out1)
		assert.Check(t, is.Equal(code2, 0), out2)
		assert.Check(t, !strings.Contains(out1+out2, "sweep: removed"), "a run swept a live run's container:\n%s\n%s", out1, out2)
		assert.Check(t, !strings.Contains(out1+out2, "left behind"))
		d.assertNoContainerOf(t, first.pid())
		d.assertNoContainerOf(t, second.pid())
	})

	t.Run("what the harness creates is unprivileged", func(t *testing.T) {
		var mu sync.Mutex
		var created []container.InspectResponse
		proxy.set(func(r *http.Request) faultAction {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/start") {
				id := filepath.Base(filepath.Dir(r.URL.Path))
				if in, err := d.cli.ContainerInspect(r.Context(), id); err == nil {
					mu.Lock()
					created = append(created, in)
					mu.Unlock()
				}
			}
			return pass
		})
		run := startSuite(t, nil, proxy.env()...)
		out, code := run.wait(t)
		assert.Check(t, is.Equal(code, 0), out)
		assert.Assert(t, len(created) > 0, "the run started no container")
		for _, in := range created {
			hc := in.HostConfig
			assert.Check(t, !hc.Privileged, "%s is privileged", in.Name)
			assert.Check(t, is.Len(hc.Binds, 0), "%s mounts host paths", in.Name)
			assert.Check(t, is.Len(in.Mounts, 0), "%s has mounts", in.Name)
			assert.Check(t, !hc.NetworkMode.IsHost(), "%s uses the host network", in.Name)
			assert.Check(t, !hc.PidMode.IsHost() && !hc.IpcMode.IsHost() && !hc.UTSMode.IsHost(), "%s shares a host namespace", in.Name)
			assert.Check(t, is.Len(hc.CapAdd, 0), "%s adds capabilities", in.Name)
			assert.Check(t, is.Len(hc.Devices, 0), "%s maps host devices", in.Name)
		}
	})

	t.Run("record of a tcp daemon dials DOCKER_HOST", func(t *testing.T) {
		proxy.set(func(*http.Request) faultAction { return pass })
		addr := tcpForward(t, proxy.socket)
		fixtures := t.TempDir()
		run := startSuite(t, nil, "CONFORMANCE_MODE=record", "DOCKER_HOST=tcp://"+addr, "CONFORMANCE_FIXTURES="+fixtures, "CONFORMANCE_RECORD_NAME=tcp-host")
		out, code := run.wait(t)
		assert.Check(t, is.Equal(code, 0), out)
		meta, err := os.ReadFile(filepath.Join(fixtures, "tcp-host", "fixture.json"))
		assert.Check(t, err)
		assert.Check(t, is.Contains(string(meta), `"target": "tcp://`+addr+`"`))
		d.assertNoContainerOf(t, run.pid())
	})
}

// TestLiveRecordWritesNothingOnBadInput: an unreachable daemon, or a record
// name that leaves the fixtures folder, writes nothing anywhere (issue 9 case
// 5): no fixture, no staging folder left in TMPDIR.
func TestLiveRecordWritesNothingOnBadInput(t *testing.T) {
	escape := filepath.Join("..", "escape") // a folder beside the fixtures folder
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	tests := []struct {
		doc  string
		env  []string
		want string
	}{
		{doc: "unreachable daemon", env: []string{"DOCKER_HOST=unix:///nonexistent/docker.sock", "CONFORMANCE_RECORD_NAME=x"},
			want: "nothing recorded: the daemon at unix:///nonexistent/docker.sock did not answer"},
		{doc: "record name outside the fixtures folder", env: []string{"CONFORMANCE_RECORD_NAME=" + escape},
			want: `CONFORMANCE_RECORD_NAME="` + escape + `" is a path, not a folder name`},
		{doc: "record name that is the fixtures folder", env: []string{"CONFORMANCE_RECORD_NAME=."}, want: `CONFORMANCE_RECORD_NAME="." is not a folder name`},
		{doc: "fixtures folder that does not exist", env: []string{"CONFORMANCE_RECORD_NAME=x", "CONFORMANCE_FIXTURES=" + missing},
			want: `CONFORMANCE_FIXTURES="` + missing + `": the fixtures folder must exist before a recording`},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			parent := t.TempDir()
			fixtures, tmp := filepath.Join(parent, "fixtures"), t.TempDir()
			assert.NilError(t, os.Mkdir(fixtures, 0o755))
			env := append([]string{"CONFORMANCE_MODE=record", "CONFORMANCE_FIXTURES=" + fixtures, "TMPDIR=" + tmp}, tc.env...)
			out, err := runSuite(t, env...)
			assert.Check(t, err != nil, "the recording passed:\n%s", out)
			assert.Check(t, is.Contains(out, tc.want))
			assertEmptyFolder(t, fixtures)
			assertEmptyFolder(t, tmp)
			entries, _ := os.ReadDir(parent)
			assert.Check(t, is.Len(entries, 1), "something was written beside the fixtures folder: %v", entries)
		})
	}
}

func assertEmptyFolder(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	assert.Check(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Check(t, is.Len(names, 0), "%s is not empty: %v", dir, names)
}

// privateDaemon is a dockerd that only these tests use.
type privateDaemon struct {
	root, socket, pidFile, logFile string
	cmd                            *exec.Cmd
	cli                            *client.Client
}

// startPrivateDaemon starts the daemon, loads the test image into it from the
// main daemon, and registers its stop: by the pid in its pid file, then any
// process of its own (its containerd, shims) by its paths, then its mounts and
// folders, whether the test passed or not.
func startPrivateDaemon(t *testing.T, cfg config.Config) *privateDaemon {
	t.Helper()
	root, err := os.MkdirTemp("", "cfd-") // short: a unix socket path has 108 bytes
	assert.NilError(t, err)
	d := &privateDaemon{root: root, socket: filepath.Join(root, "d.sock"), pidFile: filepath.Join(root, "d.pid"), logFile: filepath.Join(root, "dockerd.log")}
	t.Cleanup(func() { d.destroy(t) })
	d.start(t)
	d.cli, err = client.NewClientWithOpts(client.WithHost("unix://"+d.socket), client.WithAPIVersionNegotiation())
	assert.NilError(t, err)
	t.Cleanup(func() { _ = d.cli.Close() })

	main, err := client.NewClientWithOpts(client.WithHost(cfg.DockerHost), client.WithAPIVersionNegotiation())
	assert.NilError(t, err)
	defer main.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	saved, err := main.ImageSave(ctx, []string{config.LinuxTestImage})
	assert.NilError(t, err, "save %s from the main daemon (make image builds it)", config.LinuxTestImage)
	defer saved.Close()
	loaded, err := d.cli.ImageLoad(ctx, saved)
	assert.NilError(t, err)
	_, _ = io.Copy(io.Discard, loaded.Body)
	_ = loaded.Body.Close()
	_, err = d.cli.ImageInspect(ctx, config.LinuxTestImage)
	assert.NilError(t, err, "the private daemon has no %s after the load", config.LinuxTestImage)
	return d
}

func (d *privateDaemon) start(t *testing.T) {
	t.Helper()
	logf, err := os.OpenFile(d.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	assert.NilError(t, err)
	defer logf.Close()
	d.cmd = exec.Command("dockerd", "--host", "unix://"+d.socket, "--data-root", filepath.Join(d.root, "data"),
		"--exec-root", filepath.Join(d.root, "exec"), "--pidfile", d.pidFile, "--bridge=none", "--iptables=false")
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	// Should this test process die, the daemon dies with it. It gets a network
	// namespace of its own: a dockerd started with --bridge=none deletes the
	// host's docker0 (moby's removeDefaultBridgeInterface), which would break
	// the main daemon's containers; the socket is a path, reachable from here.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Cloneflags: syscall.CLONE_NEWNET}
	assert.NilError(t, d.cmd.Start())
	go func(cmd *exec.Cmd) { _ = cmd.Wait() }(d.cmd)
	poll.WaitOn(t, func(poll.LogT) poll.Result {
		c, err := client.NewClientWithOpts(client.WithHost("unix://"+d.socket), client.WithAPIVersionNegotiation())
		if err != nil {
			return poll.Error(err)
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := c.Ping(ctx); err != nil {
			return poll.Continue("private dockerd not answering yet: %v", err)
		}
		return poll.Success()
	}, poll.WithTimeout(30*time.Second), poll.WithDelay(100*time.Millisecond))
}

// pid is the daemon's pid, from its pid file.
func (d *privateDaemon) pid() int {
	b, err := os.ReadFile(d.pidFile)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// kill ends the daemon at once, as a crash would, and waits for its
// containerd to follow: a restart that finds the old one still alive would
// wait for it forever.
func (d *privateDaemon) kill() {
	if pid := d.pid(); pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		waitGone(pid, 10*time.Second)
	}
	pidFile := filepath.Join(d.root, "exec", "containerd", "containerd.pid")
	if b, err := os.ReadFile(pidFile); err == nil {
		if pid, _ := strconv.Atoi(strings.TrimSpace(string(b))); pid > 0 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			waitGone(pid, 10*time.Second)
		}
		// An unreaped zombie still answers signal 0, and dockerd would take
		// it for a running containerd.
		_ = os.Remove(pidFile)
	}
}

// restart starts the daemon again on the same data root after a kill.
func (d *privateDaemon) restart(t *testing.T) {
	t.Helper()
	d.kill()
	d.start(t)
}

// destroy stops the daemon by its pid (SIGTERM, then SIGKILL), kills what is
// left of it (found by its own paths on the command line), unmounts what it
// mounted and removes its folders.
func (d *privateDaemon) destroy(t *testing.T) {
	if t.Failed() {
		if b, err := os.ReadFile(d.logFile); err == nil {
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			t.Logf("the private dockerd's log ends:\n%s", strings.Join(lines[max(0, len(lines)-25):], "\n"))
		}
	}
	if pid := d.pid(); pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGTERM)
		if !waitGone(pid, 20*time.Second) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			waitGone(pid, 5*time.Second)
		}
	}
	for _, pid := range processesMentioning(d.root) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, m := range mountsUnder(d.root) {
		_ = unix.Unmount(m, unix.MNT_DETACH)
	}
	if err := os.RemoveAll(d.root); err != nil {
		t.Logf("remove the private daemon's folder: %v", err)
	}
}

func waitGone(pid int, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return true
		}
		// A zombie child still answers signal 0; its state says it is gone.
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
			if f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:])); len(f) > 0 && f[0] == "Z" {
				return true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// processesMentioning lists the processes whose command line holds path: the
// private daemon's containerd and shims, never another daemon's.
func processesMentioning(path string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(b, []byte(path)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// mountsUnder lists the mount points under root, deepest first.
func mountsUnder(root string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && strings.HasPrefix(fields[4], root) {
			out = append([]string{fields[4]}, out...)
		}
	}
	return out
}

// containersOf lists the private daemon's containers created by the suite
// process with that pid.
func (d *privateDaemon) containersOf(t *testing.T, pid int) []container.Summary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := d.cli.ContainerList(ctx, container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", harness.LabelOwnerPID+"="+strconv.Itoa(pid)))})
	assert.NilError(t, err)
	return list
}

func (d *privateDaemon) assertNoContainerOf(t *testing.T, pid int) {
	t.Helper()
	left := d.containersOf(t, pid)
	for _, c := range left {
		_ = d.cli.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true})
	}
	assert.Check(t, is.Len(left, 0), "containers of the run (pid %d) remain: %+v", pid, left)
}

// startForeign starts containers that no run may touch: a plain one, one
// with the harness's label key and another value, one labelled as a dead run
// of another host, and one labelled as a live run of this host (owned by this
// test process). They are removed at the end.
func (d *privateDaemon) startForeign(t *testing.T) map[string]string {
	t.Helper()
	self := harness.CurrentOwner()
	sets := map[string]map[string]string{
		"plain":          nil,
		"label key only": {harness.LabelHarness: "another-tool", harness.LabelRunID: "x"},
		"dead run of another host": {harness.LabelHarness: "1", harness.LabelRunID: "otherhost", harness.LabelOwnerHost: harness.HostDigest("another-host"),
			harness.LabelOwnerPID: "999999", harness.LabelOwnerStarted: "1", harness.LabelRunStarted: "2020-01-01T00:00:00Z"},
		"live run of this host": {harness.LabelHarness: "1", harness.LabelRunID: "alive", harness.LabelOwnerHost: self.Host,
			harness.LabelOwnerPID: strconv.Itoa(self.PID), harness.LabelOwnerStarted: self.ProcessStart, harness.LabelRunStarted: self.RunStart},
	}
	ctx := context.Background()
	ids := map[string]string{}
	for name, labels := range sets {
		c, err := d.cli.ContainerCreate(ctx, &container.Config{Image: config.LinuxTestImage, Cmd: harness.WorkloadCommand("linux"), Labels: labels},
			&container.HostConfig{NetworkMode: "none"}, nil, nil, "")
		t.Cleanup(func() {
			if c.ID != "" {
				_ = d.cli.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true})
			}
		})
		assert.NilError(t, err)
		assert.NilError(t, d.cli.ContainerStart(ctx, c.ID, container.StartOptions{}))
		ids[name] = c.ID
	}
	return ids
}

// faultAction says what the proxy does with one request.
type faultAction struct {
	hang       <-chan struct{} // block until closed or the client gives up
	killDaemon bool            // kill the daemon, then drop the connection
}

var (
	pass       = faultAction{}
	killDaemon = faultAction{killDaemon: true}
	never      = make(chan struct{})
)

func waitFor(release <-chan struct{}) faultAction { return faultAction{hang: release} }

func hangOn(suffix string) func(*http.Request) faultAction {
	return func(r *http.Request) faultAction {
		if strings.HasSuffix(r.URL.Path, suffix) {
			return waitFor(never)
		}
		return pass
	}
}

// faultProxy serves the Engine API on a unix socket of its own and forwards
// to the private daemon, but for the requests its rule picks.
type faultProxy struct {
	socket string
	d      *privateDaemon
	mu     sync.Mutex
	rule   func(*http.Request) faultAction
	seen   chan string
}

func newFaultProxy(t *testing.T, d *privateDaemon) *faultProxy {
	t.Helper()
	p := &faultProxy{socket: filepath.Join(d.root, "proxy.sock"), d: d, rule: func(*http.Request) faultAction { return pass }}
	ln, err := net.Listen("unix", p.socket)
	assert.NilError(t, err)
	forward := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme, r.Out.URL.Host = "http", "docker"
		},
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", d.socket)
		}},
		FlushInterval: -1,
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		action, seen := p.rule(r), p.seen
		p.mu.Unlock()
		if seen != nil {
			select {
			case seen <- r.URL.Path:
			default:
			}
		}
		switch {
		case action.killDaemon:
			d.kill()
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
				}
			}
			return
		case action.hang != nil:
			select {
			case <-action.hang:
			case <-r.Context().Done():
				return
			}
		}
		forward.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return p
}

// set replaces the rule and forgets the requests seen so far.
func (p *faultProxy) set(rule func(*http.Request) faultAction) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rule, p.seen = rule, make(chan string, 256)
}

// waitFor blocks until a request whose path ends in suffix arrived.
func (p *faultProxy) waitFor(t *testing.T, suffix string) {
	t.Helper()
	p.mu.Lock()
	seen := p.seen
	p.mu.Unlock()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case path := <-seen:
			if strings.HasSuffix(path, suffix) {
				return
			}
		case <-timeout:
			t.Fatalf("no request for %s reached the proxy within 30s", suffix)
		}
	}
}

// env runs the suite live through the proxy.
func (p *faultProxy) env(extra ...string) []string {
	return append([]string{"CONFORMANCE_MODE=live", "DOCKER_HOST=unix://" + p.socket}, extra...)
}

// tcpForward listens on a loopback TCP port and forwards to a unix socket.
func tcpForward(t *testing.T, socket string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	assert.NilError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer in.Close()
				out, err := net.Dial("unix", socket)
				if err != nil {
					return
				}
				defer out.Close()
				go func() { _, _ = io.Copy(out, in) }()
				_, _ = io.Copy(in, out)
			}()
		}
	}()
	return ln.Addr().String()
}

// suiteRun is the suite running as a separate process.
type suiteRun struct {
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
	err  error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startSuite runs TestConformance in a new process with env (and only the
// CONFORMANCE_ and DOCKER_ variables given).
func startSuite(t *testing.T, args []string, env ...string) *suiteRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestConformance$", "-test.v", "-test.count=1"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONFORMANCE_") && !strings.HasPrefix(kv, "DOCKER_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	run := &suiteRun{cmd: cmd, out: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = run.out, run.out
	assert.NilError(t, cmd.Start())
	go func() { run.err = cmd.Wait(); close(run.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-run.done
	})
	return run
}

func (r *suiteRun) pid() int { return r.cmd.Process.Pid }

// wait returns the run's output and exit code; a run that takes over a minute
// is killed and fails the test.
func (r *suiteRun) wait(t *testing.T) (string, int) {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(time.Minute):
		_ = r.cmd.Process.Kill()
		<-r.done
		t.Errorf("the suite did not end within a minute:\n%s", r.out)
	}
	return r.out.String(), r.cmd.ProcessState.ExitCode()
}
