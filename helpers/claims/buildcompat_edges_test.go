package claims

import (
	"fmt"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// Sources of the edge rows below, beside those of buildcompat_test.go.
const (
	srcLifecycleEnds = "Microsoft Learn, 'Base image servicing lifecycles' (ltsc2016 2027-01-11, ltsc2022 2031-10-14, ltsc2025 2034-10-10)"
	srcEndingSoon    = "servicing.go EndingSoon: a line ending within a year is named only where nothing else fits"
	srcBaselineHost  = "Microsoft Learn, Update Windows Server containers: 17763.1039 (KB4532691, 2020-02-11) is the page's example of a host at the new baseline"
)

// TestBuildRuleAtEachBoundary: for the host builds container hosts run, the
// image exactly at each bound of the process rule, one below and one above.
// hcsshim's own function decides the same pairs on Windows
// (buildcompat_windows_test.go checks every neighbour of these builds).
func TestBuildRuleAtEachBoundary(t *testing.T) {
	for _, tc := range buildBoundaryRows {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Check(t, is.Equal(BuildFits("process", tc.host, tc.image), tc.process), "host %d image %d (%s)", tc.host, tc.image, tc.source)
			assert.Check(t, is.Equal(BuildFits("hyperv", tc.host, tc.image), tc.hypv), "host %d image %d (%s)", tc.host, tc.image, tc.source)
		})
	}
}

// buildBoundaryRows are also checked against hcsshim's own function on
// Windows (buildcompat_windows_test.go).
var buildBoundaryRows = []struct {
	doc           string
	host, image   int
	process, hypv bool
	source        string
}{
	{doc: "Server 2016, image one build older", host: 14393, image: 14392, process: false, hypv: true, source: srcMSCompat},
	{doc: "Server 2016, image one build newer", host: 14393, image: 14394, process: false, hypv: false, source: srcMSCompat},
	{doc: "Server 2019, image one build older", host: 17763, image: 17762, process: false, hypv: true, source: srcMSCompat},
	{doc: "Server 2019, image one build newer", host: 17763, image: 17764, process: false, hypv: false, source: srcMSCompat},
	{doc: "Windows 10 2004 host, 20H2 image", host: 19041, image: 19042, process: false, hypv: false, source: srcMSCompat},
	{doc: "Windows 10 2004 host, own image", host: 19041, image: 19041, process: true, hypv: true, source: srcMSCompat},
	{doc: "Server 2022 host, image one below the ltsc2022 floor", host: 20348, image: 20347, process: false, hypv: true, source: srcHcsshim},
	{doc: "Server 2022 host, image one above its own build", host: 20348, image: 20349, process: false, hypv: false, source: srcHcsshim},
	{doc: "Server 23H2 host, image one below the ltsc2022 floor", host: 25398, image: 20347, process: false, hypv: true, source: srcHcsshim},
	{doc: "Server 23H2 host, image at the ltsc2022 floor", host: 25398, image: 20348, process: true, hypv: true, source: srcHcsshim},
	{doc: "Server 23H2 host, own build", host: 25398, image: 25398, process: true, hypv: true, source: srcHcsshim},
	{doc: "Server 23H2 host, image one above", host: 25398, image: 25399, process: false, hypv: false, source: srcHcsshim},
	{doc: "Server 2025 host, image one below the ltsc2022 floor", host: 26100, image: 20347, process: false, hypv: true, source: srcHcsshim},
	{doc: "Server 2025 host, image one above", host: 26100, image: 26101, process: false, hypv: false, source: srcHcsshim},
	{doc: "Windows 11 25H2 host, image one below the ltsc2025 floor", host: 26200, image: 26099, process: false, hypv: true, source: srcHcsshim},
	{doc: "Windows 11 25H2 host, own build", host: 26200, image: 26200, process: true, hypv: true, source: srcHcsshim},
	{doc: "Windows 11 25H2 host, image one above", host: 26200, image: 26201, process: false, hypv: false, source: srcHcsshim},
	{doc: "a build one above 2025: its floor is ltsc2025", host: 26101, image: 26100, process: true, hypv: true, source: srcHcsshim},
	{doc: "a build one above 2025: ltsc2022 no longer fits", host: 26101, image: 20348, process: false, hypv: true, source: srcHcsshim},
}

