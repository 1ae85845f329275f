package conformance

import (
	"slices"
	"testing"

	"gotest.tools/v3/assert"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// isolationRows are platform × mode (evidence.Rows). A row runs only where the
// daemon's OSType is its platform; refusal rows ask a Linux daemon for Windows modes.
var isolationRows = []struct {
	doc string
	row evidence.Row
}{
	{doc: "windows process isolation: the workload is a host process in its own session", row: evidence.Rows[0]},
	{doc: "windows hyperv isolation: the workload runs in a utility VM", row: evidence.Rows[1]},
	{doc: "linux default isolation: the workload is a host process in its own PID namespace", row: evidence.Rows[2]},
	{doc: "linux refuses process isolation", row: evidence.Rows[3]},
	{doc: "linux refuses hyperv isolation", row: evidence.Rows[4]},
}

// workloadClaims are judged, in this order, on every row that starts a
// container. start needs the provisioning claims the row depends on; the
// others need start, except cleanup, which judges whatever was created.
type workloadClaim struct {
	doc       string
	kind      string
	platforms []string
	check     func(evidence.Daemon, config.Expectations, evidence.Workload) claims.Verdict
}

var workloadClaims = []workloadClaim{
	{
		doc: "workload starts and runs", kind: claims.KindStart, platforms: []string{"windows", "linux"},
		check: claims.CheckStart,
	},
	{
		doc: "inspect reports the isolation asked for", kind: claims.KindIsolationField, platforms: []string{"windows", "linux"},
		check: func(d evidence.Daemon, _ config.Expectations, w evidence.Workload) claims.Verdict {
			return claims.CheckIsolationField(d, w)
		},
	},
	{
		doc: "docker top lists the workload and the system processes", kind: claims.KindProcessTree, platforms: []string{"windows", "linux"},
		check: func(_ evidence.Daemon, _ config.Expectations, w evidence.Workload) claims.Verdict {
			return claims.CheckProcessTree(w)
		},
	},
	{
		doc: "workload PID is, or is not, a host process", kind: claims.KindPIDVisibility, platforms: []string{"windows", "linux"},
		check: func(d evidence.Daemon, _ config.Expectations, w evidence.Workload) claims.Verdict {
			return claims.CheckPIDVisibility(d, w)
		},
	},
	{
		doc: "a VM worker appears only for Hyper-V", kind: claims.KindVMWorker, platforms: []string{"windows"},
		check: func(d evidence.Daemon, _ config.Expectations, w evidence.Workload) claims.Verdict {
			return claims.CheckVMWorker(d, w)
		},
	},
	{
		doc: "the container is gone after removal", kind: claims.KindCleanup, platforms: []string{"windows", "linux"},
		check: func(_ evidence.Daemon, _ config.Expectations, w evidence.Workload) claims.Verdict {
			return claims.CheckCleanup(w)
		},
	},
}

// testIsolation runs each row in a parallel subtest named by the row
// ("windows/hyperv"): a row that a `-run` filter leaves out starts no
// container. A row that runs gathers its evidence and judges all its claims
// before it reports any, so that selecting one claim still judges the claims
// it needs.
func testIsolation(t *testing.T, run *hostRun) {
	for _, r := range isolationRows {
		t.Run(r.row.String(), func(t *testing.T) {
			t.Parallel()
			run.mu.Lock()
			run.rowsRun++
			run.mu.Unlock()
			t.Log(r.doc)
			applies, reason := claims.RowApplies(run.daemon, run.s.Expect, r.row)
			if r.row.Refusal() {
				refusalRow(t, run, r.row, applies, reason)
			} else {
				workloadRow(t, run, r.row, applies, reason)
			}
			if !applies {
				t.Skip(reason) // not skip.If: it parses this file to quote the condition, a fifth of a replay's time
			}
		})
	}
}

func workloadRow(t *testing.T, run *hostRun, row evidence.Row, applies bool, reason string) {
	var w evidence.Workload
	if applies && passed(run, claims.EnginePlatform, claims.BaseImage) {
		var err error
		w, err = run.s.RunWorkload(run.ctx, row, run.daemon.Image.Ref, t.Cleanup)
		assert.Check(t, err, "row %s", row)
	}
	start := claims.ID(row, claims.KindStart)
	var judged []workloadClaim
	for _, c := range workloadClaims {
		if !slices.Contains(c.platforms, row.Platform) {
			continue
		}
		needs := []string{claims.EnginePlatform}
		switch {
		case !applies, c.kind == claims.KindCleanup:
		case c.kind == claims.KindStart:
			needs = append([]string{claims.EnginePlatform}, claims.StartNeeds(row)...)
		default:
			needs = []string{start}
		}
		run.ledger.Judge(claims.ID(row, c.kind), needs, func() claims.Verdict {
			if !applies {
				return claims.NotApplicable(reason)
			}
			return c.check(run.daemon, run.s.Expect, w)
		})
		judged = append(judged, c)
	}
	for _, c := range judged {
		reportClaim(t, run, claims.ID(row, c.kind), c.kind, c.doc)
	}
}

func refusalRow(t *testing.T, run *hostRun, row evidence.Row, applies bool, reason string) {
	var r evidence.Refusal
	if applies && passed(run, claims.EnginePlatform, claims.BaseImage) {
		var err error
		r, err = run.s.TryRefusal(run.ctx, row, run.daemon.Image.Ref, t.Cleanup)
		assert.Check(t, err, "row %s", row)
	}
	needs := []string{claims.EnginePlatform}
	if applies {
		needs = append(needs, claims.BaseImage)
	}
	id := claims.ID(row, claims.KindRefused)
	run.ledger.Judge(id, needs, func() claims.Verdict {
		if !applies {
			return claims.NotApplicable(reason)
		}
		return claims.CheckRefused(r)
	})
	reportClaim(t, run, id, claims.KindRefused, "the daemon refuses the mode as invalid")
}

func passed(run *hostRun, ids ...string) bool {
	for _, id := range ids {
		if v, ok := run.ledger.Get(id); !ok || v.Status != claims.Pass {
			return false
		}
	}
	return true
}
