package claims

import (
	"fmt"
	"strings"

	"github.com/Microsoft/hcsshim/osversion"
)

// The Windows build compatibility rules, each row with its source. The build
// numbers are hcsshim's (osversion/windowsbuilds.go), the package Docker and
// containerd take them from.
//
// Process isolation follows hcsshim's osversion.CheckHostAndContainerCompat
// (osversion/platform_compat_windows.go, v0.15.0), which is Windows-only:
// buildcompat_windows_test.go checks that ProcessIsolationFits agrees with it
// on every pair of known builds, and the table test in buildcompat_test.go
// holds each row with its source:
//   - a host older than Server 2022 (20348) runs only images of its own build
//     (Microsoft Learn, "Windows container version compatibility": Server
//     2016/2019 and Windows 10 tables; "Windows Server containers are blocked
//     from starting when the build number ... are different");
//   - a host from 20348 on runs images from the latest LTSC older than
//     itself (20348 for hosts up to 26100, 26100 for newer hosts) up to its
//     own build: Server 2022 runs 20348, Windows 11 and Server 23H2 run
//     ltsc2022, Server 2025 runs ltsc2022 and ltsc2025 (the "stable ABI"
//     LTSC list {LTSC2022, LTSC2025}; containerd PR 8137 cites Microsoft's
//     client table for Windows 11 running Windows Server 2022 images).
//
// Hyper-V isolation runs images of the host's build or older, never newer
// (Microsoft Learn, same page: "Older containers will run the same on newer
// hosts with Hyper-V isolation ... if you want to run a container based on a
// newer Windows build, it can only run on the newer host build").
var stableABIReleases = []int{osversion.LTSC2022, osversion.LTSC2025}

// ProcessIsolationFits mirrors osversion.CheckHostAndContainerCompat for
// Windows 10.0 builds.
func ProcessIsolationFits(host, image int) bool {
	if host < osversion.LTSC2022 {
		return host == image
	}
	floor := osversion.LTSC2022
	for i := len(stableABIReleases) - 1; i >= 0; i-- {
		if host > stableABIReleases[i] {
			floor = stableABIReleases[i]
			break
		}
	}
	return floor <= image && image <= host
}

// BuildFits applies the rule of the isolation mode.
func BuildFits(mode string, host, image int) bool {
	if mode == "process" {
		return ProcessIsolationFits(host, image)
	}
	return image <= host
}

// PublishedImage is a published Windows base image: its build and tag.
type PublishedImage struct {
	Build int
	// Tag names the tag in the fix texts; Ref is the image the harness pulls
	// by default. nanoserver where Microsoft published it; Server 2016's
	// Nano Server images were retired, so servercore there.
	Tag, Ref string
	// LTSC images are the ones still serviced; the semi-annual ones (1709
	// to 20H2) only match hosts of their own build.
	LTSC bool
}

// PublishedImages are the base images Microsoft published on MCR per build
// (Microsoft Learn, "Windows container base images" and the version
// compatibility page's tags), oldest first.
var PublishedImages = []PublishedImage{
	{Build: osversion.LTSC2016, Tag: "ltsc2016", Ref: "mcr.microsoft.com/windows/servercore:ltsc2016", LTSC: true},
	{Build: osversion.RS3, Tag: "1709", Ref: "mcr.microsoft.com/windows/nanoserver:1709"},
	{Build: osversion.RS4, Tag: "1803", Ref: "mcr.microsoft.com/windows/nanoserver:1803"},
	{Build: osversion.LTSC2019, Tag: "1809 / ltsc2019", Ref: "mcr.microsoft.com/windows/nanoserver:1809", LTSC: true},
	{Build: osversion.V19H1, Tag: "1903", Ref: "mcr.microsoft.com/windows/nanoserver:1903"},
	{Build: osversion.V19H2, Tag: "1909", Ref: "mcr.microsoft.com/windows/nanoserver:1909"},
	{Build: osversion.V20H1, Tag: "2004", Ref: "mcr.microsoft.com/windows/nanoserver:2004"},
	{Build: osversion.V20H2, Tag: "20H2", Ref: "mcr.microsoft.com/windows/nanoserver:20H2"},
	{Build: osversion.LTSC2022, Tag: "ltsc2022", Ref: "mcr.microsoft.com/windows/nanoserver:ltsc2022", LTSC: true},
	{Build: osversion.LTSC2025, Tag: "ltsc2025", Ref: "mcr.microsoft.com/windows/nanoserver:ltsc2025", LTSC: true},
}

