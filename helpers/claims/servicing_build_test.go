package claims

import (
	"fmt"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// The sources as a user reads them at the end of a servicing warning.
const (
	readServerLifecycle = "Microsoft Learn, Lifecycle: Windows Server 2016/2019/2022/2025 (extended end dates)"
	readServerRelease   = "Microsoft Learn, 'Windows Server release information' (Semi-Annual and Annual Channel end of servicing)"
	readClientRelease   = "Microsoft Learn, Windows 10 and Windows 11 release information (end of servicing, Enterprise and Education)"
	readImageLifecycle  = "Microsoft Learn, Windows containers, 'Base image servicing lifecycles' (ms.date 07/15/2025)"
	readImageSAC        = "Microsoft Learn, 'Base image servicing lifecycles', Semi-Annual rows (MicrosoftDocs/Virtualization-Documentation history of base-image-lifecycle.md)"
)

// daemonOn is a Windows daemon on a host of this build at this moment, whose
// OperatingSystem text is given; a server is probed locally (product type
// server), a client is remote (only the text tells), as both happen.
func daemonOn(build int, client bool, operatingSystem, moment string) evidence.Daemon {
	return with(ws2019(), func(d *evidence.Daemon) {
		d.Info.KernelVersion = fmt.Sprintf("10.0 %d (%d.1.amd64fre.release.000000-0000)", build, build)
		d.Info.OperatingSystem = operatingSystem
		d.Info.SystemTime = moment
		d.Local, d.Host = !client, nil
		if !client {
			d.Host = &hostprobe.OSInfo{OS: "windows", Build: fmt.Sprint(build), ProductType: hostprobe.ProductServer}
		}
	})
}

// TestEveryHostReleaseWarnsOnItsDay: every Windows release a container host
// runs, on the day its servicing ends and the day before, with the whole
// warning (name, build, date, source, what to do). A date off by a day, a
// wrong name or a server read as a client fails its row.
func TestEveryHostReleaseWarnsOnItsDay(t *testing.T) {
	tests := []struct {
		build           int
		client          bool
		operatingSystem string
		name, end, src  string
	}{
		{14393, false, "Windows Server 2016 Datacenter Version 1607 (OS Build 14393.7428)", "Windows Server 2016", "2027-01-12", readServerLifecycle},
		{16299, false, "Windows Server Datacenter Version 1709 (OS Build 16299.15)", "Windows Server, version 1709", "2019-04-09", readServerRelease},
		{17134, false, "Windows Server Datacenter Version 1803 (OS Build 17134.1)", "Windows Server, version 1803", "2019-11-12", readServerRelease},
		{17763, false, "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.805)", "Windows Server 2019", "2029-01-09", readServerLifecycle},
		{18362, false, "Windows Server Datacenter Version 1903 (OS Build 18362.30)", "Windows Server, version 1903", "2020-12-08", readServerRelease},
		{18363, false, "Windows Server Datacenter Version 1909 (OS Build 18363.418)", "Windows Server, version 1909", "2021-05-11", readServerRelease},
		{19041, false, "Windows Server Datacenter Version 2004 (OS Build 19041.264)", "Windows Server, version 2004", "2021-12-14", readServerRelease},
		{19042, false, "Windows Server Datacenter Version 20H2 (OS Build 19042.630)", "Windows Server, version 20H2", "2022-08-09", readServerRelease},
		{20348, false, "Windows Server 2022 Datacenter Version 21H2 (OS Build 20348.2966)", "Windows Server 2022", "2031-10-14", readServerLifecycle},
		{25398, false, "Windows Server Datacenter Version 23H2 (OS Build 25398.1189)", "Windows Server, version 23H2", "2025-10-24", readServerRelease},
		{26100, false, "Windows Server 2025 Datacenter Version 24H2 (OS Build 26100.2894)", "Windows Server 2025", "2034-10-10", readServerLifecycle},
		{17763, true, "Windows 10 Enterprise Version 1809 (OS Build 17763.805)", "Windows 10, version 1809", "2021-05-11", readClientRelease},
		{18362, true, "Windows 10 Enterprise Version 1903 (OS Build 18362.30)", "Windows 10, version 1903", "2020-12-08", readClientRelease},
		{18363, true, "Windows 10 Enterprise Version 1909 (OS Build 18363.418)", "Windows 10, version 1909", "2022-05-10", readClientRelease},
		{19041, true, "Windows 10 Enterprise Version 2004 (OS Build 19041.264)", "Windows 10, version 2004", "2021-12-14", readClientRelease},
		{19042, true, "Windows 10 Enterprise Version 20H2 (OS Build 19042.630)", "Windows 10, version 20H2", "2023-05-09", readClientRelease},
		{19044, true, "Windows 10 Enterprise Version 21H2 (OS Build 19044.1288)", "Windows 10, version 21H2", "2024-06-11", readClientRelease},
		{19045, true, "Windows 10 Pro Version 22H2 (OS Build 19045.5011)", "Windows 10, version 22H2", "2025-10-14", readClientRelease},
		{22000, true, "Windows 11 Enterprise Version 21H2 (OS Build 22000.194)", "Windows 11, version 21H2", "2024-10-08", readClientRelease},
		{22621, true, "Windows 11 Enterprise Version 22H2 (OS Build 22621.525)", "Windows 11, version 22H2", "2025-10-14", readClientRelease},
		{22631, true, "Windows 11 Enterprise Version 23H2 (OS Build 22631.2428)", "Windows 11, version 23H2", "2026-11-10", readClientRelease},
		{26100, true, "Windows 11 Enterprise Version 24H2 (OS Build 26100.2894)", "Windows 11, version 24H2", "2027-10-12", readClientRelease},
	}
	const fix = "; promote images of a serviced build (Windows Server 2022 or 2025)"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			end := day(tc.end)
			onTheDay := daemonOn(tc.build, tc.client, tc.operatingSystem, end.Format(time.RFC3339))
			assert.Check(t, is.Equal(HostServicingWarning(onTheDay),
				fmt.Sprintf("the host, %s (build %d), is no longer serviced: its support ended on %s (%s)", tc.name, tc.build, tc.end, tc.src)+fix), tc.src)
			dayBefore := daemonOn(tc.build, tc.client, tc.operatingSystem, end.AddDate(0, 0, -1).Format(time.RFC3339))
			assert.Check(t, is.Equal(HostServicingWarning(dayBefore),
				fmt.Sprintf("the host, %s (build %d), stops being serviced on %s, within a year of this run (%s)", tc.name, tc.build, tc.end, tc.src)+fix), tc.src)
		})
	}
}

