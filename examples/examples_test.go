// Package examples_test parses the pipeline examples. It is a package of its
// own so that the gate binary (the root package's test binary) does not carry
// the HCL and YAML parsers these checks need.
package examples_test

import (
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
	"go.yaml.in/yaml/v4"

	"github.com/wincontainer-gate/conformance/helpers/config"
)

// The GitHub Actions example is linted by actionlint (make lint-examples);
// these tests parse the other two and check that each builds the gate, runs
// it so that its exit code decides, and publishes its JUnit.

const (
	azureExample  = "azure-pipelines/conformance.yml"
	githubExample = "github-actions/conformance.yml"
	packerExample = "packer/conformance.pkr.hcl"
	gateExe       = "conformance-gate.exe"
)

type azureStep struct {
	Task        string            `yaml:"task"`
	Script      string            `yaml:"script"`
	Pwsh        string            `yaml:"pwsh"`
	Checkout    string            `yaml:"checkout"`
	Condition   string            `yaml:"condition"`
	DisplayName string            `yaml:"displayName"`
	Inputs      map[string]string `yaml:"inputs"`
}

type azurePipeline struct {
	Trigger   string            `yaml:"trigger"`
	Variables map[string]string `yaml:"variables"`
	Schedules []map[string]any  `yaml:"schedules"`
	Stages    []struct {
		Stage     string `yaml:"stage"`
		DependsOn string `yaml:"dependsOn"`
		Jobs      []struct {
			Job      string `yaml:"job"`
			Strategy struct {
				Matrix map[string]map[string]string `yaml:"matrix"`
			} `yaml:"strategy"`
			Pool struct {
				VMImage string `yaml:"vmImage"`
			} `yaml:"pool"`
			Variables map[string]string `yaml:"variables"`
			Steps     []azureStep       `yaml:"steps"`
		} `yaml:"jobs"`
	} `yaml:"stages"`
}

func TestAzurePipelinesExample(t *testing.T) {
	b, err := os.ReadFile(azureExample)
	require.NoError(t, err)
	var p azurePipeline
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&p), "%s parses, with only the fields this test knows", azureExample)
	require.Len(t, p.Stages, 2)

	build, gate := p.Stages[0], p.Stages[1]
	assert.Equal(t, "build", gate.DependsOn, "the gate stage runs the binary the build stage made")
	require.Len(t, build.Jobs, 1)
	assert.Equal(t, "ubuntu-latest", build.Jobs[0].Pool.VMImage, "the binary is built on Linux")
	var built, published string
	for _, s := range build.Jobs[0].Steps {
		if s.Script == "make windows-exe" {
			built = s.Script
		}
		if s.Task == "PublishPipelineArtifact@1" {
			published = s.Inputs["artifact"]
			assert.Equal(t, "dist/"+gateExe, s.Inputs["targetPath"])
		}
	}
	assert.NotEmpty(t, built, "the build stage runs make windows-exe")
	require.NotEmpty(t, published)
	assertFetchesAPinnedGate(t, azureExample, p.Variables, "gateVersion", "gateSha256", build.Jobs[0].Steps)

	require.Len(t, gate.Jobs, 1)
	job := gate.Jobs[0]
	assert.GreaterOrEqual(t, len(job.Strategy.Matrix), 2, "a matrix of Windows images")
	for name, leg := range job.Strategy.Matrix {
		assert.True(t, strings.HasPrefix(leg["image"], "windows-"), "matrix leg %s: %v", name, leg)
	}
	assert.Equal(t, "$(image)", job.Pool.VMImage)
	profile := job.Variables[config.EnvProfile]
	_, err = config.LoadProfile(profile)
	assert.NoError(t, err, "the example names a committed profile")

	var order []string
	for _, s := range job.Steps {
		switch {
		case s.Task == "DownloadPipelineArtifact@2":
			assert.Equal(t, published, s.Inputs["artifact"], "the gate job downloads the artifact the build published")
			order = append(order, "download")
		case strings.Contains(s.Pwsh, gateExe):
			assert.Contains(t, s.Pwsh, "exit $LASTEXITCODE", "the gate's exit code is the step's")
			assert.Empty(t, s.Condition, "the gate runs as a normal step: its failure fails the job")
			order = append(order, "gate")
		case s.Task == "PublishTestResults@2":
			assert.Equal(t, "JUnit", s.Inputs["testResultsFormat"])
			assert.True(t, strings.HasSuffix(s.Inputs["testResultsFiles"], config.DefaultJUnitFile), "the file the binary writes beside itself")
			assert.Equal(t, "true", s.Inputs["failTaskOnFailedTests"])
			assert.Equal(t, "succeededOrFailed()", s.Condition, "results are published when the gate fails too")
			order = append(order, "junit")
		case s.Task == "PublishPipelineArtifact@1":
			assert.True(t, strings.HasSuffix(s.Inputs["targetPath"], config.DefaultReportFile))
			assert.Equal(t, "succeededOrFailed()", s.Condition)
			order = append(order, "report")
		}
	}
	assert.Equal(t, []string{"download", "gate", "junit", "report"}, order)
}

