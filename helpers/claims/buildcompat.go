package claims

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/Microsoft/hcsshim/osversion"

	"github.com/wincontainer-gate/conformance/helpers/config"
)

// The Windows build compatibility rules, each row with its source. The build
// numbers are hcsshim's (osversion/windowsbuilds.go), the package Docker and
// containerd take them from.
//
// Process isolation follows hcsshim's osversion.CheckHostAndContainerCompat
// (osversion/platform_compat_windows.go, v0.15.0), which is Windows-only:
// buildcompat_windows_test.go checks that ProcessIsolationFits agrees with it
// on every pair of known builds, and the table tests in buildcompat_test.go
// and buildcompat_edges_test.go (each bound, one below, one above) hold each
// row with its source:
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
	for _, ltsc := range slices.Backward(stableABIReleases) {
		if host > ltsc {
			floor = ltsc
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

// DefaultBaseImage is the image a host of this build runs by default: the
// newest published image that fits process isolation, else (Windows 10
// 21H1 and later have no image of their own) the newest LTSC image that fits
// Hyper-V isolation; "" for a build older than any image.
func DefaultBaseImage(build int) string {
	for _, img := range slices.Backward(PublishedImages) {
		if ProcessIsolationFits(build, img.Build) {
			return img.Ref
		}
	}
	for _, img := range slices.Backward(PublishedImages) {
		if img.LTSC && BuildFits("hyperv", build, img.Build) {
			return img.Ref
		}
	}
	return ""
}

// Fit is what a fix needs to name the images that run on a host: the host's
// build and revision, the isolation modes under test, the moment that decides
// which images are still serviced, and the image under test (a third-party
// image is told to use its variant for a build, not a Microsoft tag).
type Fit struct {
	Host, HostRev int
	Modes         []string
	At            time.Time
	Image         string
}

// FitFix says which image to use on a host for the isolation modes under
// test, naming only serviced images (servicing.go). It is never empty: a
// build without a serviced image of its own gets every serviced image that
// fits, and a mode that only an unserviced image fits is told so, with the
// serviced way. A Fit without modes is read as both modes.
//   - Server 2016 under process isolation also needs the host's revision
//     (RevisionFinding), so the fix names it.
//   - Every serviced tag that fits is listed: on 26100 the ltsc2022 images fit
//     process isolation too (hcsshim's rule).
//   - Hyper-V isolation is offered as the serviced way only when its rule
//     admits a serviced image here.
func FitFix(q Fit) string {
	if len(q.Modes) == 0 {
		q.Modes = []string{"process", "hyperv"}
	}
	at := q.At
	if at.Before(TableChecked) {
		at = TableChecked // never recommend what the table knows is unserviced today
	}
	fitsMode := func(mode string, l ServicedImage) bool {
		return BuildFits(mode, q.Host, l.Build) && at.Before(l.End)
	}
	// The host's own line is only ever named by ownTag (below), so a label
	// never carries Server 2016's revision.
	label := func(l ServicedImage) string {
		return fmt.Sprintf("%s (%d)", l.Tag, l.Build)
	}
	// A line that ends within EndingSoon is named only where nothing else fits.
	lasting := func(lines []ServicedImage) []string {
		var long, all []string
		for _, l := range lines {
			all = appendOnce(all, label(l))
			if l.End.Sub(at) > EndingSoon {
				long = appendOnce(long, label(l))
			}
		}
		if len(long) > 0 {
			return long
		}
		return all
	}
	var fitAllLines []ServicedImage
	perModeLines := map[string][]ServicedImage{}
	for _, l := range slices.Backward(ImageServicing) {
		all := true
		for _, m := range q.Modes {
			if fitsMode(m, l) {
				perModeLines[m] = append(perModeLines[m], l)
			} else {
				all = false
			}
		}
		if all {
			fitAllLines = append(fitAllLines, l)
		}
	}
	fitAll := lasting(fitAllLines)
	ownFits := false
	for _, s := range fitAll {
		ownFits = ownFits || strings.Contains(s, fmt.Sprintf("(%d)", q.Host))
	}
	perMode := map[string][]string{}
	for m, lines := range perModeLines {
		perMode[m] = lasting(lines)
	}
	variant := func(list []string) string {
		if q.Image == "" || microsoftBaseRepo(q.Image) != "" {
			return strings.Join(list, ", ")
		}
		return q.Image + "'s variant built on " + strings.Join(list, " or ")
	}
	modes := strings.Join(q.Modes, " and ")
	if ownFits {
		fix := fmt.Sprintf("use the image tag for build %d (%s)", q.Host, ownTag(q.Host))
		if q.Image != "" && microsoftBaseRepo(q.Image) == "" {
			fix = fmt.Sprintf("use %s's variant for build %d (base image tag %s)", q.Image, q.Host, ownTag(q.Host))
		}
		if q.Host == osversion.LTSC2016 && containsString(q.Modes, "process") && q.HostRev > 0 {
			fix += fmt.Sprintf(" at the host's revision (10.0.%d.%d)", q.Host, q.HostRev)
		}
		if len(fitAll) > 1 {
			fix += "; serviced images that also fit " + modes + " here: " + strings.Join(withoutOwn(fitAll, q.Host), ", ")
		}
		return fix
	}
	if len(fitAll) > 0 {
		return fmt.Sprintf("build %d has no serviced base image of its own; serviced images that fit %s here: %s", q.Host, modes, variant(fitAll))
	}
	var parts []string
	for _, m := range q.Modes {
		if len(perMode[m]) > 0 {
			parts = append(parts, m+": "+variant(perMode[m]))
			continue
		}
		parts = append(parts, m+": "+unservicedOnly(q.Host, m, at))
	}
	scope := modes
	if len(q.Modes) > 1 {
		scope = "both " + modes
	}
	fix := fmt.Sprintf("no serviced image fits build %d for %s (%s)", q.Host, scope, strings.Join(parts, "; "))
	// Hyper-V is the serviced way only where its rule admits a serviced image,
	// whether or not it is under test.
	var hyperv []ServicedImage
	for _, l := range slices.Backward(ImageServicing) {
		if fitsMode("hyperv", l) {
			hyperv = append(hyperv, l)
		}
	}
	if len(hyperv) > 0 && !containsString(q.Modes, "hyperv") {
		fix += "; the serviced way on this host is Hyper-V isolation (" + config.EnvIsolation + "=hyperv) with " + strings.Join(lasting(hyperv), ", ")
	} else if len(perMode["hyperv"]) > 0 {
		fix += "; the serviced way on this host is Hyper-V isolation (" + config.EnvIsolation + "=hyperv)"
	}
	return fix + ", or move the host to a serviced Long-Term build (Windows Server 2022 or 2025)"
}

// unservicedOnly says what fits a mode when no serviced image does.
func unservicedOnly(host int, mode string, at time.Time) string {
	for _, l := range slices.Backward(ImageServicing) {
		if BuildFits(mode, host, l.Build) {
			return fmt.Sprintf("only %s (%d) fits, unserviced since %s", l.Tag, l.Build, l.End.Format(time.DateOnly))
		}
	}
	// Every host from 20348 on fits its stable-ABI floor under process
	// isolation, so only an older host gets here.
	if mode == "process" {
		return fmt.Sprintf("no image (a host older than %d runs only images of its own build)", osversion.LTSC2022)
	}
	return "no published image"
}

// ownTag is the tag of a build's longest-serviced line (ltsc2016, not
// Nano Server's sac2016, on 14393).
func ownTag(build int) string {
	l, _ := ImageLine("", build)
	return l.Tag
}

func withoutOwn(list []string, build int) []string {
	var out []string
	for _, s := range list {
		if !strings.Contains(s, fmt.Sprintf("(%d)", build)) {
			out = append(out, s)
		}
	}
	return out
}

func appendOnce(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

// Baseline2B is the first revision of each build that carries the February
// 11, 2020 security update ("2B"), which changed the interface between user
// and kernel mode: under process isolation a host and an image on different
// sides of it do not work, in either direction (Microsoft Learn, "Update
// Windows Server containers", and KB4542617; 17763.1039 is the page's own
// example of a 2B host; KB4532693 is 18362.657 and 18363.657). Server 2016
// needs equal revisions anyway; Hyper-V isolation is not affected ("these
// issues only happen on process isolated containers").
var Baseline2B = map[int]int{osversion.RS5: 1039, osversion.V19H1: 657, osversion.V19H2: 657}

// AcrossBaseline reports whether host and image revisions of one build are on
// different sides of its February 2020 baseline, and the baseline.
func AcrossBaseline(build, hostRev, imageRev int) (int, bool) {
	b, ok := Baseline2B[build]
	if !ok || hostRev == 0 || imageRev == 0 {
		return 0, false
	}
	return b, (hostRev >= b) != (imageRev >= b)
}

// RevisionFinding applies the revision (UBR) rules of one mode, for an image
// of the host's own build: a problem fails image-build, a warning does not.
// They are process isolation rules only: a Hyper-V container runs its own
// kernel, so revisions never decide a Hyper-V verdict.
//   - Server 2016 (14393) under process isolation needs the same revision
//     (Microsoft Learn, version compatibility, "Revision number (patching)":
//     Server 2016 containers do not support a host and image revision that
//     differ; from 1809 on "this rule doesn't apply").
//   - Across the February 2020 baseline (Baseline2B), host and image do not
//     work together: a problem.
//   - From 1809 (17763) on, an image revision newer than the host's is a
//     warning: Microsoft says revisions need not match, but such
//     process-isolated starts fail with 0xc0370106 "The virtual machine or
//     container exited unexpectedly" on hosts behind the image's update:
//     on 17763 (microsoft/Windows-Containers#591, 2025-05-26 comment: a
//     2019 host behind on updates, the newer ltsc2019 images fail, Hyper-V
//     runs them, the updated host runs them), on 26100
//     (actions/runner-images#11582: 26100.2894 host, ltsc2025 image
//     26100.3194; Windows-Containers#591, fixed by updating the host;
//     docker/for-win#14287). The documented 2019 session ran a 17763.864
//     image on a 17763.805 host, so it warns, never fails.
func RevisionFinding(mode string, host, hostRev, image, imageRev int) (problem, warning string) {
	if mode != "process" || host != image || hostRev == 0 || imageRev == 0 || hostRev == imageRev {
		return "", ""
	}
	if host == osversion.LTSC2016 {
		return fmt.Sprintf("process isolation on build %d needs the image revision to equal the host's: host %d.%d, image %d.%d", host, host, hostRev, image, imageRev), ""
	}
	if b, across := AcrossBaseline(host, hostRev, imageRev); across {
		return fmt.Sprintf("host %d.%d and image %d.%d are on different sides of the February 2020 baseline (%d.%d): Microsoft documents that they do not work together under process isolation (KB4542617)", host, hostRev, image, imageRev, host, b), ""
	}
	if imageRev > hostRev && host >= osversion.RS5 {
		return "", fmt.Sprintf("image revision %d is newer than the host's %d: hosts behind the image's update fail such process-isolated starts with 0xc0370106 (seen on 17763 and 26100); update the host, or pin the image's tag of revision %d or older", imageRev, hostRev, hostRev)
	}
	return "", ""
}

// RevisionFix says what to do when a process-isolated image of the host's
// own build fails a revision rule, or is refused though the build rule holds.
func RevisionFix(host, hostRev, imageRev int) string {
	hyperv := "; Hyper-V isolation runs it meanwhile (revisions do not matter there)"
	if b, across := AcrossBaseline(host, hostRev, imageRev); across {
		if hostRev >= b {
			return fmt.Sprintf("use a newer image: pull the tag again for revision %d.%d or later (the host is past the February 2020 baseline, the image is not)%s", host, b, hyperv)
		}
		return fmt.Sprintf("update the host past the February 2020 baseline (Windows Update, to %d.%d or later), as the image already is%s", host, b, hyperv)
	}
	switch {
	case hostRev == 0 || imageRev == 0:
		return "update host and image to their latest cumulative update" + hyperv
	case host == osversion.LTSC2016:
		return fmt.Sprintf("use the image of the host's revision (tag 10.0.%d.%d), or update host and image together%s", host, hostRev, hyperv)
	case imageRev > hostRev:
		return fmt.Sprintf("update the host to revision %d or later (Windows Update), or pin the image's previous tag (revision %d or older)%s", imageRev, hostRev, hyperv)
	case imageRev < hostRev:
		return fmt.Sprintf("pull the image's tag again for the host's revision %d or later%s", hostRev, hyperv)
	}
	return "host and image are at the same revision: update both to the latest cumulative update" + hyperv
}

// RevisionRuleApplies reports whether RevisionFinding has a rule for an image
// of this build and revision under mode, so that a host revision that could
// not be read leaves something unchecked.
func RevisionRuleApplies(mode string, host, image, imageRev int) bool {
	return mode == "process" && host == image && imageRev != 0 && (host == osversion.LTSC2016 || host >= osversion.RS5)
}