// TagForBuild names the base image tag of a Windows build, or "" when
// Microsoft published none for it.
func TagForBuild(build int) string {
	for _, b := range PublishedImages {
		if b.Build == build {
			return b.Tag
		}
	}
	return ""
}

// DefaultBaseImage is the image a host of this build runs by default: the
// newest published image that fits process isolation, else (Windows 10
// 21H1 and later have no image of their own) the newest LTSC image that fits
// Hyper-V isolation; "" for a build older than any image.
func DefaultBaseImage(build int) string {
	for i := len(PublishedImages) - 1; i >= 0; i-- {
		if ProcessIsolationFits(build, PublishedImages[i].Build) {
			return PublishedImages[i].Ref
		}
	}
	for i := len(PublishedImages) - 1; i >= 0; i-- {
		if PublishedImages[i].LTSC && PublishedImages[i].Build <= build {
			return PublishedImages[i].Ref
		}
	}
	return ""
}

// FitFix says which image to use on a host for the isolation modes under
// test. It is never empty: a build without an image of its own gets the
// published images that fit, and a build no image fits gets what to change.
func FitFix(host int, modes []string) string {
	var fitAll []string
	perMode := map[string][]string{}
	for _, b := range PublishedImages {
		all := true
		for _, m := range modes {
			if BuildFits(m, host, b.Build) {
				perMode[m] = append(perMode[m], fmt.Sprintf("%s (%d)", b.Tag, b.Build))
			} else {
				all = false
			}
		}
		if all {
			fitAll = append(fitAll, fmt.Sprintf("%s (%d)", b.Tag, b.Build))
		}
	}
	if tag := TagForBuild(host); tag != "" && slicesContainsPrefix(fitAll, tag) {
		return fmt.Sprintf("use the image tag for build %d (%s)", host, tag)
	}
	if len(fitAll) > 0 {
		return fmt.Sprintf("build %d has no base image of its own; images that fit %s here: %s", host, strings.Join(modes, " and "), strings.Join(reversed(fitAll), ", "))
	}
	var parts []string
	for _, m := range modes {
		if len(perMode[m]) == 0 {
			hint := "no published image"
			if m == "process" && host < osversion.LTSC2022 {
				hint += fmt.Sprintf(" (a host older than %d runs only images of its own build)", osversion.LTSC2022)
			}
			parts = append(parts, m+": "+hint)
			continue
		}
		parts = append(parts, m+": "+strings.Join(reversed(perMode[m]), ", "))
	}
	return fmt.Sprintf("no published image fits build %d for %s (%s); test the modes that can run here with %s, or move to a host of a published build",
		host, strings.Join(modes, " and "), strings.Join(parts, "; "), "CONFORMANCE_ISOLATION")
}

func slicesContainsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix+" (") {
			return true
		}
	}
	return false
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// RevisionFinding applies the revision (UBR) rules of one mode, for an image
// of the host's own build: a problem fails image-build, a warning does not.
//   - Server 2016 (14393) under process isolation needs the same revision
//     (Microsoft Learn, version compatibility, "Revision number (patching)":
//     Server 2016 containers do not support a host and image revision that
//     differ; from 1809 on "this rule doesn't apply").
//   - From 1809 on Microsoft says revisions need not match, and the
//     documented 2019 session ran a 17763.864 image on a 17763.805 host. On
//     26100 (Server 2025, Windows 11 24H2) and later, an image revision newer
//     than the host's fails the process-isolated start with 0xc0370106 "The
//     virtual machine or container exited unexpectedly":
//     actions/runner-images#11582 (26100.2894 host, ltsc2025 image
//     26100.3194), microsoft/Windows-Containers#591 (fixed by updating the
//     host), docker/for-win#14287. A warning there: it is seen, not
//     documented. (One comment on #591 reports the same on 2019 for two
//     .NET Framework images; the start verdict reads the revisions when a
//     start does fail, on any build.)
func RevisionFinding(mode string, host, hostRev, image, imageRev int) (problem, warning string) {
	if mode != "process" || host != image || hostRev == 0 || imageRev == 0 || hostRev == imageRev {
		return "", ""
	}
	if host == osversion.LTSC2016 {
		return fmt.Sprintf("process isolation on build %d needs the image revision to equal the host's: host %d.%d, image %d.%d", host, host, hostRev, image, imageRev), ""
	}
	if imageRev > hostRev && host >= osversion.LTSC2025 {
		return "", fmt.Sprintf("image revision %d is newer than the host's %d: hosts behind the image's update fail such process-isolated starts with 0xc0370106 on build 26100 and later; update the host or pin an older image", imageRev, hostRev)
	}
	return "", ""
}
