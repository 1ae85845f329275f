package main

import (
	"context"
	"slices"
	"strings"
	"time"

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
// other VMs (less those a started container ends), the harness itself, then
// per container the daemon knows (in creation order) its top processes while
// it runs, if the description says the host sees them (same PIDs, in the
// container's session or PID namespace), and the VM workers that appeared at
// its start, while it runs or, when they outlive removal, ever after. The
// snapshot is taken at the simulated daemon's clock. On Windows it carries
// the HCS compute systems (the described foreign ones, then one per running
// container, named by its id, with its hcs_runtime_id) unless hcs_error is
// set, and owners unless owners_error is set.
//
// A new worker without create_time is created when its container started;
// without parent_pid, by the host's vmcompute.exe; without owner, it runs as
// the account of its container's utility VM (hcs_runtime_id).
func (h *describedHost) Processes(_ context.Context, _ string) (hostprobe.Snapshot, error) {
	host := h.d.Host
	snap := hostprobe.Snapshot{SelfPID: host.Self.PID, TakenAt: h.sim.now(), Processes: []hostprobe.Process{}}
	add := func(p ProcessDesc) {
		created, _ := time.Parse(time.RFC3339Nano, p.CreateTime) // validated when loaded
		snap.Processes = append(snap.Processes, hostprobe.Process{
			PID: p.PID, Name: p.Name, Session: p.Session, PIDNamespace: p.PIDNamespace,
			ParentPID: p.ParentPID, CreateTime: created.UTC(), OwnerSID: p.OwnerSID, Owner: p.Owner,
			CommandLineIDs: p.CommandLineIDs, CommandLineErr: p.CommandLineErr,
		})
	}
	containers := h.sim.snapshotContainers()
	var ended []int
	for _, c := range containers {
		if !c.Started.IsZero() {
			ended = append(ended, c.Desc.EndsWorkers...)
		}
	}
	for _, p := range host.Processes {
		add(p)
	}
	for _, p := range host.VMWorkers {
		if !slices.Contains(ended, p.PID) {
			add(p)
		}
	}
	add(host.Self)
	windows := h.d.platform() == "windows"
	if windows {
		snap.OwnersErr = host.OwnersError
		snap.HCS = &hostprobe.HCSView{Systems: []hostprobe.ComputeSystem{}}
		for _, cs := range host.ComputeSystems {
			snap.HCS.Systems = append(snap.HCS.Systems, cs)
		}
		if host.HCSError != "" {
			snap.HCS = &hostprobe.HCSView{Err: host.HCSError}
		}
	}
	for _, c := range containers {
		running := c.Status == container.StateRunning
		if running && c.Desc.HostSeesProcesses {
			for _, p := range c.topProcesses() {
				add(ProcessDesc{PID: p.PID, Name: p.Name, Session: c.Desc.HostSession, PIDNamespace: c.Desc.HostPIDNamespace})
			}
		}
		if running && windows && host.HCSError == "" {
			snap.HCS.Systems = append(snap.HCS.Systems, containerSystem(c))
		}
		started := !c.Started.IsZero()
		if started && windows {
			for _, vm := range c.Desc.StartsVMs {
				if host.HCSError == "" {
					snap.HCS.Systems = append(snap.HCS.Systems, vm.System)
				}
				add(h.startedWorker(vm, c))
			}
		}
		gone := c.Status == "removed" || c.Status == container.StateRemoving
		if started && (running || (gone && c.Desc.WorkersOutliveRemoval)) {
			for _, p := range c.Desc.NewWorkers {
				add(h.newWorker(p, c))
			}
		}
	}
	return snap, nil
}

// containerSystem is how HCS lists a running container: moby's built-in
// runtime names the system by the container id (libcontainerd/local:
// hcsshim.CreateContainer(id, ...), Owner "docker"); containerd's runhcs
// shim lists only the utility VM "<id>@vm", owned by the shim's executable
// (hcsshim cmd/containerd-shim-runhcs-v1/task_hcs.go).
// A process-isolated container under the shim is a host compute system of
// its own, owned by the shim (containerd/containerd#5188).
func containerSystem(c simContainer) hostprobe.ComputeSystem {
	const shim = "containerd-shim-runhcs-v1.exe"
	switch {
	case c.Desc.HCSLayout == "containerd" && c.Desc.HCSRuntimeID != "":
		return hostprobe.ComputeSystem{ID: c.ID + "@vm", SystemType: "VirtualMachine", Owner: shim, RuntimeID: c.Desc.HCSRuntimeID}
	case c.Desc.HCSLayout == "containerd":
		return hostprobe.ComputeSystem{ID: c.ID, SystemType: "Container", Owner: shim}
	}
	return hostprobe.ComputeSystem{ID: c.ID, SystemType: "Container", Owner: "docker", RuntimeID: c.Desc.HCSRuntimeID}
}

// startedWorker is the worker of a VM that started with the container: as
// a new worker, running as the VM's account.
func (h *describedHost) startedWorker(vm StartedVMDesc, c simContainer) ProcessDesc {
	p := vm.Worker
	if p.Owner == "" {
		id := vm.System.RuntimeID
		if id == "" {
			id = vm.System.ID
		}
		p.Owner = hostprobe.VMAccountDomain + `\` + id
	}
	return h.newWorker(p, c)
}

// newWorker fills in what a new VM worker's description leaves out.
func (h *describedHost) newWorker(p ProcessDesc, c simContainer) ProcessDesc {
	if p.CreateTime == "" {
		p.CreateTime = c.Started.UTC().Format(time.RFC3339Nano)
	}
	if p.ParentPID == 0 {
		for _, q := range h.d.Host.Processes {
			if hostprobe.SameImageName(q.Name, "vmcompute.exe") {
				p.ParentPID = q.PID
			}
		}
	}
	if p.Owner == "" && c.Desc.HCSRuntimeID != "" && strings.Trim(c.Desc.HCSRuntimeID, "0-") != "" {
		p.Owner = hostprobe.VMAccountDomain + `\` + c.Desc.HCSRuntimeID
	}
	return p
}

// Services answers in the order asked; a service the description does not
// list does not exist.
func (h *describedHost) Services(_ context.Context, _ string, names []string) ([]hostprobe.Service, error) {
	return describedServices(h.d.Host.Services, names), nil
}

// describedServices answers a service query from a description's services.
func describedServices(services map[string]ServiceDesc, names []string) []hostprobe.Service {
	out := make([]hostprobe.Service, 0, len(names))
	for _, name := range names {
		s, ok := services[name]
		if !ok || (s.Exists != nil && !*s.Exists) {
			out = append(out, hostprobe.Service{Name: name})
			continue
		}
		out = append(out, hostprobe.Service{Name: name, Exists: true, State: s.State, StartType: s.StartType, PID: s.PID})
	}
	return out
}

// OS answers the described OS; the host name stays empty, so nothing is
// redacted for it.
func (h *describedHost) OS(context.Context, string) (hostprobe.OSInfo, error) {
	return describedOS(h.d.Host.OS), nil
}

// describedOS is the host probe's OS answer of a description.
func describedOS(o OSDesc) hostprobe.OSInfo {
	return hostprobe.OSInfo{OS: o.OS, Build: o.Build, Revision: o.Revision, Edition: o.Edition, ProductType: o.ProductType, InContainer: o.InContainer}
}
