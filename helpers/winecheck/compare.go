package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"

	"github.com/wincontainer-gate/conformance/helpers/report"
)

// compareReportFiles reads two JSON reports of replays of the same fixtures
// and compares them with compareReports.
func compareReportFiles(linuxPath, windowsPath string, out io.Writer) (bool, error) {
	linux, err := readReport(linuxPath)
	if err != nil {
		return false, err
	}
	windows, err := readReport(windowsPath)
	if err != nil {
		return false, err
	}
	diffs := compareReports(linux, windows)
	claimsCompared := 0
	for _, h := range linux.Hosts {
		claimsCompared += len(h.Claims)
	}
	if len(diffs) > 0 {
		fmt.Fprintf(out, "the Windows report differs from the Linux build's in %d places:\n", len(diffs))
		for _, d := range diffs {
			fmt.Fprintln(out, "  "+d)
		}
		return false, nil
	}
	fmt.Fprintf(out, "the .exe's report equals the Linux build's: %d hosts, %d claims (status, message, evidence, fix, blocked_by, warnings), passed=%v, exit code %d\n",
		len(linux.Hosts), claimsCompared, windows.Passed, windows.ExitCode)
	return true, nil
}

func readReport(path string) (report.Run, error) {
	var run report.Run
	data, err := os.ReadFile(path)
	if err != nil {
		return run, err
	}
	if err := json.Unmarshal(data, &run); err != nil {
		return run, fmt.Errorf("%s: %w", path, err)
	}
	return run, nil
}

// compareReports lists every difference between two reports of the same
// fixtures: the run's verdict, the hosts, and per host the facts, the
// counts, the required-claims outcome and each claim's status, message,
// evidence, fix, blocked_by and warnings. Times (started_at, finished_at)
// are not compared; no path is part of a claim.
func compareReports(linux, windows report.Run) []string {
	var diffs []string
	differ := func(where string, a, b any) {
		if !reflect.DeepEqual(a, b) {
			diffs = append(diffs, fmt.Sprintf("%s: Linux %s, Windows %s", where, show(a), show(b)))
		}
	}
	differ("mode", linux.Mode, windows.Mode)
	differ("passed", linux.Passed, windows.Passed)
	differ("exit_code", linux.ExitCode, windows.ExitCode)
	differ("host names", hostNames(linux), hostNames(windows))
	byName := map[string]report.Host{}
	for _, h := range windows.Hosts {
		byName[h.Name] = h
	}
	for _, l := range linux.Hosts {
		w, ok := byName[l.Name]
		if !ok {
			continue // named by "host names"
		}
		differ(l.Name+" facts", l.Facts, w.Facts)
		differ(l.Name+" counts", l.Counts, w.Counts)
		differ(l.Name+" required", l.Required, w.Required)
		differ(l.Name+" claim IDs", claimIDs(l), claimIDs(w))
		wc := map[string]report.Claim{}
		for _, c := range w.Claims {
			wc[c.Claim] = c
		}
		for _, lc := range l.Claims {
			c, ok := wc[lc.Claim]
			if !ok {
				continue
			}
			at := l.Name + " " + lc.Claim
			differ(at+" status", lc.Status, c.Status)
			differ(at+" message", lc.Message, c.Message)
			differ(at+" evidence", lc.Evidence, c.Evidence)
			differ(at+" fix", lc.Fix, c.Fix)
			differ(at+" blocked_by", lc.BlockedBy, c.BlockedBy)
			differ(at+" warnings", lc.Warnings, c.Warnings)
			differ(at+" required", lc.Required, c.Required)
		}
	}
	return diffs
}

func hostNames(r report.Run) []string {
	var names []string
	for _, h := range r.Hosts {
		names = append(names, h.Name)
	}
	sort.Strings(names)
	return names
}

func claimIDs(h report.Host) []string {
	var ids []string
	for _, c := range h.Claims {
		ids = append(ids, c.Claim)
	}
	sort.Strings(ids)
	return ids
}

func show(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(data) > 300 {
		return string(data[:300]) + "..."
	}
	return string(data)
}
