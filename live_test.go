package conformance

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
	"gotest.tools/v3/skip"

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
// beside a container the harness did not create: afterwards no harness
// container remains and the other container is untouched.
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

	bystander, err := s.Client.ContainerCreate(ctx,
		&container.Config{Image: imageRef, Cmd: harness.WorkloadCommand(d.Info.OSType)}, nil, nil, nil, "")
	t.Cleanup(func() {
		if bystander.ID != "" {
			_ = s.Client.ContainerRemove(context.Background(), bystander.ID, container.RemoveOptions{Force: true})
		}
	})
	assert.NilError(t, err)
	assert.NilError(t, s.Client.ContainerStart(ctx, bystander.ID, container.StartOptions{}))

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

	left, err := s.Client.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", harness.LabelHarness))})
	assert.NilError(t, err)
	assert.Check(t, is.Len(left, 0), "containers with the harness label remain: %+v", left)

	after, err := s.Client.ContainerInspect(ctx, bystander.ID)
	assert.NilError(t, err, "the harness removed a container it did not create")
	assert.Check(t, after.State.Running, "the harness stopped a container it did not create: %s", after.State.Status)
}
