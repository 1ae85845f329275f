package claims

import (
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// The vm-worker evidence names each worker as the probe saw it: a host
// running no VM lists none, an elevated probe adds the owner (the VM's
// virtual account, "NT VIRTUAL MACHINE\<VM id>") and the GUIDs of the
// worker's command line (docs/hyperv-attribution.md, with its sources).
func TestVMWorkerEvidenceNamesEachWorker(t *testing.T) {
	t.Run("a process row on a host that runs no VM at all: no worker before or after", func(t *testing.T) {
		w := change(processWorkload(), func(w *evidence.Workload) {
			w.Before.Processes = without(w.Before.Processes, "vmwp.exe")
			w.After.Processes = without(w.After.Processes, "vmwp.exe")
		})
		v := CheckVMWorker(ws2019(), w)
		assert.Check(t, is.Equal(v.Status, Pass), v.String())
		assert.Check(t, is.Contains(v.Evidence, "vmwp before start: none"))
		assert.Check(t, is.Contains(v.Evidence, "vmwp after start: none"))
	})
	t.Run("an elevated probe: the new worker's owner and command-line VM id are quoted", func(t *testing.T) {
		const vm = "1B3C5D7E-0000-4000-8000-00000000A503"
		w := change(hypervWorkload(), func(w *evidence.Workload) {
			for i, p := range w.After.Processes {
				if p.PID == 7312 {
					w.After.Processes[i].Owner = `NT VIRTUAL MACHINE\` + vm
					w.After.Processes[i].CommandLineIDs = []string{vm}
				}
			}
		})
		v := CheckVMWorker(ws2019(), w)
		assert.Check(t, is.Contains(v.Evidence, `vmwp after start: 2216 (session 0), 6704 (session 0), 7312 (session 0, owner NT VIRTUAL MACHINE\`+vm+`, command line `+vm+`)`), v.String())
	})
}

// A template VM that HCS created in the start window (hosts that clone
// utility VMs from a template: docs/hyperv-attribution.md) is named in the
// evidence and never taken for the container's worker: a healthy Hyper-V row
// still passes on the exact step.
func TestVMWorkerNamesATemplateCreatedInTheWindow(t *testing.T) {
	w := exactly(hypervWorkload(), vmA, vmA)
	w.After.HCS.Systems = append(w.After.HCS.Systems, hostprobe.ComputeSystem{ID: vmB, SystemType: "VirtualMachine", RuntimeID: vmB, IsRuntimeTemplate: true})
	v := CheckVMWorker(ws2019(), w)
	assert.Check(t, is.Equal(v.Status, Pass), v.String())
	assert.Check(t, is.Contains(v.Evidence, "template VM created in the start window (never the container's worker): "+vmB), v.String())
}

// An elevated probe's HCS view is quoted, one line per compute system, and a
// failed enumeration (hostprobe: HcsEnumerateComputeSystems refused) quotes
// none: its systems are unknown, not absent.
func TestVMWorkerQuotesHCSsComputeSystems(t *testing.T) {
	v := CheckVMWorker(ws2019(), exactly(hypervWorkload(), vmA, vmA))
	var hcs []string
	for _, e := range v.Evidence {
		if strings.HasPrefix(e, "HCS after start: ") {
			hcs = append(hcs, e)
		}
	}
	assert.Check(t, is.Len(hcs, 1), v.String())
	assert.Check(t, is.Contains(strings.Join(hcs, "\n"), "a503f75e958370f0bb544c94"), v.String())

	refused := exactly(hypervWorkload(), vmA, vmA)
	refused.After.HCS = &hostprobe.HCSView{Err: "HcsEnumerateComputeSystems: Access is denied."}
	for _, e := range CheckVMWorker(ws2019(), refused).Evidence {
		assert.Check(t, !strings.HasPrefix(e, "HCS after start: "), e)
	}
}

// firstLine keeps the daemon's own words and drops HCS's "extra info" JSON,
// also when nothing but the JSON is left on the line.
func TestFirstLineDropsHCSExtraInfo(t *testing.T) {
	const hcs = `hcsshim::CreateComputeSystem 6bece83b: The request is not supported. (extra info: {"SystemType":"Container"})`
	assert.Check(t, is.Equal(firstLine(hcs+"\nsecond line"), "hcsshim::CreateComputeSystem 6bece83b: The request is not supported."))
	assert.Check(t, is.Equal(firstLine(` extra info: {"SystemType":"Container"}`), ""))
}
