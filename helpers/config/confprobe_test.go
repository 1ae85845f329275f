package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Rows that pin every spelling, default and refusal of the configuration
// (docs/configuration.md), each asserting the whole value a run gets or the
// whole message a user reads, so that a dropped spelling, a changed default
// or a reworded fix fails a row.

// liveDefaults are the expectations of a live run that sets nothing, as
// docs/configuration.md's Default column spells them (literals, so that a
// changed default constant fails here).
func liveDefaults() Expectations {
	return Expectations{
		EngineVersion: ">=19.03", MinAPIVersion: "1.40", Pull: "missing",
		DefaultIsolation: "auto", HyperV: "require", StepTimeout: Duration(2 * time.Minute),
		DockerService: "auto",
	}
}

// TestEverySpellingOfEveryChoice: each accepted value of each choice, in
// the case a pipeline writes it (Microsoft's docs spell the mode "HyperV",
// YAML authors capitalise), gives exactly the expectation documented, and
// nothing else changes.
func TestEverySpellingOfEveryChoice(t *testing.T) {
	tests := []struct {
		name, value string
		edit        func(*Expectations)
	}{
		{EnvPull, "never", func(e *Expectations) { e.Pull = PullNever }},
		{EnvPull, "missing", func(e *Expectations) {}},
		{EnvPull, "Always", func(e *Expectations) { e.Pull = PullAlways }},
		{EnvPull, " always ", func(e *Expectations) { e.Pull = PullAlways }}, // a YAML value with its padding
		{EnvProfile, " ", func(e *Expectations) {}},                          // a CI input left blank: no profile
		{EnvDockerHost, " ", func(e *Expectations) {}},                       // blank: the default socket
		{EnvDefaultIsolation, "auto", func(e *Expectations) {}},
		{EnvDefaultIsolation, "Process", func(e *Expectations) { e.DefaultIsolation = "process" }},
		{EnvDefaultIsolation, "HyperV", func(e *Expectations) { e.DefaultIsolation = "hyperv" }},
		{EnvDefaultIsolation, "default", func(e *Expectations) { e.DefaultIsolation = "default" }}, // a Linux daemon's
		{EnvHyperV, "require", func(e *Expectations) {}},
		{EnvHyperV, "Skip", func(e *Expectations) { e.HyperV = HyperVSkip }}, // the github-hosted runner (no nested virtualization)
		{EnvDockerService, "auto", func(e *Expectations) {}},
		{EnvDockerService, "Automatic", func(e *Expectations) { e.DockerService = DockerServiceAutomatic }},
		{EnvDockerService, "running", func(e *Expectations) { e.DockerService = DockerServiceRunning }},
		{EnvRemoteHostClaims, "require", func(e *Expectations) {}},
		{EnvRemoteHostClaims, "skip", func(e *Expectations) { e.SkipRemoteHostClaims = true }},
		{EnvPlatform, "Linux", func(e *Expectations) { e.Platform = "linux" }},
		{EnvPlatform, "windows", func(e *Expectations) { e.Platform = "windows" }},
		{EnvEngine, "Docker", func(e *Expectations) {}}, // docker records no engine: fixtures stay as they were
		{EnvIsolation, "all", func(e *Expectations) {}},
		{EnvIsolation, "All", func(e *Expectations) {}}, // as case-free as the modes ("HyperV")
		{EnvIsolation, "default", func(e *Expectations) { e.Isolation = []string{"default"} }},
		{EnvIsolation, "process,", func(e *Expectations) { e.Isolation = []string{"process"} }}, // a list joined with a trailing comma
		{EnvIsolation, " hyperv ,, process ", func(e *Expectations) { e.Isolation = []string{"hyperv", "process"} }},
		{EnvImage, "mcr.microsoft.com/windows/nanoserver:ltsc2022", func(e *Expectations) { e.Image = "mcr.microsoft.com/windows/nanoserver:ltsc2022" }},
		{EnvMinAPIVersion, "1.44", func(e *Expectations) { e.MinAPIVersion = "1.44" }},
		{EnvStepTimeout, "3m", func(e *Expectations) { e.StepTimeout = Duration(3 * time.Minute) }},
	}
	for _, tc := range tests {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			cfg, err := Load(env(map[string]string{EnvMode: "live", tc.name: tc.value}), "windows")
			require.NoError(t, err)
			want := liveDefaults()
			tc.edit(&want)
			assert.Equal(t, want, cfg.Expect)
		})
	}
}

