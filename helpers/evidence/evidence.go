// Package evidence holds what the harness observed, in the form the claims judge
// it. Evidence is plain data: errors are kept as text with a kind, so that a
// verdict can quote them and a report can serialise them, and nothing here can
// call the daemon or the host.
package evidence

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/system"
	"github.com/docker/docker/client"

	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// Failure is an error as evidence: its text, and the kind the Engine API's
// status code or the transport gave it.
type Failure struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

func (f *Failure) Error() string { return f.Message }

// Failure kinds.
const (
	KindInvalidParameter = "invalid-parameter" // HTTP 400
	KindNotFound         = "not-found"         // HTTP 404
	KindConflict         = "conflict"          // HTTP 409
	KindSystem           = "system"            // HTTP 500
	KindConnection       = "connection"        // the daemon could not be reached
	KindTimeout          = "timeout"           // a wait ran out
	KindOther            = "other"
)

// FailureOf turns an error into evidence; nil stays nil.
func FailureOf(err error) *Failure {
	if err == nil {
		return nil
	}
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	kind := KindOther
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		// A request that ran into its deadline got no answer: the daemon
		// connection is lost, whatever the request was.
		return &Failure{Kind: KindConnection, Message: "no answer before the request deadline: " + err.Error()}
	case errors.Is(err, context.Canceled):
		return &Failure{Kind: KindConnection, Message: "request abandoned, the run was interrupted: " + err.Error()}
	case client.IsErrConnectionFailed(err), isTransportFault(err):
		kind = KindConnection
	case cerrdefs.IsInvalidArgument(err):
		kind = KindInvalidParameter
	case cerrdefs.IsNotFound(err):
		kind = KindNotFound
	case cerrdefs.IsConflict(err):
		kind = KindConflict
	case cerrdefs.IsInternal(err) || cerrdefs.IsUnknown(err):
		kind = KindSystem
	}
	return &Failure{Kind: kind, Message: err.Error()}
}

// isTransportFault reports errors that say the connection broke rather than
// the daemon answered: an EOF, a reset or broken pipe, a network error, or a
// recorded transport error replayed.
func isTransportFault(err error) bool {
	var replayed interface{ TransportFault() }
	var netErr net.Error
	return errors.As(err, &replayed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.As(err, &netErr)
}

// WindowsBuild reads the build number from a Windows KernelVersion
// ("10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)") or OSVersion
// ("10.0.17763.1039"). It returns 0 when there is none.
func WindowsBuild(s string) int {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '.' || r == '(' })
	if len(fields) >= 3 && fields[0] == "10" && fields[1] == "0" {
		n, _ := strconv.Atoi(fields[2])
		return n
	}
	return 0
}

// Daemon is the evidence of the provisioning claims.
type Daemon struct {
	// Target is the daemon address as configured (DOCKER_HOST or the default).
	Target string `json:"target"`
	// Local is true when Target is a unix socket or named pipe on this host,
	// so that host probes describe the daemon's host.
	Local bool `json:"local"`
	// Unreachable is set when the daemon did not answer.
	Unreachable *Failure      `json:"unreachable,omitempty"`
	Version     types.Version `json:"version"`
	Info        system.Info   `json:"info"`
	// Host is the host probe's view of the OS; nil when the daemon is not local.
	Host    *hostprobe.OSInfo `json:"host,omitempty"`
	HostErr *Failure          `json:"host_error,omitempty"`
	// Services is the Windows service state; empty on Linux or a remote daemon.
	Services    []hostprobe.Service `json:"services,omitempty"`
	ServicesErr *Failure            `json:"services_error,omitempty"`
	// Processes is the Windows host's process table before any row starts;
	// it decides how VM workers are attributed (hostprobe.ExactAttributionPossible).
	Processes    *hostprobe.Snapshot `json:"processes,omitempty"`
	ProcessesErr *Failure            `json:"processes_error,omitempty"`
	Image        Image               `json:"image"`
}

