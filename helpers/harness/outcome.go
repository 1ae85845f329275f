package harness

import (
	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
)

// GateOutcome is the gate's own outcome on one host, as a fixture states it:
// passed or failed (claims.GatePasses), the exit code, the required-claims
// line's counts (summary, from claims.JudgeRequired) and the claims of the
// gated platform the configuration leaves optional. Recording, fixturegen
// and the replay check all take it from here, so the three agree by
// construction and only the committed fixture is the oracle.
func GateOutcome(l *claims.Ledger, summary claims.GateSummary, reqs []claims.Requirement, platform string) fixture.Gate {
	passed := claims.GatePasses(l, summary)
	return fixture.Gate{
		Passed:      passed,
		ExitCode:    claims.GateExitCode(passed),
		Required:    fixture.RequiredCounts{Passed: summary.Passed, Failed: summary.Failed, NotJudged: summary.NotJudged},
		NotRequired: claims.Optional(reqs, platform),
	}
}
