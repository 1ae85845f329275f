package claims

import (
	"fmt"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// Sources of the rows (see buildcompat.go):
const (
	srcMSCompat        = "Microsoft Learn, Windows container version compatibility (host tables and 'Build number')"
	srcHcsshim         = "hcsshim osversion.CheckHostAndContainerCompat (v0.15.0), stable ABI LTSC list {20348, 26100}"
	srcContainerd      = "containerd PR 8137: Windows 11 runs Windows Server 2022 images under process isolation"
	srcMSRevision      = "Microsoft Learn, Windows container version compatibility ('Revision number (patching)')"
	srcRevisionBug     = "actions/runner-images#11582, microsoft/Windows-Containers#591, docker/for-win#14287: newer image revision fails with 0xc0370106 on 26100"
	srcBaseline        = "Microsoft Learn, Update Windows Server containers (the February 2020 new baseline), KB4542617, KB4532693"
	srcRevisionBug2019 = "microsoft/Windows-Containers#591 (2025-05-26 comment: a 2019 host behind on updates fails the newer ltsc2019 images with 0xc0370106 under process isolation, not under Hyper-V)"
)

func TestBuildCompatibilityRules(t *testing.T) {
	tests := []struct {
		host, image   int
		process, hypv bool
		source        string
	}{
		{host: 14393, image: 14393, process: true, hypv: true, source: srcMSCompat},
		{host: 14393, image: 17763, process: false, hypv: false, source: srcMSCompat},
		{host: 17763, image: 14393, process: false, hypv: true, source: srcMSCompat},
		{host: 17763, image: 17763, process: true, hypv: true, source: srcMSCompat},
		{host: 17763, image: 20348, process: false, hypv: false, source: srcMSCompat},
		{host: 18362, image: 17763, process: false, hypv: true, source: srcMSCompat},   // 1903 host, 2019 image
		{host: 19042, image: 19041, process: false, hypv: true, source: srcMSCompat},   // 20H2 host, 2004 image
		{host: 19042, image: 19042, process: true, hypv: true, source: srcMSCompat},    // 20H2 host, 20H2 image
		{host: 19045, image: 17763, process: false, hypv: true, source: srcContainerd}, // Windows 10 22H2: no ltsc2019 under process
		{host: 20348, image: 20348, process: true, hypv: true, source: srcHcsshim},
		{host: 20348, image: 17763, process: false, hypv: true, source: srcMSCompat},
		{host: 20348, image: 26100, process: false, hypv: false, source: srcHcsshim},
		{host: 22000, image: 20348, process: true, hypv: true, source: srcContainerd}, // Windows 11 21H2
		{host: 22631, image: 20348, process: true, hypv: true, source: srcContainerd}, // Windows 11 23H2
		{host: 22631, image: 22621, process: true, hypv: true, source: srcHcsshim},
		{host: 22631, image: 17763, process: false, hypv: true, source: srcHcsshim},
		{host: 22631, image: 26100, process: false, hypv: false, source: srcHcsshim},
		{host: 25398, image: 20348, process: true, hypv: true, source: srcHcsshim}, // Server 23H2
		{host: 26100, image: 20348, process: true, hypv: true, source: srcHcsshim}, // Server 2025, ltsc2022 image
		{host: 26100, image: 25398, process: true, hypv: true, source: srcHcsshim},
		{host: 26100, image: 26100, process: true, hypv: true, source: srcHcsshim},
		{host: 26100, image: 17763, process: false, hypv: true, source: srcHcsshim},
		{host: 26200, image: 20348, process: false, hypv: true, source: srcHcsshim}, // Windows 11 25H2: floor is ltsc2025
		{host: 26200, image: 26100, process: true, hypv: true, source: srcHcsshim},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("host %d image %d", tc.host, tc.image), func(t *testing.T) {
			assert.Check(t, is.Equal(BuildFits("process", tc.host, tc.image), tc.process), tc.source)
			assert.Check(t, is.Equal(BuildFits("hyperv", tc.host, tc.image), tc.hypv), tc.source)
		})
	}
}

