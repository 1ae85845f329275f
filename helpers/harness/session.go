// Package harness gathers evidence: it drives the real docker client and the
// host probe through the steps of the documented session (daemon facts, base
// image, one workload per isolation mode) and returns what it saw. It judges
// nothing; package claims does.
//
// A Session is the same in every mode. Live talks to the daemon; record does
// too and keeps every answer; replay swaps the docker client's HTTP transport
// and the host probe for a fixture's, and nothing else.
package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/docker/docker/client"
	"github.com/docker/go-connections/sockets"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// Labels every container the harness creates carries; the harness removes
// only containers with its run id.
const (
	LabelHarness = "io.github.wincontainer-gate.conformance"
	LabelRunID   = "io.github.wincontainer-gate.conformance.run-id"
	LabelRow     = "io.github.wincontainer-gate.conformance.row"
)

// Session is one harness run against one daemon (live or recorded).
type Session struct {
	// Client is the docker client; nil when the engine is containerd.
	Client *client.Client
	// CRI is the containerd engine's CRI clients; nil for docker.
	CRI  *CRI
	Host hostprobe.Host
	// Target is the daemon address as configured; Local says whether the host
	// probe describes the daemon's host.
	Target string
	Local  bool
	RunID  string
	// Owner is this process (live, record) or the recording's (replay).
	Owner  Owner
	Expect config.Expectations
	// Logf receives progress (image pulls, waits); it defaults to discarding.
	Logf func(format string, args ...any)
	// PollDelay is the pause after the first check of a wait that did not
	// finish; it doubles after every further check, up to maxPollInterval. A
	// check that finishes at once costs no pause. Replay uses none: the
	// recorded answers arrive in the recorded order anyway.
	PollDelay time.Duration
	// CleanupTimeout bounds each removal a cleanup makes with a fresh
	// context; zero means the step timeout. The suite shortens it when the
	// run bound leaves little time before go test's -timeout.
	CleanupTimeout time.Duration

	mode config.Mode
	// overlap runs independent steps at once (together): live and record.
	overlap    bool
	engine     *fixture.Engine
	recHost    *fixture.RecordingHost
	replayHost *fixture.ReplayHost
	redactor   *fixture.Redactor
	stagingDir string
	// stagingMu orders saving a recording against discarding it at an
	// interrupt: the handler waits for a save under way, and a save after the
	// interrupt writes nothing.
	stagingMu sync.Mutex
	// unrecorded talks to the live daemon outside any recording: sweeping
	// dead runs and cleaning up after an interrupt are not evidence.
	unrecorded *client.Client
	// workerLock spans each Windows row's before and after host snapshots:
	// attribution by elimination or timing ties a vmwp.exe to a container
	// by the window, so no other row may start a container between them,
	// and whether exact attribution will apply is known only afterwards.
	// exactAttribution (from the provisioning snapshot) is for the log.
	workerLock       sync.Mutex
	exactAttribution bool
	windowsHost      bool
	// harnessContained: the host probe saw that the harness runs inside a
	// container, so the settle wait does not wait for host processes it
	// cannot see.
	harnessContained bool
}

// NewRunID returns a fresh run id for the labels of one live run.
func NewRunID() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("read random run id: %v", err)) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// OpenLive connects to the configured daemon and probes this host.
func OpenLive(cfg config.Config) (*Session, error) {
	opts := []client.Opt{client.WithHost(cfg.DockerHost), client.WithAPIVersionNegotiation()}
	if cfg.TLSCertPath != "" {
		opts = append(opts, client.WithTLSClientConfig(
			filepath.Join(cfg.TLSCertPath, "ca.pem"), filepath.Join(cfg.TLSCertPath, "cert.pem"), filepath.Join(cfg.TLSCertPath, "key.pem")))
	}
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, fmt.Errorf("create docker client for %s: %w", cfg.DockerHost, err)
	}
	s := newSession(cli, hostprobe.Live(), cfg.DockerHost, NewRunID(), cfg.Expect, config.Live)
	s.overlap = true
	s.unrecorded = cli
	return s, nil
}

