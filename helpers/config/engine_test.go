package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEngineDefaultsToDocker(t *testing.T) {
	cfg, err := Load(env(map[string]string{EnvMode: "live"}), "linux")
	require.NoError(t, err)
	assert.Equal(t, EngineDocker, cfg.Expect.EngineName())
	assert.Empty(t, cfg.Expect.Engine, "a Docker run records no engine: its fixtures stay byte for byte as they were")
	assert.Nil(t, cfg.Expect.CRI)
	assert.Empty(t, cfg.RuntimeEndpoint, "no CRI endpoint is read for docker")
}

func TestContainerdEngine(t *testing.T) {
	tests := []struct {
		doc, goos, endpoint, want string
	}{
		{doc: "linux default is containerd's socket", goos: "linux", want: "unix:///run/containerd/containerd.sock"},
		{doc: "windows default is containerd's pipe", goos: "windows", want: "npipe:////./pipe/containerd-containerd"},
		{doc: "an explicit unix socket", goos: "linux", endpoint: "unix:///tmp/x/containerd.sock", want: "unix:///tmp/x/containerd.sock"},
		{doc: "an explicit pipe", goos: "windows", endpoint: "npipe:////./pipe/other", want: "npipe:////./pipe/other"},
		{doc: "a bare absolute path is a unix socket, as crictl reads it", goos: "linux", endpoint: "/run/k3s/containerd/containerd.sock", want: "unix:///run/k3s/containerd/containerd.sock"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			cfg, err := Load(env(map[string]string{EnvMode: "live", EnvEngine: "Containerd", EnvRuntimeEndpoint: tc.endpoint}), tc.goos)
			require.NoError(t, err)
			assert.Equal(t, EngineContainerd, cfg.Expect.EngineName())
			assert.Equal(t, tc.want, cfg.RuntimeEndpoint)
			require.NotNil(t, cfg.Expect.CRI)
			assert.Equal(t, DefaultHandlerProcess, cfg.Expect.CRI.HandlerProcess)
			assert.Equal(t, DefaultHandlerHyperV, cfg.Expect.CRI.HandlerHyperV)
			assert.Equal(t, DefaultRuntimeVersion, cfg.Expect.CRI.RuntimeVersion)
		})
	}
}

func TestBadEngineValuesNameTheVariableAndForms(t *testing.T) {
	tests := []struct {
		doc  string
		vars map[string]string
		want []string
	}{
		{doc: "unknown engine", vars: map[string]string{EnvEngine: "podman"}, want: []string{`CONFORMANCE_ENGINE="podman" is not an engine: use docker or containerd`}},
		{doc: "tcp endpoint", vars: map[string]string{EnvEngine: "containerd", EnvRuntimeEndpoint: "tcp://10.0.0.1:1234"}, want: []string{"CONTAINER_RUNTIME_ENDPOINT=", "scheme tcp:// is not supported", "unix:///run/containerd/containerd.sock"}},
		{doc: "relative endpoint", vars: map[string]string{EnvEngine: "containerd", EnvRuntimeEndpoint: "containerd.sock"}, want: []string{"CONTAINER_RUNTIME_ENDPOINT=", "has no scheme"}},
		{doc: "empty socket", vars: map[string]string{EnvEngine: "containerd", EnvRuntimeEndpoint: "unix://"}, want: []string{"names no socket or pipe"}},
		{doc: "bad version constraint", vars: map[string]string{EnvEngine: "containerd", EnvRuntimeVersion: "~1.7"}, want: []string{"CONFORMANCE_RUNTIME_VERSION"}},
		{doc: "one handler for both rows", vars: map[string]string{EnvEngine: "containerd", EnvHandlerProcess: "runhcs", EnvHandlerHyperV: "runhcs"}, want: []string{"CONFORMANCE_HANDLER_PROCESS and CONFORMANCE_HANDLER_HYPERV both name handler"}},
		{doc: "handler with a space", vars: map[string]string{EnvEngine: "containerd", EnvHandlerHyperV: "runhcs wcow"}, want: []string{`CONFORMANCE_HANDLER_HYPERV="runhcs wcow"`}},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			tc.vars[EnvMode] = "live"
			_, err := Load(env(tc.vars), "linux")
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestReplayIgnoresTheEngineVariables(t *testing.T) {
	cfg, err := Load(env(map[string]string{EnvMode: "replay", EnvEngine: "podman", EnvRuntimeEndpoint: "tcp://x"}), "linux")
	require.NoError(t, err, "a replay takes the engine from each fixture")
	assert.Empty(t, cfg.RuntimeEndpoint)
}
