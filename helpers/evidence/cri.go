package evidence

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// CRIRow is one row of the containerd (CRI) table: a platform and the
// isolation a runtime handler must give. The handler's name comes from the
// expectations (config.toml may rename the handlers).
type CRIRow struct {
	Platform string `json:"platform"`
	// Mode is "process", "hyperv" (Windows), "default" (Linux), or
	// "unknown-handler": a handler no runtime configures, which the
	// runtime must refuse.
	Mode string `json:"mode"`
}

// ModeUnknownHandler is the row that asks for a handler nobody configured.
const ModeUnknownHandler = "unknown-handler"

// UnknownHandler is the handler name of the refusal row: no config.toml
// configures it.
const UnknownHandler = "conformance-no-such-handler"

// String is the row's place in claim IDs: "cri/windows/hyperv".
func (r CRIRow) String() string { return "cri/" + r.Platform + "/" + r.Mode }

// Refusal reports whether the row's sandbox must be refused.
func (r CRIRow) Refusal() bool { return r.Mode == ModeUnknownHandler }

// CRIRows is every row of the containerd table, in the order it runs them.
var CRIRows = []CRIRow{
	{Platform: "windows", Mode: "process"},
	{Platform: "windows", Mode: "hyperv"},
	{Platform: "linux", Mode: "default"},
	{Platform: "linux", Mode: ModeUnknownHandler},
}

// Runtime is the evidence of the containerd engine's provisioning claims,
// as CRI and the host probe report them.
type Runtime struct {
	// Target is the CRI endpoint as configured; Local is always true for a
	// unix socket or named pipe (CRI endpoints are local).
	Target      string   `json:"target"`
	Local       bool     `json:"local"`
	Unreachable *Failure `json:"unreachable,omitempty"`
	// Name, Version and APIVersion are the CRI Version answer's
	// runtime_name, runtime_version and runtime_api_version.
	Name       string `json:"name,omitempty"`
	Version    string `json:"version,omitempty"`
	APIVersion string `json:"api_version,omitempty"`
	// Conditions are the Status answer's runtime conditions (RuntimeReady,
	// NetworkReady).
	Conditions []RuntimeCondition `json:"conditions,omitempty"`
	StatusErr  *Failure           `json:"status_error,omitempty"`
	// Handlers lists the runtime handlers the runtime reports, and
	// HandlersFrom where they were read: "runtime_handlers" (the Status
	// field, containerd 2.0 and later), "config" (the runtimes of the CRI
	// config in the verbose Status info, containerd 1.6 and 1.7), or ""
	// when neither was there.
	Handlers     []string `json:"handlers,omitempty"`
	HandlersFrom string   `json:"handlers_from,omitempty"`
	// ConfigSandboxImage is the sandbox image the CRI config names ("" when
	// the verbose info did not say).
	ConfigSandboxImage string   `json:"config_sandbox_image,omitempty"`
	SandboxImage       CRIImage `json:"sandbox_image"`
	Image              CRIImage `json:"image"`
	// Host, Services and Processes are the host probe's, as for Docker.
	Host         *hostprobe.OSInfo   `json:"host,omitempty"`
	HostErr      *Failure            `json:"host_error,omitempty"`
	Services     []hostprobe.Service `json:"services,omitempty"`
	ServicesErr  *Failure            `json:"services_error,omitempty"`
	Processes    *hostprobe.Snapshot `json:"processes,omitempty"`
	ProcessesErr *Failure            `json:"processes_error,omitempty"`
}

// Service returns the named service's state, if it was read.
func (r Runtime) Service(name string) (hostprobe.Service, bool) {
	for _, s := range r.Services {
		if s.Name == name {
			return s, true
		}
	}
	return hostprobe.Service{}, false
}

// Platform is the OS the runtime runs containers for: the host's, since a
// CRI endpoint is a local socket or pipe; "" when the host probe failed.
func (r Runtime) Platform() string {
	if r.Host == nil {
		return ""
	}
	return r.Host.OS
}

