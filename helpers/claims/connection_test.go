package claims

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"syscall"
	"testing"

	"github.com/docker/docker/api/types/system"
	"github.com/stretchr/testify/assert"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// TestLostConnectionIsNeverAHostFault: issue 9 case 7. An EOF on create was
// judged "refused with an unknown wording ... add it to the classifier" and
// its cleanup "no container was created" although one was; a hung inspect
// after removal was "a daemon that keeps removed containers leaks them".
func TestLostConnectionIsNeverAHostFault(t *testing.T) {
	eof := evidence.FailureOf(&url.Error{Op: "Post", URL: "http://api/containers/create", Err: io.EOF})
	reset := evidence.FailureOf(fmt.Errorf("inspect: %w", syscall.ECONNRESET))
	hung := evidence.FailureOf(fmt.Errorf("inspect abc after removal: %w", context.DeadlineExceeded))
	for _, f := range []*evidence.Failure{eof, reset, hung} {
		assert.Equal(t, evidence.KindConnection, f.Kind, f.Message)
	}
	linux := evidence.Daemon{Local: true, Info: system.Info{OSType: "linux"}}
	def := evidence.Row{Platform: "linux", Mode: "default"}
	tests := []struct {
		doc       string
		verdict   Verdict
		want      string
		forbidden []string
	}{
		{doc: "EOF on a refusal row's create", verdict: CheckRefused(evidence.Refusal{Row: evidence.Row{Platform: "linux", Mode: "hyperv"}, CreateErr: eof}),
			want: "lost the daemon connection at create", forbidden: []string{"unknown wording", "classifier"}},
		{doc: "EOF on a workload's create", verdict: CheckStart(linux, config.Expectations{}, evidence.Workload{Row: def, CreateErr: eof}),
			want: "lost the daemon connection at create", forbidden: []string{"read the daemon's log for the error above"}},
		{doc: "cleanup after an EOF on create", verdict: CheckCleanup(evidence.Workload{Row: def, CreateErr: eof}),
			want: "the daemon may have created a container", forbidden: []string{"no container was created"}},
		{doc: "a reset while removing", verdict: CheckCleanup(evidence.Workload{Row: def, ContainerID: "0123456789abcdef", RemoveErr: reset}),
			want: "lost the daemon connection at removal"},
		{doc: "an inspect that hangs after removal", verdict: CheckCleanup(evidence.Workload{Row: def, ContainerID: "0123456789abcdef", GoneErr: hung}),
			want: "lost the daemon connection at wait for removal: no answer before the request deadline", forbidden: []string{"keeps removed containers"}},
		{doc: "docker top that hangs", verdict: CheckProcessTree(evidence.Workload{Row: def, ContainerID: "0123456789abcdef", TopErr: hung}),
			want: "lost the daemon connection at docker top"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Equal(t, Fail, tc.verdict.Status)
			assert.Contains(t, tc.verdict.Message, tc.want)
			for _, f := range tc.forbidden {
				assert.NotContains(t, tc.verdict.String(), f)
			}
		})
	}
	// A daemon's own refusal is still judged by its wording.
	refused := CheckRefused(evidence.Refusal{Row: evidence.Row{Platform: "linux", Mode: "hyperv"},
		CreateErr: &evidence.Failure{Kind: evidence.KindInvalidParameter, Message: "invalid isolation (hyperv): linux only supports 'default'"}})
	assert.Equal(t, Pass, refused.Status, refused.String())
}