// TestEachRefusalNamesTheVariableAndTheForms: one bad value at a time, the
// whole message the user reads (the variable, the value, every accepted
// form), so that a form dropped from a message or from the check fails.
func TestEachRefusalNamesTheVariableAndTheForms(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{EnvPlatform, "macos", `CONFORMANCE_PLATFORM="macos": use windows or linux`},
		{EnvPull, "if-not-present", `CONFORMANCE_PULL="if-not-present": use never, missing or always`}, // Kubernetes' spelling
		{EnvDefaultIsolation, "hyper-v", `CONFORMANCE_DEFAULT_ISOLATION="hyper-v": use auto, process, hyperv or default`},
		{EnvHyperV, "optional", `CONFORMANCE_HYPERV="optional": use require or skip`},
		{EnvRemoteHostClaims, "ignore", `CONFORMANCE_REMOTE_HOST_CLAIMS="ignore": use require or skip`},
		{EnvDockerService, "delayed-auto", `CONFORMANCE_DOCKER_SERVICE="delayed-auto": use auto, automatic or running`},
		{EnvIsolation, "process,hyper-v", `CONFORMANCE_ISOLATION: "hyper-v" is not an isolation mode: use all, or a list of process, hyperv, default`},
		{EnvIsolation, ",", `CONFORMANCE_ISOLATION="," names no isolation mode: use all, or a comma-separated list of process, hyperv, default`},
		{EnvStepTimeout, "2 minutes", `CONFORMANCE_STEP_TIMEOUT="2 minutes": use a positive Go duration such as 90s or 3m`},
		{EnvMinAPIVersion, "latest", `CONFORMANCE_MIN_API_VERSION="latest": version "latest": segment "latest" is not a number; use one dotted version such as 1.40`},
		{EnvEngine, "cri-o", `CONFORMANCE_ENGINE="cri-o" is not an engine: use docker or containerd`},
	}
	for _, tc := range tests {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			_, err := Load(env(map[string]string{EnvMode: "live", tc.name: tc.value}), "linux")
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// TestDockerHostRefusalsAreWhole: the messages a pipeline's DOCKER_HOST
// mistakes get, whole (docker/cli opts.ParseHost reads the same forms).
func TestDockerHostRefusalsAreWhole(t *testing.T) {
	const forms = "use unix:///path/to/docker.sock, npipe:////./pipe/name, tcp://host[:port] or host[:port]"
	tests := []struct{ value, want string }{
		{"tcp://:2375", `DOCKER_HOST="tcp://:2375" names no host: ` + forms},
		{"tcp://build 01:2375", `DOCKER_HOST="tcp://build 01:2375" names no host: ` + forms},
		{`tcp://host\x`, `DOCKER_HOST="tcp://host\\x" names no host: ` + forms},
		{"tcp://10.1.0.4:docker", `DOCKER_HOST="tcp://10.1.0.4:docker": port "docker" is not a TCP port: ` + forms},
		{"fd://", `DOCKER_HOST="fd://": scheme fd:// is not supported by this harness: ` + forms},
		{"npipe://", `DOCKER_HOST="npipe://" names no socket or pipe: ` + forms},
		{"tcp://10.1.0.4:2375/v1.40", `DOCKER_HOST="tcp://10.1.0.4:2375/v1.40": a path after the address is not supported: ` + forms},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			_, err := Load(env(map[string]string{EnvMode: "live", EnvDockerHost: tc.value}), "linux")
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
	got, err := ParseDockerHost("  tcp://[fd00::4]  ")
	require.NoError(t, err)
	assert.Equal(t, "tcp://[fd00::4]:2375", got, "an IPv6 address without a port gets 2375, spaces trimmed")
}

// TestRecordNameRefusalsSayWhy: each refused CONFORMANCE_RECORD_NAME says
// what is wrong with it, whole.
func TestRecordNameRefusalsSayWhy(t *testing.T) {
	const forms = "use one folder name of letters, digits, '.', '-' and '_', such as ws2022-prod"
	tests := []struct{ name, want string }{
		{".", `CONFORMANCE_RECORD_NAME="." is not a folder name: ` + forms},
		{"..", `CONFORMANCE_RECORD_NAME=".." is not a folder name: ` + forms},
		{"fixtures/ws2022", `CONFORMANCE_RECORD_NAME="fixtures/ws2022" is a path, not a folder name: ` + forms},
		{`C:\fx`, `CONFORMANCE_RECORD_NAME="C:\\fx" is a path, not a folder name: ` + forms},
		{"c:fx", `CONFORMANCE_RECORD_NAME="c:fx" is a path, not a folder name: ` + forms},
		{".ws2022", `CONFORMANCE_RECORD_NAME=".ws2022" starts with '.': ` + forms},
		{"ws 2022", `CONFORMANCE_RECORD_NAME="ws 2022" holds ' ': ` + forms},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(map[string]string{EnvMode: "record", EnvRecordName: tc.name}), "linux")
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
	cfg, err := Load(env(map[string]string{EnvMode: "live", EnvRecordName: "a/b"}), "linux")
	require.NoError(t, err, "only a recording writes a folder: a live run leaves the name unchecked")
	assert.Equal(t, "a/b", cfg.RecordName)
}

// TestTLSWithoutCertPathIsWhole: DOCKER_TLS_VERIFY without DOCKER_CERT_PATH
// names both and the three files (moby client/options.go reads ca.pem,
// cert.pem and key.pem from DOCKER_CERT_PATH).
func TestTLSWithoutCertPathIsWhole(t *testing.T) {
	_, err := Load(env(map[string]string{EnvMode: "live", EnvDockerHost: "tcp://ws2022:2376", EnvTLSVerify: "1", EnvCertPath: "  "}), "linux")
	require.Error(t, err)
	assert.Equal(t, "DOCKER_TLS_VERIFY is set but DOCKER_CERT_PATH is not: name the folder with ca.pem, cert.pem and key.pem", err.Error())
	cfg, err := Load(env(map[string]string{EnvMode: "live", EnvDockerHost: "tcp://ws2022:2376", EnvTLSVerify: " ", EnvCertPath: "/certs"}), "linux")
	require.NoError(t, err)
	assert.Empty(t, cfg.TLSCertPath, "a blank DOCKER_TLS_VERIFY is unset")
}

// TestReplayTakesNothingFromTheDaemonVariables: a CI job that replays
// fixtures may still export a DOCKER_HOST for its other steps (ssh://, a
// remote tcp:// daemon) and a record name: a replay dials no daemon, so it
// uses the platform's default address and refuses neither.
func TestReplayTakesNothingFromTheDaemonVariables(t *testing.T) {
	for goos, want := range map[string]string{"linux": "unix:///var/run/docker.sock", "windows": "npipe:////./pipe/docker_engine"} {
		cfg, err := Load(env(map[string]string{EnvMode: "replay", EnvDockerHost: "ssh://ci@build01", EnvRecordName: "../x", EnvProfile: "ws2016"}), goos)
		require.NoError(t, err, goos)
		assert.Equal(t, Config{Mode: Replay, Fixtures: "fixtures", RecordName: "../x", DockerHost: want}, cfg, goos)
	}
	cfg, err := Load(env(map[string]string{EnvMode: " record ", EnvFixtures: " fx ", EnvRecordName: " ws2022 ", EnvDockerHost: " 10.1.0.4 "}), "linux")
	require.NoError(t, err)
	assert.Equal(t, Record, cfg.Mode)
	assert.Equal(t, "fx", cfg.Fixtures)
	assert.Equal(t, "ws2022", cfg.RecordName)
	assert.Equal(t, "tcp://10.1.0.4:2375", cfg.DockerHost)
	for _, blank := range []string{"", "  "} {
		cfg, err = Load(env(map[string]string{EnvMode: "live", EnvDockerHost: blank, EnvProfile: blank}), "linux")
		require.NoError(t, err)
		assert.Equal(t, "unix:///var/run/docker.sock", cfg.DockerHost, "live on Linux without DOCKER_HOST: the docker CLI's default socket")
		assert.Equal(t, "", cfg.Profile)
		cfg, err = Load(env(map[string]string{EnvMode: "live", EnvEngine: "containerd", EnvRuntimeEndpoint: blank}), "windows")
		require.NoError(t, err)
		assert.Equal(t, "npipe:////./pipe/containerd-containerd", cfg.RuntimeEndpoint, "no endpoint: crictl's default pipe")
	}
}

// TestContainerdSettingsAreRead: every containerd variable set by a node
// pipeline (containerd.md) lands in the CRI expectations, and the sandbox
// image is empty unless named (the one containerd's CRI config names).
func TestContainerdSettingsAreRead(t *testing.T) {
	cfg, err := Load(env(map[string]string{
		EnvMode: "live", EnvEngine: "containerd", EnvRuntimeVersion: ">=1.7, <2.1", EnvHandlerProcess: "process",
		EnvHandlerHyperV: "hypervisor", EnvSandboxImage: "mcr.microsoft.com/oss/kubernetes/pause:3.9",
	}), "windows")
	require.NoError(t, err)
	want := liveDefaults()
	want.Engine = EngineContainerd
	want.CRI = &CRIExpectations{RuntimeVersion: ">=1.7, <2.1", HandlerProcess: "process", HandlerHyperV: "hypervisor", SandboxImage: "mcr.microsoft.com/oss/kubernetes/pause:3.9"}
	assert.Equal(t, want, cfg.Expect)

	cfg, err = Load(env(map[string]string{EnvMode: "live", EnvEngine: "containerd"}), "linux")
	require.NoError(t, err)
	// docs/containerd.md: the handlers containerd configures on Windows
	// by default (containerd pkg/cri/config/config_windows.go) and 1.6, the
	// oldest release serving CRI v1.
	assert.Equal(t, &CRIExpectations{RuntimeVersion: ">=1.6", HandlerProcess: "runhcs-wcow-process", HandlerHyperV: "runhcs-wcow-hypervisor"}, cfg.Expect.CRI)
}

// TestHandlerNamesAreOneTOMLKey: a handler copied from config.toml with
// its quotes, or with a tab, is refused naming the variable; the message is
// whole.
func TestHandlerNamesAreOneTOMLKey(t *testing.T) {
	const tail = `: a runtime handler is one name of config.toml's [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.<name>], such as runhcs-wcow-hypervisor`
	tests := []struct{ name, value, want string }{
		{EnvHandlerHyperV, `"runhcs-wcow-hypervisor"`, `CONFORMANCE_HANDLER_HYPERV="\"runhcs-wcow-hypervisor\""` + tail},
		{EnvHandlerProcess, `'runhcs-wcow-process'`, `CONFORMANCE_HANDLER_PROCESS="'runhcs-wcow-process'"` + tail},
		{EnvHandlerProcess, "runhcs\twcow", `CONFORMANCE_HANDLER_PROCESS="runhcs\twcow"` + tail},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			_, err := Load(env(map[string]string{EnvMode: "live", EnvEngine: "containerd", tc.name: tc.value}), "windows")
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
	_, err := Load(env(map[string]string{EnvMode: "live", EnvEngine: "containerd", EnvHandlerProcess: "runhcs", EnvHandlerHyperV: "runhcs"}), "windows")
	require.Error(t, err)
	assert.Equal(t, `CONFORMANCE_HANDLER_PROCESS and CONFORMANCE_HANDLER_HYPERV both name handler "runhcs": the process and hypervisor rows need two handlers, as containerd's config.toml names them`, err.Error())
}

// TestRuntimeEndpointRefusalsAreWhole: the messages of
// CONTAINER_RUNTIME_ENDPOINT mistakes, whole.
func TestRuntimeEndpointRefusalsAreWhole(t *testing.T) {
	const forms = "use unix:///run/containerd/containerd.sock, npipe:////./pipe/containerd-containerd, or an absolute socket path"
	tests := []struct{ value, want string }{
		{"run/containerd/containerd.sock", `CONTAINER_RUNTIME_ENDPOINT="run/containerd/containerd.sock" has no scheme: ` + forms},
		{"npipe:///", `CONTAINER_RUNTIME_ENDPOINT="npipe:///" names no socket or pipe: ` + forms},
		{"tcp://127.0.0.1:10010", `CONTAINER_RUNTIME_ENDPOINT="tcp://127.0.0.1:10010": scheme tcp:// is not supported: ` + forms},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			_, err := ParseRuntimeEndpoint(tc.value)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
	got, err := ParseRuntimeEndpoint(" npipe:////./pipe/containerd-containerd ")
	require.NoError(t, err)
	assert.Equal(t, "npipe:////./pipe/containerd-containerd", got)
}

// TestProfileFileForms: a profile file is found by a path or by a name
// ending in .yaml (a file in the working folder, as a pipeline checks it in
// beside its job); a missing file or bad YAML names the variable and what
// went wrong; a value the environment leaves blank comes from the profile.
func TestProfileFileForms(t *testing.T) {
	dir := t.TempDir()
	body := "description: our fleet\nsource: our runbook\nsettings:\n  CONFORMANCE_HYPERV: skip\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "fleet.yaml"), []byte(body), 0o644))
	t.Chdir(dir)

	cfg, err := Load(env(map[string]string{EnvMode: "live", EnvProfile: "fleet.yaml"}), "windows")
	require.NoError(t, err, "a bare file name ending in .yaml is a file, not a committed profile")
	assert.Equal(t, "fleet.yaml", cfg.Profile)
	assert.Equal(t, HyperVSkip, cfg.Expect.HyperV)

	// A Windows pipeline names its file by a relative path with a
	// backslash and a .yml ending; on Linux the same text is one file name.
	require.NoError(t, os.WriteFile(filepath.Join(dir, `gate\fleet.yml`), []byte(body), 0o644))
	cfg, err = Load(env(map[string]string{EnvMode: "live", EnvProfile: `gate\fleet.yml`}), "windows")
	require.NoError(t, err, "a backslash makes the value a path")
	assert.Equal(t, HyperVSkip, cfg.Expect.HyperV)

	cfg, err = Load(env(map[string]string{EnvMode: "live", EnvProfile: "fleet.yaml", EnvHyperV: "  "}), "windows")
	require.NoError(t, err)
	assert.Equal(t, HyperVSkip, cfg.Expect.HyperV, "a blank variable (a CI input left empty) leaves the profile's value")

	_, err = Load(env(map[string]string{EnvMode: "live", EnvProfile: "missing.yaml"}), "windows")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `CONFORMANCE_PROFILE="missing.yaml": read profile: open missing.yaml: `)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("settings: [a, b]\n"), 0o644))
	_, err = Load(env(map[string]string{EnvMode: "live", EnvProfile: "bad.yaml"}), "windows")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `CONFORMANCE_PROFILE="bad.yaml": parse profile (fields: description, source, settings): `)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "pull.yaml"), []byte("settings:\n  CONFORMANCE_PULL: sometimes\n"), 0o644))
	_, err = Load(env(map[string]string{EnvMode: "live", EnvProfile: "pull.yaml"}), "windows")
	require.Error(t, err)
	assert.Equal(t, "CONFORMANCE_PULL=\"sometimes\": use never, missing or always\n(values the environment does not set come from CONFORMANCE_PROFILE=\"pull.yaml\")", err.Error())
}