// TestHostServicingOfHostsNotJudged: hosts whose servicing the table does
// not judge, or judges as a server although no probe ran.
func TestHostServicingOfHostsNotJudged(t *testing.T) {
	const moment = "2026-12-03T00:00:00Z"
	tests := []struct {
		doc             string
		build           int
		operatingSystem string
		source          string
	}{
		{doc: "a remote Server 2019 daemon: 'Server' in its text (capitalised, as Docker reports it) makes it a server, serviced to 2029",
			build: 17763, operatingSystem: "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.805)", source: srcMobyClient},
		{doc: "Windows 10 Enterprise LTSC 2019: serviced years past its build's other editions, not judged",
			build: 17763, operatingSystem: "Windows 10 Enterprise LTSC 2019 Version 1809 (OS Build 17763.805)", source: "Microsoft Learn, Windows 10 Enterprise LTSC 2019 lifecycle (2029-01-09)"},
		{doc: "Windows 11 IoT Enterprise LTSC 2024 (26100)", build: 26100, operatingSystem: "Windows 11 IoT Enterprise LTSC Version 24H2 (OS Build 26100.2894)",
			source: "Microsoft Learn, Windows 11 IoT Enterprise LTSC 2024 lifecycle (2034-10-10)"},
		{doc: "a Windows Insider build the table does not know", build: 27788, operatingSystem: "Windows 11 Pro Insider Preview (OS Build 27788.1000)", source: "no release of that build in the table"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			d := daemonOn(tc.build, true, tc.operatingSystem, moment) // remote: the text alone tells
			assert.Check(t, is.Equal(HostServicingWarning(d), ""), tc.source)
		})
	}
}

// TestEveryImageLineWarnsOnItsDay: every base image line on the day its
// servicing ends, named by one of its references, with the whole warning.
func TestEveryImageLineWarnsOnItsDay(t *testing.T) {
	tests := []struct {
		ref, tag string
		build    int
		end, src string
	}{
		{"microsoft/nanoserver:sac2016", "sac2016", 14393, "2018-10-09", readImageSAC},
		{"mcr.microsoft.com/windows/servercore:ltsc2016", "ltsc2016", 14393, "2027-01-11", readImageLifecycle},
		{"mcr.microsoft.com/windows/servercore:1709", "1709", 16299, "2019-04-09", readImageSAC},
		{"mcr.microsoft.com/windows/nanoserver:1803", "1803", 17134, "2019-11-12", readImageSAC},
		{"mcr.microsoft.com/windows/servercore:ltsc2019", "1809 / ltsc2019", 17763, "2029-01-09", readImageLifecycle},
		{"mcr.microsoft.com/windows/nanoserver:1903", "1903", 18362, "2020-12-08", readImageSAC},
		{"mcr.microsoft.com/windows/servercore:1909", "1909", 18363, "2021-05-11", readImageSAC},
		{"mcr.microsoft.com/windows/nanoserver:2004", "2004", 19041, "2021-12-14", readImageSAC},
		{"mcr.microsoft.com/windows/nanoserver:20H2", "20H2", 19042, "2022-08-09", readImageSAC},
		{"mcr.microsoft.com/windows/servercore:ltsc2022", "ltsc2022", 20348, "2031-10-14", readImageLifecycle},
		{"mcr.microsoft.com/windows/nanoserver:ltsc2025", "ltsc2025", 26100, "2034-10-10", readImageLifecycle},
	}
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			d := with(ws2019(), func(d *evidence.Daemon) {
				d.Info.KernelVersion = fmt.Sprintf("10.0 %d (%d.1.amd64fre.release.000000-0000)", tc.build, tc.build)
				d.Info.SystemTime = tc.end + "T00:00:00Z"
				d.Image.Ref = tc.ref
				d.Image.Inspect.OsVersion = fmt.Sprintf("10.0.%d.100", tc.build)
			})
			assert.Check(t, is.Equal(ImageServicingWarning(d, nil),
				fmt.Sprintf("the image %s (%s, build %d) is no longer serviced: its support ended on %s (%s)", tc.ref, tc.tag, tc.build, tc.end, tc.src)), tc.src)
		})
	}
}

