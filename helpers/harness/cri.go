package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// CRI is a session's containerd engine: the k8s.io/cri-api v1 clients, as
// kubelet speaks to the runtime, over one gRPC connection. Record and replay
// put a unary interceptor under the same clients (fixture.CRIRecorder,
// fixture.CRIReplayer); nothing else changes.
type CRI struct {
	Runtime runtimeapi.RuntimeServiceClient
	Images  runtimeapi.ImageServiceClient
	conns   []*grpc.ClientConn
	// unrecorded talks to the live runtime outside any recording: the
	// sweep of dead runs, the interrupt cleanup and the leftover check are
	// not evidence. nil in replay.
	unrecorded runtimeapi.RuntimeServiceClient
	recorder   *fixture.CRIRecorder
	replayer   *fixture.CRIReplayer
}

// dialCRI opens a gRPC connection to a CRI endpoint (unix:// or npipe://,
// config.ParseRuntimeEndpoint) with the interceptors given. grpc.NewClient
// connects lazily, so an endpoint nobody listens on fails at the first call,
// as evidence (runtime-reachable), not here.
func dialCRI(endpoint string, interceptors ...grpc.UnaryClientInterceptor) (*grpc.ClientConn, error) {
	conn, err := grpc.NewClient("passthrough:///cri",
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return dialEndpoint(ctx, endpoint) }),
		grpc.WithChainUnaryInterceptor(interceptors...),
		// containerd's own limit (16 MiB): a verbose Status carries the whole CRI config.
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(16<<20)),
	)
	if err != nil {
		return nil, fmt.Errorf("create CRI client for %s: %w", endpoint, err)
	}
	return conn, nil
}

func newCRI(conn *grpc.ClientConn) *CRI {
	return &CRI{Runtime: runtimeapi.NewRuntimeServiceClient(conn), Images: runtimeapi.NewImageServiceClient(conn), conns: []*grpc.ClientConn{conn}}
}

// OpenCRILive connects to the configured CRI endpoint and probes this host.
func OpenCRILive(cfg config.Config) (*Session, error) {
	conn, err := dialCRI(cfg.RuntimeEndpoint)
	if err != nil {
		return nil, err
	}
	s := newSession(nil, hostprobe.Live(), cfg.RuntimeEndpoint, NewRunID(), cfg.Expect, config.Live)
	s.CRI = newCRI(conn)
	s.CRI.unrecorded = s.CRI.Runtime
	s.overlap = true
	return s, nil
}

// OpenCRIRecord is OpenCRILive that keeps every CRI call and host probe
// answer; FinishRecording saves them.
func OpenCRIRecord(cfg config.Config) (*Session, error) {
	if err := checkWritable(cfg.Fixtures); err != nil {
		return nil, err
	}
	staging, err := os.MkdirTemp("", "conformance-record-cri-")
	if err != nil {
		return nil, fmt.Errorf("create staging folder: %w", err)
	}
	red := &fixture.Redactor{}
	rec := &fixture.CRIRecorder{Text: red.Text}
	conn, err := dialCRI(cfg.RuntimeEndpoint, rec.Interceptor())
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(staging))
	}
	plain, err := dialCRI(cfg.RuntimeEndpoint)
	if err != nil {
		return nil, errors.Join(err, conn.Close(), os.RemoveAll(staging))
	}
	recHost := &fixture.RecordingHost{Inner: hostprobe.Live()}
	s := newSession(nil, recHost, cfg.RuntimeEndpoint, NewRunID(), cfg.Expect, config.Record)
	s.CRI = newCRI(conn)
	s.CRI.conns = append(s.CRI.conns, plain)
	s.CRI.unrecorded = runtimeapi.NewRuntimeServiceClient(plain)
	s.CRI.recorder = rec
	s.recHost, s.redactor, s.stagingDir = recHost, red, staging
	if name, err := os.Hostname(); err == nil {
		red.AddHostname(name)
	}
	red.AddHome(fixture.HomeFolder())
	s.overlap = true
	return s, nil
}

// OpenCRIReplay answers every CRI call and probe from the fixture: the real
// clients over a connection that never dials (the interceptor answers).
func OpenCRIReplay(f *fixture.Fixture) (*Session, error) {
	replayer := fixture.NewCRIReplayer(f)
	conn, err := grpc.NewClient("passthrough:///cri-replay",
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithUnaryInterceptor(replayer.Interceptor()))
	if err != nil {
		return nil, fmt.Errorf("create CRI replay client: %w", err)
	}
	replayHost := fixture.NewReplayHost(f)
	s := newSession(nil, replayHost, f.Meta.Target, f.Meta.RunID, f.Meta.Expectations, config.Replay)
	s.CRI = newCRI(conn)
	s.CRI.replayer = replayer
	s.Local = f.Meta.Local
	s.Owner = f.Meta.Owner
	s.replayHost = replayHost
	s.PollDelay = 0
	return s, nil
}

// OpenCRIConstructed records a simulated runtime (reached through conn, an
// in-process gRPC server) and a described host into a fixture: the
// generator's way to build containerd fixtures in the recorded format.
func OpenCRIConstructed(dial func(context.Context, string) (net.Conn, error), host hostprobe.Host, target string, runID string, expect config.Expectations) (*Session, error) {
	staging, err := os.MkdirTemp("", "conformance-construct-cri-")
	if err != nil {
		return nil, fmt.Errorf("create staging folder: %w", err)
	}
	rec := &fixture.CRIRecorder{}
	conn, err := grpc.NewClient("passthrough:///cri-constructed",
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(dial), grpc.WithUnaryInterceptor(rec.Interceptor()))
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(staging))
	}
	recHost := &fixture.RecordingHost{Inner: host}
	s := newSession(nil, recHost, target, runID, expect, config.Record)
	s.CRI = newCRI(conn)
	s.CRI.recorder = rec
	s.recHost, s.redactor, s.stagingDir = recHost, &fixture.Redactor{}, staging
	s.Local = true
	s.PollDelay = time.Millisecond
	return s, nil
}