// TestEveryDocumentedProfileKeyCanBePinned: profiles/README.md lists the
// variables a profile may set; a profile file that pins each of them loads,
// and each value lands where the variable's would.
func TestEveryDocumentedProfileKeyCanBePinned(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "all.yaml")
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	docker := write(`settings:
  CONFORMANCE_ENGINE_VERSION: ">=25"
  CONFORMANCE_MIN_API_VERSION: "1.44"
  CONFORMANCE_PLATFORM: windows
  CONFORMANCE_IMAGE: my/nano:1
  CONFORMANCE_PULL: never
  CONFORMANCE_ISOLATION: hyperv
  CONFORMANCE_DEFAULT_ISOLATION: hyperv
  CONFORMANCE_HYPERV: skip
  CONFORMANCE_STEP_TIMEOUT: 45s
  CONFORMANCE_DOCKER_SERVICE: running
  CONFORMANCE_REMOTE_HOST_CLAIMS: skip
`)
	cfg, err := Load(env(map[string]string{EnvMode: "live", EnvProfile: docker}), "windows")
	require.NoError(t, err)
	assert.Equal(t, Expectations{
		EngineVersion: ">=25", MinAPIVersion: "1.44", Platform: "windows", Image: "my/nano:1", Pull: PullNever,
		Isolation: []string{"hyperv"}, DefaultIsolation: "hyperv", HyperV: HyperVSkip, StepTimeout: Duration(45 * time.Second),
		DockerService: DockerServiceRunning, SkipRemoteHostClaims: true,
	}, cfg.Expect)

	containerd := write(`settings:
  CONFORMANCE_ENGINE: containerd
  CONFORMANCE_RUNTIME_VERSION: ">=1.7"
  CONFORMANCE_HANDLER_PROCESS: process
  CONFORMANCE_HANDLER_HYPERV: hypervisor
  CONFORMANCE_SANDBOX_IMAGE: my/pause:1
`)
	cfg, err = Load(env(map[string]string{EnvMode: "live", EnvProfile: containerd}), "windows")
	require.NoError(t, err)
	assert.Equal(t, &CRIExpectations{RuntimeVersion: ">=1.7", HandlerProcess: "process", HandlerHyperV: "hypervisor", SandboxImage: "my/pause:1"}, cfg.Expect.CRI)
	assert.Equal(t, "npipe:////./pipe/containerd-containerd", cfg.RuntimeEndpoint)
}

