package harness

import (
	"context"
	"net/http"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// TestWorkersGoneByIdentity: after a Hyper-V row's removal the gate waits
// until the container's vmwp.exe is gone. Windows reuses process IDs soon
// (a busy build agent starts hundreds of processes a minute), so the worker
// is known by PID and create time: a later process that got its PID is not
// the worker, and the wait ends; the worker itself still running is a
// timeout that names its PID.
func TestWorkersGoneByIdentity(t *testing.T) {
	created := time.Date(2026, 12, 3, 9, 0, 1, 0, time.UTC)
	worker := hostprobe.Process{PID: 2960, Name: "vmwp.exe", ParentPID: 1876, CreateTime: created}
	for _, tc := range []struct {
		doc  string
		now  []hostprobe.Process
		want *evidence.Failure
	}{
		{doc: "the worker exited: done", now: nil},
		{doc: "its PID now belongs to a conhost.exe started later: done",
			now: []hostprobe.Process{{PID: 2960, Name: "conhost.exe", CreateTime: created.Add(40 * time.Second)}}},
		{doc: "its PID now belongs to another VM's vmwp.exe started later: done",
			now: []hostprobe.Process{{PID: 2960, Name: "vmwp.exe", ParentPID: 1876, CreateTime: created.Add(40 * time.Second)}}},
		{doc: "the worker still runs: a timeout naming it", now: []hostprobe.Process{worker},
			want: &evidence.Failure{Kind: evidence.KindTimeout, Message: "timed out: vmwp.exe 2960 still running after removal"}},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			host := &scriptedHost{os: hostprobe.OSInfo{OS: "windows"}, processes: procs(tc.now...)}
			s := sessionOn(t, http.NotFoundHandler(), host, 300*time.Millisecond)
			got := s.waitWorkersGone(context.Background(), "windows/hyperv/after-remove", []hostprobe.Process{worker})
			assert.Check(t, is.DeepEqual(got, tc.want))
		})
	}
}
