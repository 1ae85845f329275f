package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
)

// event is one line of `go tool test2json` (cmd/test2json's TestEvent).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

// Tally counts the tests of Windows binaries (subtests included) and keeps
// why each skipped and each failed.
type Tally struct {
	Ran, Passed, Failed, Skipped int
	// Skips and Failures are "<package> <test>: <reason>", sorted.
	Skips, Failures []string
	// LeftOut are the tests not run, as "<package>: <pattern>".
	LeftOut []string
	// TempDirOnly are the tests whose one failure is t.TempDir's cleanup,
	// which Wine 8 cannot do (see tempDirCleanup); counted apart, never as
	// passed.
	TempDirOnly []string
}

// tempDirCleanup is the one failure Wine 8 causes in any test that uses
// t.TempDir: Go's os.RemoveAll deletes with NtSetInformationFile
// (FileDispositionInformationEx, POSIX semantics), which Wine 8.0 answers
// STATUS_NOT_IMPLEMENTED ("Invalid function"), and Go falls back only for
// other answers (internal/syscall/windows.Deleteat).
var tempDirCleanup = regexp.MustCompile(`^testing\.go:\d+: TempDir RemoveAll cleanup: unlinkat .*: Invalid function\.$`)

// Summary is the line `make wine` prints.
func (t Tally) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Windows-binary tests under Wine: %d ran, %d passed, %d failed, %d skipped", t.Ran, t.Passed, t.Failed, t.Skipped)
	if n := len(t.TempDirOnly); n > 0 {
		fmt.Fprintf(&b, ", %d whose only failure is t.TempDir's cleanup (Wine 8 cannot delete the way Go 1.26 does: docs/wine.md)", n)
	}
	for _, s := range t.Skips {
		fmt.Fprintf(&b, "\n  skipped %s", s)
	}
	for _, l := range t.LeftOut {
		fmt.Fprintf(&b, "\n  not run under Wine %s", l)
	}
	for _, f := range t.Failures {
		fmt.Fprintf(&b, "\n  FAILED %s", f)
	}
	return b.String()
}

// runTestBinaries runs each "<package folder>=<binary>[=<skip regexp>]" under
// wine through `go tool test2json`, in the package's folder as go test does,
// and adds up the outcomes. A binary that fails without any failed test (a
// crash, a panic, Wine refusing it) is a failure too. Tests left out by a
// skip pattern are said, with the pattern.
func runTestBinaries(wine string, specs []string, log io.Writer) (Tally, error) {
	var total Tally
	for _, spec := range specs {
		parts := strings.SplitN(spec, "=", 3)
		if len(parts) < 2 {
			return total, fmt.Errorf("%q: want <package folder>=<binary.exe>[=<skip regexp>]", spec)
		}
		pkg, bin := parts[0], parts[1]
		args := []string{"tool", "test2json", "-p", pkg, wine, bin, "-test.v=test2json", "-test.count=1"}
		if len(parts) == 3 {
			args = append(args, "-test.skip", parts[2])
			total.LeftOut = append(total.LeftOut, fmt.Sprintf("%s: %s", pkg, parts[2]))
		}
		cmd := exec.Command("go", args...)
		cmd.Dir = pkg
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			return total, err
		}
		if err := cmd.Start(); err != nil {
			return total, fmt.Errorf("start %s under %s: %w", bin, wine, err)
		}
		t, readErr := tallyEvents(out, log)
		waitErr := cmd.Wait()
		total.add(t)
		if readErr != nil {
			return total, fmt.Errorf("%s: %w", pkg, readErr)
		}
		if waitErr != nil && t.Failed == 0 && len(t.TempDirOnly) == 0 {
			total.Failed++
			total.Failures = append(total.Failures, fmt.Sprintf("%s: the binary failed without a failed test: %v", pkg, waitErr))
		}
	}
	sort.Strings(total.Skips)
	sort.Strings(total.Failures)
	sort.Strings(total.TempDirOnly)
	return total, nil
}

func (t *Tally) add(o Tally) {
	t.Ran += o.Ran
	t.Passed += o.Passed
	t.Failed += o.Failed
	t.Skipped += o.Skipped
	t.Skips = append(t.Skips, o.Skips...)
	t.Failures = append(t.Failures, o.Failures...)
	t.LeftOut = append(t.LeftOut, o.LeftOut...)
	t.TempDirOnly = append(t.TempDirOnly, o.TempDirOnly...)
}

// tallyEvents reads test2json events, echoes each test's output to log and
// counts the outcomes. A skip's or failure's reason is its test's own
// output, without the framing lines test2json also reports as output.
func tallyEvents(r io.Reader, log io.Writer) (Tally, error) {
	var t Tally
	output := map[string][]string{}
	// realFailure marks the tests (and their parents) that failed for more
	// than t.TempDir's cleanup.
	realFailure := map[string]bool{}
	// tempDirChild marks the parents of tests that failed on the cleanup only.
	tempDirChild := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return t, fmt.Errorf("test2json line %q: %w", sc.Text(), err)
		}
		if e.Action == "output" {
			_, _ = io.WriteString(log, e.Output)
		}
		if e.Test == "" {
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			if line := strings.TrimSpace(e.Output); line != "" && !framing(line) {
				output[key] = append(output[key], line)
			}
		case "pass":
			t.Ran++
			t.Passed++
		case "skip":
			t.Ran++
			t.Skipped++
			t.Skips = append(t.Skips, key+": "+reason(output[key]))
		case "fail":
			t.Ran++
			if lines := output[key]; !realFailure[key] && (len(lines) > 0 && onlyTempDirCleanup(lines) || len(lines) == 0 && tempDirChild[key]) {
				t.TempDirOnly = append(t.TempDirOnly, key)
				for parent := key; strings.Contains(parent, "/"); {
					parent = parent[:strings.LastIndex(parent, "/")]
					tempDirChild[parent] = true
				}
				continue
			}
			for parent := key; strings.Contains(parent, "/"); {
				parent = parent[:strings.LastIndex(parent, "/")]
				realFailure[parent] = true
			}
			t.Failed++
			t.Failures = append(t.Failures, key+": "+reason(output[key]))
		}
	}
	return t, sc.Err()
}

// onlyTempDirCleanup: the test's one logged line (t.Log, t.Error: "file.go:N: ...")
// is the TempDir cleanup failure; output of the code under test, which
// carries no such prefix, does not count.
func onlyTempDirCleanup(lines []string) bool {
	cleanup := false
	for _, l := range lines {
		switch {
		case tempDirCleanup.MatchString(l):
			cleanup = true
		case testLogLine.MatchString(l):
			return false
		}
	}
	return cleanup
}

var testLogLine = regexp.MustCompile(`^\S+\.go:\d+: `)

func framing(line string) bool {
	for _, p := range []string{"=== ", "--- PASS", "--- FAIL", "--- SKIP"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

func reason(lines []string) string {
	if len(lines) == 0 {
		return "(no output)"
	}
	return strings.Join(lines, " / ")
}