// Service returns the named service's state, if it was read.
func (d Daemon) Service(name string) (hostprobe.Service, bool) {
	for _, s := range d.Services {
		if s.Name == name {
			return s, true
		}
	}
	return hostprobe.Service{}, false
}

// Image is the evidence about the base image.
type Image struct {
	Ref string `json:"ref"`
	// RefErr is set when no image could be chosen for the host build.
	RefErr *Failure `json:"ref_error,omitempty"`
	// PresentBefore is whether the image was on the host before any pull.
	PresentBefore bool     `json:"present_before"`
	Pulled        bool     `json:"pulled"`
	PullErr       *Failure `json:"pull_error,omitempty"`
	// Inspect is the image as the daemon reports it after any pull; nil when absent.
	Inspect    *image.InspectResponse `json:"inspect,omitempty"`
	InspectErr *Failure               `json:"inspect_error,omitempty"`
}

// Row names one isolation table row: a platform and an isolation mode.
type Row struct {
	Platform string `json:"platform"`
	Mode     string `json:"mode"`
}

func (r Row) String() string { return r.Platform + "/" + r.Mode }

// Refusal reports whether the row asks for a mode the platform must refuse:
// a Linux daemon has only its default isolation.
func (r Row) Refusal() bool { return r.Platform == "linux" && r.Mode != "default" }

// Rows is every platform × mode the suite knows, in the order it runs them.
var Rows = []Row{
	{Platform: "windows", Mode: "process"},
	{Platform: "windows", Mode: "hyperv"},
	{Platform: "linux", Mode: "default"},
	{Platform: "linux", Mode: "process"},
	{Platform: "linux", Mode: "hyperv"},
}

// Workload is the evidence of one isolation row that starts a container.
type Workload struct {
	Row   Row    `json:"row"`
	Image string `json:"image"`
	// Isolation is what the harness asked for in HostConfig.Isolation.
	Isolation   string   `json:"isolation"`
	ContainerID string   `json:"container_id,omitempty"`
	CreateErr   *Failure `json:"create_error,omitempty"`
	StartErr    *Failure `json:"start_error,omitempty"`
	// RunErr is set when the container did not reach running.
	RunErr  *Failure                   `json:"run_error,omitempty"`
	Inspect *container.InspectResponse `json:"inspect,omitempty"`
	Top     *container.TopResponse     `json:"top,omitempty"`
	TopErr  *Failure                   `json:"top_error,omitempty"`
	// SettleErr is set when the evidence never settled within the step
	// timeout: the workload never showed in docker top under its own name or,
	// for a process on the host, never showed there with the same PID and
	// name. Top and After are then the last answers.
	SettleErr *Failure `json:"settle_error,omitempty"`
	// Before and After are host snapshots around the start.
	Before *hostprobe.Snapshot `json:"before,omitempty"`
	After  *hostprobe.Snapshot `json:"after,omitempty"`
	// Serialized: the snapshots were taken under the harness-wide lock, so
	// that no other row's start fell between them (needed only when VM
	// workers are attributed by timing).
	Serialized bool     `json:"serialized,omitempty"`
	HostErr    *Failure `json:"host_error,omitempty"`
	RemoveErr  *Failure `json:"remove_error,omitempty"`
	// GoneErr is set when the container was still listed after removal.
	GoneErr *Failure `json:"gone_error,omitempty"`
	// WorkersGoneErr is set when VM workers that appeared at the start were
	// still running after removal.
	WorkersGoneErr *Failure `json:"workers_gone_error,omitempty"`
}

// Refusal is the evidence of a row that asks a daemon for an isolation mode it
// must refuse.
type Refusal struct {
	Row Row `json:"row"`
	// CreateErr is the daemon's answer; nil when it accepted the container.
	CreateErr   *Failure `json:"create_error,omitempty"`
	ContainerID string   `json:"container_id,omitempty"`
}
