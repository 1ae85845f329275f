// Package config is the one place the harness reads its configuration: the
// environment variables documented in docs/configuration.md, each with its default. Every
// other package receives a Config or an Expectations value and never calls
// os.Getenv.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Mode says where the docker client's HTTP answers and the host facts come from.
type Mode string

const (
	// Live talks to the daemon and probes the host.
	Live Mode = "live"
	// Record talks to the daemon and probes the host like Live, and saves every
	// answer as a fixture.
	Record Mode = "record"
	// Replay answers every request and probe from fixtures; no daemon is needed.
	Replay Mode = "replay"
)

// PullPolicy says when the harness may pull the base image.
type PullPolicy string

const (
	PullNever   PullPolicy = "never"
	PullMissing PullPolicy = "missing"
	PullAlways  PullPolicy = "always"
)

// HyperVPolicy says what a host without a usable hypervisor means.
type HyperVPolicy string

const (
	// HyperVRequire fails the Hyper-V claims on a host without a hypervisor.
	HyperVRequire HyperVPolicy = "require"
	// HyperVSkip skips them, with the reason, when the daemon reports no usable
	// hypervisor or the vmms service is missing.
	HyperVSkip HyperVPolicy = "skip"
)

// Environment variable names; docs/configuration.md documents each one.
const (
	EnvMode             = "CONFORMANCE_MODE"
	EnvFixtures         = "CONFORMANCE_FIXTURES"
	EnvEngineVersion    = "CONFORMANCE_ENGINE_VERSION"
	EnvMinAPIVersion    = "CONFORMANCE_MIN_API_VERSION"
	EnvPlatform         = "CONFORMANCE_PLATFORM"
	EnvImage            = "CONFORMANCE_IMAGE"
	EnvPull             = "CONFORMANCE_PULL"
	EnvIsolation        = "CONFORMANCE_ISOLATION"
	EnvDefaultIsolation = "CONFORMANCE_DEFAULT_ISOLATION"
	EnvHyperV           = "CONFORMANCE_HYPERV"
	EnvStepTimeout      = "CONFORMANCE_STEP_TIMEOUT"
	EnvDockerService    = "CONFORMANCE_DOCKER_SERVICE"
	EnvRecordName       = "CONFORMANCE_RECORD_NAME"
	EnvRemoteHostClaims = "CONFORMANCE_REMOTE_HOST_CLAIMS"
	EnvDockerHost       = "DOCKER_HOST"
	// EnvEngine chooses the engine the gate speaks to (docker, containerd).
	EnvEngine = "CONFORMANCE_ENGINE"
	// EnvRuntimeEndpoint is the CRI endpoint, the variable crictl reads.
	EnvRuntimeEndpoint = "CONTAINER_RUNTIME_ENDPOINT"
	// EnvRuntimeVersion constrains the CRI runtime's version (containerd).
	EnvRuntimeVersion = "CONFORMANCE_RUNTIME_VERSION"
	// EnvHandlerProcess and EnvHandlerHyperV name the CRI runtime handlers
	// of the Windows rows; config.toml may rename them.
	EnvHandlerProcess = "CONFORMANCE_HANDLER_PROCESS"
	EnvHandlerHyperV  = "CONFORMANCE_HANDLER_HYPERV"
	// EnvSandboxImage is the sandbox (pause) image the CRI runtime must hold.
	EnvSandboxImage = "CONFORMANCE_SANDBOX_IMAGE"
	EnvTLSVerify    = "DOCKER_TLS_VERIFY"
	EnvCertPath     = "DOCKER_CERT_PATH"
)

// Defaults, documented in docs/configuration.md.
const (
	DefaultEngineVersion = ">=19.03"
	DefaultMinAPIVersion = "1.40"
	DefaultStepTimeout   = 2 * time.Minute
	// LinuxTestImage is built by `make image` from Debian's static busybox:
	// no registry is reachable from the machines this harness is developed on.
	LinuxTestImage = "conformance/busybox:local"
	// AutoDefaultIsolation derives the expected default isolation from the
	// daemon's OperatingSystem: Server editions run process, client editions hyperv.
	AutoDefaultIsolation = "auto"
)

