package conformance

import (
	"context"
	"debug/elf"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/stdcopy"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
	"gotest.tools/v3/skip"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/harness"
)

// TestLiveUnreachableDaemonFailsClosed runs the gate against an address where
// no daemon listens: it must fail, naming that address and the fix.
func TestLiveUnreachableDaemonFailsClosed(t *testing.T) {
	host := "unix://" + filepath.Join(t.TempDir(), "no-daemon.sock")
	if runtime.GOOS == "windows" {
		host = "npipe:////./pipe/conformance_no_daemon"
	}
	out, err := runSuite(t, "CONFORMANCE_MODE=live", "DOCKER_HOST="+host)
	assert.Assert(t, err != nil, "the gate passed with no daemon:\n%s", out)
	assert.Check(t, is.Contains(out, "daemon-reachable fail: cannot reach the Docker daemon at "+host))
	assert.Check(t, is.Contains(out, "fix: start the daemon"))
	assert.Check(t, is.Contains(out, "no claim passed against "+host+": the gate fails closed"))
}

// TestLiveLeavesNothingBehind runs every row of the live daemon's platform
// beside containers the harness did not create (a plain one, one that carries
// the harness's label key with another value, one that looks like a dead run
// of another host): afterwards no container of this run remains and the
// others are untouched. It counts this run's containers only (issue 9 case 3):
// another run on the same daemon, or a foreign container with the label key,
// used to fail it.
func TestLiveLeavesNothingBehind(t *testing.T) {
	cfg := loadConfig(t)
	skip.If(t, cfg.Mode != config.Live, "needs a live daemon (CONFORMANCE_MODE=live)")
	s := openLive(t, cfg)
	ctx := context.Background()
	d, err := s.Daemon(ctx)
	assert.NilError(t, err)
	assert.Assert(t, d.Unreachable == nil, "daemon at %s: %s", d.Target, d.Unreachable)
	imageRef, refErr := harness.ImageRef(d, cfg.Expect)
	assert.Assert(t, refErr == nil, "%v", refErr)

	bystanders := startBystanders(t, s, imageRef, d.Info.OSType)

	t.Run("rows", func(t *testing.T) {
		for _, row := range evidence.Rows {
			if row.Platform != d.Info.OSType {
				continue
			}
			t.Run(row.String(), func(t *testing.T) {
				if row.Refusal() {
					_, err := s.TryRefusal(ctx, row, imageRef, t.Cleanup)
					assert.NilError(t, err)
					return
				}
				w, err := s.RunWorkload(ctx, row, imageRef, t.Cleanup)
				assert.NilError(t, err)
				assert.Check(t, w.ContainerID != "", "row %s created no container: %+v", row, w.CreateErr)
			})
		}
	})
	// The daemon is shared: a sweep may rightly remove a dead run's
	// container, never one of the bystanders.
	swept, err := s.SweepDeadRuns(ctx)
	assert.NilError(t, err)
	for _, sw := range swept {
		assert.Check(t, !slices.Contains(bystanders, sw.ID), "the sweep removed a bystander: %s", sw)
	}

	left, err := s.Leftovers(ctx)
	assert.NilError(t, err)
	assert.Check(t, is.Len(left, 0), "containers of run %s remain: %+v", s.RunID, left)
	for _, id := range bystanders {
		after, err := s.Client.ContainerInspect(ctx, id)
		assert.Check(t, err, "the harness removed a container it did not create")
		if err == nil {
			assert.Check(t, after.State.Running, "the harness stopped a container it did not create: %s", after.State.Status)
		}
	}
}