// OpenRecord is OpenLive that keeps every Engine API answer and host probe
// answer; FinishRecording saves them.
func OpenRecord(cfg config.Config) (*Session, error) {
	if cfg.TLSCertPath != "" {
		return nil, errors.New("record mode records local daemons and plain tcp:// ones; unset DOCKER_TLS_VERIFY")
	}
	hostURL, err := client.ParseHostURL(cfg.DockerHost)
	if err != nil {
		return nil, fmt.Errorf("parse %s=%q: %w", config.EnvDockerHost, cfg.DockerHost, err)
	}
	if err := checkWritable(cfg.Fixtures); err != nil {
		return nil, err
	}
	real := &http.Transport{}
	if err := sockets.ConfigureTransport(real, hostURL.Scheme, hostURL.Host+hostURL.Path); err != nil {
		return nil, fmt.Errorf("configure transport to %s: %w", cfg.DockerHost, err)
	}
	if hostURL.Scheme == "tcp" {
		// The recording client's URLs name the fixed RecordingAddress; the
		// connection must go to DOCKER_HOST, never to whatever answers at
		// that name, and never through a proxy that would see that name.
		dialer := &net.Dialer{Timeout: 30 * time.Second}
		daemonAddr := hostURL.Host
		real.Proxy = nil
		real.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, daemonAddr)
		}
	}
	s, err := openRecording(real, hostprobe.Live(), cfg.DockerHost, NewRunID(), cfg.Expect)
	if err != nil {
		return nil, err
	}
	if s.unrecorded, err = client.NewClientWithOpts(client.WithHost(fixture.RecordingAddress),
		client.WithHTTPClient(&http.Client{Transport: real}), client.WithAPIVersionNegotiation()); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("create docker client: %w", err)
	}
	if name, err := os.Hostname(); err == nil {
		s.redactor.AddHostname(name)
	}
	s.overlap = true
	s.redactor.AddHome(fixture.HomeFolder())
	return s, nil
}

// checkWritable fails before the run when the fixtures folder cannot take a
// recording, rather than after it.
func checkWritable(root string) error {
	info, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("%s=%q: the fixtures folder must exist before a recording: %w", config.EnvFixtures, root, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("%s=%q is not a folder", config.EnvFixtures, root)
	}
	probe, err := os.CreateTemp(root, ".conformance-write-check-")
	if err != nil {
		return fmt.Errorf("%s=%q: cannot write a recording there: %w", config.EnvFixtures, root, err)
	}
	_ = probe.Close()
	return os.Remove(probe.Name())
}

// OpenReplay answers every request and probe from the fixture. Of the
// environment nothing counts: target, run id and expectations are the fixture's.
func OpenReplay(f *fixture.Fixture) (*Session, error) {
	engine, err := fixture.ReplayEngine(f)
	if err != nil {
		return nil, err
	}
	replayHost := fixture.NewReplayHost(f)
	s, err := openThrough(engine, replayHost, f.Meta.Target, f.Meta.RunID, f.Meta.Expectations, config.Replay)
	if err != nil {
		return nil, err
	}
	s.Local = f.Meta.Local
	s.Owner = f.Meta.Owner
	s.replayHost = replayHost
	s.PollDelay = 0
	return s, nil
}

// OpenConstructed records a simulated daemon (answering through
// daemonTransport) and a described host into a fixture: the generator's way to
// build fixtures in exactly the format record mode writes.
func OpenConstructed(daemonTransport http.RoundTripper, host hostprobe.Host, target string, local bool, runID string, expect config.Expectations) (*Session, error) {
	s, err := openRecording(daemonTransport, host, target, runID, expect)
	if err != nil {
		return nil, err
	}
	s.Local = local
	s.PollDelay = time.Millisecond
	return s, nil
}

// openRecording sends requests through real and probes through host, keeping
// every answer in a staging folder until FinishRecording.
func openRecording(real http.RoundTripper, host hostprobe.Host, target, runID string, expect config.Expectations) (*Session, error) {
	staging, err := os.MkdirTemp("", "conformance-record-"+runID+"-")
	if err != nil {
		return nil, fmt.Errorf("create staging folder: %w", err)
	}
	red := &fixture.Redactor{}
	engine, err := fixture.RecordEngine(staging, real, red)
	if err != nil {
		return nil, err
	}
	recHost := &fixture.RecordingHost{Inner: host}
	s, err := openThrough(engine, recHost, target, runID, expect, config.Record)
	if err != nil {
		return nil, err
	}
	s.recHost, s.redactor, s.stagingDir = recHost, red, staging
	return s, nil
}

func openThrough(engine *fixture.Engine, host hostprobe.Host, target, runID string, expect config.Expectations, mode config.Mode) (*Session, error) {
	cli, err := client.NewClientWithOpts(
		client.WithHost(fixture.RecordingAddress),
		client.WithHTTPClient(&http.Client{Transport: engine}),
		client.WithAPIVersionNegotiation(),
	)
	if err != nil {
		return nil, fmt.Errorf("create docker client: %w", err)
	}
	s := newSession(cli, host, target, runID, expect, mode)
	s.engine = engine
	return s, nil
}

func newSession(cli *client.Client, host hostprobe.Host, target, runID string, expect config.Expectations, mode config.Mode) *Session {
	return &Session{
		Client:    cli,
		Host:      host,
		Target:    target,
		Local:     config.IsLocal(target),
		RunID:     runID,
		Owner:     CurrentOwner(),
		Expect:    expect,
		Logf:      func(string, ...any) {},
		PollDelay: 10 * time.Millisecond,
		mode:      mode,
	}
}