// DockerServicePolicy says what the Windows docker service must look like.
type DockerServicePolicy string

const (
	// DockerServiceAuto decides by the host's product type: AUTOMATIC on a
	// Server, RUNNING on a client edition (Windows 10/11), where Docker
	// Desktop runs the Windows engine and starts it itself.
	DockerServiceAuto DockerServicePolicy = "auto"
	// DockerServiceAutomatic: the service exists, runs and starts with Windows.
	DockerServiceAutomatic DockerServicePolicy = "automatic"
	// DockerServiceRunning: the service exists and runs; its start type is free.
	DockerServiceRunning DockerServicePolicy = "running"
)

// Expectations are the settings that shape requests and verdicts. A recording
// stores them, and a replay uses the recorded ones instead of the environment.
type Expectations struct {
	// EngineVersion is a constraint such as ">=19.03, <29" on the engine version.
	EngineVersion string `json:"engine_version"`
	// MinAPIVersion is the lowest acceptable API version, e.g. "1.40".
	MinAPIVersion string `json:"min_api_version"`
	// Platform is the OS the daemon must run containers for ("windows",
	// "linux"); empty means the host's own OS when the daemon is local.
	Platform string `json:"platform,omitempty"`
	// Image is the base image; empty means derived from the host build.
	Image string `json:"image,omitempty"`
	// Pull says when the base image may be pulled.
	Pull PullPolicy `json:"pull"`
	// Isolation lists the modes to test ("process", "hyperv", "default");
	// empty means every mode of the daemon's platform.
	Isolation []string `json:"isolation,omitempty"`
	// DefaultIsolation is what the daemon must report as its default isolation,
	// or "auto".
	DefaultIsolation string `json:"default_isolation"`
	// HyperV says whether a host without a usable hypervisor fails or skips.
	HyperV HyperVPolicy `json:"hyperv"`
	// StepTimeout bounds each wait (container running, container gone).
	StepTimeout Duration `json:"step_timeout"`
	// SkipRemoteHostClaims lets the host-side claims of a daemon that is not
	// local skip (CONFORMANCE_REMOTE_HOST_CLAIMS=skip): the user gates a
	// remote daemon knowing that nothing about its host is judged. Without it
	// those claims are required and their skip fails the gate.
	SkipRemoteHostClaims bool `json:"skip_remote_host_claims,omitempty"`
	// DockerService says what the docker service must look like; empty (a
	// fixture written before the field existed) means auto.
	DockerService DockerServicePolicy `json:"docker_service,omitempty"`
	// Engine is the engine gated: "docker" (also when empty: every fixture
	// written before the field existed) or "containerd".
	Engine string `json:"engine,omitempty"`
	// CRI holds the containerd engine's expectations; nil for docker.
	CRI *CRIExpectations `json:"cri,omitempty"`
}

// CRIExpectations shape the CRI rows and judge the runtime.
type CRIExpectations struct {
	// RuntimeVersion constrains the runtime version containerd reports.
	RuntimeVersion string `json:"runtime_version"`
	// HandlerProcess and HandlerHyperV are the runtime handlers of the
	// Windows process and hypervisor rows.
	HandlerProcess string `json:"handler_process"`
	HandlerHyperV  string `json:"handler_hyperv"`
	// SandboxImage is the sandbox image the runtime must hold; empty: the
	// one its CRI config names.
	SandboxImage string `json:"sandbox_image,omitempty"`
}

// EngineName is the engine gated, docker when unset.
func (e Expectations) EngineName() string {
	if e.Engine == "" {
		return EngineDocker
	}
	return e.Engine
}

// Engines the gate can speak to.
const (
	EngineDocker     = "docker"
	EngineContainerd = "containerd"
)

