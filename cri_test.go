package conformance

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"gotest.tools/v3/assert"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
	"github.com/wincontainer-gate/conformance/helpers/harness"
)

// criProvisioningClaims are the containerd engine's provisioning claims,
// judged once per host, in this order (CONFORMANCE_ENGINE=containerd).
var criProvisioningClaims = []struct {
	doc   string
	id    string
	needs []string
	check func(evidence.Runtime, config.Expectations) claims.Verdict
}{
	{
		doc: "the CRI endpoint answers Version with CRI v1", id: claims.RuntimeReachable,
		check: func(r evidence.Runtime, _ config.Expectations) claims.Verdict { return claims.CheckRuntimeReachable(r) },
	},
	{doc: "containerd's version satisfies the constraint", id: claims.RuntimeVersion, needs: []string{claims.RuntimeReachable}, check: claims.CheckRuntimeVersion},
	{
		doc: "Status: the runtime (and where pods need it, the pod network) is ready", id: claims.RuntimeReady, needs: []string{claims.RuntimeReachable},
		check: func(r evidence.Runtime, _ config.Expectations) claims.Verdict { return claims.CheckRuntimeReady(r) },
	},
	{doc: "the rows' runtime handlers are configured", id: claims.RuntimeHandlers, needs: []string{claims.RuntimeReachable}, check: claims.CheckRuntimeHandlers},
	{
		doc: "containerd service runs and starts automatically", id: claims.ServiceContainerd,
		check: func(r evidence.Runtime, _ config.Expectations) claims.Verdict {
			return claims.CheckServiceContainerd(r)
		},
	},
	{
		doc: "Containers feature: vmcompute runs", id: claims.ServiceVmcompute,
		check: func(r evidence.Runtime, _ config.Expectations) claims.Verdict {
			return claims.CheckCRIServiceVmcompute(r)
		},
	},
	{doc: "Hyper-V: vmms runs when Hyper-V isolation is under test", id: claims.ServiceVmms, check: claims.CheckCRIServiceVmms},
	{doc: "the sandbox (pause) image is on the node and fits the host", id: claims.SandboxImage, needs: []string{claims.RuntimeReachable}, check: claims.CheckSandboxImage},
	{doc: "the workload image is on the node and fits the host", id: claims.WorkloadImage, needs: []string{claims.RuntimeReachable}, check: claims.CheckWorkloadImage},
}

// criRowDocs says what each containerd row proves.
var criRowDocs = map[string]string{
	"cri/windows/process":         "runtime handler for process isolation: the pod's workload is a host process in a container session, no utility VM",
	"cri/windows/hyperv":          "runtime handler for Hyper-V isolation: HCS lists the pod's utility VM, the workload is not a host process",
	"cri/linux/default":           "the default handler: the workload is a host process in its own PID namespace",
	"cri/linux/unknown-handler":   "a handler no config names is refused",
	"cri/windows/unknown-handler": "",
}

var criKindDocs = map[string]string{
	claims.KindSandbox:     "RunPodSandbox with the row's handler: the sandbox is ready and reports that handler",
	claims.KindStart:       "CreateContainer and StartContainer: the workload runs with a pid",
	claims.KindIsolation:   "the host sees the isolation the handler must give",
	claims.KindProcessTree: "the process list inside (ExecSync) agrees with the host's view",
	claims.KindCleanup:     "the sandbox, its container and what the host showed of them are gone after removal",
	claims.KindRefused:     "RunPodSandbox with an unconfigured handler is refused",
}

// criDaemonView is a containerd host as the report and the matrix read a
// daemon: its endpoint, host and version.
func criDaemonView(r evidence.Runtime) evidence.Daemon {
	d := evidence.Daemon{Target: r.Target, Local: r.Local, Host: r.Host, HostErr: r.HostErr, Services: r.Services, ServicesErr: r.ServicesErr, Unreachable: r.Unreachable}
	d.Info.OSType = r.Platform()
	d.Version.Version, d.Version.APIVersion = r.Version, r.APIVersion
	d.Version.Platform.Name = r.Name
	if r.Host != nil {
		d.Info.KernelVersion = r.Host.Build
	}
	return d
}

// checkCRIHost is checkHost for a containerd host: it gathers the runtime's
// evidence, judges the provisioning claims, sweeps dead runs' sandboxes,
// then runs the CRI rows in parallel subtests; the leftover check, the
// required-claims line and after run in the host test's cleanup.
func checkCRIHost(t *testing.T, s *harness.Session, judge judgement, expected map[string]fixture.Expected, after ...func(*hostRun)) *hostRun {
	t.Helper()
	run := &hostRun{s: s, ledger: claims.NewLedger(), judge: judge, expected: expected, reported: map[string]bool{}, docs: map[string]string{}, rows: len(evidence.CRIRows)}
	run.ctx = t.Context()
	boundErr := func() error { return nil }
	if judge == gate {
		run.ctx, boundErr = liveRunContext(t, s)
	}
	r, err := s.Runtime(run.ctx)
	require.NoError(t, err)
	run.runtime = &r
	run.daemon = criDaemonView(r)
	if judge == gate && r.Unreachable == nil {
		sweepDeadRuns(t, run)
	}
	t.Cleanup(func() {
		if err := boundErr(); err != nil {
			t.Error(err)
		}
		if r.Unreachable == nil {
			checkCRILeftovers(t, run)
		}
		t.Logf("verdicts: %d passed, %d failed, %d skipped", run.ledger.Count(claims.Pass), run.ledger.Count(claims.Fail), run.ledger.Count(claims.Skip))
		summarize(t, run)
		for _, f := range after {
			f(run)
		}
	})
	for _, c := range criProvisioningClaims {
		run.ledger.Judge(c.id, c.needs, func() claims.Verdict { return c.check(r, s.Expect) })
	}
	run.required = claims.CRIRequirements(r, s.Expect)
	for _, c := range criProvisioningClaims {
		reportClaim(t, run, c.id, c.id, c.doc)
	}
	for _, row := range evidence.CRIRows {
		t.Run(row.String(), func(t *testing.T) {
			t.Parallel()
			run.mu.Lock()
			run.rowsRun++
			run.mu.Unlock()
			t.Log(criRowDocs[row.String()])
			applies, reason := claims.CRIRowApplies(r, s.Expect, row)
			criRow(t, run, row, applies, reason)
			if !applies {
				t.Skip(reason)
			}
		})
	}
	return run
}

