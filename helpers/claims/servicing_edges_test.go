package claims

import (
	"fmt"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// Sources of the servicing edge rows.
const (
	srcClient24H2 = "Microsoft Learn, Windows 11 release information: version 24H2 (26100) Enterprise and Education end of servicing 2027-10-12"
	srcAzureLocal = "Azure Local (formerly Azure Stack HCI) 24H2 runs OS build 26100.xxxx, based on Windows Server 2025 (Azure Local release notes; betawiki.net/wiki/Azure_Stack_HCI): a server whose product name has no 'Server'"
	srcMobyClient = "moby pkg/parsers/operatingsystem IsWindowsClient: ProductType == VER_NT_WORKSTATION"
)

// windowsHostAt is a local Windows host of build 26100 whose daemon reports
// the run's moment and the OperatingSystem text given; probe is the local
// probe's view (nil when it read nothing).
func windowsHostAt(moment, operatingSystem string, probe *hostprobe.OSInfo) evidence.Daemon {
	return with(ws2019(), func(d *evidence.Daemon) {
		d.Info.KernelVersion = "10.0 26100 (26100.1.amd64fre.ge_release.240331-1435)"
		d.Info.OperatingSystem = operatingSystem
		d.Info.SystemTime = moment
		d.Host = probe
		d.Image.Ref = "mcr.microsoft.com/windows/nanoserver:ltsc2025"
		d.Image.Inspect.OsVersion = "10.0.26100.2894"
	})
}

// TestHostServicingOnTheDay: the host's end of servicing on the day, the day
// before and after, and "ending soon" exactly a year ahead and one day more.
// Windows 11 24H2's Enterprise line (build 26100, a client) ends 2027-10-12.
func TestHostServicingOnTheDay(t *testing.T) {
	const win11 = "Windows 11 Enterprise Version 24H2 (OS Build 26100.2894)"
	client := &hostprobe.OSInfo{OS: "windows", Build: "26100", Revision: 2894, Edition: "client", ProductType: hostprobe.ProductWorkstation}
	tests := []struct {
		moment string
		want   string
	}{
		{moment: "2026-10-11T00:00:00Z", want: ""}, // 366 days ahead
		{moment: "2026-10-12T00:00:00Z", want: "the host, Windows 11, version 24H2 (build 26100), stops being serviced on 2027-10-12, within a year of this run"},
		{moment: "2027-10-11T23:59:59Z", want: "stops being serviced on 2027-10-12"},
		{moment: "2027-10-12T00:00:00Z", want: "the host, Windows 11, version 24H2 (build 26100), is no longer serviced: its support ended on 2027-10-12"},
		{moment: "2027-10-13T00:00:00Z", want: "is no longer serviced"},
	}
	for _, tc := range tests {
		t.Run(tc.moment, func(t *testing.T) {
			got := HostServicingWarning(windowsHostAt(tc.moment, win11, client))
			assert.Check(t, is.Equal(got == "", tc.want == ""), "%q (%s)", got, srcClient24H2)
			assert.Check(t, is.Contains(got, tc.want), srcClient24H2)
			if got != "" {
				assert.Check(t, !strings.Contains(got, "judged as of"), "the daemon reported its clock: %q", got)
				assert.Check(t, strings.HasSuffix(got, "; promote images of a serviced build (Windows Server 2022 or 2025)"), got)
			}
		})
	}
	t.Run("a daemon that reports no clock is judged as of the table's date", func(t *testing.T) {
		got := HostServicingWarning(windowsHostAt("", win11, client))
		assert.Check(t, is.Contains(got, "stops being serviced on 2027-10-12, within a year of this run"))
		assert.Check(t, is.Contains(got, "; judged as of 2026-12-03: the daemon reported no clock; promote images"))
	})
}

// TestServerOrClientHost: whether a host is judged by its build's client or
// server line. On 26100 they differ (Windows 11 24H2 ends 2027-10-12, within
// a year of the table's date; Server 2025 in 2034), so each row tells.
func TestServerOrClientHost(t *testing.T) {
	const moment = "2026-12-03T00:00:00Z"
	const azureLocal = "Azure Stack HCI Version 24H2 (OS Build 26100.4061)"
	tests := []struct {
		doc             string
		operatingSystem string
		local           bool
		probe           *hostprobe.OSInfo
		client          bool
		source          string
	}{
		{doc: "Azure Local: the probe's product type says server, the text names no Server", operatingSystem: azureLocal, local: true,
			probe: &hostprobe.OSInfo{OS: "windows", Build: "26100", ProductType: hostprobe.ProductServer}, client: false, source: srcAzureLocal + "; " + srcMobyClient},
		{doc: "Azure Local recorded without a product type (fixtures from before it was read): the installation type says server", operatingSystem: azureLocal, local: true,
			probe: &hostprobe.OSInfo{OS: "windows", Build: "26100", Edition: "server"}, client: false, source: srcAzureLocal},
		{doc: "Windows 11 24H2, the probe read nothing: the text decides", operatingSystem: "Windows 11 Enterprise Version 24H2 (OS Build 26100.2894)", local: true,
			probe: nil, client: true, source: srcClient24H2},
		{doc: "Windows 11 24H2, the probe's fields empty: the text decides", operatingSystem: "Windows 11 Enterprise Version 24H2 (OS Build 26100.2894)", local: true,
			probe: &hostprobe.OSInfo{OS: "windows", Build: "26100"}, client: true, source: srcClient24H2},
		{doc: "a remote Azure Local daemon: only the text is known", operatingSystem: azureLocal, local: false,
			probe: nil, client: true, source: srcAzureLocal},
		{doc: "Server 2025 Datacenter", operatingSystem: "Windows Server 2025 Datacenter Version 24H2 (OS Build 26100.2894)", local: true,
			probe: &hostprobe.OSInfo{OS: "windows", Build: "26100", ProductType: hostprobe.ProductServer, Edition: "server"}, client: false, source: srcMobyClient},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			d := windowsHostAt(moment, tc.operatingSystem, tc.probe)
			d.Local = tc.local
			assert.Check(t, is.Equal(clientHost(d), tc.client), tc.source)
			got := HostServicingWarning(d)
			if tc.client {
				assert.Check(t, is.Contains(got, "Windows 11, version 24H2 (build 26100), stops being serviced on 2027-10-12"), tc.source)
			} else {
				assert.Check(t, is.Equal(got, ""), tc.source)
			}
		})
	}
}