// Condition returns the named runtime condition.
func (r Runtime) Condition(kind string) (RuntimeCondition, bool) {
	for _, c := range r.Conditions {
		if c.Type == kind {
			return c, true
		}
	}
	return RuntimeCondition{}, false
}

// RuntimeCondition is one CRI RuntimeCondition.
type RuntimeCondition struct {
	Type    string `json:"type"`
	Status  bool   `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// CRIImage is an image as the CRI ImageStatus answer reports it.
type CRIImage struct {
	Ref     string   `json:"ref"`
	Present bool     `json:"present"`
	ID      string   `json:"id,omitempty"`
	Err     *Failure `json:"error,omitempty"`
	// OS and OSVersion come from the image config in the verbose info
	// ("imageSpec"): what the image was built for ("10.0.20348.2340").
	OS        string `json:"os,omitempty"`
	OSVersion string `json:"os_version,omitempty"`
}

// Pod is the evidence of one CRI row: a sandbox and one container in it.
type Pod struct {
	Row     CRIRow `json:"row"`
	Handler string `json:"handler"`
	Image   string `json:"image"`
	// SandboxID is set when RunPodSandbox answered one; RunErr otherwise.
	SandboxID string   `json:"sandbox_id,omitempty"`
	RunErr    *Failure `json:"run_error,omitempty"`
	// SandboxHandler and SandboxState are PodSandboxStatus's.
	SandboxHandler string   `json:"sandbox_handler,omitempty"`
	SandboxState   string   `json:"sandbox_state,omitempty"`
	SandboxErr     *Failure `json:"sandbox_error,omitempty"`
	ContainerID    string   `json:"container_id,omitempty"`
	CreateErr      *Failure `json:"create_error,omitempty"`
	StartErr       *Failure `json:"start_error,omitempty"`
	// ContainerState is ContainerStatus's state after the start, and PID
	// the "pid" of its verbose info (containerd: the task's pid as the
	// shim reports it).
	ContainerState string   `json:"container_state,omitempty"`
	PID            int      `json:"pid,omitempty"`
	StatusErr      *Failure `json:"status_error,omitempty"`
	// Exec is ExecSync of the process listing inside the container.
	ExecCmd      []string `json:"exec_cmd,omitempty"`
	ExecStdout   string   `json:"exec_stdout,omitempty"`
	ExecExitCode int32    `json:"exec_exit_code,omitempty"`
	ExecErr      *Failure `json:"exec_error,omitempty"`
	// Before and After are host snapshots around the sandbox's start;
	// Gone is the one after removal (Windows: the utility VM must be gone).
	Before  *hostprobe.Snapshot `json:"before,omitempty"`
	After   *hostprobe.Snapshot `json:"after,omitempty"`
	Gone    *hostprobe.Snapshot `json:"gone,omitempty"`
	HostErr *Failure            `json:"host_error,omitempty"`
	// StopErr and RemoveErr are the sandbox's; LeftErr is set when the
	// sandbox or container was still listed after removal.
	StopErr   *Failure `json:"stop_error,omitempty"`
	RemoveErr *Failure `json:"remove_error,omitempty"`
	LeftErr   *Failure `json:"left_error,omitempty"`
}

// CRIFailureOf turns a gRPC error into evidence: the status code's kind and
// the runtime's message.
func CRIFailureOf(err error) *Failure {
	if err == nil {
		return nil
	}
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return FailureOf(err)
	}
	st, ok := status.FromError(err)
	if !ok {
		return FailureOf(err)
	}
	kind := KindOther
	switch st.Code() {
	case codes.Unavailable:
		kind = KindConnection
	case codes.DeadlineExceeded:
		kind = KindConnection
	case codes.InvalidArgument:
		kind = KindInvalidParameter
	case codes.NotFound:
		kind = KindNotFound
	case codes.AlreadyExists:
		kind = KindConflict
	case codes.Unknown, codes.Internal:
		kind = KindSystem
	}
	return &Failure{Kind: kind, Message: st.Message()}
}