// assertFetchesAPinnedGate: with the version variable set, the build job
// fetches that release's Windows archive and verifies the pinned SHA-256
// before it unpacks anything; with it empty (the default), it builds the gate
// from the checkout (docs/releases.md).
func assertFetchesAPinnedGate(t *testing.T, file string, vars map[string]string, version, sha string, steps []azureStep) {
	t.Helper()
	require.Contains(t, vars, version, "%s: a variable pins the version", file)
	require.Contains(t, vars, sha, "%s: a variable pins the SHA-256", file)
	assert.Empty(t, vars[version], "%s: by default the gate is built from the checkout", file)
	var fetch, build string
	for _, s := range steps {
		switch {
		case strings.Contains(s.Script, "/releases/download/"):
			fetch = s.Script
			assert.Contains(t, s.Condition, version, "%s: fetched only when a version is pinned", file)
		case s.Script == "make windows-exe", strings.Contains(s.Script, "-tags gatebinary"):
			build = s.Condition
		}
	}
	require.NotEmpty(t, fetch, "%s: a step fetches the pinned release", file)
	assert.Contains(t, build, version, "%s: built only when no version is pinned", file)
	check, unpack := strings.Index(fetch, "sha256sum -c"), strings.Index(fetch, "unzip")
	assert.True(t, check >= 0 && unpack > check, "%s: the checksum is verified before the archive is unpacked:\n%s", file, fetch)
	assert.Contains(t, fetch, sha, "%s: against the pinned SHA-256", file)
	assert.Contains(t, fetch, "_windows_amd64.zip", "%s: the Windows archive of make release", file)
}

