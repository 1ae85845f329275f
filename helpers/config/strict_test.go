package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEngineConstraintSpacesAreAnd: issue 9 case 4. ">=19.03 <20" was read as
// ">=19.03" and passed engine 20.10; spaces join comparisons like commas do.
func TestEngineConstraintSpacesAreAnd(t *testing.T) {
	tests := []struct {
		constraint string
		version    string
		allows     bool
	}{
		{">=19.03 <20", "20.10.24", false},
		{">=19.03 <20", "19.03.5", true},
		{">=19.03, <20", "20.10.24", false},
		{">= 19.03  < 29", "20.10.24+dfsg1", true},
		{"=20.10.24", "20.10.24", true},
		{"19.03", "20.10.24", true},
	}
	for _, tc := range tests {
		c, err := ParseConstraint(tc.constraint)
		require.NoError(t, err, tc.constraint)
		got, err := c.Allows(tc.version)
		require.NoError(t, err)
		assert.Equal(t, tc.allows, got, "%q allows %s", tc.constraint, tc.version)
	}
}

// TestBadInputIsRefusedNamingTheVariable: issue 9 case 4. Each value used to
// be read as something else; now Load refuses it, naming the variable and the
// accepted forms.
func TestBadInputIsRefusedNamingTheVariable(t *testing.T) {
	tests := []struct {
		name, value string
		want        []string
	}{
		{EnvEngineVersion, ">=19.03 || <18", []string{EnvEngineVersion, `"||" is not a comparison`, "joined by commas or spaces"}},
		{EnvEngineVersion, "~20", []string{EnvEngineVersion, "joined by commas or spaces"}},
		{EnvMinAPIVersion, "1.40 1.99", []string{EnvMinAPIVersion + `="1.40 1.99"`, "more than one version", "one dotted version"}},
		{EnvMinAPIVersion, "1.40,1.41", []string{EnvMinAPIVersion, "more than one version"}},
		{EnvIsolation, ",,", []string{EnvIsolation + `=",,"`, "names no isolation mode", "process, hyperv, default"}},
		{EnvIsolation, " , ", []string{EnvIsolation, "names no isolation mode"}},
		{EnvDockerHost, "ssh://me@build01", []string{EnvDockerHost, "ssh:// is not supported", "tcp://host[:port]"}},
		{EnvDockerHost, "10.1.0.4:99999", []string{EnvDockerHost, "is not a TCP port"}},
		{EnvDockerHost, "unix://", []string{EnvDockerHost, "names no socket"}},
		{EnvDockerHost, "tcp://10.1.0.4:2375/extra", []string{EnvDockerHost, "path after the address"}},
	}
	for _, tc := range tests {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			_, err := Load(env(map[string]string{EnvMode: "live", tc.name: tc.value}), "linux")
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// TestBareDockerHostIsReadLikeTheCLI: a DOCKER_HOST without a scheme is a tcp
// address, as docker/cli opts.ParseHost reads it, with 2375 as the default port.
func TestBareDockerHostIsReadLikeTheCLI(t *testing.T) {
	tests := map[string]string{
		"10.1.0.4":                       "tcp://10.1.0.4:2375",
		"10.1.0.4:2376":                  "tcp://10.1.0.4:2376",
		"build01.example.com":            "tcp://build01.example.com:2375",
		"tcp://10.1.0.4":                 "tcp://10.1.0.4:2375",
		"[::1]:2375":                     "tcp://[::1]:2375",
		"unix:///var/run/docker.sock":    "unix:///var/run/docker.sock",
		"npipe:////./pipe/docker_engine": "npipe:////./pipe/docker_engine",
	}
	for in, want := range tests {
		cfg, err := Load(env(map[string]string{EnvMode: "live", EnvDockerHost: in}), "linux")
		require.NoError(t, err, in)
		assert.Equal(t, want, cfg.DockerHost, in)
	}
}

// TestRecordNameIsOneFolder: issue 9 case 5. "../../escape", "..", "." and
// "a/b" all wrote somewhere other than one new folder under the fixtures root.
func TestRecordNameIsOneFolder(t *testing.T) {
	for _, bad := range []string{"../../escape", "..", ".", "a/b", `a\b`, "/abs", ".hidden", "c:evil", "sp ace"} {
		_, err := Load(env(map[string]string{EnvMode: "record", EnvRecordName: bad}), "linux")
		if assert.Error(t, err, bad) {
			assert.Contains(t, err.Error(), EnvRecordName)
			assert.Contains(t, err.Error(), "one folder name")
		}
	}
	for _, good := range []string{"ws2022-prod", "linux-debian12-docker.io-20.10", "a_b"} {
		_, err := Load(env(map[string]string{EnvMode: "record", EnvRecordName: good}), "linux")
		assert.NoError(t, err, good)
	}
}
