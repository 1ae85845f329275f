//go:build !gatebinary

package conformance

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	results "github.com/wincontainer-gate/conformance/helpers/report"
)

// TestNoReportRecommendsAnUnservicedImage: replayed as a pipeline runs it,
// no fix or warning in any fixture's report names an image whose servicing
// has ended as the thing to use (it may name one only as unserviced).
func TestNoReportRecommendsAnUnservicedImage(t *testing.T) {
	requireFixtures(t)
	run, err := runGate(t, "^TestConformance$", "CONFORMANCE_MODE=replay", "CONFORMANCE_FIXTURES=fixtures")
	require.NoError(t, err, "the replay of every fixture passes\n%s", run.stdout)
	var r results.Run
	require.NoError(t, json.Unmarshal(run.report, &r))
	require.NotEmpty(t, r.Hosts)
	texts := 0
	for _, h := range r.Hosts {
		for _, c := range h.Claims {
			for _, text := range append([]string{c.Fix}, c.Warnings...) {
				if text == "" {
					continue
				}
				texts++
				assert.Empty(t, claims.RecommendsUnserviced(text), "host %s, claim %s: %q", h.Name, c.Claim, text)
			}
		}
	}
	t.Logf("%d hosts, %d fixes and warnings checked", len(r.Hosts), texts)
}