// TestImageServicingLTSCAndSAC: an LTSC image a year and a day before its
// end, exactly a year before, and a Semi-Annual image after its end, by
// repository and by build for a team's own image.
func TestImageServicingLTSCAndSAC(t *testing.T) {
	tests := []struct {
		doc    string
		ref    string
		build  int
		moment string
		want   string
	}{
		{doc: "ltsc2019 366 days before its end (2028 is a leap year)", ref: "mcr.microsoft.com/windows/nanoserver:1809", build: 17763, moment: "2028-01-09T00:00:00Z"},
		{doc: "ltsc2019 exactly 365 days before its end", ref: "mcr.microsoft.com/windows/nanoserver:1809", build: 17763, moment: "2028-01-10T00:00:00Z",
			want: "the image mcr.microsoft.com/windows/nanoserver:1809 (1809 / ltsc2019, build 17763) stops being serviced on 2029-01-09, within a year of this run"},
		{doc: "a team's image on ltsc2019, on the end day", ref: "registry.example/team/app:1.4", build: 17763, moment: "2029-01-09T00:00:00Z",
			want: "the image registry.example/team/app:1.4 (built on base image build 17763, 1809 / ltsc2019) is no longer serviced: its support ended on 2029-01-09"},
		{doc: "20H2 (Semi-Annual) a day after its end", ref: "mcr.microsoft.com/windows/servercore:20H2", build: 19042, moment: "2022-08-10T00:00:00Z",
			want: "(20H2, build 19042) is no longer serviced: its support ended on 2022-08-09"},
		{doc: "20H2 the day before its end", ref: "mcr.microsoft.com/windows/servercore:20H2", build: 19042, moment: "2022-08-08T00:00:00Z",
			want: "stops being serviced on 2022-08-09"},
		{doc: "Nano Server 2016 loaded and tagged plainly 'nanoserver': its own Semi-Annual line", ref: "nanoserver", build: 14393, moment: "2019-06-01T00:00:00Z",
			want: "the image nanoserver (sac2016, build 14393) is no longer serviced: its support ended on 2018-10-09"},
		{doc: "Nano Server 2016 by digest", ref: "microsoft/nanoserver@sha256:3d2b3c4d", build: 14393, moment: "2019-06-01T00:00:00Z",
			want: "(sac2016, build 14393) is no longer serviced"},
		{doc: "a registry mirror with a port: a team's image, judged by its build (ltsc2016)", ref: "localhost:5000/nanoserver", build: 14393, moment: "2019-06-01T00:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			d := with(ws2019(), func(d *evidence.Daemon) {
				d.Info.KernelVersion = fmt.Sprintf("10.0 %d (%d.1.amd64fre.release)", tc.build, tc.build)
				d.Info.SystemTime = tc.moment
				d.Image.Ref = tc.ref
				d.Image.Inspect.OsVersion = fmt.Sprintf("10.0.%d.100", tc.build)
			})
			got := ImageServicingWarning(d, nil)
			assert.Check(t, is.Equal(got == "", tc.want == ""), "%q (%s)", got, srcLifecycle)
			assert.Check(t, is.Contains(got, tc.want), srcLifecycle)
			assert.Check(t, !strings.Contains(got, "judged as of"), "the daemon reported its clock: %q", got)
			assert.Check(t, !strings.Contains(got, "instead"), "no mode under test, no image to name instead: %q", got)
		})
	}
	t.Run("20H2 image on a 20H2 host under process isolation, no clock: judged today, the serviced way named", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) {
			d.Info.KernelVersion = "10.0 19042 (19042.1.amd64fre.vb_release.191206-1406)"
			d.Image.Ref = "mcr.microsoft.com/windows/servercore:20H2"
			d.Image.Inspect.OsVersion = "10.0.19042.1889"
		})
		got := ImageServicingWarning(d, []string{"process"})
		assert.Check(t, is.Contains(got, "(20H2, build 19042) is no longer serviced: its support ended on 2022-08-09"))
		assert.Check(t, is.Contains(got, "; judged as of 2026-12-03: the daemon reported no clock; instead: no serviced image fits build 19042 for process (process: only 20H2 (19042) fits, unserviced since 2022-08-09)"))
	})
}