// FixtureProblems returns, in replay, every request or probe the fixture could
// not answer and every recorded answer nobody asked for.
func (s *Session) FixtureProblems() []error {
	var out []error
	if s.engine != nil && s.mode == config.Replay {
		out = append(out, s.engine.Problems()...)
	}
	if s.CRI != nil && s.CRI.replayer != nil {
		out = append(out, s.CRI.replayer.Problems()...)
	}
	if s.replayHost != nil {
		out = append(out, s.replayHost.Problems()...)
	}
	return out
}

// fixtureErr is the first request the fixture could not answer, if any: the
// evidence gathered after it is not the host's, so gathering stops. It is
// asked after every step and every check of a wait, so it looks at the misses
// only, not at the unused answers FixtureProblems lists at the end.
func (s *Session) fixtureErr() error {
	if s.mode != config.Replay {
		return nil
	}
	if s.CRI != nil {
		if err := s.CRI.replayer.Miss(); err != nil {
			return err
		}
	} else if err := s.engine.Miss(); err != nil {
		return err
	}
	if s.replayHost != nil {
		return s.replayHost.Miss()
	}
	return nil
}

// FinishRecording saves the recorded answers and the metadata into
// root/name, replacing an older recording of that name.
func (s *Session) FinishRecording(root, name string, meta fixture.Metadata) (string, error) {
	s.stagingMu.Lock()
	defer s.stagingMu.Unlock()
	if s.stagingDir == "" {
		return "", errors.New("session is not recording")
	}
	if Interrupted() {
		return "", errInterrupted
	}
	if err := config.CheckRecordName(name); err != nil {
		return "", err
	}
	meta.Target = s.redactor.Text(meta.Target)
	files := []string{fixture.MetadataFile, fixture.EngineFile, fixture.HostFile}
	if s.CRI != nil {
		files[1] = fixture.CRIFile
		if err := s.CRI.recorder.Save(s.stagingDir); err != nil {
			return "", err
		}
	} else if err := s.engine.Stop(); err != nil {
		return "", err
	}
	if err := fixture.SaveHost(s.stagingDir, s.recHost.Answers()); err != nil {
		return "", err
	}
	if err := fixture.SaveMetadata(s.stagingDir, meta); err != nil {
		return "", err
	}
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create fixture folder: %w", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(s.stagingDir, f))
		if err != nil {
			return "", fmt.Errorf("read staged %s: %w", f, err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			return "", fmt.Errorf("write fixture: %w", err)
		}
	}
	err := os.RemoveAll(s.stagingDir)
	s.stagingDir = ""
	return dir, err
}

// DiscardRecording deletes what was recorded so far: a run that failed or
// was interrupted writes nothing.
func (s *Session) DiscardRecording() {
	s.stagingMu.Lock()
	defer s.stagingMu.Unlock()
	if s.stagingDir != "" {
		_ = os.RemoveAll(s.stagingDir)
		s.stagingDir = ""
	}
}

// recording reports whether a recording is under way and not yet saved.
func (s *Session) recording() bool {
	s.stagingMu.Lock()
	defer s.stagingMu.Unlock()
	return s.stagingDir != ""
}

// sweepClient is the client that talks to the live daemon unrecorded; nil in
// replay and for constructed hosts.
func (s *Session) sweepClient() *client.Client { return s.unrecorded }

// SweepDeadRuns removes, live or recording, the containers that dead earlier
// runs of this harness left on this host, and reports each one.
func (s *Session) SweepDeadRuns(ctx context.Context) ([]Swept, error) {
	if s.CRI != nil {
		return s.sweepCRI(ctx, liveProcess)
	}
	if s.unrecorded == nil {
		return nil, nil
	}
	timeout := time.Duration(s.Expect.StepTimeout)
	if timeout <= 0 {
		timeout = config.DefaultStepTimeout
	}
	return SweepDeadRuns(ctx, s.unrecorded, s.Owner, s.RunID, timeout)
}

// AddRedaction names a host name that must not appear in the recording.
func (s *Session) AddRedaction(hostname string) {
	if s.redactor != nil {
		s.redactor.AddHostname(hostname)
	}
}

// Close releases the clients and deletes a recording that was never finished.
func (s *Session) Close() error {
	s.DiscardRecording()
	if s.CRI != nil {
		var errs []error
		for _, c := range s.CRI.conns {
			errs = append(errs, c.Close())
		}
		return errors.Join(errs...)
	}
	if s.unrecorded != nil && s.unrecorded != s.Client {
		_ = s.unrecorded.Close()
	}
	return s.Client.Close()
}
