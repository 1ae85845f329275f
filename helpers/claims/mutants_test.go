package claims

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// The tests here kill mutations of scripts/mutants.txt (make mutants) that
// survived every other self-test: each pins a rule the tables never reached.

// A Linux daemon may report the platform default as "" (20.10, recorded here)
// or as "default"; both are the default isolation, anything else is not.
func TestLinuxIsolationFieldAcceptsBothDefaultSpellings(t *testing.T) {
	for field, want := range map[string]Status{"": Pass, "default": Pass, "process": Fail, "hyperv": Fail} {
		w := change(linuxWorkload(), func(w *evidence.Workload) { w.Inspect = running(field) })
		v := CheckIsolationField(evidence.Daemon{}, w)
		assert.Check(t, is.Equal(v.Status, want), "Isolation %q: %s", field, v)
	}
}

// A refusal counts only for the mode it names: a daemon that answers the
// hyperv request with the process refusal did not judge the hyperv request.
func TestRefusalMustNameItsMode(t *testing.T) {
	for _, tc := range []struct{ row, message string }{
		{row: "hyperv", message: "Error response from daemon: invalid isolation (process): linux only supports 'default'"},
		{row: "process", message: `Error response from daemon: Invalid isolation: "hyperv" - linux only supports 'default'`},
	} {
		v := CheckRefused(evidence.Refusal{Row: evidence.Row{Platform: "linux", Mode: tc.row},
			CreateErr: &evidence.Failure{Kind: evidence.KindInvalidParameter, Message: tc.message}})
		assert.Check(t, is.Equal(v.Status, Fail), v.String())
		assert.Check(t, is.Contains(v.Message, "refused with an unknown wording"), v.String())
	}
}

// A daemon whose /version and /info disagree on its OS contradicts itself:
// engine-platform fails on that, whatever platform is expected.
func TestEnginePlatformRefusesAContradictingDaemon(t *testing.T) {
	for _, tc := range []struct{ versionOs, osType string }{{"linux", "windows"}, {"windows", "linux"}} {
		d := with(ws2019(), func(d *evidence.Daemon) { d.Version.Os, d.Info.OSType, d.Host = tc.versionOs, tc.osType, nil })
		e := defaultExpect()
		e.Platform = tc.osType
		v := CheckEnginePlatform(d, e)
		assert.Check(t, is.Equal(v.Status, Fail), v.String())
		assert.Check(t, is.Contains(v.Message, `version says os "`+tc.versionOs+`" but info says OSType "`+tc.osType+`"`), v.String())
	}
}

// An absence proves nothing in a snapshot that lacks the harness itself (a
// probe that sees nothing, or only part of the table): the Hyper-V claim that
// the workload is absent from the host must not pass on it.
func TestAbsenceNeedsASnapshotWithTheHarness(t *testing.T) {
	w := hypervWorkload()
	blind := *w.After
	blind.Processes = nil
	for _, p := range w.After.Processes {
		if p.PID != blind.SelfPID {
			blind.Processes = append(blind.Processes, p)
		}
	}
	w.After = &blind
	v := CheckPIDVisibility(ws2019(), w)
	assert.Check(t, is.Equal(v.Status, Fail), v.String())
	assert.Check(t, is.Contains(v.Message, "probe broken: the after-start host snapshot lacks the harness's own process"), v.String())
}
