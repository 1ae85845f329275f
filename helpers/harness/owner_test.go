package harness

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
)

// TestDeadRunDecision: issue 9 cases 2 and 3. Only a container of this
// harness (label value "1"), of this host, of another run, whose owner
// process is gone, is a dead run's.
func TestDeadRunDecision(t *testing.T) {
	self := Owner{Host: HostDigest("build01"), PID: 100, ProcessStart: "555", RunStart: "2026-01-01T00:00:00Z", PIDNamespace: "pid:[1]"}
	dead := func(edit func(map[string]string)) map[string]string {
		l := ownerLabels(Owner{Host: self.Host, PID: 42, ProcessStart: "7", RunStart: "2026-01-01T00:00:00Z"})
		l[LabelHarness], l[LabelRunID] = harnessLabelValue, "oldrun"
		if edit != nil {
			edit(l)
		}
		return l
	}
	alive := func(pid int, start string) bool { return pid == 42 && start == "7-alive" }
	tests := []struct {
		doc    string
		labels map[string]string
		want   bool
	}{
		{doc: "owner process gone", labels: dead(nil), want: true},
		{doc: "owner of the same PID namespace, gone", labels: dead(func(l map[string]string) { l[LabelOwnerPIDNamespace] = "pid:[1]" }), want: true},
		{doc: "owner in another PID namespace (a harness in a container)", labels: dead(func(l map[string]string) { l[LabelOwnerPIDNamespace] = "pid:[2]" })},
		{doc: "owner process still runs", labels: dead(func(l map[string]string) { l[LabelOwnerStarted] = "7-alive" })},
		{doc: "another host", labels: dead(func(l map[string]string) { l[LabelOwnerHost] = HostDigest("build02") })},
		{doc: "the harness label key with another value", labels: dead(func(l map[string]string) { l[LabelHarness] = "someone-else" })},
		{doc: "no owner labels (an older harness)", labels: dead(func(l map[string]string) { delete(l, LabelOwnerPID) })},
		{doc: "no start time", labels: dead(func(l map[string]string) { l[LabelOwnerStarted] = "" })},
		{doc: "this run", labels: dead(func(l map[string]string) { l[LabelRunID] = "thisrun" })},
		{doc: "no labels", labels: map[string]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			_, got := DeadRun(tc.labels, self, "thisrun", alive)
			assert.Check(t, is.Equal(got, tc.want))
		})
	}
}

// TestProcessLiveness: a process is alive only with its own start time; a
// PID reused by another process, or no process at all, is dead.
func TestProcessLiveness(t *testing.T) {
	self := CurrentOwner()
	if self.ProcessStart == "" {
		t.Skip("this OS has no process start time: every owner counts as alive")
	}
	assert.Check(t, is.Equal(self.PID, os.Getpid()))
	assert.Check(t, liveProcess(self.PID, self.ProcessStart), "this process is not alive")
	assert.Check(t, !liveProcess(self.PID, self.ProcessStart+"1"), "a reused PID counts as the owner")
	assert.Check(t, !liveProcess(1<<22+7, "1"), "a PID without a process counts as alive")
	_, err := strconv.Atoi(self.ProcessStart)
	assert.Check(t, err)
}

// TestRecordDialsDockerHost: issue 9 case 5. Against a tcp:// daemon the
// recorder dialled the fixed name api.moby.localhost:2375, and recorded
// whatever answered there; a fixtures folder that cannot take the recording
// is refused before the run; closing an unfinished recording removes its
// staging folder.
func TestRecordDialsDockerHost(t *testing.T) {
	var hits atomic.Int32
	daemon := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Api-Version", "1.41")
		_, _ = w.Write([]byte("OK"))
	}))
	defer daemon.Close()
	cfg := config.Config{Mode: config.Record, Fixtures: t.TempDir(), DockerHost: "tcp://" + strings.TrimPrefix(daemon.URL, "http://"),
		Expect: config.Expectations{StepTimeout: config.Duration(5e9)}}
	s, err := OpenRecord(cfg)
	assert.NilError(t, err)
	_, err = s.Client.Ping(context.Background())
	assert.NilError(t, err)
	assert.Check(t, hits.Load() > 0, "the recorder did not dial DOCKER_HOST")
	staging := s.stagingDir
	assert.NilError(t, s.Close())
	_, err = os.Stat(staging)
	assert.Check(t, os.IsNotExist(err), "the staging folder %s outlived the session", staging)

	// A folder of this test's own that nobody created: a fixed path such as
	// /nonexistent could exist on a machine and make the test lie.
	cfg.Fixtures = filepath.Join(t.TempDir(), "absent", "fixtures")
	_, err = OpenRecord(cfg)
	assert.Check(t, is.ErrorContains(err, fmt.Sprintf("CONFORMANCE_FIXTURES=%q: the fixtures folder must exist", cfg.Fixtures)))
}
