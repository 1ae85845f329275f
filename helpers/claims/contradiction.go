package claims

import (
	"fmt"
	"strings"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// A Windows workload row has three independent readings of the isolation the
// container got: what the daemon reports (inspect's HostConfig.Isolation),
// what the host's process table shows (the workload is a host process, or
// not: it runs in a utility VM), and whether a VM worker is attributed to the
// container. When they disagree, no claim settles it by fiat: the claim that
// fails says which evidence disagrees, what the probe could not see, and the
// rerun that would settle it (issue 19, class 9). A worker attributed by
// timing or elimination, or its absence, is not proof of whose VM a worker
// is; only the exact step names the container's own VM.

// reading is what one kind of evidence says about the isolation: "hyperv",
// "process", or "" when it cannot tell.
type reading struct {
	says   string
	detail string
}

// rowReadings reads the three kinds of evidence of a local Windows row; a
// reading whose evidence is missing or unsound says nothing.
func rowReadings(d evidence.Daemon, w evidence.Workload) (field, table, worker reading, a *hostprobe.Attribution) {
	if w.Inspect != nil && w.Inspect.ContainerJSONBase != nil && w.Inspect.HostConfig != nil {
		switch got := string(w.Inspect.HostConfig.Isolation); got {
		case "hyperv", "process":
			field = reading{says: got, detail: fmt.Sprintf("inspect reports %q", got)}
		}
	}
	if w.Row.Platform != "windows" || !d.Local || w.HostErr != nil {
		return field, table, worker, nil
	}
	if _, broken := soundSnapshot("after-start", w.After, d); broken != nil {
		return field, table, worker, nil
	}
	if work, _, err := WorkloadProcess(w); err == nil {
		host, found := w.After.Find(work.PID)
		if found && hostprobe.SameImageName(host.Name, work.Name) {
			table = reading{says: "process", detail: fmt.Sprintf("%s PID %d is a host process (session %s)", work.Name, work.PID, sessionText(host.Session))}
		} else {
			table = reading{says: "hyperv", detail: fmt.Sprintf("%s PID %d is not a host process", work.Name, work.PID)}
		}
	}
	if _, broken := soundSnapshot("before-start", w.Before, d); broken != nil {
		return field, table, worker, nil
	}
	attribution := hostprobe.AttributeWorkers(*w.Before, *w.After, w.ContainerID)
	switch {
	case attribution.Ambiguous():
	case len(attribution.Workers) > 0:
		worker = reading{says: "hyperv", detail: fmt.Sprintf("vmwp.exe %s is attributed to it (%s)", pids(attribution.Workers), attribution.Method)}
	default:
		worker = reading{says: "process", detail: fmt.Sprintf("no VM worker is attributed to it (%s)", attribution.Method)}
	}
	return field, table, worker, &attribution
}

// Disagreement is a Windows row whose readings contradict each other.
type Disagreement struct {
	// Says names each reading and what it says, the agreeing and the
	// disagreeing ones alike.
	Says string
	// Unseen is what the probe could not see that would settle it; empty
	// when it saw everything it reads (HCS, owners, the exact step applied).
	Unseen string
	// Rerun is the run that would settle it.
	Rerun string
}

// RowDisagreement returns the row's disagreement, if its readings disagree.
func RowDisagreement(d evidence.Daemon, w evidence.Workload) (Disagreement, bool) {
	field, table, worker, a := rowReadings(d, w)
	var says []string
	hyperv, process := false, false
	for _, r := range []struct {
		name string
		reading
	}{{"the daemon", field}, {"the host process table", table}, {"VM worker attribution", worker}} {
		if r.says == "" {
			continue
		}
		hyperv = hyperv || r.says == "hyperv"
		process = process || r.says == "process"
		says = append(says, fmt.Sprintf("%s says %s (%s)", r.name, r.says, r.detail))
	}
	if !hyperv || !process {
		return Disagreement{}, false
	}
	out := Disagreement{Says: "the row's evidence disagrees: " + strings.Join(says, "; ")}
	switch {
	case a == nil:
		out.Rerun = "run the gate again on the host; attach this evidence to a report"
	case a.Method == hostprobe.AttributionTiming:
		out.Unseen = "the probe could not see which VM each vmwp.exe belongs to: " + a.Why
		out.Rerun = "rerun the gate elevated (as Administrator) on the host: HCS's compute systems and the process owners then say which VM each worker belongs to, and this row is judged on them"
	case a.Method == hostprobe.AttributionElimination:
		out.Unseen = "the probe could not tie a vmwp.exe to the container's own VM: " + a.Why
		out.Rerun = "rerun the gate elevated; if the row disagrees again, attach this evidence and the elevated output of hcsdiag list and Get-Process vmwp -IncludeUserName to a report"
	default:
		out.Rerun = "rerun the gate; if the row disagrees again, attach this evidence to a report: the daemon, the process table and HCS contradict each other"
	}
	return out, true
}

// withDisagreement rewrites a failing verdict whose row disagrees: the
// message keeps what the claim found and adds the disagreement instead of
// the conclusion drawn from one reading, the fix becomes the rerun that
// would settle it, and the evidence says what the probe could not see.
func withDisagreement(v Verdict, found string, dis Disagreement) Verdict {
	v.Message = found + ", but " + dis.Says
	v.Fix = dis.Rerun
	if dis.Unseen != "" {
		v.Evidence = append(v.Evidence, dis.Unseen)
	}
	return v
}
