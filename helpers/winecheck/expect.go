package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/wincontainer-gate/conformance/helpers/report"
)

// expectedVerdict is one claim's expected verdict, spelt as a fixture's
// (fixture.Expected): the status, a part of the message, the blocking claim
// and the warnings (each a part of one warning).
type expectedVerdict struct {
	Status    string   `yaml:"status"`
	Message   string   `yaml:"message"`
	BlockedBy string   `yaml:"blocked_by"`
	Warnings  []string `yaml:"warnings"`
}

// hostExpectations are the live host's expected verdicts and gate exit code,
// read from its description's own expected and gate.exit_code (not its
// base's: every claim is listed there).
type hostExpectations struct {
	Expected map[string]expectedVerdict `yaml:"expected"`
	Gate     struct {
		Passed   bool `yaml:"passed"`
		ExitCode *int `yaml:"exit_code"`
		Required struct {
			Passed    int `yaml:"passed"`
			Failed    int `yaml:"failed"`
			NotJudged int `yaml:"not_judged"`
		} `yaml:"required"`
	} `yaml:"gate"`
}

func readExpectations(path string) (hostExpectations, error) {
	var e hostExpectations
	data, err := os.ReadFile(path)
	if err != nil {
		return e, err
	}
	if err := yaml.Unmarshal(data, &e); err != nil {
		return e, fmt.Errorf("%s: %w", path, err)
	}
	if len(e.Expected) == 0 || e.Gate.ExitCode == nil {
		return e, fmt.Errorf("%s: want expected verdicts and gate.exit_code", path)
	}
	return e, nil
}

// expectFiles compares the live run's report (one host) and exit code with
// the expectations, claim by claim.
func expectFiles(reportPath, descriptionPath, exitCode string, out io.Writer) (bool, error) {
	run, err := readReport(reportPath)
	if err != nil {
		return false, err
	}
	want, err := readExpectations(descriptionPath)
	if err != nil {
		return false, err
	}
	code, err := strconv.Atoi(exitCode)
	if err != nil {
		return false, fmt.Errorf("exit code %q: %w", exitCode, err)
	}
	problems := compareToExpected(run, code, want)
	if len(problems) > 0 {
		fmt.Fprintf(out, "the live Windows path under Wine did not reach its expected verdicts (%s; re-run make wine after a deliberate change and update expected there):\n", descriptionPath)
		for _, p := range problems {
			fmt.Fprintln(out, "  "+p)
		}
		return false, nil
	}
	h := run.Hosts[0]
	fmt.Fprintf(out, "the live Windows path under Wine reached every expected verdict: %d claims (%d pass, %d fail, %d skip), exit code %d\n",
		len(h.Claims), h.Counts.Pass, h.Counts.Fail, h.Counts.Skip, code)
	return true, nil
}

// compareToExpected lists every way the run differs from the expectations:
// the exit code, a claim without expectation or an expected claim not
// judged, and per claim the status, the message part, blocked_by and the
// warnings.
func compareToExpected(run report.Run, code int, want hostExpectations) []string {
	var problems []string
	if code != *want.Gate.ExitCode || run.ExitCode != code {
		problems = append(problems, fmt.Sprintf("exit code %d (report %d), want %d", code, run.ExitCode, *want.Gate.ExitCode))
	}
	if run.Passed != want.Gate.Passed {
		problems = append(problems, fmt.Sprintf("passed %v, want %v", run.Passed, want.Gate.Passed))
	}
	if len(run.Hosts) != 1 {
		return append(problems, fmt.Sprintf("%d hosts in the report, want the one live host", len(run.Hosts)))
	}
	if r, w := run.Hosts[0].Required, want.Gate.Required; r.Passed != w.Passed || r.Failed != w.Failed || r.NotJudged != w.NotJudged {
		problems = append(problems, fmt.Sprintf("required claims: %q, want %d passed, %d failed, %d not judged", r.Line, w.Passed, w.Failed, w.NotJudged))
	}
	seen := map[string]bool{}
	for _, c := range run.Hosts[0].Claims {
		seen[c.Claim] = true
		e, ok := want.Expected[c.Claim]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: %s %q has no expected verdict", c.Claim, c.Status, c.Message))
			continue
		}
		if string(c.Status) != e.Status {
			problems = append(problems, fmt.Sprintf("%s: got %s %q, want %s", c.Claim, c.Status, c.Message, e.Status))
		}
		if !strings.Contains(c.Message, e.Message) {
			problems = append(problems, fmt.Sprintf("%s: message %q lacks %q", c.Claim, c.Message, e.Message))
		}
		if c.BlockedBy != e.BlockedBy {
			problems = append(problems, fmt.Sprintf("%s: blocked by %q, want %q", c.Claim, c.BlockedBy, e.BlockedBy))
		}
		if !warningsMatch(c.Warnings, e.Warnings) {
			problems = append(problems, fmt.Sprintf("%s: warnings %q, want %q", c.Claim, c.Warnings, e.Warnings))
		}
	}
	var missing []string
	for id := range want.Expected {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	for _, id := range missing {
		problems = append(problems, fmt.Sprintf("%s: expected but not judged", id))
	}
	return problems
}

// warningsMatch: as many warnings as expected, the i-th containing the i-th
// expected part.
func warningsMatch(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			return false
		}
	}
	return true
}
