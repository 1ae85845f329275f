package claims

import (
	"fmt"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// Sources of the rows below, beside those of buildcompat_test.go and
// buildcompat_edges_test.go.
const (
	srcBaseImages   = "Microsoft Learn, 'Windows container base images' and the version compatibility page's tags (nanoserver 1709 to 20H2, ltsc2022, ltsc2025; Server 2016 Nano Server retired, servercore:ltsc2016)"
	srcDesktopWin10 = "Microsoft Learn, version compatibility, Windows 10 client table: 21H1, 21H2 and 22H2 (19043-19045) have no image of their own and run Windows Server images under Hyper-V isolation (Docker Desktop's default there)"
	srcKB4532693    = "Microsoft Support KB4532693 (2020-02-11): 1903 and 1909 move to 18362.657 and 18363.657, the February 2020 baseline"
)

// TestDefaultImageOfEveryHostBuild: the image the harness pulls when
// CONFORMANCE_IMAGE is not set, for every build a container host runs. A
// dropped or retagged published image, or the LTSC rule of the Hyper-V
// fallback, fails its row with the reference a user would have pulled.
func TestDefaultImageOfEveryHostBuild(t *testing.T) {
	tests := []struct {
		build  int
		want   string
		source string
	}{
		{10586, "", srcMSCompat}, // Windows 10 1511: older than any base image
		{14393, "mcr.microsoft.com/windows/servercore:ltsc2016", srcBaseImages},
		{16299, "mcr.microsoft.com/windows/nanoserver:1709", srcBaseImages},
		{17134, "mcr.microsoft.com/windows/nanoserver:1803", srcBaseImages},
		{17763, "mcr.microsoft.com/windows/nanoserver:1809", srcBaseImages},
		{18362, "mcr.microsoft.com/windows/nanoserver:1903", srcBaseImages},
		{18363, "mcr.microsoft.com/windows/nanoserver:1909", srcBaseImages},
		{19041, "mcr.microsoft.com/windows/nanoserver:2004", srcBaseImages},
		{19042, "mcr.microsoft.com/windows/nanoserver:20H2", srcBaseImages},
		{19043, "mcr.microsoft.com/windows/nanoserver:1809", srcDesktopWin10}, // newest LTSC under Hyper-V, not 20H2
		{19044, "mcr.microsoft.com/windows/nanoserver:1809", srcDesktopWin10},
		{19045, "mcr.microsoft.com/windows/nanoserver:1809", srcDesktopWin10},
		{20348, "mcr.microsoft.com/windows/nanoserver:ltsc2022", srcBaseImages},
		{22000, "mcr.microsoft.com/windows/nanoserver:ltsc2022", srcContainerd},
		{22621, "mcr.microsoft.com/windows/nanoserver:ltsc2022", srcHcsshim},
		{22631, "mcr.microsoft.com/windows/nanoserver:ltsc2022", srcContainerd},
		{25398, "mcr.microsoft.com/windows/nanoserver:ltsc2022", srcHcsshim},
		{26100, "mcr.microsoft.com/windows/nanoserver:ltsc2025", srcBaseImages},
		{26200, "mcr.microsoft.com/windows/nanoserver:ltsc2025", srcHcsshim},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.build), func(t *testing.T) {
			assert.Check(t, is.Equal(DefaultBaseImage(tc.build), tc.want), tc.source)
		})
	}
}