// startBystanders starts containers the harness must never touch: a plain
// one, one with the harness's label key and another value, and one with every
// label of a dead run but of another host. They are removed at the end.
func startBystanders(t *testing.T, s *harness.Session, imageRef, platform string) []string {
	t.Helper()
	ctx := context.Background()
	labelSets := []map[string]string{
		nil,
		{harness.LabelHarness: "someone-else", harness.LabelRunID: "foreign"},
		{harness.LabelHarness: "1", harness.LabelRunID: "otherhost", harness.LabelOwnerHost: harness.HostDigest("another-host"),
			harness.LabelOwnerPID: "999999", harness.LabelOwnerStarted: "1", harness.LabelRunStarted: "2020-01-01T00:00:00Z"},
	}
	var ids []string
	for _, labels := range labelSets {
		c, err := s.Client.ContainerCreate(ctx, &container.Config{Image: imageRef, Cmd: harness.WorkloadCommand(platform), Labels: labels}, nil, nil, nil, "")
		t.Cleanup(func() {
			if c.ID != "" {
				_ = s.Client.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true})
			}
		})
		assert.NilError(t, err)
		assert.NilError(t, s.Client.ContainerStart(ctx, c.ID, container.StartOptions{}))
		ids = append(ids, c.ID)
	}
	return ids
}

// tcpProxy forwards TCP connections on ip to the live daemon's unix socket, so
// that the same local daemon can be reached as tcp://<ip>:<port>. It returns
// that address.
func tcpProxy(t *testing.T, ip string) string {
	t.Helper()
	cfg := loadConfig(t)
	skip.If(t, cfg.Mode != config.Live, "needs a live daemon (CONFORMANCE_MODE=live)")
	socket, ok := strings.CutPrefix(cfg.DockerHost, "unix://")
	skip.If(t, !ok, "the proxy forwards a unix socket; DOCKER_HOST is %s", cfg.DockerHost)
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	assert.NilError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return // closed by the cleanup
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer in.Close()
				out, err := net.Dial("unix", socket)
				if err != nil {
					return
				}
				defer out.Close()
				go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
				_, _ = io.Copy(in, out)
			}()
		}
	}()
	return "tcp://" + ln.Addr().String()
}

// nonLoopbackIP is an address of this machine that is not loopback: a daemon
// reached through it is remote as far as the gate can tell.
func nonLoopbackIP(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	assert.NilError(t, err)
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	t.Skip("this machine has no non-loopback IPv4 address")
	return ""
}

// TestLiveLoopbackTCPIsLocal: a daemon reached at a loopback tcp:// address is
// this host's, so the host-side claims are judged and the gate passes.
func TestLiveLoopbackTCPIsLocal(t *testing.T) {
	host := tcpProxy(t, "127.0.0.1")
	out, err := runSuite(t, "CONFORMANCE_MODE=live", "DOCKER_HOST="+host)
	assert.Check(t, err, "the gate failed against %s:\n%s", host, out)
	assert.Check(t, is.Contains(out, "linux/default/pid-visibility pass: ping PID"))
	assert.Check(t, !strings.Contains(out, "is not local"), out)
}

// TestLiveRemoteDaemonRules: a daemon that is not local must have its
// platform named, and its host-side claims, which the gate cannot judge, fail
// the gate unless the user said to gate it without them.
func TestLiveRemoteDaemonRules(t *testing.T) {
	host := tcpProxy(t, nonLoopbackIP(t))
	t.Run("no platform named", func(t *testing.T) {
		out, err := runSuite(t, "CONFORMANCE_MODE=live", "DOCKER_HOST="+host)
		assert.Check(t, err != nil, "a remote target without a platform passed:\n%s", out)
		assert.Check(t, is.Contains(out, "engine-platform fail: daemon at "+host+" is not local and no platform is pinned"))
	})
	t.Run("a required host-side claim skips", func(t *testing.T) {
		out, err := runSuite(t, "CONFORMANCE_MODE=live", "DOCKER_HOST="+host, "CONFORMANCE_PLATFORM=linux")
		assert.Check(t, err != nil, "a skipped required claim passed the gate:\n%s", out)
		assert.Check(t, is.Contains(out, "linux/default/pid-visibility skip: daemon at "+host+" is not local"))
		assert.Check(t, is.Contains(out, "required claim skipped, which fails the gate"))
		assert.Check(t, is.Contains(out, "required claims: 13 passed, 0 failed, 1 not judged"))
	})
	t.Run("the user gates it without host-side evidence", func(t *testing.T) {
		out, err := runSuite(t, "CONFORMANCE_MODE=live", "DOCKER_HOST="+host, "CONFORMANCE_PLATFORM=linux", "CONFORMANCE_REMOTE_HOST_CLAIMS=skip")
		assert.Check(t, err, "the gate failed:\n%s", out)
		assert.Check(t, is.Contains(out, "--- SKIP: TestConformance/live/linux/default/pid-visibility"))
		assert.Check(t, is.Contains(out, "required claims: 13 passed, 0 failed, 0 not judged"))
	})
}

