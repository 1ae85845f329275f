package claims

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// Start outcomes the fixtures do not carry: the daemon lost while the gate
// waited for running, an unexpected exit without image evidence, a "does not
// match" refusal on a host whose revision could not be read.
func TestStartEdgesOfTheDaemonsAnswers(t *testing.T) {
	t.Run("the daemon stopped answering while the gate waited for running (dockerd crashed: EOF)", func(t *testing.T) {
		w := change(processWorkload(), func(w *evidence.Workload) {
			w.Inspect, w.Top, w.After = nil, nil, nil
			w.RunErr = &evidence.Failure{Kind: evidence.KindConnection, Message: "EOF"}
		})
		v := CheckStart(ws2019(), defaultExpect(), w)
		assert.Check(t, is.Equal(v.Status, Fail))
		assert.Check(t, is.Equal(v.Message, "lost the daemon connection at wait for running: EOF"))
		assert.Check(t, is.Equal(v.Fix, "the daemon stopped answering mid-run: check that it still runs and read its log; the next run removes any container this run could not"))
		assert.Check(t, is.Contains(v.Evidence, "wait for running error (connection): EOF"))
	})
	const exited = "container 6bece83b encountered an error during hcsshim::System::Start: failure in a Windows system call: The virtual machine or container exited unexpectedly. (0xc0370106)"
	t.Run("0xc0370106 on a process row whose image was never inspected: no revision is quoted", func(t *testing.T) {
		d := with(ws2019(), func(d *evidence.Daemon) { d.Image.Inspect = nil })
		v := startRefused(d, processWorkload(), exited)
		assert.Check(t, is.Equal(v.Status, Fail))
		assert.Check(t, is.Equal(v.Message, "the container exited unexpectedly at start (0xc0370106)"))
		assert.Check(t, is.Equal(v.Fix, "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Operational) and the daemon's log"))
	})
	t.Run("0xc0370101 on a host whose revision could not be read (OS Build n.0, probe revision 0)", func(t *testing.T) {
		const mismatch = "container 6bece83b encountered an error during CreateContainer: failure in a Windows system call: The operating system of the container does not match the operating system of the host. (0xc0370101)"
		v := startRefused(revisionHost(17763, 0, 805), processWorkload(), mismatch)
		assert.Check(t, is.Equal(v.Status, Fail))
		assert.Check(t, is.Contains(v.Message, "an update-level incompatibility of the same build (a revision could not be read) (host 17763.0, image 17763.805)"), v.String())
	})
}