// Defaults of the containerd (CRI) engine, documented in docs/containerd.md.
const (
	// DefaultHandlerProcess and DefaultHandlerHyperV are the runtime handlers
	// containerd 1.7 and later configure on Windows by default
	// (containerd pkg/cri/config/config_windows.go, DefaultConfig).
	DefaultHandlerProcess = "runhcs-wcow-process"
	DefaultHandlerHyperV  = "runhcs-wcow-hypervisor"
	// DefaultRuntimeVersion: containerd 1.6 is the oldest release still
	// serving CRI v1 that Debian 12 and the 1.6 node images ship.
	DefaultRuntimeVersion = ">=1.6"
	// LinuxSandboxImage is built by `make cri-images` from Debian's static
	// busybox, as the private containerd's sandbox_image.
	LinuxSandboxImage = "conformance/pause:local"
)

// Config is the whole configuration of one harness run.
type Config struct {
	Mode Mode
	// Fixtures is the folder that holds one folder per recorded host.
	Fixtures string
	// RecordName names the folder a recording is written to; empty means one
	// derived from the recorded daemon.
	RecordName string
	// DockerHost is DOCKER_HOST, or the platform's default daemon address.
	DockerHost string
	// RuntimeEndpoint is CONTAINER_RUNTIME_ENDPOINT, or the platform's
	// default containerd endpoint (containerd engine only).
	RuntimeEndpoint string
	// TLSCertPath holds ca.pem, cert.pem and key.pem when DOCKER_TLS_VERIFY is set.
	TLSCertPath string
	// Profile is the CONFORMANCE_PROFILE the expectations started from; empty
	// when none was chosen.
	Profile string
	Expect  Expectations
}

// Load reads the configuration from getenv. goos is the operating system the
// harness runs on: it decides the default mode and the default daemon address.
// Every invalid variable is reported, not just the first.
func Load(getenv func(string) string, goos string) (Config, error) {
	var errs []error
	cfg := Config{
		Mode:       Mode(strings.TrimSpace(getenv(EnvMode))),
		Fixtures:   strings.TrimSpace(getenv(EnvFixtures)),
		RecordName: strings.TrimSpace(getenv(EnvRecordName)),
		DockerHost: strings.TrimSpace(getenv(EnvDockerHost)),
	}

	if cfg.Mode == "" {
		cfg.Mode = DefaultMode(goos)
	}
	if !oneOf(string(cfg.Mode), string(Live), string(Record), string(Replay)) {
		errs = append(errs, fmt.Errorf("%s=%q is not a mode: use %s, %s or %s", EnvMode, cfg.Mode, Live, Record, Replay))
	}
	if cfg.Fixtures == "" {
		cfg.Fixtures = "fixtures"
	}
	if cfg.Mode == Replay {
		// A replay takes the daemon, the run id and every expectation from
		// the fixture: no other variable may change or break it.
		cfg.DockerHost = DefaultDockerHost(goos)
		return cfg, errors.Join(errs...)
	}
	if cfg.DockerHost == "" {
		cfg.DockerHost = DefaultDockerHost(goos)
	} else if host, err := ParseDockerHost(cfg.DockerHost); err != nil {
		errs = append(errs, err)
	} else {
		cfg.DockerHost = host
	}
	if cfg.Mode == Record && cfg.RecordName != "" {
		if err := CheckRecordName(cfg.RecordName); err != nil {
			errs = append(errs, err)
		}
	}
	if strings.TrimSpace(getenv(EnvTLSVerify)) != "" {
		cfg.TLSCertPath = strings.TrimSpace(getenv(EnvCertPath))
		if cfg.TLSCertPath == "" {
			errs = append(errs, fmt.Errorf("%s is set but %s is not: name the folder with ca.pem, cert.pem and key.pem", EnvTLSVerify, EnvCertPath))
		}
	}
	if name := strings.TrimSpace(getenv(EnvProfile)); name != "" {
		p, err := LoadProfile(name)
		if err != nil {
			return cfg, errors.Join(append(errs, err)...)
		}
		cfg.Profile = p.Name
		getenv = p.overlay(getenv)
	}
	expect, err := LoadExpectations(getenv)
	if expect.EngineName() == EngineContainerd {
		cfg.RuntimeEndpoint = DefaultRuntimeEndpoint(goos)
		if v := strings.TrimSpace(getenv(EnvRuntimeEndpoint)); v != "" {
			endpoint, perr := ParseRuntimeEndpoint(v)
			errs = append(errs, perr)
			cfg.RuntimeEndpoint = endpoint
		}
	}
	if err != nil && cfg.Profile != "" {
		err = fmt.Errorf("%w\n(values the environment does not set come from %s=%q)", err, EnvProfile, cfg.Profile)
	}
	cfg.Expect = expect
	return cfg, errors.Join(append(errs, err)...)
}

