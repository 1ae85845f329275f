package claims

import (
	"fmt"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// LostConnection is the wording of every verdict about a request that got no
// answer: an EOF, a reset connection or a request that ran into its deadline
// says nothing about how the daemon treats containers, so no classifier
// wording or host fault may be read into it.
const LostConnection = "lost the daemon connection"

// lostConnectionFix says what to do when the daemon stopped answering.
const lostConnectionFix = "the daemon stopped answering mid-run: check that it still runs and read its log; " +
	"the next run removes any container this run could not"

// connectionLost turns a transport failure at a step into its verdict; ok is
// false for any other failure, which the caller judges.
func connectionLost(step string, f *evidence.Failure, ev ...string) (Verdict, bool) {
	if f == nil || f.Kind != evidence.KindConnection {
		return Verdict{}, false
	}
	ev = append(ev, fmt.Sprintf("%s error (%s): %s", step, f.Kind, f.Message))
	return failed(fmt.Sprintf("%s at %s: %s", LostConnection, step, f.Message), lostConnectionFix, ev...), true
}