// TestLiveRunIsNeverCached runs the real `go test`, without -count, twice with
// the same GOCACHE, and removes the base image in between: the second run must
// run again and fail base-image, not print the first run's "(cached)" PASS.
// The image is a private tag of the test image, so that nothing else that
// uses conformance/busybox:local is disturbed.
func TestLiveRunIsNeverCached(t *testing.T) {
	cfg := loadConfig(t)
	skip.If(t, cfg.Mode != config.Live, "needs a live daemon (CONFORMANCE_MODE=live)")
	goTool, err := exec.LookPath("go")
	skip.If(t, err != nil, "needs the go command: %v", err)
	_, err = os.Stat("go.mod")
	skip.If(t, err != nil, "needs the repository (go.mod) to run go test in: %v", err)
	s := openLive(t, cfg)
	ctx := context.Background()
	private := "conformance/busybox:cachetest-" + harness.NewRunID()
	err = s.Client.ImageTag(ctx, config.LinuxTestImage, private)
	t.Cleanup(func() { _, _ = s.Client.ImageRemove(context.Background(), private, image.RemoveOptions{}) })
	assert.NilError(t, err, "tag %s (make image builds it)", config.LinuxTestImage)

	goTest := func() (string, error) {
		cmd := exec.Command(goTool, "test", "-run", "^TestConformance$", ".")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "CONFORMANCE_") && !strings.HasPrefix(kv, "DOCKER_") && !strings.HasPrefix(kv, "GOFLAGS=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "CONFORMANCE_MODE=live", "DOCKER_HOST="+cfg.DockerHost,
			"CONFORMANCE_IMAGE="+private, "CONFORMANCE_PULL=never", "GOFLAGS=")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	first, err := goTest()
	assert.Assert(t, err == nil, "the first run failed: %v\n%s", err, first)
	assert.Check(t, !strings.Contains(first, "(cached)"), first)

	_, err = s.Client.ImageRemove(ctx, private, image.RemoveOptions{})
	assert.NilError(t, err)
	second, err := goTest()
	assert.Check(t, err != nil, "the second run passed after the image was removed:\n%s", second)
	assert.Check(t, !strings.Contains(second, "(cached)"), second)
	assert.Check(t, is.Contains(second, "base-image fail: image "+private+" is not on the host"))
}

