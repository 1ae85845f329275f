package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoadDefaults(t *testing.T) {
	tests := []struct {
		doc  string
		goos string
		mode Mode
		host string
	}{
		{doc: "windows runs live against the named pipe", goos: "windows", mode: Live, host: "npipe:////./pipe/docker_engine"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			cfg, err := Load(env(nil), tc.goos)
			require.NoError(t, err)
			assert.Equal(t, tc.mode, cfg.Mode)
			assert.Equal(t, tc.host, cfg.DockerHost)
			assert.Equal(t, "fixtures", cfg.Fixtures)
			assert.Equal(t, DefaultEngineVersion, cfg.Expect.EngineVersion)
			assert.Equal(t, PullMissing, cfg.Expect.Pull)
			assert.Equal(t, HyperVRequire, cfg.Expect.HyperV)
			assert.Equal(t, AutoDefaultIsolation, cfg.Expect.DefaultIsolation)
			assert.Equal(t, Duration(DefaultStepTimeout), cfg.Expect.StepTimeout)
			assert.Equal(t, DockerServiceAuto, cfg.Expect.DockerService)
			assert.True(t, cfg.Expect.WantsMode("hyperv"), "every mode is under test by default")
		})
	}
}

func TestReplayIgnoresEverythingButModeAndFixtures(t *testing.T) {
	for _, goos := range []string{"linux", "darwin"} {
		cfg, err := Load(env(map[string]string{
			EnvFixtures: "/tmp/fx", EnvPull: "sometimes", EnvHyperV: "maybe", EnvTLSVerify: "1", EnvImage: "my/nano:1",
		}), goos)
		require.NoError(t, err, "replay must not read the expectation variables")
		assert.Equal(t, Replay, cfg.Mode, "the default mode off Windows")
		assert.Equal(t, "/tmp/fx", cfg.Fixtures)
		assert.Equal(t, Expectations{}, cfg.Expect, "in replay the expectations are the fixture's")
	}
}

func TestLoadReadsEveryVariable(t *testing.T) {
	cfg, err := Load(env(map[string]string{
		EnvMode: "record", EnvFixtures: "/tmp/fx", EnvRecordName: "ws2022", EnvDockerHost: "tcp://10.1.2.3:2375",
		EnvEngineVersion: ">=20.10, <29", EnvMinAPIVersion: "1.41", EnvPlatform: "Windows", EnvImage: "my/nano:1",
		EnvPull: "always", EnvIsolation: "process, hyperv", EnvDefaultIsolation: "hyperv", EnvHyperV: "skip",
		EnvStepTimeout: "90s", EnvRemoteHostClaims: "Skip", EnvDockerService: "Running",
	}), "linux")
	require.NoError(t, err)
	assert.Equal(t, Record, cfg.Mode)
	assert.Equal(t, "/tmp/fx", cfg.Fixtures)
	assert.Equal(t, "ws2022", cfg.RecordName)
	assert.Equal(t, "tcp://10.1.2.3:2375", cfg.DockerHost)
	assert.False(t, IsLocal(cfg.DockerHost))
	assert.Equal(t, Expectations{
		EngineVersion: ">=20.10, <29", MinAPIVersion: "1.41", Platform: "windows", Image: "my/nano:1", Pull: PullAlways,
		Isolation: []string{"process", "hyperv"}, DefaultIsolation: "hyperv", HyperV: HyperVSkip, StepTimeout: Duration(90 * time.Second),
		SkipRemoteHostClaims: true,
		DockerService:        DockerServiceRunning,
	}, cfg.Expect)
	assert.False(t, cfg.Expect.WantsMode("default"))
}

