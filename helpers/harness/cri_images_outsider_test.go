package harness

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// fakeImages is containerd's image service for one node: ImageStatus
// answers a nil image for what is absent (containerd's answer, not an
// error), PullImage makes an image present, and each pull is counted.
type fakeImages struct {
	runtimeapi.ImageServiceClient
	mu        sync.Mutex
	present   map[string]bool
	pulled    []string
	pullErr   error
	statusErr error
}

func (f *fakeImages) ImageStatus(_ context.Context, in *runtimeapi.ImageStatusRequest, _ ...grpc.CallOption) (*runtimeapi.ImageStatusResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.statusErr != nil {
		return nil, f.statusErr
	}
	if !f.present[in.GetImage().GetImage()] {
		return &runtimeapi.ImageStatusResponse{}, nil
	}
	return &runtimeapi.ImageStatusResponse{Image: &runtimeapi.Image{Id: "sha256:0123456789abcdef"},
		Info: map[string]string{"info": `{"imageSpec":{"os":"windows","os.version":"10.0.20348.2340"}}`}}, nil
}

func (f *fakeImages) PullImage(_ context.Context, in *runtimeapi.PullImageRequest, _ ...grpc.CallOption) (*runtimeapi.PullImageResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pulled = append(f.pulled, in.GetImage().GetImage())
	if f.pullErr != nil {
		return nil, f.pullErr
	}
	f.present[in.GetImage().GetImage()] = true
	return &runtimeapi.PullImageResponse{ImageRef: "sha256:0123456789abcdef"}, nil
}

// TestCRIImagePullPolicy: CONFORMANCE_PULL decides whether the workload
// image is pulled through CRI (as kubelet's imagePullPolicy: Always,
// IfNotPresent, Never); the sandbox image is the runtime's own and never
// pulled (kubelet does not pull it either: containerd does at RunPodSandbox).
func TestCRIImagePullPolicy(t *testing.T) {
	const ref = "mcr.microsoft.com/windows/nanoserver:ltsc2022"
	present := evidence.CRIImage{Ref: ref, Present: true, ID: "sha256:0123456789abcdef", OS: "windows", OSVersion: "10.0.20348.2340"}
	notFound := status.Error(codes.NotFound, `failed to pull and unpack image "`+ref+`": no match for platform in manifest: not found`)
	tests := []struct {
		doc       string
		pull      config.PullPolicy
		mayPull   bool
		onNode    bool
		statusErr error
		pullErr   error
		want      evidence.CRIImage
		pulled    []string
	}{
		{"missing, absent: pulled", config.PullMissing, true, false, nil, nil, present, []string{ref}},
		{"missing, present: not pulled", config.PullMissing, true, true, nil, nil, present, nil},
		{"always, present: pulled again", config.PullAlways, true, true, nil, nil, present, []string{ref}},
		{"never, absent: not pulled, absent", config.PullNever, true, false, nil, nil, evidence.CRIImage{Ref: ref}, nil},
		{"the sandbox image under always: never pulled", config.PullAlways, false, false, nil, nil, evidence.CRIImage{Ref: ref}, nil},
		{"ImageStatus failed: no pull on an unknown state", config.PullAlways, true, false, status.Error(codes.Unavailable, "connection refused"), nil,
			evidence.CRIImage{Ref: ref, Err: &evidence.Failure{Kind: evidence.KindConnection, Message: "connection refused"}}, nil},
		{"the pull failed: its error is the evidence", config.PullMissing, true, false, nil, notFound,
			evidence.CRIImage{Ref: ref, Err: evidence.CRIFailureOf(notFound)}, []string{ref}},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			images := &fakeImages{present: map[string]bool{ref: tc.onNode}, statusErr: tc.statusErr, pullErr: tc.pullErr}
			s := newSession(nil, nil, "npipe:////./pipe/containerd-containerd", "run-a", config.Expectations{Pull: tc.pull}, config.Live)
			s.CRI = &CRI{Images: images}
			got := s.criImage(context.Background(), ref, tc.mayPull)
			assert.Check(t, is.DeepEqual(got, tc.want))
			assert.Check(t, is.DeepEqual(images.pulled, tc.pulled))
		})
	}
	s := newSession(nil, nil, "npipe:////./pipe/containerd-containerd", "run-a", config.Expectations{Pull: config.PullAlways}, config.Live)
	s.CRI = &CRI{Images: &fakeImages{present: map[string]bool{}}}
	got := s.criImage(context.Background(), "", false)
	assert.Check(t, is.DeepEqual(got, evidence.CRIImage{Err: &evidence.Failure{Kind: evidence.KindOther, Message: "the runtime's CRI config names no sandbox image and CONFORMANCE_SANDBOX_IMAGE is unset"}}))
}

// stuckCRI is a containerd whose RemovePodSandbox fails for one sandbox
// (hcsshim cannot tear its utility VM down).
type stuckCRI struct {
	*fakeCRI
	stuck string
}

func (f stuckCRI) RemovePodSandbox(ctx context.Context, in *runtimeapi.RemovePodSandboxRequest, opts ...grpc.CallOption) (*runtimeapi.RemovePodSandboxResponse, error) {
	if in.GetPodSandboxId() == f.stuck {
		return nil, errors.New("hcs::System::Terminate: a timeout occurred")
	}
	return f.fakeCRI.RemovePodSandbox(ctx, in, opts...)
}

// TestCRIInterruptSaysWhatItCouldNotRemove: the interrupt cleanup lists
// again until its bound and names the sandbox it could not remove.
func TestCRIInterruptSaysWhatItCouldNotRemove(t *testing.T) {
	f := stuckCRI{fakeCRI: twoRunsOnOneNode(), stuck: "sba2"}
	s := newSession(nil, nil, "unix:///run/containerd/containerd.sock", "run-a", config.Expectations{}, config.Live)
	s.CRI = &CRI{Runtime: f, unrecorded: f}
	ctx, cancel := context.WithTimeout(context.Background(), 350*time.Millisecond)
	defer cancel()
	msg := s.cleanUpInterruptedCRI(ctx)
	assert.Check(t, is.Equal(msg, "removed 1 sandbox(es) of run run-a (could not remove: sba2 (hcs::System::Terminate: a timeout occurred); the next run removes them)"))
}