// TestFitFixWholeTextOnMoreHosts: the whole fix on hosts and mode sets the
// edge rows do not hold: one mode of a Windows 10 desktop, a host older than
// any image under Hyper-V, a team's image where only per-mode lists fit, the
// Hyper-V-only lists of Server 2025, and a Microsoft reference given as the
// image (named by its tag, never as "a variant"). Each want is the full text.
func TestFitFixWholeTextOnMoreHosts(t *testing.T) {
	const (
		team     = "registry.example/team/app:1.4"
		moveHost = ", or move the host to a serviced Long-Term build (Windows Server 2022 or 2025)"
		noImage  = "no image (a host older than 20348 runs only images of its own build)"
	)
	tests := []struct {
		doc    string
		fit    Fit
		want   string
		source string
	}{
		{doc: "Windows 10 22H2 desktop under process isolation alone: Hyper-V offered with the serviced LTSC image (ltsc2016 ends within a year)",
			fit:    Fit{Host: 19045, Modes: []string{"process"}},
			want:   "no serviced image fits build 19045 for process (process: " + noImage + "); the serviced way on this host is Hyper-V isolation (CONFORMANCE_ISOLATION=hyperv) with 1809 / ltsc2019 (17763)" + moveHost,
			source: srcDesktopWin10},
		{doc: "Windows 10 22H2 desktop under Hyper-V alone (Docker Desktop's default): ltsc2019 fits",
			fit:    Fit{Host: 19045, Modes: []string{"hyperv"}},
			want:   "build 19045 has no serviced base image of its own; serviced images that fit hyperv here: 1809 / ltsc2019 (17763)",
			source: srcDesktopWin10},
		{doc: "Windows 10 22H2 desktop, a team's image, both modes: the Hyper-V list names the team's variant",
			fit: Fit{Host: 19045, Modes: []string{"process", "hyperv"}, Image: team},
			want: "no serviced image fits build 19045 for both process and hyperv (process: " + noImage + "; hyperv: " + team + "'s variant built on 1809 / ltsc2019 (17763))" +
				"; the serviced way on this host is Hyper-V isolation (CONFORMANCE_ISOLATION=hyperv)" + moveHost,
			source: srcDesktopWin10},
		{doc: "Windows 10 1511 host (10586) under Hyper-V: no published image is that old",
			fit:    Fit{Host: 10586, Modes: []string{"hyperv"}},
			want:   "no serviced image fits build 10586 for hyperv (hyperv: no published image)" + moveHost,
			source: srcMSCompat},
		{doc: "Windows 10 1511 host under both modes",
			fit:    Fit{Host: 10586, Modes: []string{"process", "hyperv"}},
			want:   "no serviced image fits build 10586 for both process and hyperv (process: " + noImage + "; hyperv: no published image)" + moveHost,
			source: srcMSCompat},
		{doc: "Server 2016 at 14393.7428 under both modes: the revision is named because process isolation is under test",
			fit:    Fit{Host: 14393, HostRev: 7428, Modes: []string{"process", "hyperv"}},
			want:   "use the image tag for build 14393 (ltsc2016) at the host's revision (10.0.14393.7428)",
			source: srcMSRevision},
		{doc: "Server 2016 at 14393.7428, a team's image under process isolation: its variant at the host's revision",
			fit:    Fit{Host: 14393, HostRev: 7428, Modes: []string{"process"}, Image: team},
			want:   "use " + team + "'s variant for build 14393 (base image tag ltsc2016) at the host's revision (10.0.14393.7428)",
			source: srcMSRevision},
		{doc: "Server 2022, a team's image under both modes: only ltsc2022 fits both, so nothing else is listed",
			fit:    Fit{Host: 20348, Modes: []string{"process", "hyperv"}, Image: team},
			want:   "use " + team + "'s variant for build 20348 (base image tag ltsc2022)",
			source: srcHcsshim},
		{doc: "Server 2025 under Hyper-V alone: every older serviced LTSC image also fits (ltsc2016 ends within a year, so not named)",
			fit:    Fit{Host: 26100, Modes: []string{"hyperv"}},
			want:   "use the image tag for build 26100 (ltsc2025); serviced images that also fit hyperv here: ltsc2022 (20348), 1809 / ltsc2019 (17763)",
			source: srcMSCompat},
		{doc: "Server 2025, a team's image under process isolation: its variant, and ltsc2022 also fits",
			fit:    Fit{Host: 26100, Modes: []string{"process"}, Image: team},
			want:   "use " + team + "'s variant for build 26100 (base image tag ltsc2025); serviced images that also fit process here: ltsc2022 (20348)",
			source: srcHcsshim},
		{doc: "Windows 11 25H2 (26200), a team's image under Hyper-V: its variants, joined by 'or'",
			fit:    Fit{Host: 26200, Modes: []string{"hyperv"}, Image: team},
			want:   "build 26200 has no serviced base image of its own; serviced images that fit hyperv here: " + team + "'s variant built on ltsc2025 (26100) or ltsc2022 (20348) or 1809 / ltsc2019 (17763)",
			source: srcHcsshim},
		{doc: "Windows 11 25H2 with Microsoft's own nanoserver as the image: named by its tag",
			fit:    Fit{Host: 26200, Modes: []string{"process"}, Image: "mcr.microsoft.com/windows/nanoserver:ltsc2025"},
			want:   "build 26200 has no serviced base image of its own; serviced images that fit process here: ltsc2025 (26100)",
			source: srcHcsshim},
		{doc: "Server 1909 host judged in mid-2028 (ltsc2016 gone, ltsc2019 ending): the Hyper-V way still names ltsc2019, the one left",
			fit:    Fit{Host: 18363, Modes: []string{"process"}, At: day("2028-06-01")},
			want:   "no serviced image fits build 18363 for process (process: only 1909 (18363) fits, unserviced since 2021-05-11); the serviced way on this host is Hyper-V isolation (CONFORMANCE_ISOLATION=hyperv) with 1809 / ltsc2019 (17763)" + moveHost,
			source: srcLifecycleEnds},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Check(t, is.Equal(FitFix(tc.fit), tc.want), tc.source)
		})
	}
}

