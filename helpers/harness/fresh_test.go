package harness

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestWorkerAttributionOnlyForALocalWindowsHost: the run's log announces how
// VM workers are attributed only where there are VM workers to attribute: a
// local Windows host. A local Linux host (CI's) and a remote daemon have none.
func TestWorkerAttributionOnlyForALocalWindowsHost(t *testing.T) {
	assert.Check(t, is.Equal((&Session{Local: true}).WorkerAttribution(), ""), "a local Linux host")
	assert.Check(t, is.Equal((&Session{windowsHost: true}).WorkerAttribution(), ""), "a remote Windows daemon")
	assert.Check(t, is.Contains((&Session{Local: true, windowsHost: true}).WorkerAttribution(), "timing"))
	assert.Check(t, is.Contains((&Session{Local: true, windowsHost: true, exactAttribution: true}).WorkerAttribution(), "exact, else elimination"))
}