// actionStep is one step of the composite action or of the example's job.
type actionStep struct {
	ID   string            `yaml:"id"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

// action is the composite action at the repository root (action.yml).
type action struct {
	Inputs  map[string]struct{ Default string } `yaml:"inputs"`
	Outputs map[string]struct{ Value string }   `yaml:"outputs"`
	Runs    struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

func readAction(t *testing.T) action {
	t.Helper()
	b, err := os.ReadFile("../action.yml")
	require.NoError(t, err)
	var a action
	require.NoError(t, yaml.Unmarshal(b, &a))
	return a
}

// makeVariable reads one variable of the Makefile (NAME := value or NAME =
// value, continuation lines joined).
func makeVariable(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../Makefile")
	require.NoError(t, err)
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(line, name)
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, " \t")
		for _, op := range []string{":=", "="} {
			if v, ok := strings.CutPrefix(rest, op); ok {
				return strings.Join(strings.Fields(v), " ")
			}
		}
	}
	t.Fatalf("no %s in the Makefile", name)
	return ""
}

// TestGitHubAction: actionlint checks the action's metadata and the example's
// use of it (make lint-examples); this checks what the steps do: build with
// the Makefile's flags or fetch a pinned release verified before unpacking,
// run the gate with the profile and variables, publish the JUnit and keep the
// files whether the gate passed or not, and end with the gate's exit code.
func TestGitHubAction(t *testing.T) {
	a := readAction(t)
	assert.Equal(t, "composite", a.Runs.Using)
	for _, in := range []string{"profile", "variables", "version", "sha256"} {
		assert.Contains(t, a.Inputs, in)
	}
	assert.Contains(t, a.Outputs["exit-code"].Value, "steps.gate.outputs.exit-code")

	var steps []azureStep
	var order []string
	var gate actionStep
	for _, s := range a.Runs.Steps {
		steps = append(steps, azureStep{Script: strings.TrimSpace(s.Run), Condition: s.If})
		switch {
		case strings.Contains(s.Run, "-tags gatebinary"):
			assert.Contains(t, s.Run, "-tags "+makeVariable(t, "GATE_TAGS"), "the Makefile's tags")
			assert.Contains(t, makeVariable(t, "GATE_LDFLAGS"), "-s -w -X github.com/wincontainer-gate/conformance.prebuilt=1")
			assert.Contains(t, s.Run, "-s -w -X github.com/wincontainer-gate/conformance.prebuilt=1", "the Makefile's ldflags: the prebuilt gate")
			assert.Contains(t, makeVariable(t, "GATE_LDFLAGS"), "$(shell scripts/version.sh ldflags)")
			assert.Contains(t, s.Run, "$(bash scripts/version.sh ldflags)", "the build's identity as the Makefile links it")
			order = append(order, "build")
		case s.ID == "gate":
			gate = s
			order = append(order, "gate")
		case strings.HasPrefix(s.Uses, "mikepenz/action-junit-report@"):
			assert.Contains(t, s.If, "always()", "the JUnit is published when the gate fails too")
			assert.Contains(t, s.With["report_paths"], "steps.gate.outputs.junit")
			order = append(order, "junit")
		case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
			assert.Contains(t, s.If, "always()")
			order = append(order, "artifact")
		case s.Env["GATE_EXIT"] != "":
			assert.Contains(t, s.If, "always()", "the exit code is returned after the publishing steps")
			assert.Contains(t, s.Env["GATE_EXIT"], "steps.gate.outputs.exit-code")
			assert.Equal(t, `exit "$GATE_EXIT"`, strings.TrimSpace(s.Run))
			order = append(order, "exit")
		}
	}
	assert.Equal(t, []string{"build", "gate", "junit", "artifact", "exit"}, order)
	assert.Contains(t, gate.Env["GATE_PROFILE"], "inputs.profile")
	assert.Contains(t, gate.Env["GATE_VARIABLES"], "inputs.variables")
	assert.Contains(t, gate.Run, "export CONFORMANCE_PROFILE=")
	assert.Contains(t, gate.Run, `"$gate" -test.v`)
	assert.Contains(t, gate.Run, "exit-code=$code", "the gate's exit code is kept, not lost to set -e")
	assert.Contains(t, gate.Run, "is not NAME=value", "a malformed variables line fails the step")
	assertFetchesAPinnedGate(t, "action.yml", map[string]string{"version": a.Inputs["version"].Default, "GATE_SHA256": a.Inputs["sha256"].Default},
		"version", "GATE_SHA256", steps)
}

// TestGitHubActionsExampleUsesTheAction: the example gates its runners with
// the action, and pins a release through it.
func TestGitHubActionsExampleUsesTheAction(t *testing.T) {
	b, err := os.ReadFile(githubExample)
	require.NoError(t, err)
	var w struct {
		Env  map[string]string `yaml:"env"`
		Jobs map[string]struct {
			Steps []actionStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(b, &w))
	require.Contains(t, w.Env, "GATE_VERSION")
	require.Contains(t, w.Env, "GATE_SHA256")
	assert.Empty(t, w.Env["GATE_VERSION"], "by default the action builds the gate from the checkout")
	uses := 0
	for _, s := range w.Jobs["gate"].Steps {
		if s.Uses != "./" {
			continue
		}
		uses++
		assert.Equal(t, "github-hosted", s.With["profile"])
		assert.Contains(t, s.With["version"], "env.GATE_VERSION")
		assert.Contains(t, s.With["sha256"], "env.GATE_SHA256")
		_, err := config.LoadProfile(s.With["profile"])
		assert.NoError(t, err, "the profile is a committed one")
	}
	assert.Equal(t, 1, uses, "one step uses the action")
}

// packerProvisioner is one provisioner block of the example's build.
type packerProvisioner struct {
	kind  string
	attrs map[string]cty.Value
}

func TestPackerExample(t *testing.T) {
	f, diags := hclparse.NewParser().ParseHCLFile(packerExample)
	require.False(t, diags.HasErrors(), "%s parses: %s", packerExample, diags)
	top, diags := f.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "packer"}, {Type: "variable", LabelNames: []string{"name"}},
		{Type: "source", LabelNames: []string{"type", "name"}}, {Type: "build"},
	}})
	require.False(t, diags.HasErrors(), "only packer, variable, source and build blocks: %s", diags)

	vars := map[string]cty.Value{}
	var builds []*hcl.Block
	for _, b := range top.Blocks {
		switch b.Type {
		case "variable":
			attrs, _ := b.Body.JustAttributes()
			if def, ok := attrs["default"]; ok {
				v, diags := def.Expr.Value(nil)
				require.False(t, diags.HasErrors(), "%s", diags)
				vars[b.Labels[0]] = v
			}
		case "build":
			builds = append(builds, b)
		}
	}
	require.Len(t, builds, 1)
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(vars)}}

	build, diags := builds[0].Body.Content(&hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "sources", Required: true}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "provisioner", LabelNames: []string{"type"}}},
	})
	require.False(t, diags.HasErrors(), "%s", diags)
	var provs []packerProvisioner
	for _, b := range build.Blocks {
		attrs, diags := b.Body.JustAttributes()
		require.False(t, diags.HasErrors(), "%s", diags)
		p := packerProvisioner{kind: b.Labels[0], attrs: map[string]cty.Value{}}
		for name, a := range attrs {
			v, diags := a.Expr.Value(ctx)
			require.False(t, diags.HasErrors(), "provisioner %s, %s: %s", p.kind, name, diags)
			p.attrs[name] = v
		}
		provs = append(provs, p)
	}
	require.Len(t, provs, 5, "upload, run, two downloads, fail on the gate's exit code")

	str := func(p packerProvisioner, name string) string {
		if v, ok := p.attrs[name]; ok && v.Type() == cty.String {
			return v.AsString()
		}
		return ""
	}
	lines := func(p packerProvisioner, name string) string {
		var out []string
		if v, ok := p.attrs[name]; ok {
			for _, e := range v.AsValueSlice() {
				out = append(out, e.AsString())
			}
		}
		return strings.Join(out, "\n")
	}

	upload, run, junitDown, reportDown, verdict := provs[0], provs[1], provs[2], provs[3], provs[4]
	assert.Equal(t, "file", upload.kind)
	assert.Equal(t, "dist/"+gateExe, str(upload, "source"), "uploads what make windows-exe builds")
	exe := str(upload, "destination")
	assert.True(t, strings.HasSuffix(exe, gateExe))

	assert.Equal(t, "powershell", run.kind)
	assert.Contains(t, lines(run, "inline"), "& "+exe)
	assert.Contains(t, lines(run, "environment_vars"), config.EnvProfile+"=ws2022", "the profile comes from a variable")
	_, err := config.LoadProfile(vars["profile"].AsString())
	assert.NoError(t, err, "the default profile is a committed one")

	for _, tc := range []struct {
		p    packerProvisioner
		file string
	}{{junitDown, config.DefaultJUnitFile}, {reportDown, config.DefaultReportFile}} {
		assert.Equal(t, "file", tc.p.kind)
		assert.Equal(t, "download", str(tc.p, "direction"))
		assert.True(t, strings.HasSuffix(str(tc.p, "source"), "/"+tc.file), "downloads the %s the binary wrote beside itself", tc.file)
	}

	assert.Equal(t, "powershell", verdict.kind)
	assert.NotContains(t, verdict.attrs, "valid_exit_codes", "only exit code 0 passes")
	code := lines(verdict, "inline")
	assert.Contains(t, lines(run, "inline"), "exit-code.txt")
	assert.Contains(t, code, "exit $code", "the gate's exit code fails the build")
}