func TestLoadRejectsEveryBadValue(t *testing.T) {
	_, err := Load(env(map[string]string{
		EnvMode: "live", EnvEngineVersion: ">=abc", EnvPull: "sometimes", EnvIsolation: "process,vm",
		EnvHyperV: "maybe", EnvStepTimeout: "-1s", EnvTLSVerify: "1", EnvRemoteHostClaims: "yes", EnvDockerService: "manual",
	}), "linux")
	require.Error(t, err)
	for _, want := range []string{
		"CONFORMANCE_ENGINE_VERSION", `CONFORMANCE_PULL="sometimes"`, `"vm" is not an isolation mode`,
		`CONFORMANCE_HYPERV="maybe"`, `CONFORMANCE_STEP_TIMEOUT="-1s"`, "DOCKER_CERT_PATH",
		`CONFORMANCE_REMOTE_HOST_CLAIMS="yes": use require or skip`,
		`CONFORMANCE_DOCKER_SERVICE="manual": use auto, automatic or running`,
	} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestLoadRejectsAnUnknownMode(t *testing.T) {
	_, err := Load(env(map[string]string{EnvMode: "replya"}), "linux")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `CONFORMANCE_MODE="replya" is not a mode: use live, record or replay`)
}

func TestVersionsCompareNumerically(t *testing.T) {
	tests := []struct {
		doc  string
		a, b string
		want int
	}{
		{doc: "segments compare as numbers", a: "1.9", b: "1.40", want: -1},
		{doc: "leading zeros do not matter", a: "19.03", b: "19.3.0", want: 0},
		{doc: "enterprise suffix is ignored", a: "19.03.5-ee-1", b: "19.03.5", want: 0},
		{doc: "debian suffix is ignored", a: "20.10.24+dfsg1", b: "20.10.5", want: 1},
		{doc: "v prefix is ignored", a: "v27.3.1", b: "27.3.1", want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			got, err := CompareVersions(tc.a, tc.b)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := CompareVersions("latest", "1.0")
	assert.Error(t, err)
}

func TestConstraint(t *testing.T) {
	c, err := ParseConstraint(">=19.03, <29")
	require.NoError(t, err)
	for version, want := range map[string]bool{"19.03.5": true, "18.09.1": false, "28.5.2": true, "29.0.0": false, "20.10.24+dfsg1": true} {
		ok, err := c.Allows(version)
		require.NoError(t, err)
		assert.Equal(t, want, ok, version)
	}
	bare, err := ParseConstraint("20.10")
	require.NoError(t, err)
	ok, _ := bare.Allows("19.03.5")
	assert.False(t, ok, "a bare version means at least that version")
	_, err = ParseConstraint(" , ")
	assert.Error(t, err)
}

// TestReportedEngineVersions: versions as real engines report them, build
// suffixes included, satisfy or miss a constraint by their leading numbers;
// what a user configures stays strict.
func TestReportedEngineVersions(t *testing.T) {
	c, err := ParseConstraint(">=20.10, <24")
	require.NoError(t, err)
	for version, want := range map[string]bool{
		"23.0.9m1":           true,  // Mirantis Container Runtime build numbering
		"20.10.13":           true,  // Mirantis Container Runtime 20.10 (Windows Server 2022)
		"19.03.5":            false, // Docker Engine - Enterprise (the documented 2019 host)
		"17.06.2-ee-16":      false, // Docker EE 17.06 (Windows Server 2016)
		"1.12.2-cs2-ws-beta": false, // CS Docker Engine on Windows Server 2016
		"20.10.24+dfsg1":     true,  // Debian's docker.io
		"v23.0.4":            true,
		"24.0.0m1":           false,
	} {
		ok, err := c.Allows(version)
		require.NoError(t, err, version)
		assert.Equal(t, want, ok, version)
	}
	_, err = c.Allows("unknown")
	assert.Error(t, err, "a reported version that starts with no number is not read as 0")
	_, err = ParseConstraint(">=23.0.9m1")
	assert.Error(t, err, "a configured constraint stays strict")
}

func TestLoopbackTCPIsLocal(t *testing.T) {
	for host, want := range map[string]bool{
		"unix:///var/run/docker.sock":    true,
		"npipe:////./pipe/docker_engine": true,
		"tcp://127.0.0.1:2375":           true,
		"tcp://127.8.9.10:2376":          true,
		"tcp://[::1]:2375":               true,
		"tcp://localhost:2375":           true,
		"tcp://LOCALHOST:2375":           true,
		"tcp://10.1.2.3:2375":            false,
		"tcp://localhost.example:2375":   false,
		"tcp://128.0.0.1:2375":           false,
		"ssh://user@127.0.0.1":           false,
		"tcp://[::2]:2375":               false,
	} {
		assert.Equal(t, want, IsLocal(host), host)
	}
}
