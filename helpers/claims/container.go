package claims

import (
	"github.com/wincontainer-gate/conformance/helpers/evidence"
)

// InContainerMessage is how every host-side claim reports a harness that runs
// inside a container: the host probe then reads the container's process table
// and services, not the host's, so nothing it says is about the daemon.
const InContainerMessage = "probe broken: the harness runs inside a container"

// harnessInContainer fails a host-side claim, as a broken probe and never as
// the daemon's fault, when the host probe saw that the harness itself runs
// inside a container.
func harnessInContainer(d evidence.Daemon) (Verdict, bool) {
	if d.Host == nil || len(d.Host.InContainer) == 0 {
		return Verdict{}, false
	}
	return failed(InContainerMessage,
		"run the gate on the container host itself (not in a container, even one given the daemon's socket or pipe): its host-side claims need the host's own process table and services",
		d.Host.InContainer...), true
}