// TestOutputsOffInAnyCase: "off" turns a result file off however it is
// written (a Windows admin types OFF); paths and the step summary are
// trimmed.
func TestOutputsOffInAnyCase(t *testing.T) {
	got := LoadOutputs(env(map[string]string{EnvReport: "OFF", EnvJUnit: " Off ", EnvStepSummary: " /tmp/summary.md "}), `C:\gate`)
	assert.Equal(t, Outputs{StepSummary: "/tmp/summary.md"}, got)
	got = LoadOutputs(env(map[string]string{EnvReport: " out/r.json ", EnvJUnit: "j.xml"}), "")
	assert.Equal(t, Outputs{Report: "out/r.json", JUnit: "j.xml"}, got)
	assert.Equal(t, "conformance-report.json", DefaultReportFile)
	assert.Equal(t, "conformance-junit.xml", DefaultJUnitFile)
}

// TestConstraintAndVersionMessages: the whole message of a constraint that
// names no version and of a version with a tab inside.
func TestConstraintAndVersionMessages(t *testing.T) {
	_, err := ParseConstraint(" , ")
	require.Error(t, err)
	assert.Equal(t, `constraint " , " names no version; use `+ConstraintForms, err.Error())
	_, err = ParseVersion("1.40\t1.41")
	require.Error(t, err)
	assert.Equal(t, `"1.40\t1.41" is more than one version`, err.Error())
	_, err = ParseVersion("1.40\n")
	assert.NoError(t, err, "a trailing newline (a value read from a file) is trimmed")
	v, err := ParseReportedVersion("28.0.1 (build 068a01e)")
	require.NoError(t, err)
	assert.Equal(t, Version{28, 0, 1}, v, "a space ends the reported version")
	v, err = ParseReportedVersion(" v20.10.24 ")
	require.NoError(t, err)
	assert.Equal(t, Version{20, 10, 24}, v, "padding and a v prefix around what the engine reports")
	var d Duration
	assert.EqualError(t, d.UnmarshalText([]byte("2 min")), `parse duration: time: unknown unit " min" in duration "2 min"`)
	v, err = ParseReportedVersion("20.10.24~ds1")
	require.NoError(t, err)
	assert.Equal(t, Version{20, 10, 24}, v)
}
