package conformance

import (
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
)

// allClaimIDs lists every claim the tables judge on some host.
func allClaimIDs() []string {
	var ids []string
	for _, c := range provisioningClaims {
		ids = append(ids, c.id)
	}
	for _, r := range isolationRows {
		if r.row.Refusal() {
			ids = append(ids, claims.ID(r.row, claims.KindRefused))
			continue
		}
		for _, c := range workloadClaims {
			if slices.Contains(c.platforms, r.row.Platform) {
				ids = append(ids, claims.ID(r.row, c.kind))
			}
		}
	}
	sort.Strings(ids)
	return ids
}

// TestTablesJudgeTheCatalogue: the claim tables judge exactly the claims
// package's catalogue, the list the required-claims rule and reports read.
func TestTablesJudgeTheCatalogue(t *testing.T) {
	var catalogue []string
	for _, s := range claims.Catalogue() {
		if s.AppliesTo(config.EngineDocker) {
			catalogue = append(catalogue, s.ID)
		}
	}
	sort.Strings(catalogue)
	assert.Equal(t, catalogue, allClaimIDs())
}

// TestBrokenHostsAreCaught replays every broken-host fixture: each must make
// exactly the claims it names fail on their own (others may only be blocked),
// with no fixture error, and every claim must have a broken host that it
// catches.
func TestBrokenHostsAreCaught(t *testing.T) {
	cfg := loadConfig(t)
	dirs, err := fixture.Discover(cfg.Fixtures)
	require.NoError(t, err)
	covered := map[string][]string{}
	caught, broken := 0, 0
	var mu sync.Mutex // covered and caught, written by the hosts replayed in parallel
	// The score is given once every host has been replayed: the hosts run in
	// parallel, after this function has returned.
	t.Cleanup(func() {
		t.Logf("detection score: %d/%d broken hosts caught (%.0f%%)", caught, broken, 100*float64(caught)/float64(broken))
		// Every claim of the catalogue, Docker's and containerd's.
		for _, spec := range claims.Catalogue() {
			assert.NotEmpty(t, covered[spec.ID], "claim %s has no broken-host fixture that it catches", spec.ID)
		}
	})
	for _, dir := range dirs {
		f := loadFixture(t, dir)
		if len(f.Meta.Provenance.Breaks) == 0 {
			continue
		}
		broken++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			var ledger *claims.Ledger
			replayed := t.Run("replay", func(t *testing.T) { ledger = replayHost(t, dir, observe) })
			if !replayed {
				t.Errorf("replay of %s failed: a replay error is never a catch", f.Name())
				return
			}
			all := true
			for _, id := range f.Meta.Provenance.Breaks {
				v, ok := ledger.Get(id)
				switch {
				case !ok:
					t.Errorf("%s names claim %s, which was never judged", f.Name(), id)
					all = false
				case v.Status != claims.Fail || v.BlockedBy != "":
					t.Errorf("%s is broken for %s, but the claim reached: %s", f.Name(), id, v)
					all = false
				default:
					t.Logf("caught: %s", v)
					mu.Lock()
					covered[id] = append(covered[id], f.Name())
					mu.Unlock()
				}
			}
			for _, v := range ledger.All() {
				if v.Status == claims.Fail && v.BlockedBy == "" && !slices.Contains(f.Meta.Provenance.Breaks, v.Claim) {
					t.Errorf("%s is broken one way, yet %s failed on its own too: %s", f.Name(), v.Claim, v)
					all = false
				}
			}
			if all {
				mu.Lock()
				caught++
				mu.Unlock()
			}
		})
	}
	require.NotZero(t, broken, "no broken-host fixtures under %s", cfg.Fixtures)
}