// LoadExpectations reads the expectation variables alone.
func LoadExpectations(getenv func(string) string) (Expectations, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	e := Expectations{
		EngineVersion:    get(EnvEngineVersion, DefaultEngineVersion),
		MinAPIVersion:    get(EnvMinAPIVersion, DefaultMinAPIVersion),
		Platform:         strings.ToLower(get(EnvPlatform, "")),
		Image:            get(EnvImage, ""),
		Pull:             PullPolicy(strings.ToLower(get(EnvPull, string(PullMissing)))),
		DefaultIsolation: strings.ToLower(get(EnvDefaultIsolation, AutoDefaultIsolation)),
		HyperV:           HyperVPolicy(strings.ToLower(get(EnvHyperV, string(HyperVRequire)))),
		StepTimeout:      Duration(DefaultStepTimeout),
		DockerService:    DockerServicePolicy(strings.ToLower(get(EnvDockerService, string(DockerServiceAuto)))),
	}
	var errs []error
	switch engine := strings.ToLower(get(EnvEngine, EngineDocker)); engine {
	case EngineDocker:
	case EngineContainerd:
		e.Engine = EngineContainerd
		e.CRI = &CRIExpectations{
			RuntimeVersion: get(EnvRuntimeVersion, DefaultRuntimeVersion),
			HandlerProcess: get(EnvHandlerProcess, DefaultHandlerProcess),
			HandlerHyperV:  get(EnvHandlerHyperV, DefaultHandlerHyperV),
			SandboxImage:   get(EnvSandboxImage, ""),
		}
		if _, err := ParseConstraint(e.CRI.RuntimeVersion); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", EnvRuntimeVersion, err))
		}
		if e.CRI.HandlerProcess == e.CRI.HandlerHyperV {
			errs = append(errs, fmt.Errorf("%s and %s both name handler %q: the process and hypervisor rows need two handlers, as containerd's config.toml names them", EnvHandlerProcess, EnvHandlerHyperV, e.CRI.HandlerProcess))
		}
		for _, h := range []struct{ env, v string }{{EnvHandlerProcess, e.CRI.HandlerProcess}, {EnvHandlerHyperV, e.CRI.HandlerHyperV}} {
			if strings.ContainsAny(h.v, " \t\"'") {
				errs = append(errs, fmt.Errorf("%s=%q: a runtime handler is one name of config.toml's [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.<name>], such as %s", h.env, h.v, DefaultHandlerHyperV))
			}
		}
	default:
		errs = append(errs, fmt.Errorf("%s=%q is not an engine: use %s or %s", EnvEngine, engine, EngineDocker, EngineContainerd))
	}
	if v := get(EnvIsolation, "all"); !strings.EqualFold(v, "all") {
		for _, m := range strings.Split(v, ",") {
			if m = strings.ToLower(strings.TrimSpace(m)); m != "" {
				e.Isolation = append(e.Isolation, m)
			}
		}
		// An empty list would mean "every mode" (WantsMode): a typo must not
		// widen what is tested, nor silently narrow it to nothing.
		if len(e.Isolation) == 0 {
			errs = append(errs, fmt.Errorf("%s=%q names no isolation mode: use all, or a comma-separated list of process, hyperv, default", EnvIsolation, v))
		}
	}
	if _, err := ParseConstraint(e.EngineVersion); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", EnvEngineVersion, err))
	}
	if _, err := ParseVersion(e.MinAPIVersion); err != nil {
		errs = append(errs, fmt.Errorf("%s=%q: %w; use one dotted version such as 1.40", EnvMinAPIVersion, e.MinAPIVersion, err))
	}
	if e.Platform != "" && !oneOf(e.Platform, "windows", "linux") {
		errs = append(errs, fmt.Errorf("%s=%q: use windows or linux", EnvPlatform, e.Platform))
	}
	if !oneOf(string(e.Pull), string(PullNever), string(PullMissing), string(PullAlways)) {
		errs = append(errs, fmt.Errorf("%s=%q: use never, missing or always", EnvPull, e.Pull))
	}
	for _, m := range e.Isolation {
		if !oneOf(m, "process", "hyperv", "default") {
			errs = append(errs, fmt.Errorf("%s: %q is not an isolation mode: use all, or a list of process, hyperv, default", EnvIsolation, m))
		}
	}
	if !oneOf(e.DefaultIsolation, AutoDefaultIsolation, "process", "hyperv", "default") {
		errs = append(errs, fmt.Errorf("%s=%q: use auto, process, hyperv or default", EnvDefaultIsolation, e.DefaultIsolation))
	}
	if !oneOf(string(e.HyperV), string(HyperVRequire), string(HyperVSkip)) {
		errs = append(errs, fmt.Errorf("%s=%q: use require or skip", EnvHyperV, e.HyperV))
	}
	switch v := strings.ToLower(get(EnvRemoteHostClaims, "require")); v {
	case "require":
	case "skip":
		e.SkipRemoteHostClaims = true
	default:
		errs = append(errs, fmt.Errorf("%s=%q: use require or skip", EnvRemoteHostClaims, v))
	}
	if !oneOf(string(e.DockerService), string(DockerServiceAuto), string(DockerServiceAutomatic), string(DockerServiceRunning)) {
		errs = append(errs, fmt.Errorf("%s=%q: use auto, automatic or running", EnvDockerService, e.DockerService))
	}
	if v := get(EnvStepTimeout, ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: use a positive Go duration such as 90s or 3m", EnvStepTimeout, v))
		} else {
			e.StepTimeout = Duration(d)
		}
	}
	return e, errors.Join(errs...)
}