// TestImageServicingWarningNamesWhatToUseInstead: with modes under test the
// warning ends with what fits this host instead, for the image under test (a
// team's image gets its variant).
func TestImageServicingWarningNamesWhatToUseInstead(t *testing.T) {
	const team = "registry.example/team/app:1.4"
	d := with(ws2019(), func(d *evidence.Daemon) {
		d.Info.SystemTime = "2028-06-01T00:00:00Z"
		d.Image.Ref = team
	})
	assert.Check(t, is.Equal(ImageServicingWarning(d, []string{"process"}),
		"the image "+team+" (built on base image build 17763, 1809 / ltsc2019) stops being serviced on 2029-01-09, within a year of this run ("+readImageLifecycle+
			"); instead: use "+team+"'s variant for build 17763 (base image tag 1809 / ltsc2019)"), "a team's image on ltsc2019 on a Server 2019 host, seven months before ltsc2019 ends")
	linux := with(d, func(d *evidence.Daemon) { d.Info.OSType = "linux" })
	assert.Check(t, is.Equal(ImageServicingWarning(linux, []string{"process"}), ""), "a Linux daemon's image has no Windows servicing line")
}

// TestMicrosoftBaseImageSpellings: which references name Microsoft's own
// base image repositories (judged by their repository's line and named by
// tag in fixes) and which are a team's images (judged by their build).
func TestMicrosoftBaseImageSpellings(t *testing.T) {
	tests := []struct {
		ref, repo, source string
	}{
		{"mcr.microsoft.com/windows/nanoserver:1809", "nanoserver", "MCR, today's name"},
		{"mcr.microsoft.com/windows/servercore@sha256:3d2b3c4d", "servercore", "MCR by digest"},
		{"mcr.microsoft.com/windows/servercore:ltsc2022@sha256:3d2b3c4d", "servercore", "MCR by tag and digest"},
		{"microsoft/nanoserver:sac2016", "nanoserver", "Docker Hub's name before MCR (2016 documentation)"},
		{"microsoft/windows-servercore:ltsc2016", "servercore", "an old Docker Hub spelling"},
		{"windows/servercore:ltsc2016", "servercore", "MCR's path without the registry, as a mirror copies it"},
		{"nanoserver", "nanoserver", "loaded with docker load and tagged plainly"},
		{"localhost:5000/nanoserver:1809", "", "a registry mirror: a team's copy, judged by its build"},
		{"registry.example/team/app:1.4", "", "a team's image"},
		{"mcr.microsoft.com/windows/nanoserver-insider:10.0.26100.1", "", "not a base image line the table holds"},
	}
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			assert.Check(t, is.Equal(microsoftBaseRepo(tc.ref), tc.repo), tc.source)
		})
	}
}

// TestImageServicingOnAHostOfAnotherBuild: a Server 2022 host running its
// ltsc2019 images under Hyper-V isolation (a migration in progress) in mid
// 2028: the image's line ends within a year, and what to use instead is the
// host's own build, not the image's.
func TestImageServicingOnAHostOfAnotherBuild(t *testing.T) {
	d := with(ws2019(), func(d *evidence.Daemon) {
		d.Info.KernelVersion = "10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)"
		d.Info.OperatingSystem = "Windows Server 2022 Datacenter Version 21H2 (OS Build 20348.2966)"
		d.Info.SystemTime = "2028-06-01T00:00:00Z"
		d.Host = &hostprobe.OSInfo{OS: "windows", Build: "20348", Revision: 2966, Edition: "server", ProductType: hostprobe.ProductServer}
		d.Image.Ref = "mcr.microsoft.com/windows/servercore:ltsc2019"
		d.Image.Inspect.OsVersion = "10.0.17763.7314"
	})
	assert.Check(t, is.Equal(ImageServicingWarning(d, []string{"hyperv"}),
		"the image mcr.microsoft.com/windows/servercore:ltsc2019 (1809 / ltsc2019, build 17763) stops being serviced on 2029-01-09, within a year of this run ("+readImageLifecycle+
			"); instead: use the image tag for build 20348 (ltsc2022)"), srcMSCompat)
}