// TestRevisionFindingsWordForWord: the whole problem and warning a user reads
// for each revision rule, and the rows where no rule applies (another build,
// an unread image revision, a baseline build one revision either side).
func TestRevisionFindingsWordForWord(t *testing.T) {
	tests := []struct {
		doc                      string
		mode                     string
		host, hostRev            int
		image, imageRev          int
		problem, warning, source string
	}{
		{doc: "Server 2016 host 14393.7428, image 14393.7336", mode: "process", host: 14393, hostRev: 7428, image: 14393, imageRev: 7336,
			problem: "process isolation on build 14393 needs the image revision to equal the host's: host 14393.7428, image 14393.7336", source: srcMSRevision},
		{doc: "Server 2019 host 17763.1039, image 17763.1038", mode: "process", host: 17763, hostRev: 1039, image: 17763, imageRev: 1038,
			problem: "host 17763.1039 and image 17763.1038 are on different sides of the February 2020 baseline (17763.1039): Microsoft documents that they do not work together under process isolation (KB4542617)", source: srcBaselineHost},
		{doc: "Server 1909 host at its baseline 18363.657, image 18363.656", mode: "process", host: 18363, hostRev: 657, image: 18363, imageRev: 656,
			problem: "host 18363.657 and image 18363.656 are on different sides of the February 2020 baseline (18363.657): Microsoft documents that they do not work together under process isolation (KB4542617)", source: srcKB4532693},
		{doc: "Server 1909 host one past its baseline, image at it: same side, an older image is fine", mode: "process", host: 18363, hostRev: 658, image: 18363, imageRev: 657, source: srcKB4532693},
		{doc: "Server 1903 host one past its baseline, image at it: same side", mode: "process", host: 18362, hostRev: 658, image: 18362, imageRev: 657, source: srcKB4532693},
		{doc: "Server 2019 host 17763.805, image 17763.864 (the documented session): a warning", mode: "process", host: 17763, hostRev: 805, image: 17763, imageRev: 864,
			warning: "image revision 864 is newer than the host's 805: hosts behind the image's update fail such process-isolated starts with 0xc0370106 (seen on 17763 and 26100); update the host, or pin the image's tag of revision 805 or older", source: srcRevisionBug2019},
		{doc: "Server 2025 host running an ltsc2022 image of a higher revision: another build, no revision rule", mode: "process", host: 26100, hostRev: 2894, image: 20348, imageRev: 3207, source: srcHcsshim},
		{doc: "Server 2016 host, image revision unread: nothing to compare", mode: "process", host: 14393, hostRev: 7428, image: 14393, imageRev: 0, source: srcMSRevision},
		{doc: "Server 2016 under Hyper-V with different revisions: its own kernel", mode: "hyperv", host: 14393, hostRev: 7428, image: 14393, imageRev: 7336, source: srcMSRevision},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			problem, warning := RevisionFinding(tc.mode, tc.host, tc.hostRev, tc.image, tc.imageRev)
			assert.Check(t, is.Equal(problem, tc.problem), tc.source)
			assert.Check(t, is.Equal(warning, tc.warning), tc.source)
		})
	}
}

