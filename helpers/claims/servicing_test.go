package claims

import (
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestServicingTable: each line's end date is the one its source gives; a
// changed date or a dropped line fails a row.
func TestServicingTable(t *testing.T) {
	images := []struct {
		ref   string
		build int
		end   string
	}{
		{"mcr.microsoft.com/windows/nanoserver:ltsc2025", 26100, "2034-10-10"},
		{"mcr.microsoft.com/windows/servercore:ltsc2022", 20348, "2031-10-14"},
		{"mcr.microsoft.com/windows/nanoserver:1809", 17763, "2029-01-09"},
		{"mcr.microsoft.com/windows/servercore:ltsc2016", 14393, "2027-01-11"},
		{"microsoft/nanoserver:sac2016", 14393, "2018-10-09"}, // Nano Server 2016 was Semi-Annual
		{"mcr.microsoft.com/windows/nanoserver:1709", 16299, "2019-04-09"},
		{"mcr.microsoft.com/windows/nanoserver:1803", 17134, "2019-11-12"},
		{"mcr.microsoft.com/windows/nanoserver:1903", 18362, "2020-12-08"},
		{"mcr.microsoft.com/windows/nanoserver:1909", 18363, "2021-05-11"},
		{"mcr.microsoft.com/windows/servercore:2004", 19041, "2021-12-14"},
		{"mcr.microsoft.com/windows/servercore:20H2", 19042, "2022-08-09"},
		{"example.com/app:1.0", 14393, "2027-01-11"}, // a third-party image: the longest line of its build
	}
	for _, tc := range images {
		l, ok := ImageLine(tc.ref, tc.build)
		assert.Check(t, ok, tc.ref)
		assert.Check(t, is.Equal(l.End.Format(time.DateOnly), tc.end), tc.ref)
		assert.Check(t, l.Source != "", tc.ref)
	}
	hosts := []struct {
		build  int
		client bool
		end    string
	}{
		{14393, false, "2027-01-12"}, {17763, false, "2029-01-09"}, {20348, false, "2031-10-14"},
		{25398, false, "2025-10-24"}, {26100, false, "2034-10-10"}, {18363, false, "2021-05-11"},
		{19045, true, "2025-10-14"}, {22631, true, "2026-11-10"}, {26100, true, "2027-10-12"}, {17763, true, "2021-05-11"},
	}
	for _, tc := range hosts {
		r, ok := HostLine(tc.build, tc.client)
		assert.Check(t, ok, tc.build)
		assert.Check(t, is.Equal(r.End.Format(time.DateOnly), tc.end), "%d client=%v", tc.build, tc.client)
	}
}

func TestServicingWarningEdges(t *testing.T) {
	end := day("2027-01-11")
	assert.Check(t, is.Contains(servicingWarning("x", end, "src", end), "no longer serviced"), "the end day itself")
	assert.Check(t, is.Contains(servicingWarning("x", end, "src", end.Add(-EndingSoon)), "stops being serviced on 2027-01-11"), "exactly a year ahead")
	assert.Check(t, is.Equal(servicingWarning("x", end, "src", end.Add(-EndingSoon-time.Hour)), ""), "more than a year ahead")
}

// TestFixesNeverRecommendUnservicedImages: on every build a host runs, for
// every mode set, the fix names no unserviced image as the thing to use.
func TestFixesNeverRecommendUnservicedImages(t *testing.T) {
	var builds []int
	for _, r := range HostServicing {
		builds = append(builds, r.Build)
	}
	builds = append(builds, 10586, 26200)
	for _, b := range builds {
		for _, modes := range [][]string{{"process"}, {"hyperv"}, {"process", "hyperv"}} {
			fix := FitFix(Fit{Host: b, HostRev: 100, Modes: modes, At: day("2019-12-17")})
			assert.Check(t, is.Equal(RecommendsUnserviced(fix), ""), "build %d %v: %s", b, modes, fix)
		}
	}
}

func TestRecommendsUnservicedFindsTheMention(t *testing.T) {
	for _, text := range []string{
		"use the image tag for build 18362 (1903)",
		"images that fit hyperv here: 20H2 (19042), 1809 / ltsc2019 (17763)",
		"use mcr.microsoft.com/windows/nanoserver:1909",
		"pull microsoft/nanoserver:sac2016",
	} {
		assert.Check(t, RecommendsUnserviced(text) != "", text)
	}
	for _, text := range []string{
		"process: only 1903 (18362) fits, unserviced since 2020-12-08",
		"the image mcr.microsoft.com/windows/nanoserver:1909 (1909, build 18363) is no longer serviced",
		"use the image tag for build 17763 (1809 / ltsc2019)",
		"host build 19045.2004 (OS Build 19045.2004)",
	} {
		assert.Check(t, is.Equal(RecommendsUnserviced(text), ""), text)
	}
}
