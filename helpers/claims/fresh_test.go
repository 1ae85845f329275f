package claims

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// Rows written against independently written one-line mutations of the
// claims (issue 17's "fresh" set); each names the host situation it stands
// for.

// TestEnginePlatformWithoutVersionOs: the contradiction rule compares two
// readings and needs both. A /version answer that omits Os (an Engine API
// proxy or a compatible engine that forwards only part of the answer; the
// docker client decodes the field as "" then) is no contradiction: the
// platform is judged by Info.OSType, and the documented host passes.
func TestEnginePlatformWithoutVersionOs(t *testing.T) {
	d := with(ws2019(), func(d *evidence.Daemon) { d.Version.Os = "" })
	v := CheckEnginePlatform(d, defaultExpect())
	assert.Check(t, is.Equal(v.Status, Pass), v.String())

	// The same daemon whose /version says linux does contradict itself.
	d.Version.Os = "linux"
	v = CheckEnginePlatform(d, defaultExpect())
	assert.Check(t, is.Equal(v.Status, Fail), v.String())
}

// TestStartBlockedByAStoppedVmcompute: a Windows row on a host whose
// vmcompute (the host compute service every Windows container needs) is
// stopped or disabled is blocked by service-vmcompute, whatever the daemon
// answered: the cause is the service, and its fix (Start-Service vmcompute)
// is the one that works. The daemon then reports the service's Win32 text,
// ERROR_SERVICE_DISABLED ("The service cannot be started, either because it
// is disabled or because it has no enabled devices associated with it.",
// Microsoft Learn, System Error Codes 1000-1299), which by itself says
// nothing of which service.
func TestStartBlockedByAStoppedVmcompute(t *testing.T) {
	const disabled = "hcsshim::CreateComputeSystem cece6585ce23: The service cannot be started, either because it is disabled or because it has no enabled devices associated with it."
	for _, state := range []struct{ state, startType string }{{"stopped", "manual"}, {"stopped", "disabled"}, {"stop-pending", "manual"}} {
		t.Run(state.state+"/"+state.startType, func(t *testing.T) {
			d := with(ws2019(), func(d *evidence.Daemon) { setService(d, svc("vmcompute", state.state, state.startType)) })
			for _, w := range []evidence.Workload{processWorkload(), hypervWorkload()} {
				w.StartErr, w.Inspect, w.After, w.Top = &evidence.Failure{Kind: evidence.KindSystem, Message: disabled}, nil, nil, nil
				v := CheckStart(d, defaultExpect(), w)
				assert.Check(t, is.Equal(v.Status, Fail), v.String())
				assert.Check(t, is.Equal(v.BlockedBy, ServiceVmcompute), v.String())
			}
		})
	}
	// A running vmcompute leaves the start to what the daemon said.
	w := processWorkload()
	w.StartErr, w.Inspect, w.After, w.Top = &evidence.Failure{Kind: evidence.KindSystem, Message: disabled}, nil, nil, nil
	v := CheckStart(ws2019(), defaultExpect(), w)
	assert.Check(t, is.Equal(v.BlockedBy, ""), v.String())
}

// TestMissingProgramInTodaysHCSWording: hcsshim's SystemError prints
// `<op> <id>: <Win32 text>` without the "(0x2)" that the older "failure in a
// Windows system call: ... (0x2)" form carried (microsoft/hcsshim
// internal/hcs/errors.go SystemError.Error; the Errno's text only), so an
// engine of 20.10 or later says only "The system cannot find the file
// specified." when the image lacks ping.exe. The fix must still say the
// image lacks the workload's program, as for the 19.03 wording.
func TestMissingProgramInTodaysHCSWording(t *testing.T) {
	for _, wording := range []string{
		"hcs::System::CreateProcess 8c232986c20a5123c76a34ba192af2b2664c55466c0ac26d975481e4fc49f889: The system cannot find the file specified.",
		"container 8c232986c20a encountered an error during hcsshim::System::CreateProcess: failure in a Windows system call: The system cannot find the file specified. (0x2)",
	} {
		v := startRefused(ws2019(), processWorkload(), wording)
		assert.Check(t, is.Equal(v.Status, Fail), v.String())
		assert.Check(t, is.Contains(v.Fix, "the image lacks the workload's program"), v.String())
	}
}

// TestBrokenProbeGivesNoReading: a host probe that failed during the row
// (HostErr: the process table was read, then the session or owner query was
// refused, as for a gate run without elevation) gives no reading of the
// process table or the VM workers, even when a snapshot of an earlier
// moment is at hand: a row's disagreement rests on sound evidence only, so
// the Hyper-V row whose inspect says "process" fails on that field alone,
// with no disagreement drawn from the broken probe.
func TestBrokenProbeGivesNoReading(t *testing.T) {
	w := hypervWorkload()
	w.Inspect = running("process")
	w.HostErr = &evidence.Failure{Kind: evidence.KindOther, Message: "OpenProcessToken: Access is denied."}
	_, disagree := RowDisagreement(ws2019(), w)
	assert.Check(t, !disagree, "a broken probe is no reading")
	v := CheckIsolationField(ws2019(), w)
	assert.Check(t, is.Equal(v.Status, Fail), v.String())
	assert.Check(t, is.Equal(v.Message, `Isolation: got "process", want "hyperv"`), v.String())

	// The same row with a working probe does disagree: the table says the
	// workload runs in a utility VM.
	w.HostErr = nil
	_, disagree = RowDisagreement(ws2019(), w)
	assert.Check(t, disagree)
}