// WantsMode reports whether the isolation mode is selected for testing.
func (e Expectations) WantsMode(mode string) bool {
	if len(e.Isolation) == 0 {
		return true
	}
	return oneOf(mode, e.Isolation...)
}

// DefaultMode is live on Windows, where the hosts under test are, and replay
// everywhere else, so that `go test ./...` on a laptop or a Linux CI runner
// tests the harness on its fixtures.
func DefaultMode(goos string) Mode {
	if goos == "windows" {
		return Live
	}
	return Replay
}

// DefaultDockerHost is where the docker client looks when DOCKER_HOST is unset.
func DefaultDockerHost(goos string) string {
	if goos == "windows" {
		return "npipe:////./pipe/docker_engine"
	}
	return "unix:///var/run/docker.sock"
}

// DefaultRuntimeEndpoint is where crictl looks for containerd when
// CONTAINER_RUNTIME_ENDPOINT is unset (kubernetes-sigs/cri-tools
// pkg/common: defaultRuntimeEndpoints, the containerd entry).
func DefaultRuntimeEndpoint(goos string) string {
	if goos == "windows" {
		return "npipe:////./pipe/containerd-containerd"
	}
	return "unix:///run/containerd/containerd.sock"
}

// ParseRuntimeEndpoint reads CONTAINER_RUNTIME_ENDPOINT as crictl does: a
// unix:// socket or an npipe:// pipe (CRI endpoints are local). A bare
// absolute path is a unix socket, as crictl's util.GetAddressAndDialer reads
// it (with a deprecation warning there); tcp:// is refused: no CRI runtime
// serves it safely.
func ParseRuntimeEndpoint(v string) (string, error) {
	const forms = "use unix:///run/containerd/containerd.sock, npipe:////./pipe/containerd-containerd, or an absolute socket path"
	v = strings.TrimSpace(v)
	proto, addr, hasProto := strings.Cut(v, "://")
	if !hasProto {
		if strings.HasPrefix(v, "/") {
			return "unix://" + v, nil
		}
		return "", fmt.Errorf("%s=%q has no scheme: %s", EnvRuntimeEndpoint, v, forms)
	}
	switch proto {
	case "unix", "npipe":
		if addr == "" || addr == "/" {
			return "", fmt.Errorf("%s=%q names no socket or pipe: %s", EnvRuntimeEndpoint, v, forms)
		}
		return proto + "://" + addr, nil
	}
	return "", fmt.Errorf("%s=%q: scheme %s:// is not supported: %s", EnvRuntimeEndpoint, v, proto, forms)
}

