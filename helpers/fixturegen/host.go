package main

import (
	"context"

	"github.com/docker/docker/api/types/container"

	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// describedHost is the host probe of a constructed host. It answers from the
// description and from the simulated daemon's state, so that what the host
// shows follows what the daemon did: a process-isolated container's
// processes are host processes while it runs, a Hyper-V container's VM worker
// runs from its start to its removal.
type describedHost struct {
	d   *Description
	sim *simDaemon
}

var _ hostprobe.Host = (*describedHost)(nil)

// Processes is, in this order: the host's own processes, the VM workers of
// other VMs, the harness itself, then per container the daemon knows (in
// creation order) its top processes while it runs, if the description says
// the host sees them (same PIDs, in the container's session or PID
// namespace), and the VM workers that appeared at its start, while it runs
// or, when they outlive removal, ever after.
func (h *describedHost) Processes(_ context.Context, _ string) (hostprobe.Snapshot, error) {
	host := h.d.Host
	snap := hostprobe.Snapshot{SelfPID: host.Self.PID, Processes: []hostprobe.Process{}}
	add := func(p ProcessDesc) {
		snap.Processes = append(snap.Processes, hostprobe.Process{PID: p.PID, Name: p.Name, Session: p.Session, PIDNamespace: p.PIDNamespace})
	}
	for _, p := range host.Processes {
		add(p)
	}
	for _, p := range host.VMWorkers {
		add(p)
	}
	add(host.Self)
	for _, c := range h.sim.snapshotContainers() {
		running := c.Status == container.StateRunning
		if running && c.Desc.HostSeesProcesses {
			for _, p := range c.topProcesses() {
				add(ProcessDesc{PID: p.PID, Name: p.Name, Session: c.Desc.HostSession, PIDNamespace: c.Desc.HostPIDNamespace})
			}
		}
		started := !c.Started.IsZero()
		gone := c.Status == "removed" || c.Status == container.StateRemoving
		if started && (running || (gone && c.Desc.WorkersOutliveRemoval)) {
			for _, p := range c.Desc.NewWorkers {
				add(p)
			}
		}
	}
	return snap, nil
}

// Services answers in the order asked; a service the description does not
// list does not exist.
func (h *describedHost) Services(_ context.Context, _ string, names []string) ([]hostprobe.Service, error) {
	out := make([]hostprobe.Service, 0, len(names))
	for _, name := range names {
		s, ok := h.d.Host.Services[name]
		if !ok || (s.Exists != nil && !*s.Exists) {
			out = append(out, hostprobe.Service{Name: name})
			continue
		}
		out = append(out, hostprobe.Service{Name: name, Exists: true, State: s.State, StartType: s.StartType})
	}
	return out, nil
}

// OS answers the described OS; the host name stays empty, so nothing is
// redacted for it.
func (h *describedHost) OS(context.Context, string) (hostprobe.OSInfo, error) {
	o := h.d.Host.OS
	return hostprobe.OSInfo{OS: o.OS, Build: o.Build, Revision: o.Revision, Edition: o.Edition, ProductType: o.ProductType}, nil
}