// TestFitFixAtTheEdges: the whole fix for hosts at the edges of the build,
// servicing and "ending soon" rules. Each want is the full text, so an added
// or dropped clause fails the row.
func TestFitFixAtTheEdges(t *testing.T) {
	const moveHost = ", or move the host to a serviced Long-Term build (Windows Server 2022 or 2025)"
	tests := []struct {
		doc    string
		fit    Fit
		want   string
		source string
	}{
		{doc: "Server 2022 host under process isolation: its own image and nothing else",
			fit:  Fit{Host: 20348, HostRev: 2966, Modes: []string{"process"}},
			want: "use the image tag for build 20348 (ltsc2022)", source: srcHcsshim},
		{doc: "Server 2016 host whose revision could not be read: no revision named",
			fit:  Fit{Host: 14393, Modes: []string{"process"}},
			want: "use the image tag for build 14393 (ltsc2016)", source: srcMSRevision},
		{doc: "Server 2016 host at 14393.7428 under process isolation: the image of the host's revision",
			fit:  Fit{Host: 14393, HostRev: 7428, Modes: []string{"process"}},
			want: "use the image tag for build 14393 (ltsc2016) at the host's revision (10.0.14393.7428)", source: srcMSRevision},
		{doc: "Server 2016 host under Hyper-V only: revisions do not matter",
			fit:  Fit{Host: 14393, HostRev: 7428, Modes: []string{"hyperv"}},
			want: "use the image tag for build 14393 (ltsc2016)", source: srcMSRevision},
		{doc: "Server 2016 host the day before ltsc2016's servicing ends",
			fit:  Fit{Host: 14393, Modes: []string{"process"}, At: day("2027-01-10")},
			want: "use the image tag for build 14393 (ltsc2016)", source: srcLifecycleEnds},
		{doc: "Server 2016 host on the day ltsc2016's servicing ends: nothing serviced, and no Hyper-V way either",
			fit:    Fit{Host: 14393, Modes: []string{"process"}, At: day("2027-01-11")},
			want:   "no serviced image fits build 14393 for process (process: only ltsc2016 (14393) fits, unserviced since 2027-01-11)" + moveHost,
			source: srcLifecycleEnds},
		{doc: "Server 2016 host the day after, under Hyper-V",
			fit:    Fit{Host: 14393, Modes: []string{"hyperv"}, At: day("2027-01-12")},
			want:   "no serviced image fits build 14393 for hyperv (hyperv: only ltsc2016 (14393) fits, unserviced since 2027-01-11)" + moveHost,
			source: srcLifecycleEnds},
		{doc: "Windows 10 1511 host (10586), older than any base image: no Hyper-V way to offer",
			fit:    Fit{Host: 10586, Modes: []string{"process"}},
			want:   "no serviced image fits build 10586 for process (process: no image (a host older than 20348 runs only images of its own build))" + moveHost,
			source: srcMSCompat},
		{doc: "Server 1803 host under process isolation alone: one mode, and Hyper-V offered with ltsc2016",
			fit: Fit{Host: 17134, Modes: []string{"process"}},
			want: "no serviced image fits build 17134 for process (process: only 1803 (17134) fits, unserviced since 2019-11-12)" +
				"; the serviced way on this host is Hyper-V isolation (CONFORMANCE_ISOLATION=hyperv) with ltsc2016 (14393)" + moveHost,
			source: srcMSCompat},
		{doc: "Windows 10 22H2 host (19045) under both modes: Hyper-V under test already",
			fit: Fit{Host: 19045, Modes: []string{"process", "hyperv"}},
			want: "no serviced image fits build 19045 for both process and hyperv (process: no image (a host older than 20348 runs only images of its own build); hyperv: 1809 / ltsc2019 (17763))" +
				"; the serviced way on this host is Hyper-V isolation (CONFORMANCE_ISOLATION=hyperv)" + moveHost,
			source: srcMSCompat},
		{doc: "Server 2025 host exactly 366 days before ltsc2022 ends: both LTSC images named",
			fit:  Fit{Host: 26100, Modes: []string{"process"}, At: day("2030-10-13")},
			want: "use the image tag for build 26100 (ltsc2025); serviced images that also fit process here: ltsc2022 (20348)", source: srcEndingSoon},
		{doc: "Server 2025 host exactly 365 days before ltsc2022 ends: ltsc2022 is ending soon, not named",
			fit:  Fit{Host: 26100, Modes: []string{"process"}, At: day("2030-10-14")},
			want: "use the image tag for build 26100 (ltsc2025)", source: srcEndingSoon},
		{doc: "Windows 11 23H2 host, a team's own image: its variant on ltsc2022",
			fit:  Fit{Host: 22631, Modes: []string{"process"}, Image: "registry.example/team/app:1.4"},
			want: "build 22631 has no serviced base image of its own; serviced images that fit process here: registry.example/team/app:1.4's variant built on ltsc2022 (20348)", source: srcContainerd},
		{doc: "Server 2019 host, a team's own image: its variant for the host's build",
			fit:  Fit{Host: 17763, Modes: []string{"process"}, Image: "registry.example/team/app:1.4"},
			want: "use registry.example/team/app:1.4's variant for build 17763 (base image tag 1809 / ltsc2019)", source: srcMSCompat},
		{doc: "no mode named: read as both modes",
			fit:  Fit{Host: 26100},
			want: "use the image tag for build 26100 (ltsc2025); serviced images that also fit process and hyperv here: ltsc2022 (20348)", source: srcHcsshim},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Check(t, is.Equal(FitFix(tc.fit), tc.want), tc.source)
		})
	}
}