// ParseDockerHost reads DOCKER_HOST as the docker CLI does (docker/cli
// opts.ParseHost): an address without a scheme is tcp ("10.1.0.4" is
// tcp://10.1.0.4:2375), a tcp address without a port gets 2375, unix:// and
// npipe:// are kept. ssh:// and fd:// need the CLI's connection helpers, which
// this harness does not have, so they are refused naming the variable, as is
// anything else.
func ParseDockerHost(v string) (string, error) {
	const forms = "use unix:///path/to/docker.sock, npipe:////./pipe/name, tcp://host[:port] or host[:port]"
	proto, addr, hasProto := strings.Cut(strings.TrimSpace(v), "://")
	if !hasProto {
		proto, addr = "tcp", proto
	}
	switch proto {
	case "unix", "npipe":
		if addr == "" {
			return "", fmt.Errorf("%s=%q names no socket or pipe: %s", EnvDockerHost, v, forms)
		}
		return proto + "://" + addr, nil
	case "tcp":
		hostPort, path, _ := strings.Cut(addr, "/")
		if path != "" {
			return "", fmt.Errorf("%s=%q: a path after the address is not supported: %s", EnvDockerHost, v, forms)
		}
		host, port, err := net.SplitHostPort(hostPort)
		if err != nil {
			host, port = strings.Trim(hostPort, "[]"), "2375"
		}
		if host == "" || strings.ContainsAny(host, " /\\") {
			return "", fmt.Errorf("%s=%q names no host: %s", EnvDockerHost, v, forms)
		}
		if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
			return "", fmt.Errorf("%s=%q: port %q is not a TCP port: %s", EnvDockerHost, v, port, forms)
		}
		return "tcp://" + net.JoinHostPort(host, port), nil
	}
	return "", fmt.Errorf("%s=%q: scheme %s:// is not supported by this harness: %s", EnvDockerHost, v, proto, forms)
}

// CheckRecordName refuses a CONFORMANCE_RECORD_NAME that is not one plain
// folder name: a path separator, "." or ".." would write outside the fixtures
// folder, into it, or nest the recording where replay never looks.
func CheckRecordName(name string) error {
	const forms = "use one folder name of letters, digits, '.', '-' and '_', such as ws2022-prod"
	switch {
	case name == "." || name == "..":
		return fmt.Errorf("%s=%q is not a folder name: %s", EnvRecordName, name, forms)
	case strings.ContainsAny(name, `/\:`) || filepath.Base(name) != name:
		return fmt.Errorf("%s=%q is a path, not a folder name: %s", EnvRecordName, name, forms)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("%s=%q starts with '.': %s", EnvRecordName, name, forms)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return fmt.Errorf("%s=%q holds %q: %s", EnvRecordName, name, r, forms)
		}
	}
	return nil
}

// IsLocal reports whether a daemon address is on this machine, so that host
// probes describe the daemon's host: a unix socket, a named pipe, or a tcp://
// address on the loopback interface (127.0.0.0/8, ::1, localhost).
func IsLocal(dockerHost string) bool {
	if strings.HasPrefix(dockerHost, "unix://") || strings.HasPrefix(dockerHost, "npipe://") {
		return true
	}
	u, err := url.Parse(dockerHost)
	if err != nil || u.Scheme != "tcp" {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Duration is a time.Duration that reads and writes as "90s" in JSON.
type Duration time.Duration

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes the duration as Go duration text.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads Go duration text.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("parse duration: %w", err)
	}
	*d = Duration(v)
	return nil
}

func oneOf(v string, options ...string) bool { return slices.Contains(options, v) }
