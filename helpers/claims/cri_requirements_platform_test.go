package claims

import (
	"slices"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// Which platform decides a containerd host's required claims: the host probe's
// OS when it read one, CONFORMANCE_PLATFORM otherwise (a containerd that did
// not answer and a probe that read nothing). Either way, on a Windows node the
// Windows rows and services are required, so their skip fails the gate.
func TestCRIRequirementsFollowTheProbedPlatform(t *testing.T) {
	windowsRows := []string{"service-vmcompute", "service-vmms", "service-containerd", "cri/windows/process/start", "cri/windows/hyperv/start", "cri/windows/hyperv/isolation"}
	t.Run("a Kubernetes Windows node (Server 2022, containerd 1.7) with CONFORMANCE_PLATFORM unset: the probe's windows decides", func(t *testing.T) {
		e := criExpect()
		e.Platform = ""
		ids := requiredIDs(CRIRequirements(ws2022Runtime(), e))
		for _, id := range windowsRows {
			assert.Check(t, slices.Contains(ids, id), "%s not required: %v", id, ids)
		}
		assert.Check(t, is.Len(ids, 19))
	})
	t.Run("a containerd whose host probe read nothing, CONFORMANCE_PLATFORM=windows: the configured platform decides", func(t *testing.T) {
		r := ws2022Runtime()
		r.Host = nil
		e := criExpect()
		e.Platform = "windows"
		ids := requiredIDs(CRIRequirements(r, e))
		for _, id := range windowsRows {
			assert.Check(t, slices.Contains(ids, id), "%s not required: %v", id, ids)
		}
	})
}