func TestRevisionRules(t *testing.T) {
	tests := []struct {
		doc                      string
		mode                     string
		host, hostRev, imgRev    int
		problem, warning, source string
	}{
		{doc: "2016 process needs the same revision", mode: "process", host: 14393, hostRev: 1914, imgRev: 1944,
			problem: "needs the image revision to equal the host's: host 14393.1914, image 14393.1944", source: srcMSRevision},
		{doc: "2016 older image revision fails too", mode: "process", host: 14393, hostRev: 1944, imgRev: 1914,
			problem: "needs the image revision to equal", source: srcMSRevision},
		{doc: "2016 under Hyper-V: no revision rule", mode: "hyperv", host: 14393, hostRev: 1914, imgRev: 1944, source: srcMSRevision},
		{doc: "2019 older image revision on the same side of the 2020 baseline is fine", mode: "process", host: 17763, hostRev: 7314, imgRev: 1039, source: srcMSRevision},
		{doc: "2019 image before the 2020 baseline on a host past it fails", mode: "process", host: 17763, hostRev: 7314, imgRev: 1038,
			problem: "different sides of the February 2020 baseline (17763.1039)", source: srcBaseline},
		{doc: "2019 host before the 2020 baseline, image past it: fails the other way too", mode: "process", host: 17763, hostRev: 1038, imgRev: 1039,
			problem: "host 17763.1038 and image 17763.1039", source: srcBaseline},
		{doc: "1909 across its baseline (18363.657)", mode: "process", host: 18363, hostRev: 720, imgRev: 600,
			problem: "(18363.657)", source: srcBaseline},
		{doc: "across the baseline under Hyper-V: no rule", mode: "hyperv", host: 17763, hostRev: 7314, imgRev: 805, source: srcBaseline},
		{doc: "2019 newer image revision warns (revisions need not match from 1809 on, so never a failure: the documented session ran 17763.864 on 17763.805)", mode: "process", host: 17763, hostRev: 805, imgRev: 864,
			warning: "image revision 864 is newer than the host's 805", source: srcRevisionBug2019},
		{doc: "2022 newer image revision warns", mode: "process", host: 20348, hostRev: 707, imgRev: 708,
			warning: "image revision 708 is newer than the host's 707", source: srcRevisionBug2019},
		{doc: "2019 equal revisions: nothing", mode: "process", host: 17763, hostRev: 864, imgRev: 864, source: srcMSRevision},
		{doc: "Windows 11 24H2 and later warn like 2025", mode: "process", host: 26200, hostRev: 1000, imgRev: 1200,
			warning: "image revision 1200 is newer than the host's 1000", source: srcRevisionBug},
		{doc: "2025 newer image revision warns", mode: "process", host: 26100, hostRev: 2894, imgRev: 3194,
			warning: "0xc0370106", source: srcRevisionBug},
		{doc: "2025 newer revision under Hyper-V: no warning", mode: "hyperv", host: 26100, hostRev: 2894, imgRev: 3194, source: srcRevisionBug},
		{doc: "unknown host revision: no finding", mode: "process", host: 26100, hostRev: 0, imgRev: 3194, source: srcRevisionBug},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			problem, warning := RevisionFinding(tc.mode, tc.host, tc.hostRev, tc.host, tc.imgRev)
			assert.Check(t, is.Equal(problem == "", tc.problem == ""), "problem %q (%s)", problem, tc.source)
			assert.Check(t, is.Contains(problem, tc.problem), tc.source)
			assert.Check(t, is.Equal(warning == "", tc.warning == ""), "warning %q (%s)", warning, tc.source)
			assert.Check(t, is.Contains(warning, tc.warning), tc.source)
		})
	}
}

func TestDefaultBaseImageAndFixNeverEmpty(t *testing.T) {
	tests := []struct {
		build int
		image string
		fix   string
	}{
		{build: 14393, image: "servercore:ltsc2016", fix: "use the image tag for build 14393 (ltsc2016) at the host's revision (10.0.14393.3384)"},
		{build: 17134, image: "nanoserver:1803", fix: "no serviced image fits build 17134 for both process and hyperv (process: only 1803 (17134) fits, unserviced since 2019-11-12; hyperv: ltsc2016 (14393)"},
		{build: 17763, image: "nanoserver:1809", fix: "use the image tag for build 17763 (1809 / ltsc2019)"},
		{build: 19045, image: "nanoserver:1809", fix: "no serviced image fits build 19045 for both process and hyperv (process: no image (a host older than 20348 runs only images of its own build); hyperv: 1809 / ltsc2019 (17763)); the serviced way on this host is Hyper-V isolation"},
		{build: 20348, image: "nanoserver:ltsc2022", fix: "use the image tag for build 20348 (ltsc2022)"},
		{build: 22631, image: "nanoserver:ltsc2022", fix: "build 22631 has no serviced base image of its own; serviced images that fit process and hyperv here: ltsc2022 (20348)"},
		{build: 25398, image: "nanoserver:ltsc2022", fix: "serviced images that fit process and hyperv here: ltsc2022 (20348)"},
		{build: 26100, image: "nanoserver:ltsc2025", fix: "use the image tag for build 26100 (ltsc2025); serviced images that also fit process and hyperv here: ltsc2022 (20348)"},
		{build: 26200, image: "nanoserver:ltsc2025", fix: "serviced images that fit process and hyperv here: ltsc2025 (26100)"},
		{build: 10586, image: "", fix: "no serviced image fits build 10586"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.build), func(t *testing.T) {
			got := DefaultBaseImage(tc.build)
			assert.Check(t, is.Equal(got == "", tc.image == ""), got)
			assert.Check(t, is.Contains(got, tc.image))
			fix := FitFix(Fit{Host: tc.build, HostRev: 3384, Modes: []string{"process", "hyperv"}})
			assert.Check(t, is.Contains(fix, tc.fix))
			for _, m := range []string{"process", "hyperv"} {
				assert.Check(t, FitFix(Fit{Host: tc.build, Modes: []string{m}}) != "", "fix for %s on %d", m, tc.build)
			}
		})
	}
}
