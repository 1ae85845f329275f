package claims

import (
	"fmt"
	"strings"
	"time"

	"github.com/Microsoft/hcsshim/osversion"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// The servicing table: when Microsoft stops servicing each Windows base image
// and each Windows build a container host runs. It drives which images a fix
// may recommend (only serviced ones) and the warnings about the host or image
// under test. The next date is one row. docs/servicing.md is its readable
// form, with the sources.

// ServicedImage is one base image line: the builds of one repository
// (nanoserver, servercore) published under a tag, and the end of its
// servicing (the extended support date for Long-Term releases, the end of
// servicing for Semi-Annual ones).
type ServicedImage struct {
	Build int
	Tag   string
	// Repos are the mcr.microsoft.com/windows repositories of this line;
	// Server 2016's Nano Server was a Semi-Annual release of its own.
	Repos  []string
	End    time.Time
	Source string
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

const (
	srcLifecycle = "Microsoft Learn, Windows containers, 'Base image servicing lifecycles' (ms.date 07/15/2025)"
	// The Semi-Annual rows left the page when they ended; its history keeps them.
	srcLifecycleSAC = "Microsoft Learn, 'Base image servicing lifecycles', Semi-Annual rows (MicrosoftDocs/Virtualization-Documentation history of base-image-lifecycle.md)"
)

// ImageServicing lists every published base image line, oldest first.
var ImageServicing = []ServicedImage{
	{Build: osversion.RS1, Tag: "sac2016", Repos: []string{"nanoserver"}, End: day("2018-10-09"), Source: srcLifecycleSAC},
	{Build: osversion.RS1, Tag: "ltsc2016", Repos: []string{"servercore"}, End: day("2027-01-11"), Source: srcLifecycle},
	{Build: osversion.RS3, Tag: "1709", Repos: []string{"nanoserver", "servercore"}, End: day("2019-04-09"), Source: srcLifecycleSAC},
	{Build: osversion.RS4, Tag: "1803", Repos: []string{"nanoserver", "servercore"}, End: day("2019-11-12"), Source: srcLifecycleSAC},
	{Build: osversion.RS5, Tag: "1809 / ltsc2019", Repos: []string{"nanoserver", "servercore"}, End: day("2029-01-09"), Source: srcLifecycle},
	{Build: osversion.V19H1, Tag: "1903", Repos: []string{"nanoserver", "servercore"}, End: day("2020-12-08"), Source: srcLifecycleSAC},
	{Build: osversion.V19H2, Tag: "1909", Repos: []string{"nanoserver", "servercore"}, End: day("2021-05-11"), Source: srcLifecycleSAC},
	{Build: osversion.V20H1, Tag: "2004", Repos: []string{"nanoserver", "servercore"}, End: day("2021-12-14"), Source: srcLifecycleSAC},
	{Build: osversion.V20H2, Tag: "20H2", Repos: []string{"nanoserver", "servercore"}, End: day("2022-08-09"), Source: srcLifecycleSAC},
	{Build: osversion.LTSC2022, Tag: "ltsc2022", Repos: []string{"nanoserver", "servercore"}, End: day("2031-10-14"), Source: srcLifecycle},
	{Build: osversion.LTSC2025, Tag: "ltsc2025", Repos: []string{"nanoserver", "servercore"}, End: day("2034-10-10"), Source: srcLifecycle},
}

// HostRelease is one Windows release a container host runs: its build, its
// kind (server or client) and the end of its servicing. For a client the
// date is the Enterprise and Education editions' (Home and Pro end earlier);
// LTSC client editions are serviced longer and are not judged.
type HostRelease struct {
	Build  int
	Client bool
	Name   string
	End    time.Time
	Source string
}

const (
	srcServerLifecycle = "Microsoft Learn, Lifecycle: Windows Server 2016/2019/2022/2025 (extended end dates)"
	srcServerRelease   = "Microsoft Learn, 'Windows Server release information' (Semi-Annual and Annual Channel end of servicing)"
	srcClientRelease   = "Microsoft Learn, Windows 10 and Windows 11 release information (end of servicing, Enterprise and Education)"
)

// HostServicing lists the Windows releases container hosts run, oldest first.
var HostServicing = []HostRelease{
	{Build: osversion.RS1, Name: "Windows Server 2016", End: day("2027-01-12"), Source: srcServerLifecycle},
	{Build: osversion.RS3, Name: "Windows Server, version 1709", End: day("2019-04-09"), Source: srcServerRelease},
	{Build: osversion.RS4, Name: "Windows Server, version 1803", End: day("2019-11-12"), Source: srcServerRelease},
	{Build: osversion.RS5, Name: "Windows Server 2019", End: day("2029-01-09"), Source: srcServerLifecycle},
	{Build: osversion.V19H1, Name: "Windows Server, version 1903", End: day("2020-12-08"), Source: srcServerRelease},
	{Build: osversion.V19H2, Name: "Windows Server, version 1909", End: day("2021-05-11"), Source: srcServerRelease},
	{Build: osversion.V20H1, Name: "Windows Server, version 2004", End: day("2021-12-14"), Source: srcServerRelease},
	{Build: osversion.V20H2, Name: "Windows Server, version 20H2", End: day("2022-08-09"), Source: srcServerRelease},
	{Build: osversion.LTSC2022, Name: "Windows Server 2022", End: day("2031-10-14"), Source: srcServerLifecycle},
	{Build: osversion.V23H2, Name: "Windows Server, version 23H2", End: day("2025-10-24"), Source: srcServerRelease},
	{Build: osversion.LTSC2025, Name: "Windows Server 2025", End: day("2034-10-10"), Source: srcServerLifecycle},
	{Build: osversion.RS5, Client: true, Name: "Windows 10, version 1809", End: day("2021-05-11"), Source: srcClientRelease},
	{Build: osversion.V19H1, Client: true, Name: "Windows 10, version 1903", End: day("2020-12-08"), Source: srcClientRelease},
	{Build: osversion.V19H2, Client: true, Name: "Windows 10, version 1909", End: day("2022-05-10"), Source: srcClientRelease},
	{Build: osversion.V20H1, Client: true, Name: "Windows 10, version 2004", End: day("2021-12-14"), Source: srcClientRelease},
	{Build: osversion.V20H2, Client: true, Name: "Windows 10, version 20H2", End: day("2023-05-09"), Source: srcClientRelease},
	{Build: osversion.V21H2Win10, Client: true, Name: "Windows 10, version 21H2", End: day("2024-06-11"), Source: srcClientRelease},
	{Build: osversion.V22H2Win10, Client: true, Name: "Windows 10, version 22H2", End: day("2025-10-14"), Source: srcClientRelease},
	{Build: osversion.V21H2Win11, Client: true, Name: "Windows 11, version 21H2", End: day("2024-10-08"), Source: srcClientRelease},
	{Build: osversion.V22H2Win11, Client: true, Name: "Windows 11, version 22H2", End: day("2025-10-14"), Source: srcClientRelease},
	{Build: 22631 /* 23H2, no hcsshim constant */, Client: true, Name: "Windows 11, version 23H2", End: day("2026-11-10"), Source: srcClientRelease},
	{Build: osversion.LTSC2025, Client: true, Name: "Windows 11, version 24H2", End: day("2027-10-12"), Source: srcClientRelease},
}

// EndingSoon is how far ahead a servicing end is worth a warning: a host
// image promoted today should not stop receiving updates within a year.
const EndingSoon = 365 * 24 * time.Hour

// TableChecked is the date this table was last checked against its sources;
// a daemon that reports no clock is judged as of this date, and says so.
var TableChecked = day("2026-12-03")

// ImageLine finds the servicing line of an image: by its repository when it
// is one of Microsoft's base images, else by its build (a third-party image
// is as serviced as the base image it is built on).
func ImageLine(ref string, build int) (ServicedImage, bool) {
	repo := microsoftBaseRepo(ref)
	var byBuild *ServicedImage
	for i, l := range ImageServicing {
		if l.Build != build {
			continue
		}
		if repo != "" && containsString(l.Repos, repo) {
			return l, true
		}
		if byBuild == nil || l.End.After(byBuild.End) {
			byBuild = &ImageServicing[i]
		}
	}
	if byBuild == nil {
		return ServicedImage{}, false
	}
	return *byBuild, true
}

// microsoftBaseRepo names the base image repository of a Microsoft image
// reference (mcr.microsoft.com/windows/nanoserver:1809,
// microsoft/nanoserver:sac2016), or "" for any other image.
func microsoftBaseRepo(ref string) string {
	name := strings.ToLower(ref)
	if i := strings.LastIndex(name, "@"); i >= 0 {
		name = name[:i]
	}
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name = name[:i]
	}
	for _, prefix := range []string{"mcr.microsoft.com/windows/", "microsoft/windows-", "microsoft/", "windows/", ""} {
		if repo, ok := strings.CutPrefix(name, prefix); ok && (repo == "nanoserver" || repo == "servercore") {
			return repo
		}
	}
	return ""
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// HostLine finds the servicing line of a host build; client says whether the
// host is a client edition.
func HostLine(build int, client bool) (HostRelease, bool) {
	for _, r := range HostServicing {
		if r.Build == build && r.Client == client {
			return r, true
		}
	}
	return HostRelease{}, false
}

// servicingWarning words the state of one line at a moment: "" while it is
// serviced for more than EndingSoon.
func servicingWarning(what string, end time.Time, source string, at time.Time) string {
	switch {
	case !at.Before(end):
		return fmt.Sprintf("%s is no longer serviced: its support ended on %s (%s)", what, end.Format(time.DateOnly), source)
	case end.Sub(at) <= EndingSoon:
		return fmt.Sprintf("%s stops being serviced on %s, within a year of this run (%s)", what, end.Format(time.DateOnly), source)
	}
	return ""
}

// clientHost decides whether a Windows daemon's host is a client edition:
// by the local probe's product type, else by the daemon's OperatingSystem
// text (only a Server names one).
func clientHost(d evidence.Daemon) bool {
	if d.Local && d.Host != nil && (d.Host.ProductType != "" || d.Host.Edition != "") {
		return d.Host.IsClient()
	}
	return !strings.Contains(strings.ToLower(d.Info.OperatingSystem), "server")
}

// HostServicingWarning warns when the Windows host under test is no longer
// serviced, or stops being serviced within EndingSoon of the run. Client LTSC
// editions (serviced for years longer than their build's other editions) are
// not judged.
func HostServicingWarning(d evidence.Daemon) string {
	if d.Info.OSType != "windows" {
		return ""
	}
	client := clientHost(d)
	osText := strings.ToLower(d.Info.OperatingSystem)
	if client && (strings.Contains(osText, "ltsc") || strings.Contains(osText, "ltsb")) {
		return ""
	}
	build := evidence.WindowsBuild(d.Info.KernelVersion)
	r, ok := HostLine(build, client)
	if !ok {
		return ""
	}
	at, known := RunDate(d)
	w := servicingWarning(fmt.Sprintf("the host, %s (build %d),", r.Name, build), r.End, r.Source, at)
	if w == "" {
		return ""
	}
	if !known {
		w += fmt.Sprintf("; judged as of %s: the daemon reported no clock", at.Format(time.DateOnly))
	}
	return w + "; promote images of a serviced build (Windows Server 2022 or 2025)"
}

// ImageServicingWarning warns when the image under test is no longer
// serviced, or stops being serviced within EndingSoon of the run, and names
// the serviced images that fit this host instead.
func ImageServicingWarning(d evidence.Daemon, modes []string) string {
	img := d.Image.Inspect
	if d.Info.OSType != "windows" || img == nil {
		return ""
	}
	build := evidence.WindowsBuild(img.OsVersion)
	l, ok := ImageLine(d.Image.Ref, build)
	if !ok {
		return ""
	}
	at, known := RunDate(d)
	what := fmt.Sprintf("the image %s (%s, build %d)", d.Image.Ref, l.Tag, build)
	if microsoftBaseRepo(d.Image.Ref) == "" {
		what = fmt.Sprintf("the image %s (built on base image build %d, %s)", d.Image.Ref, build, l.Tag)
	}
	w := servicingWarning(what, l.End, l.Source, at)
	if w == "" {
		return ""
	}
	if !known {
		w += fmt.Sprintf("; judged as of %s: the daemon reported no clock", at.Format(time.DateOnly))
	}
	if len(modes) == 0 {
		return w
	}
	return w + "; instead: " + FitFix(fitOf(d, evidence.WindowsBuild(d.Info.KernelVersion), modes, d.Image.Ref))
}

// RecommendsUnserviced returns the first mention, in a fix or warning, of an
// image tag whose servicing has ended (by TableChecked) that is not marked as
// unserviced right after it: the text would name it as the thing to use.
func RecommendsUnserviced(text string) string {
	lower := strings.ToLower(text)
	for _, l := range ImageServicing {
		if TableChecked.Before(l.End) {
			continue
		}
		tag := strings.ToLower(l.Tag)
		for from := 0; ; {
			i := strings.Index(lower[from:], tag)
			if i < 0 {
				break
			}
			start, end := from+i, from+i+len(tag)
			from = end
			if (start > 0 && (isTagChar(lower[start-1]) || lower[start-1] == '.')) || (end < len(lower) && isTagChar(lower[end])) {
				continue // part of another word, number or version (19045.2004)
			}
			window := lower[end:min(len(lower), end+80)]
			if strings.Contains(window, "unserviced") || strings.Contains(window, "no longer serviced") {
				continue
			}
			return text[max(0, start-40):min(len(text), end+40)]
		}
	}
	return ""
}

func isTagChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-'
}
