package conformance

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wincontainer-gate/conformance/helpers/fixture"
)

// TestReplayComparesWarnings: the newer-revision warning of the 2025 host is
// part of its expected verdict; a fixture that forgets it, or expects one the
// verdict does not give, fails replay.
func TestReplayComparesWarnings(t *testing.T) {
	const host = "fixtures/broken-ws2025-image-revision-newer"
	t.Run("an unexpected warning fails", func(t *testing.T) {
		dir := copyFixture(t, host)
		editExpected(t, dir, "image-build", func(e *fixture.Expected) { e.Warnings = nil })
		out, err := runSuite(t, "CONFORMANCE_MODE=replay", "CONFORMANCE_FIXTURES="+filepath.Dir(dir))
		require.Error(t, err, "replay must fail:\n%s", out)
		assert.Contains(t, out, "claim image-build: warnings the fixture does not expect")
	})
	t.Run("a missing warning fails", func(t *testing.T) {
		dir := copyFixture(t, host)
		editExpected(t, dir, "engine-version", func(e *fixture.Expected) { e.Warnings = []string{"engine is out of support"} })
		out, err := runSuite(t, "CONFORMANCE_MODE=replay", "CONFORMANCE_FIXTURES="+filepath.Dir(dir))
		require.Error(t, err, "replay must fail:\n%s", out)
		assert.Contains(t, out, `claim engine-version: expected warnings missing: "engine is out of support"`)
	})
}
