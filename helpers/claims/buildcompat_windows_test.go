package claims

import (
	"testing"

	"github.com/Microsoft/hcsshim/osversion"
	"gotest.tools/v3/assert"
)

// TestProcessRuleMirrorsHcsshim: hcsshim's rule is Windows-only, so the
// portable mirror is checked against it where it compiles, on every pair of
// known builds and their neighbours. Run on a Windows machine.
func TestProcessRuleMirrorsHcsshim(t *testing.T) {
	builds := []int{osversion.RS1, osversion.RS5, osversion.V19H1, osversion.V20H2, osversion.V22H2Win10,
		osversion.LTSC2022, osversion.V21H2Win11, osversion.V22H2Win11, 22631, osversion.V23H2, osversion.LTSC2025, 26200}
	var all []int
	for _, b := range builds {
		all = append(all, b-1, b, b+1)
	}
	for _, host := range all {
		for _, image := range all {
			want := osversion.CheckHostAndContainerCompat(
				osversion.OSVersion{MajorVersion: 10, Build: uint16(host)},
				osversion.OSVersion{MajorVersion: 10, Build: uint16(image)})
			assert.Check(t, ProcessIsolationFits(host, image) == want, "host %d image %d: hcsshim says %v", host, image, want)
		}
	}
}

// TestBoundaryRowsAgreeWithHcsshim: the process verdict of every boundary row
// (buildcompat_edges_test.go) is hcsshim's.
func TestBoundaryRowsAgreeWithHcsshim(t *testing.T) {
	for _, tc := range buildBoundaryRows {
		want := osversion.CheckHostAndContainerCompat(
			osversion.OSVersion{MajorVersion: 10, Build: uint16(tc.host)},
			osversion.OSVersion{MajorVersion: 10, Build: uint16(tc.image)})
		assert.Check(t, tc.process == want, "%s: host %d image %d: the row says %v, hcsshim %v", tc.doc, tc.host, tc.image, tc.process, want)
	}
}
