package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryCommittedProfileLoads(t *testing.T) {
	names := ProfileNames()
	assert.Equal(t, []string{"containerd-node", "github-hosted", "win11-dev", "ws2019", "ws2022", "ws2025"}, names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			p, err := LoadProfile(name)
			require.NoError(t, err)
			assert.NotEmpty(t, p.Description)
			assert.NotEmpty(t, p.Source, "a profile says where its values come from")
			cfg, err := Load(env(map[string]string{EnvMode: "live", EnvProfile: name}), "windows")
			require.NoError(t, err, "the profile's values must be valid expectations")
			assert.Equal(t, name, cfg.Profile)
			assert.Equal(t, "windows", cfg.Expect.Platform)
		})
	}
}

func TestProfilePinsAndEnvironmentOverrides(t *testing.T) {
	cfg, err := Load(env(map[string]string{EnvMode: "live", EnvProfile: "github-hosted"}), "windows")
	require.NoError(t, err)
	assert.Equal(t, HyperVSkip, cfg.Expect.HyperV, "hosted runners have no nested virtualization")
	assert.Equal(t, ">=26.1", cfg.Expect.EngineVersion)
	assert.Equal(t, "process", cfg.Expect.DefaultIsolation)

	cfg, err = Load(env(map[string]string{EnvMode: "live", EnvProfile: "github-hosted", EnvHyperV: "require", EnvEngineVersion: ">=27"}), "windows")
	require.NoError(t, err)
	assert.Equal(t, HyperVRequire, cfg.Expect.HyperV, "an environment variable overrides the profile")
	assert.Equal(t, ">=27", cfg.Expect.EngineVersion)
	assert.Equal(t, "process", cfg.Expect.DefaultIsolation, "what the environment leaves unset comes from the profile")

	cfg, err = Load(env(map[string]string{EnvMode: "live"}), "windows")
	require.NoError(t, err)
	assert.Empty(t, cfg.Profile)
	assert.Equal(t, DefaultEngineVersion, cfg.Expect.EngineVersion, "no profile: the documented defaults")
}

func TestUnknownProfileNamesTheVariableAndTheProfiles(t *testing.T) {
	_, err := Load(env(map[string]string{EnvMode: "live", EnvProfile: "ws2016"}), "windows")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `CONFORMANCE_PROFILE="ws2016" is not a profile: use one of containerd-node, github-hosted, win11-dev, ws2019, ws2022, ws2025, or the path of a profile file`)
}

func TestProfileFileRejectsUnknownKeysAndFields(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	own := write("mine.yaml", "description: my fleet\nsource: our runbook\nsettings:\n  CONFORMANCE_ENGINE_VERSION: \">=28\"\n")
	cfg, err := Load(env(map[string]string{EnvMode: "live", EnvProfile: own}), "windows")
	require.NoError(t, err, "a profile file by path")
	assert.Equal(t, ">=28", cfg.Expect.EngineVersion)

	for _, tc := range []struct{ doc, body, want string }{
		{doc: "a variable a profile may not set", body: "settings:\n  DOCKER_HOST: tcp://elsewhere:2375\n",
			want: `"DOCKER_HOST" is not a setting a profile may pin: use CONFORMANCE_ENGINE_VERSION, `},
		{doc: "a misspelt variable", body: "settings:\n  CONFORMANCE_HYPER_V: skip\n", want: `"CONFORMANCE_HYPER_V" is not a setting`},
		{doc: "an unknown field", body: "descripton: typo\n", want: "field descripton not found"},
		{doc: "a bad value is judged like the variable", body: "settings:\n  CONFORMANCE_PULL: sometimes\n", want: `CONFORMANCE_PULL="sometimes": use never, missing or always`},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			_, err := Load(env(map[string]string{EnvMode: "live", EnvProfile: write("bad.yaml", tc.body)}), "windows")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), EnvProfile, "the error says the value came from the profile")
		})
	}
}

func TestOutputsBesideTheBinary(t *testing.T) {
	assert.Equal(t, Outputs{}, LoadOutputs(env(nil), ""), "go test writes no file unless asked")
	assert.Equal(t, Outputs{Report: filepath.Join("C:/gate", DefaultReportFile), JUnit: filepath.Join("C:/gate", DefaultJUnitFile)},
		LoadOutputs(env(nil), "C:/gate"), "the prebuilt binary writes both beside itself")
	assert.Equal(t, Outputs{Report: "r.json", StepSummary: "/tmp/summary.md"},
		LoadOutputs(env(map[string]string{EnvReport: "r.json", EnvJUnit: "off", EnvStepSummary: "/tmp/summary.md"}), "C:/gate"))
}