// TestLiveHarnessInsideAContainer runs this test binary's gate inside a
// container that is given the daemon's socket: the daemon is the host's, but
// the harness's process table is its container's. The host-side claim must
// say the probe is broken because the harness runs inside a container, never
// blame the daemon. It needs a static test binary (the container image is
// busybox FROM scratch): `make container-check` builds one and runs it.
func TestLiveHarnessInsideAContainer(t *testing.T) {
	cfg := loadConfig(t)
	skip.If(t, cfg.Mode != config.Live, "needs a live daemon (CONFORMANCE_MODE=live)")
	socket, ok := strings.CutPrefix(cfg.DockerHost, "unix://")
	skip.If(t, !ok, "mounts a unix socket into the container; DOCKER_HOST is %s", cfg.DockerHost)
	self, err := os.Executable()
	assert.NilError(t, err)
	bin, err := elf.Open(self)
	assert.NilError(t, err)
	dynamic := false
	for _, p := range bin.Progs {
		dynamic = dynamic || p.Type == elf.PT_INTERP
	}
	_ = bin.Close()
	skip.If(t, dynamic, "the test binary is dynamically linked and the busybox image has no libc: run make container-check (CGO_ENABLED=0)")

	s := openLive(t, cfg)
	ctx := context.Background()
	created, err := s.Client.ContainerCreate(ctx, &container.Config{
		Image:  config.LinuxTestImage,
		Cmd:    []string{"/conformance.test", "-test.run=^TestConformance$", "-test.v"},
		Env:    []string{"CONFORMANCE_MODE=live", "CONFORMANCE_STEP_TIMEOUT=20s"},
		Labels: map[string]string{harness.LabelHarness: "1", harness.LabelRunID: s.RunID},
	}, &container.HostConfig{Binds: []string{self + ":/conformance.test:ro", socket + ":/var/run/docker.sock"}}, nil, nil, "")
	t.Cleanup(func() {
		if created.ID != "" {
			_ = s.Client.ContainerRemove(context.Background(), created.ID, container.RemoveOptions{Force: true})
		}
	})
	assert.NilError(t, err)
	assert.NilError(t, s.Client.ContainerStart(ctx, created.ID, container.StartOptions{}))
	waitCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	statusCh, errCh := s.Client.ContainerWait(waitCtx, created.ID, container.WaitConditionNotRunning)
	var exit int64
	select {
	case st := <-statusCh:
		exit = st.StatusCode
	case err := <-errCh:
		t.Fatalf("wait for the gate in the container: %v", err)
	}
	logs, err := s.Client.ContainerLogs(ctx, created.ID, container.LogsOptions{ShowStdout: true, ShowStderr: true})
	assert.NilError(t, err)
	var out strings.Builder
	_, err = stdcopy.StdCopy(&out, &out, logs)
	assert.NilError(t, err)
	assert.Check(t, exit != 0, "the gate passed inside a container:\n%s", out.String())
	assert.Check(t, is.Contains(out.String(), "linux/default/pid-visibility fail: "+claims.InContainerMessage))
	assert.Check(t, is.Contains(out.String(), "evidence: the harness's PID namespace is pid:["))
	assert.Check(t, !strings.Contains(out.String(), "is not a host process"), "the daemon was blamed:\n%s", out.String())
}

// TestLiveBinaryOutsideTheRepository copies this test binary into an empty
// folder and runs it live, as on a host without the repository: the
// self-tests that read fixtures stay out, the gate runs, and a healthy
// daemon gives exit code 0.
func TestLiveBinaryOutsideTheRepository(t *testing.T) {
	cfg := loadConfig(t)
	skip.If(t, cfg.Mode != config.Live, "needs a live daemon (CONFORMANCE_MODE=live)")
	self, err := os.Executable()
	assert.NilError(t, err)
	dir := t.TempDir()
	copied := filepath.Join(dir, filepath.Base(self))
	src, err := os.Open(self)
	assert.NilError(t, err)
	defer src.Close()
	dst, err := os.OpenFile(copied, os.O_CREATE|os.O_WRONLY, 0o755)
	assert.NilError(t, err)
	_, err = io.Copy(dst, src)
	assert.NilError(t, err)
	assert.NilError(t, dst.Close())

	cmd := exec.Command(copied, "-test.v")
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONFORMANCE_") && !strings.HasPrefix(kv, "DOCKER_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "CONFORMANCE_MODE=live", "DOCKER_HOST="+cfg.DockerHost)
	out, err := cmd.CombinedOutput()
	assert.Check(t, err, "the copied test binary failed against a healthy daemon:\n%s", out)
	assert.Check(t, is.Contains(string(out), "--- PASS: TestConformance "))
	assert.Check(t, !strings.Contains(string(out), "TestBrokenHostsAreCaught"), "a self-test ran outside the repository:\n%s", out)
	entries, err := os.ReadDir(dir)
	assert.NilError(t, err)
	assert.Check(t, is.Len(entries, 1), "the gate left files beside the binary: %v", entries)
}
