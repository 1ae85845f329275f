package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Rows written against independently written one-line mutations of the
// configuration rules (issue 17's "fresh" set); each names the pipeline
// setting it stands for.

// TestTLSVerifyAnyValue: the docker CLI and client turn TLS verification on
// for any non-empty DOCKER_TLS_VERIFY (moby client/options.go
// WithTLSClientConfigFromEnv: InsecureSkipVerify is `os.Getenv(EnvTLSVerify)
// == ""`; docs.docker.com "Use environment variables": "When set Docker uses
// TLS and verifies the remote"). A pipeline that exports
// DOCKER_TLS_VERIFY=true or =yes must get the same TLS the CLI uses, and a
// missing DOCKER_CERT_PATH must be named, never silently ignored.
func TestTLSVerifyAnyValue(t *testing.T) {
	for _, value := range []string{"1", "true", "yes", "0"} {
		t.Run("DOCKER_TLS_VERIFY="+value, func(t *testing.T) {
			cfg, err := Load(env(map[string]string{EnvMode: "live", EnvDockerHost: "tcp://ws2022:2376", EnvTLSVerify: value, EnvCertPath: "/etc/docker/certs"}), "linux")
			require.NoError(t, err)
			assert.Equal(t, "/etc/docker/certs", cfg.TLSCertPath, "TLS is on for any non-empty value, as in the docker client")

			_, err = Load(env(map[string]string{EnvMode: "live", EnvDockerHost: "tcp://ws2022:2376", EnvTLSVerify: value}), "linux")
			require.Error(t, err)
			assert.Contains(t, err.Error(), EnvCertPath)
		})
	}
	cfg, err := Load(env(map[string]string{EnvMode: "live", EnvDockerHost: "tcp://ws2022:2375", EnvCertPath: "/etc/docker/certs"}), "linux")
	require.NoError(t, err)
	assert.Empty(t, cfg.TLSCertPath, "without DOCKER_TLS_VERIFY the cert path alone does not turn TLS on here")
}

// TestIsolationModesAnyCase: CONFORMANCE_ISOLATION is read like the
// daemon's own --isolation, which moby compares case-insensitively
// (api/types/container IsolationHyperV.IsHyperV uses strings.ToLower), so a
// pipeline that writes "HyperV" or "Process, HyperV" (as Microsoft's docs
// spell the mode) gates those modes instead of failing its configuration.
func TestIsolationModesAnyCase(t *testing.T) {
	tests := []struct {
		value string
		want  []string
	}{
		{value: "HyperV", want: []string{"hyperv"}},
		{value: "Process, HyperV", want: []string{"process", "hyperv"}},
		{value: "PROCESS", want: []string{"process"}},
		{value: "Default", want: []string{"default"}},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			e, err := LoadExpectations(env(map[string]string{EnvIsolation: tc.value}))
			require.NoError(t, err)
			assert.Equal(t, tc.want, e.Isolation)
			for _, m := range tc.want {
				assert.True(t, e.WantsMode(m), m)
			}
		})
	}
}

// TestRuntimeEndpointNamesASocket: crictl and the kubelet take
// CONTAINER_RUNTIME_ENDPOINT as unix://<socket path>; "unix:///" names the
// root folder, not a socket (a template whose path variable was empty), and
// must be refused naming the variable, not dialled.
func TestRuntimeEndpointNamesASocket(t *testing.T) {
	for _, v := range []string{"unix://", "unix:///", "npipe://"} {
		_, err := ParseRuntimeEndpoint(v)
		require.Error(t, err, v)
		assert.Contains(t, err.Error(), "names no socket or pipe")
	}
	got, err := ParseRuntimeEndpoint("unix:///run/containerd/containerd.sock")
	require.NoError(t, err)
	assert.Equal(t, "unix:///run/containerd/containerd.sock", got)
}
