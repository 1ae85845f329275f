package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
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
}

// Summary is the line `make wine` prints.
func (t Tally) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Windows-binary tests under Wine: %d ran, %d passed, %d failed, %d skipped", t.Ran, t.Passed, t.Failed, t.Skipped)
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
		if waitErr != nil && t.Failed == 0 {
			total.Failed++
			total.Failures = append(total.Failures, fmt.Sprintf("%s: the binary failed without a failed test: %v", pkg, waitErr))
		}
	}
	sort.Strings(total.Skips)
	sort.Strings(total.Failures)
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
}

// tallyEvents reads test2json events, echoes each test's output to log and
// counts the outcomes. A skip's or failure's reason is its test's own
// output, without the framing lines test2json also reports as output.
func tallyEvents(r io.Reader, log io.Writer) (Tally, error) {
	var t Tally
	output := map[string][]string{}
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
			t.Failed++
			t.Failures = append(t.Failures, key+": "+reason(output[key]))
		}
	}
	return t, sc.Err()
}

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