func criRow(t *testing.T, run *hostRun, row evidence.CRIRow, applies bool, reason string) {
	var p evidence.Pod
	needs := claims.CRIStartNeeds(row)
	if applies && passed(run, needs...) {
		var err error
		p, err = run.s.RunPod(run.ctx, row, run.runtime.Image.Ref, t.Cleanup)
		assert.Check(t, err, "row %s", row)
	}
	sandbox := claims.CRIID(row, claims.KindSandbox)
	start := claims.CRIID(row, claims.KindStart)
	for _, kind := range claims.CRIRowKinds(row) {
		var claimNeeds []string
		switch {
		case !applies:
		case kind == claims.KindSandbox, kind == claims.KindRefused:
			claimNeeds = needs
		case kind == claims.KindStart:
			claimNeeds = []string{sandbox}
		case kind == claims.KindCleanup:
			claimNeeds = []string{claims.RuntimeReachable}
		default:
			claimNeeds = []string{start}
		}
		id := claims.CRIID(row, kind)
		run.ledger.Judge(id, claimNeeds, func() claims.Verdict {
			if !applies {
				return claims.NotApplicable(reason)
			}
			switch kind {
			case claims.KindSandbox:
				return claims.CheckSandbox(p)
			case claims.KindStart:
				return claims.CheckCRIStart(p)
			case claims.KindIsolation:
				return claims.CheckCRIIsolation(*run.runtime, p)
			case claims.KindProcessTree:
				return claims.CheckCRIProcessTree(p)
			case claims.KindCleanup:
				return claims.CheckCRICleanup(p)
			}
			return claims.CheckHandlerRefused(p)
		})
	}
	for _, kind := range claims.CRIRowKinds(row) {
		reportClaim(t, run, claims.CRIID(row, kind), kind, criKindDocs[kind])
	}
}

// checkCRILeftovers: nothing of this run may remain on the runtime.
func checkCRILeftovers(t *testing.T, run *hostRun) {
	t.Helper()
	// A fresh context: the test's and the run's have ended by now.
	left, err := run.s.CRILeftovers(context.Background())
	switch {
	case err != nil:
		t.Errorf("sandboxes of run %s left behind (%v): %v", run.s.RunID, left, err)
	case len(left) > 0:
		t.Errorf("left behind by run %s, and removed now: %v", run.s.RunID, left)
	}
}

// openCRI opens the containerd engine for a live or recording run.
func openCRI(t *testing.T, cfg config.Config, open func(config.Config) (*harness.Session, error)) *harness.Session {
	t.Helper()
	s, err := open(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	s.Logf = t.Logf
	return s
}

// recordCRIHost runs the containerd gate through the recorder and saves
// the fixture with the verdicts it reached as the expected ones.
func recordCRIHost(t *testing.T, cfg config.Config) {
	s := openCRI(t, cfg, harness.OpenCRIRecord)
	checkCRIHost(t, s, gate, nil, func(run *hostRun) {
		requireFailClosed(t, run)
		saveRecording(t, cfg, s, run)
		neverCached(t, run)
		collect("record", run, cfg.Mode, cfg.Profile)
	})
}

// TestCRIRowsCoverTheCatalogue: the containerd tables judge exactly the
// containerd claims of the catalogue.
func TestCRIRowsCoverTheCatalogue(t *testing.T) {
	var want, got []string
	for _, s := range claims.Catalogue() {
		if s.AppliesTo(config.EngineContainerd) {
			want = append(want, s.ID)
		}
	}
	for _, c := range criProvisioningClaims {
		got = append(got, c.id)
	}
	for _, row := range evidence.CRIRows {
		for _, kind := range claims.CRIRowKinds(row) {
			got = append(got, claims.CRIID(row, kind))
			assert.Check(t, criKindDocs[kind] != "", "kind %s has a doc", kind)
		}
	}
	assert.DeepEqual(t, slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want)))
}

var criEnvOnce sync.Once

// criLiveConfigured says, once, which engine a live run gates.
func criLiveConfigured(cfg config.Config) bool {
	criEnvOnce.Do(func() {
		if cfg.Expect.EngineName() == config.EngineContainerd {
			fmt.Fprintf(os.Stderr, "conformance: gating containerd through CRI at %s\n", cfg.RuntimeEndpoint)
		}
	})
	return cfg.Expect.EngineName() == config.EngineContainerd
}
