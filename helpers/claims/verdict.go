// Package claims turns evidence into verdicts. Every claim is a pure function of
// evidence and expectations: no claim calls the daemon or the host, so every
// claim runs on recorded evidence in replay on any OS.
//
// Claims have stable IDs. A Ledger keeps the verdicts of one host and applies
// prerequisites: a claim whose prerequisite failed reports fail "blocked by
// <ID>", and one whose prerequisite was skipped is skipped with that reason.
package claims

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Status is the outcome of one claim.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Verdict is a claim's outcome with what it saw and how to fix a failure.
type Verdict struct {
	Claim  string `json:"claim"`
	Status Status `json:"status"`
	// Message is one line: what was found, and for a failure got/want.
	Message string `json:"message"`
	// Evidence lines quote what the claim judged.
	Evidence []string `json:"evidence,omitempty"`
	// Fix says what to change on the host when the claim fails.
	Fix string `json:"fix,omitempty"`
	// BlockedBy names the failed prerequisite, for a blocked claim.
	BlockedBy string `json:"blocked_by,omitempty"`
	// Warnings are findings that do not fail the claim.
	Warnings []string `json:"warnings,omitempty"`
}

func passed(msg string, evidence ...string) Verdict {
	return Verdict{Status: Pass, Message: msg, Evidence: evidence}
}

func failed(msg, fix string, evidence ...string) Verdict {
	return Verdict{Status: Fail, Message: msg, Fix: fix, Evidence: evidence}
}

func skipped(reason string, evidence ...string) Verdict {
	return Verdict{Status: Skip, Message: reason, Evidence: evidence}
}

func blocked(by, why string, evidence ...string) Verdict {
	msg := "blocked by " + by
	if why != "" {
		msg += ": " + why
	}
	return Verdict{Status: Fail, Message: msg, BlockedBy: by, Evidence: evidence}
}

// String renders the verdict for a test log: status, message, evidence, fix.
func (v Verdict) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", v.Claim, v.Status, v.Message)
	for _, e := range v.Evidence {
		fmt.Fprintf(&b, "\n    evidence: %s", e)
	}
	for _, w := range v.Warnings {
		fmt.Fprintf(&b, "\n    WARNING: %s", w)
	}
	if v.Fix != "" {
		fmt.Fprintf(&b, "\n    fix: %s", v.Fix)
	}
	return b.String()
}

// Ledger collects the verdicts of one host. It is safe for concurrent rows.
type Ledger struct {
	mu       sync.Mutex
	verdicts map[string]Verdict
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{verdicts: map[string]Verdict{}} }

// Judge records the verdict of claim id. When a prerequisite in needs failed or
// was skipped, check is not called: the claim is blocked or skipped with it.
func (l *Ledger) Judge(id string, needs []string, check func() Verdict) Verdict {
	v, ok := l.gate(needs)
	if ok {
		v = check()
	}
	v.Claim = id
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, dup := l.verdicts[id]; dup {
		v = failed("claim judged twice in one run", "this is a harness bug: claim IDs must be unique per host")
		v.Claim = id
	}
	l.verdicts[id] = v
	return v
}

func (l *Ledger) gate(needs []string) (Verdict, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, need := range needs {
		prior, ok := l.verdicts[need]
		switch {
		case !ok:
			return failed("prerequisite "+need+" was never judged", "this is a harness bug: judge prerequisites first"), false
		case prior.Status == Fail && prior.BlockedBy != "":
			return blocked(need, "itself "+prior.Message), false
		case prior.Status == Fail:
			return blocked(need, ""), false
		case prior.Status == Skip:
			return skipped(fmt.Sprintf("%s was skipped: %s", need, prior.Message)), false
		}
	}
	return Verdict{}, true
}

// Get returns the verdict of a claim.
func (l *Ledger) Get(id string) (Verdict, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.verdicts[id]
	return v, ok
}

// All returns every verdict, ordered by claim ID.
func (l *Ledger) All() []Verdict {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Verdict, 0, len(l.verdicts))
	for _, v := range l.verdicts {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Claim < out[j].Claim })
	return out
}

// Count returns how many verdicts have the status.
func (l *Ledger) Count(s Status) int {
	n := 0
	for _, v := range l.All() {
		if v.Status == s {
			n++
		}
	}
	return n
}

// NotApplicable skips a claim that does not apply to this host, with the reason.
func NotApplicable(reason string) Verdict { return skipped(reason) }