// TestUnservicedMentionAtTheWordEdges: a tag at the very start of a text is a
// mention; a tag that is only part of a digest, a revision or a team's tag is
// not.
func TestUnservicedMentionAtTheWordEdges(t *testing.T) {
	mentions := []string{
		"20H2 (19042) fits hyperv here",
		"1903",
		"sac2016 images are the ones to use",
	}
	for _, text := range mentions {
		assert.Check(t, RecommendsUnserviced(text) != "", text)
	}
	notMentions := []string{
		"pulled mcr.microsoft.com/windows/nanoserver@sha256:19030b4e",     // digest: 1903 followed by 0
		"pulled mcr.microsoft.com/windows/nanoserver@sha256:17099e0c",     // digest: 1709 followed by 9
		"pulled mcr.microsoft.com/windows/nanoserver@sha256:1803ab52",     // digest: 1803 followed by a
		"pin registry.example/team/app:2004z (the team's build of May 4)", // a team's tag: 2004 followed by z
		"update the host to 10.0.17763.1903 or later",                     // a revision
		"use the ltsc2022-amd64 tag: 1909-amd64 is gone",                  // joined by a hyphen
	}
	for _, text := range notMentions {
		assert.Check(t, is.Equal(RecommendsUnserviced(text), ""), text)
	}
}