// TestRevisionRulesAtTheBaseline: revisions of one build around the
// February 2020 baseline and the equal-revision rule, with the fix each gets.
func TestRevisionRulesAtTheBaseline(t *testing.T) {
	tests := []struct {
		doc                   string
		host, hostRev, imgRev int
		problem, warning, fix string
		source                string
	}{
		{doc: "2019 host at the baseline (17763.1039), image one revision before it",
			host: 17763, hostRev: 1039, imgRev: 1038,
			problem: "host 17763.1039 and image 17763.1038 are on different sides of the February 2020 baseline (17763.1039)",
			fix:     "use a newer image: pull the tag again for revision 17763.1039 or later", source: srcBaselineHost},
		{doc: "2019 host one revision before the baseline, image at it",
			host: 17763, hostRev: 1038, imgRev: 1039,
			problem: "host 17763.1038 and image 17763.1039 are on different sides",
			fix:     "update the host past the February 2020 baseline (Windows Update, to 17763.1039 or later)", source: srcBaselineHost},
		{doc: "2019 host and image both at the baseline", host: 17763, hostRev: 1039, imgRev: 1039,
			fix: "host and image are at the same revision", source: srcBaseline},
		{doc: "2019 host one past the baseline, image at it: same side, older image is fine",
			host: 17763, hostRev: 1040, imgRev: 1039,
			fix: "pull the image's tag again for the host's revision 1040 or later", source: srcMSRevision},
		{doc: "2019 host at the baseline, image one revision newer: a warning, not a failure",
			host: 17763, hostRev: 1039, imgRev: 1040,
			warning: "image revision 1040 is newer than the host's 1039",
			fix:     "update the host to revision 1040 or later (Windows Update), or pin the image's previous tag (revision 1039 or older)", source: srcRevisionBug2019},
		{doc: "1903 host at its baseline (18362.657), image before it", host: 18362, hostRev: 657, imgRev: 656,
			problem: "(18362.657)", fix: "use a newer image: pull the tag again for revision 18362.657 or later", source: srcBaseline},
		{doc: "2016 host and image one revision apart", host: 14393, hostRev: 3384, imgRev: 3385,
			problem: "needs the image revision to equal the host's", fix: "use the image of the host's revision (tag 10.0.14393.3384)", source: srcMSRevision},
		{doc: "2016 host and image at the same revision, refused anyway: the host's revision is still the image to use", host: 14393, hostRev: 3384, imgRev: 3384,
			fix: "use the image of the host's revision (tag 10.0.14393.3384), or update host and image together", source: srcMSRevision},
		{doc: "1803 host (17134) with a newer image revision: the 1809-on warning does not apply",
			host: 17134, hostRev: 1000, imgRev: 1001, fix: "update the host to revision 1001 or later", source: srcMSRevision},
		{doc: "host revision unreadable", host: 17763, hostRev: 0, imgRev: 1039,
			fix: "update host and image to their latest cumulative update; Hyper-V isolation runs it meanwhile (revisions do not matter there)", source: srcMSRevision},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			problem, warning := RevisionFinding("process", tc.host, tc.hostRev, tc.host, tc.imgRev)
			assert.Check(t, is.Equal(problem == "", tc.problem == ""), "problem %q (%s)", problem, tc.source)
			assert.Check(t, is.Contains(problem, tc.problem), tc.source)
			assert.Check(t, is.Equal(warning == "", tc.warning == ""), "warning %q (%s)", warning, tc.source)
			assert.Check(t, is.Contains(warning, tc.warning), tc.source)
			fix := RevisionFix(tc.host, tc.hostRev, tc.imgRev)
			assert.Check(t, strings.HasPrefix(fix, tc.fix), "fix %q, want it to start with %q (%s)", fix, tc.fix, tc.source)
			assert.Check(t, strings.HasSuffix(fix, "; Hyper-V isolation runs it meanwhile (revisions do not matter there)"), fix)
		})
	}
}

// TestRevisionRuleAppliesPerMode: a host revision that could not be read
// leaves a rule unchecked only where RevisionFinding has one: process
// isolation, the host's own build, Server 2016 or 1809 and later.
func TestRevisionRuleAppliesPerMode(t *testing.T) {
	tests := []struct {
		mode            string
		host, image     int
		imageRev        int
		applies         bool
		situationSource string
	}{
		{"process", 17763, 17763, 1039, true, "Server 2019, own image: the baseline and newer-image rules " + srcBaseline},
		{"hyperv", 17763, 17763, 1039, false, "Server 2019 under Hyper-V: its own kernel " + srcMSRevision},
		{"process", 14393, 14393, 3384, true, "Server 2016: equal revisions " + srcMSRevision},
		{"process", 17134, 17134, 1000, false, "Server 1803: no revision rule"},
		{"process", 26100, 20348, 2966, false, "Server 2025 running ltsc2022: another build"},
		{"process", 26100, 26100, 0, false, "image revision unreadable"},
		{"process", 26100, 26100, 3194, true, "Server 2025, own image " + srcRevisionBug},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s %d on %d", tc.mode, tc.image, tc.host), func(t *testing.T) {
			assert.Check(t, is.Equal(RevisionRuleApplies(tc.mode, tc.host, tc.image, tc.imageRev), tc.applies), tc.situationSource)
		})
	}
}
