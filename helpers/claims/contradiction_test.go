package claims

import (
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// hcsDenied is how the probe reports HCS to a gate that is not elevated:
// HcsEnumerateComputeSystems answers E_ACCESSDENIED, FACILITY_WIN32 error 5,
// whose system message is "Access is denied.".
const hcsDenied = "HcsEnumerateComputeSystems: Access is denied."

// TestContradictionsAreNotSettledByFiat (issue 19, class 9): when the
// daemon's isolation field, the host process table and the VM worker
// attribution of one row disagree, the failing claim names each reading,
// says what the probe could not see and asks for the rerun that settles it,
// and never concludes from one reading that "no utility VM runs it", that
// "another VM started" or that "the daemon started a utility VM". Where the
// readings agree, or the exact step proved whose VM a worker is, the claim
// keeps its conclusion.
func TestContradictionsAreNotSettledByFiat(t *testing.T) {
	d := ws2019()
	denied := func(w evidence.Workload) evidence.Workload {
		w.Before.HCS = &hostprobe.HCSView{Err: hcsDenied}
		w.After.HCS = &hostprobe.HCSView{Err: hcsDenied}
		return w
	}
	hostPing := hostprobe.Process{PID: 1308, Name: "PING.EXE", Session: session(2)}
	tests := []struct {
		doc     string
		verdict Verdict
		message []string // all in the message
		unseen  string   // in the evidence
		fix     string
	}{
		{doc: "hyperv: inspect and the table say hyperv, timing finds no new worker",
			verdict: CheckVMWorker(d, denied(change(hypervWorkload(), func(w *evidence.Workload) { w.After = hostSnapshot() }))),
			message: []string{"no new vmwp.exe after the Hyper-V container started, but the row's evidence disagrees",
				`the daemon says hyperv (inspect reports "hyperv")`, "the host process table says hyperv (PING.EXE PID 1308 is not a host process)",
				"VM worker attribution says process (no VM worker is attributed to it (timing))"},
			unseen: "the probe could not see which VM each vmwp.exe belongs to: HCS compute systems unreadable: " + hcsDenied,
			fix:    "rerun the gate elevated (as Administrator)"},
		{doc: "hyperv: every reading says process, so no utility VM was seen",
			verdict: CheckVMWorker(d, change(hypervWorkload(), func(w *evidence.Workload) {
				w.Inspect = running("process")
				w.After = hostSnapshot(hostPing)
			})),
			message: []string{"no new vmwp.exe after the Hyper-V container started: no utility VM was seen, and the daemon's report and the process table agree"},
			fix:     "the daemon did not start a utility VM"},
		{doc: "hyperv: the worker that appeared is another listed VM's, while inspect and the table say hyperv",
			verdict: CheckVMWorker(d, exactly(hypervWorkload(), vmA, vmB, vmB)),
			message: []string{"no VM worker attributed to the Hyper-V container: the new vmwp.exe 7312", "but the row's evidence disagrees", "VM worker attribution says process (no VM worker is attributed to it (elimination))"},
			unseen:  "the probe could not tie a vmwp.exe to the container's own VM: no new vmwp.exe runs as NT VIRTUAL MACHINE\\" + vmA,
			fix:     "attach this evidence and the elevated output of hcsdiag list"},
		{doc: "process: a worker by timing while inspect and the table say process",
			verdict: CheckVMWorker(d, denied(change(processWorkload(), func(w *evidence.Workload) {
				w.After.Processes = append(w.After.Processes, hostprobe.Process{PID: 7312, Name: "vmwp.exe", Session: session(0)})
			}))),
			message: []string{"a VM worker attributed (timing) to a process-isolated container: vmwp.exe 7312 (session 0), but the row's evidence disagrees",
				`the daemon says process (inspect reports "process")`, "the host process table says process (PING.EXE PID 4872 is a host process (session 3))",
				"VM worker attribution says hyperv (vmwp.exe 7312 (session 0) is attributed to it (timing))"},
			unseen: "HCS compute systems unreadable: " + hcsDenied,
			fix:    "rerun the gate elevated (as Administrator)"},
		{doc: "process: a worker running as the container's own VM is proof",
			verdict: CheckVMWorker(d, exactly(change(processWorkload(), func(w *evidence.Workload) {
				w.After.Processes = append(w.After.Processes, hostprobe.Process{PID: 7312, Name: "vmwp.exe", Session: session(0)})
			}), vmA, vmA)),
			message: []string{"a VM worker attributed (exact) to a process-isolated container: vmwp.exe 7312"},
			fix:     "the daemon started a utility VM for a process container"},
		{doc: "hyperv pid-visibility: the workload is a host process, but inspect and the exact worker say hyperv",
			verdict: CheckPIDVisibility(d, exactly(change(hypervWorkload(), func(w *evidence.Workload) {
				w.After.Processes = append(w.After.Processes, hostPing)
			}), vmA, vmA)),
			message: []string{"PING.EXE PID 1308 is a host process, but the row's evidence disagrees", "the host process table says process (PING.EXE PID 1308 is a host process (session 2))",
				"VM worker attribution says hyperv (vmwp.exe 7312 (session 0, owner NT VIRTUAL MACHINE\\" + vmA + ") is attributed to it (exact))"},
			fix: "rerun the gate; if the row disagrees again, attach this evidence to a report"},
		{doc: "hyperv pid-visibility: every reading says process",
			verdict: CheckPIDVisibility(d, change(hypervWorkload(), func(w *evidence.Workload) {
				w.Inspect = running("process")
				w.After = hostSnapshot(hostPing)
			})),
			message: []string{"PING.EXE PID 1308 is a host process: the container is not in a utility VM"},
			fix:     "the daemon ran the container without Hyper-V isolation"},
		{doc: "process pid-visibility: the workload is no host process, while inspect and attribution say process",
			verdict: CheckPIDVisibility(d, denied(change(processWorkload(), func(w *evidence.Workload) { w.After = hostSnapshot() }))),
			message: []string{"PING.EXE PID 4872 is not a host process: got no such PID, want a host PING.EXE, but the row's evidence disagrees",
				"the host process table says hyperv (PING.EXE PID 4872 is not a host process)"},
			unseen: "HCS compute systems unreadable: " + hcsDenied,
			fix:    "rerun the gate elevated (as Administrator)"},
		{doc: "isolation-field: inspect says process, the table and the worker say hyperv",
			verdict: CheckIsolationField(d, denied(window(change(hypervWorkload(), func(w *evidence.Workload) { w.Inspect = running("process") })))),
			message: []string{`Isolation: got "process", want "hyperv", but the row's evidence disagrees`, "the host process table says hyperv", "VM worker attribution says hyperv"},
			unseen:  "HCS compute systems unreadable: " + hcsDenied,
			fix:     "rerun the gate elevated (as Administrator)"},
		{doc: "isolation-field: inspect says process and so does the rest of the row",
			verdict: CheckIsolationField(d, change(hypervWorkload(), func(w *evidence.Workload) {
				w.Inspect = running("process")
				w.After = hostSnapshot(hostPing)
			})),
			message: []string{`Isolation: got "process", want "hyperv"`},
			fix:     "the daemon did not honour --isolation=hyperv"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			v := tc.verdict
			assert.Check(t, is.Equal(v.Status, Fail), v.String())
			for _, m := range tc.message {
				assert.Check(t, is.Contains(v.Message, m), v.String())
			}
			assert.Check(t, is.Contains(v.Fix, tc.fix), v.String())
			evidence := strings.Join(v.Evidence, "\n")
			if tc.unseen != "" {
				assert.Check(t, is.Contains(evidence, tc.unseen), v.String())
			}
			disagrees := strings.Contains(v.Message, "the row's evidence disagrees")
			for _, fiat := range []string{"no utility VM runs it", "another VM started", "the container is not in a utility VM"} {
				assert.Check(t, !disagrees || !strings.Contains(v.Message+" "+v.Fix, fiat), "%q settles a disagreement by fiat: %s", fiat, v)
			}
			if disagrees {
				assert.Check(t, !strings.Contains(v.Fix, "the daemon started a utility VM") && !strings.Contains(v.Fix, "the daemon did not start a utility VM"), v.String())
			}
		})
	}
	ambiguous := CheckVMWorker(d, denied(change(window(hypervWorkload()), func(w *evidence.Workload) {
		w.After.Processes = append(w.After.Processes, hostprobe.Process{PID: 7400, Name: "vmwp.exe", Session: session(0), ParentPID: 1876, CreateTime: at(2)})
	})))
	assert.Check(t, is.Contains(ambiguous.Message, "ambiguous: 2 new VM workers could be the container's"), ambiguous.String())
	assert.Check(t, !strings.Contains(ambiguous.Message+ambiguous.Fix, "another VM started"), ambiguous.String())
	assert.Check(t, is.Contains(ambiguous.Fix, "the probe could not read whose VMs they are (HCS compute systems unreadable: "+hcsDenied+"); run the gate elevated"), ambiguous.String())
}
