package report

import (
	"io"
	"strings"
	"unicode"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/wincontainer-gate/conformance/helpers/claims"
)

// GateCase names the JUnit test case that carries a failed run whose claims
// do not show why (a configuration error, a container left behind, a harness
// error): a pipeline that counts failed test cases must never see a failed gate
// as a clean one.
const GateCase = "gate"

// WriteJUnit writes one test suite per host and one test case per claim ID.
// A failure carries the verdict's message as its message and the evidence and
// fix as its text; a skip carries its reason. This is the JUnit the prebuilt
// binary writes where gotestsum is not installed; `make junit` gets the same
// test cases from gotestsum, since subtests are named by claim ID.
func WriteJUnit(w io.Writer, run Run) error {
	suites := junit.Testsuites{Name: "conformance"}
	anyFailed := false
	for i, h := range run.Hosts {
		suite := junit.Testsuite{Name: "conformance/" + h.Name, ID: i, Hostname: h.Target, Time: "0", Timestamp: run.StartedAt}
		suite.AddProperty("mode", run.Mode)
		if h.Profile != "" {
			suite.AddProperty("profile", h.Profile)
		}
		suite.AddProperty("host", describeHost(h))
		judged := map[string]bool{}
		for _, c := range h.Claims {
			tc := testcase(c)
			suite.AddTestcase(tc)
			judged[c.Claim] = true
			anyFailed = anyFailed || tc.Failure != nil
		}
		for _, p := range notJudged(h) {
			if !judged[p.Claim] {
				suite.AddTestcase(junit.Testcase{Name: p.Claim, Classname: GroupOf(p.Claim), Time: "0", Failure: &junit.Result{
					Message: xmlSafe("required claim not judged: " + p.Reason), Type: "not-judged", Data: xmlSafe("required because: " + p.Why),
				}})
				anyFailed = true
			}
		}
		suites.AddSuite(suite)
	}
	if !run.Passed && !anyFailed {
		suite := junit.Testsuite{Name: "conformance/" + GateCase, ID: len(run.Hosts), Time: "0", Timestamp: run.StartedAt}
		suite.AddTestcase(junit.Testcase{Name: GateCase, Classname: GateCase, Failure: &junit.Result{
			Message: "the gate failed without a failing claim: a configuration error, a container left behind or a harness error; the run's log says which",
			Type:    "gate",
		}})
		suites.AddSuite(suite)
	}
	return suites.WriteXML(w)
}

func testcase(c Claim) junit.Testcase {
	tc := junit.Testcase{Name: c.Claim, Classname: c.Group, Time: "0"}
	text := xmlSafe(strings.TrimSpace(c.Doc + "\n" + c.Verdict.String()))
	switch {
	case c.Status == claims.Skip && c.Required:
		// A required claim that skipped fails the gate: it is a failure here too.
		tc.Failure = &junit.Result{Message: xmlSafe("required claim skipped: " + c.Message), Type: "not-judged",
			Data: xmlSafe(text + "\n    required because: " + c.RequiredWhy)}
	case c.Status == claims.Skip:
		tc.Skipped = &junit.Result{Message: xmlSafe(c.Message)}
	case c.Status == claims.Fail && c.BlockedBy != "":
		tc.Failure = &junit.Result{Message: xmlSafe(c.Message), Type: "blocked", Data: text}
	case c.Status == claims.Fail:
		tc.Failure = &junit.Result{Message: xmlSafe(c.Message), Type: "fail", Data: text}
	default:
		tc.SystemOut = &junit.Output{Data: text}
	}
	return tc
}

// xmlSafe replaces what XML 1.0 cannot carry (control characters from a
// daemon's error text, say) so that the file always parses.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r != unicode.ReplacementChar && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000 && r <= 0x10FFFF {
			return r
		}
		return unicode.ReplacementChar
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
