package conformance

import (
	"testing"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// provisioningClaims are judged once per host, in this order; needs name the
// claims whose failure blocks a row.
var provisioningClaims = []struct {
	doc   string
	id    string
	needs []string
	// gather adds the evidence the claim judges, once its needs passed.
	gather func(*testing.T, *hostRun)
	check  func(evidence.Daemon, config.Expectations) claims.Verdict
}{
	{
		doc:   "daemon answers at DOCKER_HOST",
		id:    claims.DaemonReachable,
		check: func(d evidence.Daemon, _ config.Expectations) claims.Verdict { return claims.CheckDaemonReachable(d) },
	},
	{
		doc:   "daemon is this host's and runs the expected platform",
		id:    claims.EnginePlatform,
		needs: []string{claims.DaemonReachable},
		check: claims.CheckEnginePlatform,
	},
	{
		doc:   "engine version satisfies the constraint",
		id:    claims.EngineVersion,
		needs: []string{claims.EnginePlatform},
		check: claims.CheckEngineVersion,
	},
	{
		doc:   "API version is at least the minimum",
		id:    claims.APIVersion,
		needs: []string{claims.EnginePlatform},
		check: claims.CheckAPIVersion,
	},
	{
		doc:   "default isolation is the platform's",
		id:    claims.DefaultIsolation,
		needs: []string{claims.EnginePlatform},
		check: claims.CheckDefaultIsolation,
	},
	{
		doc:    "base image is on the host",
		id:     claims.BaseImage,
		needs:  []string{claims.EnginePlatform},
		gather: gatherBaseImage,
		check:  claims.CheckBaseImage,
	},
	{
		doc:   "base image OS build fits the host",
		id:    claims.ImageBuild,
		needs: []string{claims.BaseImage},
		check: claims.CheckImageBuild,
	},
	{
		doc:   "docker service runs and starts automatically",
		id:    claims.ServiceDocker,
		needs: []string{claims.EnginePlatform},
		check: claims.CheckServiceDocker,
	},
	{
		doc:   "Containers feature: vmcompute runs",
		id:    claims.ServiceVmcompute,
		needs: []string{claims.EnginePlatform},
		check: func(d evidence.Daemon, _ config.Expectations) claims.Verdict { return claims.CheckServiceVmcompute(d) },
	},
	{
		doc:   "Hyper-V: vmms runs when Hyper-V isolation is under test",
		id:    claims.ServiceVmms,
		needs: []string{claims.EnginePlatform},
		check: claims.CheckServiceVmms,
	},
}

// judgeProvisioning gathers and judges every provisioning claim, in table
// order, outside any subtest: the rows need their verdicts whatever a `-run`
// filter selects.
func judgeProvisioning(t *testing.T, run *hostRun) {
	t.Helper()
	for _, c := range provisioningClaims {
		if c.gather != nil && passed(run, c.needs...) {
			c.gather(t, run)
		}
		run.ledger.Judge(c.id, c.needs, func() claims.Verdict { return c.check(run.daemon, run.s.Expect) })
	}
}

// reportProvisioning reports each provisioning claim in a subtest named by its ID.
func reportProvisioning(t *testing.T, run *hostRun) {
	t.Helper()
	for _, c := range provisioningClaims {
		reportClaim(t, run, c.id, c.id, c.doc)
	}
}

// gatherBaseImage adds the base image to the evidence. Its error is a fixture
// error: it fails the run, and base-image judges what was gathered.
func gatherBaseImage(t *testing.T, run *hostRun) {
	t.Helper()
	var err error
	run.daemon.Image, err = run.s.BaseImage(run.ctx, run.daemon)
	if err != nil {
		t.Errorf("gather the base image: %v", err)
	}
}