// TestRevisionFixWordForWord: the whole fix of each branch, for a host whose
// image was refused or failed a revision rule.
func TestRevisionFixWordForWord(t *testing.T) {
	const hyperv = "; Hyper-V isolation runs it meanwhile (revisions do not matter there)"
	tests := []struct {
		doc                   string
		host, hostRev, imgRev int
		want, source          string
	}{
		{doc: "Server 2019 host past the baseline, image before it", host: 17763, hostRev: 7314, imgRev: 864,
			want: "use a newer image: pull the tag again for revision 17763.1039 or later (the host is past the February 2020 baseline, the image is not)" + hyperv, source: srcBaseline},
		{doc: "Server 2019 host before the baseline, image past it", host: 17763, hostRev: 805, imgRev: 7314,
			want: "update the host past the February 2020 baseline (Windows Update, to 17763.1039 or later), as the image already is" + hyperv, source: srcBaseline},
		{doc: "Server 2019 host past the baseline, image revision unread: no side to judge", host: 17763, hostRev: 7314, imgRev: 0,
			want: "update host and image to their latest cumulative update" + hyperv, source: srcMSRevision},
		{doc: "Server 2016 host and image apart", host: 14393, hostRev: 7428, imgRev: 7336,
			want: "use the image of the host's revision (tag 10.0.14393.7428), or update host and image together" + hyperv, source: srcMSRevision},
		{doc: "Server 2025 host behind the image's update", host: 26100, hostRev: 2894, imgRev: 3194,
			want: "update the host to revision 3194 or later (Windows Update), or pin the image's previous tag (revision 2894 or older)" + hyperv, source: srcRevisionBug},
		{doc: "Server 2022 host ahead of the image", host: 20348, hostRev: 2966, imgRev: 2849,
			want: "pull the image's tag again for the host's revision 2966 or later" + hyperv, source: srcMSRevision},
		{doc: "Server 2022 host and image at one revision, refused anyway", host: 20348, hostRev: 2966, imgRev: 2966,
			want: "host and image are at the same revision: update both to the latest cumulative update" + hyperv, source: srcMSRevision},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Check(t, is.Equal(RevisionFix(tc.host, tc.hostRev, tc.imgRev), tc.want), tc.source)
		})
	}
}

// TestRevisionRuleAppliesAtTheBuildEdges: the builds on either side of the
// rules' ranges, whose host revision, when unread, leaves a rule unchecked.
func TestRevisionRuleAppliesAtTheBuildEdges(t *testing.T) {
	tests := []struct {
		host    int
		applies bool
		situSrc string
	}{
		{14392, false, "a build one below Server 2016: no rule"},
		{14393, true, "Server 2016: equal revisions " + srcMSRevision},
		{14394, false, "a build one above Server 2016: no rule"},
		{17762, false, "a build one below 1809: no rule"},
		{17763, true, "Server 2019: the baseline and newer-image rules " + srcBaseline},
		{20348, true, "Server 2022: the newer-image rule " + srcRevisionBug2019},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.host), func(t *testing.T) {
			assert.Check(t, is.Equal(RevisionRuleApplies("process", tc.host, tc.host, 500), tc.applies), tc.situSrc)
		})
	}
}
