package claims

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// Provisioning claims of the containerd engine (CONFORMANCE_ENGINE=containerd).
// service-vmcompute and service-vmms are shared with Docker.
const (
	RuntimeReachable  = "runtime-reachable"
	RuntimeVersion    = "runtime-version"
	RuntimeReady      = "runtime-ready"
	RuntimeHandlers   = "runtime-handlers"
	ServiceContainerd = "service-containerd"
	SandboxImage      = "sandbox-image"
	WorkloadImage     = "workload-image"
)

// Row claim kinds of the containerd table; an ID is "cri/<platform>/<mode>/<kind>".
const (
	KindSandbox   = "sandbox"
	KindIsolation = "isolation"
)

// CRIID names the claim of one kind on one containerd row.
func CRIID(row evidence.CRIRow, kind string) string { return row.String() + "/" + kind }

// CRIRowKinds lists the claim kinds judged on a containerd row, in order.
func CRIRowKinds(row evidence.CRIRow) []string {
	if row.Refusal() {
		return []string{KindRefused}
	}
	return []string{KindSandbox, KindStart, KindIsolation, KindProcessTree, KindCleanup}
}

// CRIV1 is the CRI API version the harness needs: k8s.io/cri-api v1, which
// kubelet 1.26 and later require (v1alpha2 was removed).
const CRIV1 = "v1"

// CheckRuntimeReachable: the CRI endpoint answered Version with a runtime
// that serves CRI v1.
func CheckRuntimeReachable(r evidence.Runtime) Verdict {
	if r.Unreachable != nil {
		ev := "error: " + r.Unreachable.Message
		msg := fmt.Sprintf("cannot reach the CRI runtime at %s", r.Target)
		switch {
		case strings.Contains(r.Unreachable.Message, "unknown service runtime.v1.RuntimeService"):
			return failed(msg+": it does not serve CRI v1 (the CRI plugin is disabled, or the runtime is older than containerd 1.6)",
				`remove "cri" from disabled_plugins in containerd's config.toml and restart containerd; upgrade containerd to 1.6 or later`, ev)
		case Classify(r.Unreachable.Message) == ClassAccessDenied:
			return failed(msg+": access denied", "run elevated (an Administrator shell on Windows, root on Linux)", ev)
		case r.Unreachable.Kind == evidence.KindConnection || Classify(r.Unreachable.Message) == ClassNotListening:
			return failed(msg+": nothing answers there", "start containerd (Windows: Start-Service containerd; Linux: systemctl start containerd), or point "+config.EnvRuntimeEndpoint+" at its socket or pipe", ev)
		}
		return failed(msg, "check that containerd runs with its CRI plugin and that "+config.EnvRuntimeEndpoint+" names it", ev)
	}
	ev := fmt.Sprintf("Version: runtime_name %q, runtime_version %q, runtime_api_version %q", r.Name, r.Version, r.APIVersion)
	if r.APIVersion != CRIV1 {
		return failed(fmt.Sprintf("runtime %s %s serves CRI %q, want %q", r.Name, r.Version, r.APIVersion, CRIV1),
			"upgrade the runtime to one that serves CRI v1 (containerd 1.6 or later)", ev)
	}
	return passed(fmt.Sprintf("CRI runtime at %s answered: %s %s, CRI %s", r.Target, r.Name, r.Version, r.APIVersion), ev)
}

// CheckRuntimeVersion: the runtime is containerd and its version satisfies
// CONFORMANCE_RUNTIME_VERSION.
func CheckRuntimeVersion(r evidence.Runtime, e config.Expectations) Verdict {
	want := config.DefaultRuntimeVersion
	if e.CRI != nil {
		want = e.CRI.RuntimeVersion
	}
	ev := fmt.Sprintf("runtime %q version %q; %s %q", r.Name, r.Version, config.EnvRuntimeVersion, want)
	if r.Name != "containerd" {
		return failed(fmt.Sprintf("the CRI runtime is %q, not containerd", r.Name), "point "+config.EnvRuntimeEndpoint+" at containerd's endpoint, or gate this runtime another way", ev)
	}
	c, err := config.ParseConstraint(want)
	if err != nil {
		return failed("the version constraint is invalid: "+err.Error(), "fix "+config.EnvRuntimeVersion, ev)
	}
	ok, err := c.Allows(r.Version)
	switch {
	case err != nil:
		return failed(fmt.Sprintf("containerd reports version %q, which is not a version: %v", r.Version, err), "install a released containerd", ev)
	case !ok:
		return failed(fmt.Sprintf("containerd %s does not satisfy %s", r.Version, want), "install containerd "+want+" (the node image's containerd package), or change "+config.EnvRuntimeVersion, ev)
	}
	return passed(fmt.Sprintf("containerd %s satisfies %s", r.Version, want), ev)
}

// CheckRuntimeReady: Status reports RuntimeReady. NetworkReady is required
// where the rows need a pod network: on Windows (no host-network pods but
// HostProcess ones); on Linux the rows use the node's network, and a node
// that has not joined a cluster has no CNI config, which is only a warning.
func CheckRuntimeReady(r evidence.Runtime) Verdict {
	if r.StatusErr != nil {
		return failed("the runtime did not answer Status: "+r.StatusErr.Message, "look at containerd's log: the CRI plugin failed to start", "error: "+r.StatusErr.Message)
	}
	var ev []string
	for _, c := range r.Conditions {
		ev = append(ev, fmt.Sprintf("%s=%t %s %s", c.Type, c.Status, c.Reason, firstLine(c.Message)))
	}
	rt, ok := r.Condition("RuntimeReady")
	if !ok || !rt.Status {
		return failed("the runtime is not ready (RuntimeReady "+condText(rt, ok)+")", "look at containerd's log for the CRI plugin's error and restart containerd", ev...)
	}
	net, ok := r.Condition("NetworkReady")
	if !ok || !net.Status {
		if r.Platform() == "windows" {
			return failed("the pod network is not ready (NetworkReady "+condText(net, ok)+"): a Windows pod sandbox cannot start without a CNI network",
				`install a CNI config and plugin into the dirs containerd's config.toml names (conf_dir, bin_dir): a nat network (containernetworking/plugins "nat" with a 0-containerd-nat.conf) for a node that has not joined a cluster, the cluster's CNI after it joins`, ev...)
		}
		v := passed("the runtime is ready", ev...)
		v.Warnings = append(v.Warnings, "NetworkReady is "+condText(net, ok)+": pods on the pod network cannot start until a CNI config is installed (the rows use the node's network)")
		return v
	}
	return passed("the runtime and its pod network are ready", ev...)
}

func condText(c evidence.RuntimeCondition, ok bool) string {
	if !ok {
		return "not reported"
	}
	return fmt.Sprintf("%t: %s %s", c.Status, c.Reason, firstLine(c.Message))
}

// RowHandlers lists the handlers the rows under test ask for, by row.
func RowHandlers(platform string, e config.Expectations) map[string]string {
	out := map[string]string{}
	if platform != "windows" || e.CRI == nil {
		return out
	}
	if e.WantsMode("process") {
		out["process"] = e.CRI.HandlerProcess
	}
	if e.WantsMode("hyperv") {
		out["hyperv"] = e.CRI.HandlerHyperV
	}
	return out
}

// CheckRuntimeHandlers: the handlers of the Windows rows under test are
// configured. containerd reports them in Status.runtime_handlers (2.0 and
// later) or, verbose, in its CRI config (1.6, 1.7); a runtime that reports
// neither passes with a warning: the rows' sandboxes prove each handler.
func CheckRuntimeHandlers(r evidence.Runtime, e config.Expectations) Verdict {
	want := RowHandlers(r.Platform(), e)
	if r.Platform() == "linux" {
		return passed(fmt.Sprintf("Linux rows use the default handler; configured: %s", handlerList(r.Handlers)), "handlers from "+nonEmpty(r.HandlersFrom, "nothing"))
	}
	if r.HandlersFrom == "" {
		v := passed("the runtime reports no handlers; each row's sandbox proves its own")
		v.Warnings = append(v.Warnings, "neither Status.runtime_handlers nor the verbose CRI config lists runtime handlers")
		return v
	}
	ev := []string{fmt.Sprintf("handlers (from %s): %s", r.HandlersFrom, handlerList(r.Handlers))}
	var missing []string
	for _, mode := range []string{"process", "hyperv"} {
		if h, ok := want[mode]; ok && !slices.Contains(r.Handlers, h) {
			missing = append(missing, fmt.Sprintf("%s (%s)", h, mode))
		}
	}
	if len(missing) > 0 {
		return failed("runtime handler(s) not configured: "+strings.Join(missing, ", "),
			`add them to containerd's config.toml ([plugins."io.containerd.grpc.v1.cri".containerd.runtimes.<name>] with runtime_type "io.containerd.runhcs.v1" and, for the hypervisor handler, SandboxIsolation = 1 in its options; containerd 1.7 and later configure runhcs-wcow-process and runhcs-wcow-hypervisor by default) and restart containerd, or name the configured ones with `+config.EnvHandlerProcess+"/"+config.EnvHandlerHyperV, ev...)
	}
	return passed("the rows' handlers are configured", ev...)
}

func handlerList(h []string) string {
	if len(h) == 0 {
		return "none reported"
	}
	out := make([]string, len(h))
	for i, n := range h {
		out[i] = strconv.Quote(n)
	}
	return strings.Join(out, ", ")
}

// runtimeDaemon is the part of a Docker daemon's evidence the shared
// service claims read, taken from a containerd host's evidence.
func runtimeDaemon(r evidence.Runtime) evidence.Daemon {
	d := evidence.Daemon{Target: r.Target, Local: r.Local, Host: r.Host, HostErr: r.HostErr, Services: r.Services, ServicesErr: r.ServicesErr}
	d.Info.OSType = r.Platform()
	return d
}

// CheckServiceContainerd: the containerd service exists, runs and starts
// with Windows (a node image whose containerd does not start at boot never
// becomes Ready after a reboot).
func CheckServiceContainerd(r evidence.Runtime) Verdict {
	d := runtimeDaemon(r)
	if v, ok := hostSide(d); !ok {
		return v
	}
	line, exists, running := serviceLine("containerd", d)
	s, _ := d.Service("containerd")
	switch {
	case !exists:
		return failed("the containerd service is not registered", `containerd.exe --register-service; Start-Service containerd (or the node image's install step)`, line)
	case !running:
		return failed("the containerd service is "+nonEmpty(s.State, "not running"), "Start-Service containerd", line)
	case s.StartType != "auto" && s.StartType != "delayed-auto":
		return failed("the containerd service does not start with Windows (start type "+s.StartType+")", "Set-Service containerd -StartupType Automatic", line)
	}
	return passed("containerd service running, starts automatically", line)
}

// CheckCRIServiceVmcompute and CheckCRIServiceVmms are Docker's rules on a
// containerd host.
func CheckCRIServiceVmcompute(r evidence.Runtime) Verdict {
	return CheckServiceVmcompute(runtimeDaemon(r))
}

func CheckCRIServiceVmms(r evidence.Runtime, e config.Expectations) Verdict {
	return CheckServiceVmms(runtimeDaemon(r), e)
}

// criModes are the Windows isolation modes under test.
func criModes(e config.Expectations) []string {
	var modes []string
	for _, m := range []string{"process", "hyperv"} {
		if e.WantsMode(m) {
			modes = append(modes, m)
		}
	}
	return modes
}

// imageFits judges an image's build against the host's for the modes under
// test: process isolation needs hcsshim's rule, Hyper-V an image no newer
// than the host. An image that does not say its build passes with a warning.
func imageFits(what string, img evidence.CRIImage, r evidence.Runtime, e config.Expectations) Verdict {
	ev := fmt.Sprintf("%s %s: id %s, os %q, os.version %q", what, img.Ref, hostprobe.ShortID(img.ID), img.OS, img.OSVersion)
	if r.Platform() != "windows" {
		if img.OS != "" && img.OS != r.Platform() {
			return failed(fmt.Sprintf("the %s is for %s, the host runs %s", what, img.OS, r.Platform()), "use a "+r.Platform()+" image", ev)
		}
		return passed(fmt.Sprintf("%s %s is present", what, img.Ref), ev)
	}
	host := criHostBuild(r)
	image := evidence.WindowsBuild(img.OSVersion)
	if image == 0 || host == 0 {
		v := passed(fmt.Sprintf("%s %s is present", what, img.Ref), ev)
		v.Warnings = append(v.Warnings, fmt.Sprintf("the build of the %s or of the host is unknown: its fit is not judged", what))
		return v
	}
	var misfit []string
	for _, m := range criModes(e) {
		if !BuildFits(m, host, image) {
			misfit = append(misfit, m)
		}
	}
	if len(misfit) > 0 {
		return failed(fmt.Sprintf("the %s is built for %d, which %s isolation cannot run on build %d", what, image, strings.Join(misfit, " and "), host),
			FitFix(Fit{Host: host, Modes: criModes(e), Image: img.Ref}), ev)
	}
	return passed(fmt.Sprintf("%s %s (build %d) fits host build %d", what, img.Ref, image, host), ev)
}

// CheckSandboxImage: the sandbox (pause) image the CRI config names is on
// the node and fits the host build; a node image that has not joined a
// cluster cannot pull it at its first pod when its registry is unreachable.
func CheckSandboxImage(r evidence.Runtime, e config.Expectations) Verdict {
	img := r.SandboxImage
	switch {
	case img.Err != nil:
		return failed("the sandbox image could not be read: "+img.Err.Message, "set sandbox_image in containerd's config.toml (or "+config.EnvSandboxImage+")", "error: "+img.Err.Message)
	case !img.Present:
		return failed(fmt.Sprintf("the sandbox image %s is not on the node", img.Ref),
			fmt.Sprintf("pull it in the image build (ctr -n k8s.io images pull %s, or crictl pull %s) so that the first pod does not depend on the registry", img.Ref, img.Ref),
			"ImageStatus: no image")
	}
	return imageFits("sandbox image", img, r, e)
}

// CheckWorkloadImage: the workload image is on the node (after any pull the
// policy allows) and fits the host build.
func CheckWorkloadImage(r evidence.Runtime, e config.Expectations) Verdict {
	img := r.Image
	switch {
	case img.Err != nil && img.Ref == "":
		return failed(img.Err.Message, "set "+config.EnvImage, "error: "+img.Err.Message)
	case img.Err != nil:
		return failed(fmt.Sprintf("the workload image %s is not available: %s", img.Ref, firstLine(img.Err.Message)), criPullFix(r, e, img), "error: "+img.Err.Message)
	case !img.Present:
		return failed(fmt.Sprintf("the workload image %s is not on the node and %s=%s", img.Ref, config.EnvPull, e.Pull), "pull it (crictl pull "+img.Ref+") or set "+config.EnvPull+"=missing", "ImageStatus: no image")
	}
	return imageFits("workload image", img, r, e)
}

// criPullFix says what to do about a pull through CRI that failed. containerd
// words an image with no variant for the node's platform "no match for
// platform in manifest: not found" (containerd images/handlers.go; a Windows
// Server 2022 node pulling an ltsc2019 or ltsc2025 tag:
// kubernetes-sigs/sig-windows-tools#237, containerd/containerd#6989): the
// registry answered, so the fix is an image of this host's build. A missing
// tag, an image of another OS or missing foreign layers get Docker's fixes;
// any other failure is reachability, fixed on the node with containerd's
// tools (docker load does not reach containerd's k8s.io namespace).
func criPullFix(r evidence.Runtime, e config.Expectations, img evidence.CRIImage) string {
	msg := img.Err.Message
	class := Classify(msg)
	if strings.Contains(strings.ToLower(msg), "no match for platform in manifest") || class == ClassImageMismatch {
		host := criHostBuild(r)
		if r.Platform() != "windows" || host == 0 {
			return "the registry has no variant of this image for the node's platform: set " + config.EnvImage + " to an image built for it"
		}
		return "the registry has no variant of this image for the host's build: " + FitFix(Fit{Host: host, Modes: criModes(e), Image: img.Ref}) + " (set " + config.EnvImage + ")"
	}
	switch class {
	case ClassTagMissing, ClassWrongImageOS, ClassForeignLayers:
		return pullFix(runtimeDaemon(r), e, msg)
	}
	return "make the image reachable from the node (registry, proxy, credentials in containerd's registry config) or import it (ctr -n k8s.io images import); then re-run"
}

// criHostBuild is the build the host probe read, 0 when it read none.
func criHostBuild(r evidence.Runtime) int {
	if r.Host == nil {
		return 0
	}
	host, _ := strconv.Atoi(r.Host.Build)
	return host
}

// CRIRowApplies decides from the host the runtime runs on whether a row runs.
func CRIRowApplies(r evidence.Runtime, e config.Expectations, row evidence.CRIRow) (bool, string) {
	if p := r.Platform(); p != row.Platform {
		return false, "the runtime's host runs " + nonEmpty(p, "an unknown OS")
	}
	if row.Platform == "windows" && !e.WantsMode(row.Mode) {
		return false, fmt.Sprintf("isolation %s is not under test (%s=%s)", row.Mode, config.EnvIsolation, strings.Join(e.Isolation, ","))
	}
	return true, ""
}

// CRIStartNeeds lists the provisioning claims a row's sandbox depends on.
func CRIStartNeeds(row evidence.CRIRow) []string {
	needs := []string{RuntimeReachable, RuntimeReady, SandboxImage}
	if row.Platform == "windows" {
		needs = append(needs, RuntimeHandlers)
	}
	if !row.Refusal() {
		needs = append(needs, WorkloadImage)
	}
	return needs
}

// CheckSandbox: the sandbox ran with the row's handler and the runtime
// reports that handler for it.
func CheckSandbox(p evidence.Pod) Verdict {
	want := strconv.Quote(p.Handler)
	if p.RunErr != nil {
		ev := "RunPodSandbox: " + p.RunErr.Message
		if v, lost := connectionLost("RunPodSandbox", p.RunErr, ev); lost {
			return v
		}
		msg := p.RunErr.Message
		switch {
		case strings.Contains(msg, "no runtime for"):
			return failed(fmt.Sprintf("runtime handler %s is not configured", want),
				`add [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.`+p.Handler+`] to containerd's config.toml (runtime_type "io.containerd.runhcs.v1") and restart containerd, or name a configured handler with `+handlerEnv(p.Row), ev)
		case strings.Contains(strings.ToLower(msg), "cni") || strings.Contains(msg, "failed to setup network"):
			return failed("the sandbox's network could not be set up: "+firstLine(msg), "install a CNI config (a nat network for a node that has not joined a cluster) into containerd's CNI conf_dir", ev)
		case Classify(msg) == ClassNoHypervisor:
			return failed("the hypervisor handler cannot start a utility VM: Hyper-V is not usable on this host", "install Hyper-V (Install-WindowsFeature -Name Hyper-V; Restart-Computer; in a VM enable nested virtualization), or leave hyperv out with "+config.EnvIsolation+"=process", ev)
		case Classify(msg) == ClassImageMismatch:
			return failed("the sandbox image does not fit the host build: "+firstLine(msg), "set sandbox_image in containerd's config.toml to the pause image of this host's build", ev)
		}
		return failed("RunPodSandbox failed: "+firstLine(msg), "look at containerd's log for the sandbox's error", ev)
	}
	ev := fmt.Sprintf("sandbox %s: state %s, runtime_handler %q", hostprobe.ShortID(p.SandboxID), p.SandboxState, p.SandboxHandler)
	switch {
	case p.SandboxErr != nil:
		return failed("PodSandboxStatus failed: "+p.SandboxErr.Message, "look at containerd's log", ev)
	case p.SandboxHandler != p.Handler:
		return failed(fmt.Sprintf("the sandbox runs with handler %q, asked for %s", p.SandboxHandler, want), "this is a runtime fault: the handler asked for must be the one used", ev)
	case p.SandboxState != "SANDBOX_READY":
		return failed("the sandbox is "+p.SandboxState+", want SANDBOX_READY", "look at containerd's log for the sandbox's error", ev)
	}
	return passed(fmt.Sprintf("sandbox ready with handler %s", want), ev)
}

func handlerEnv(row evidence.CRIRow) string {
	if row.Mode == "hyperv" {
		return config.EnvHandlerHyperV
	}
	return config.EnvHandlerProcess
}

// CheckCRIStart: the workload container was created, started and runs with a pid.
func CheckCRIStart(p evidence.Pod) Verdict {
	for _, step := range []struct {
		name string
		f    *evidence.Failure
	}{{"CreateContainer", p.CreateErr}, {"StartContainer", p.StartErr}} {
		if step.f == nil {
			continue
		}
		ev := step.name + ": " + step.f.Message
		if v, lost := connectionLost(step.name, step.f, ev); lost {
			return v
		}
		fix := "look at containerd's log for the container's error"
		if Classify(step.f.Message) == ClassImageMismatch {
			fix = "use a workload image of the host's build (" + config.EnvImage + ")"
		}
		return failed(step.name+" failed: "+firstLine(step.f.Message), fix, ev)
	}
	ev := fmt.Sprintf("container %s: %s, pid %d", hostprobe.ShortID(p.ContainerID), p.ContainerState, p.PID)
	switch {
	case p.StatusErr != nil:
		return failed("the container never ran: "+p.StatusErr.Message, "look at containerd's log for the container's error", ev)
	case p.ContainerState != "CONTAINER_RUNNING":
		return failed("the container is "+p.ContainerState+", want CONTAINER_RUNNING", "look at the container's log: the workload exited", ev)
	case p.PID <= 0:
		return failed("the runtime reports no pid for the running container", "this containerd does not put the task's pid in ContainerStatus's verbose info", ev)
	}
	return passed(fmt.Sprintf("%s runs with pid %d", strings.Join(workloadCmd(p.Row.Platform), " "), p.PID), ev)
}

func workloadCmd(platform string) []string {
	if platform == "windows" {
		return []string{"ping", "localhost", "-t"}
	}
	return []string{"ping", "localhost"}
}

// Host views of a row's workload.
const (
	// ViewHostProcess: the workload is a process of the host (Linux, and
	// Windows process isolation).
	ViewHostProcess = "host-process"
	// ViewUtilityVM: the workload runs in a utility VM HCS lists.
	ViewUtilityVM = "utility-vm"
)

// CRIHostView is how the host must see the row's workload.
func CRIHostView(row evidence.CRIRow) string {
	if row.Platform == "windows" && row.Mode == "hyperv" {
		return ViewUtilityVM
	}
	return ViewHostProcess
}

// UtilityVMOf finds the sandbox's utility VM among HCS's compute systems:
// containerd's runhcs shim creates it as "<sandbox id>@vm", owned by
// containerd-shim-runhcs-v1.exe, of type VirtualMachine (hcsshim
// cmd/containerd-shim-runhcs-v1: fmt.Sprintf("%s@vm", id); docs/containerd.md).
func UtilityVMOf(s hostprobe.Snapshot, sandboxID string) (hostprobe.ComputeSystem, bool) {
	if s.HCS == nil || sandboxID == "" {
		return hostprobe.ComputeSystem{}, false
	}
	for _, cs := range s.HCS.Systems {
		if strings.EqualFold(cs.ID, sandboxID+"@vm") {
			return cs, true
		}
	}
	return hostprobe.ComputeSystem{}, false
}

// VMAccountProcesses are the processes running as the VM account of a
// RuntimeId ("NT VIRTUAL MACHINE\<id>"): vmmem of a VA-backed utility VM
// (hcsshim internal/uvm/stats.go looks it up so).
func VMAccountProcesses(s hostprobe.Snapshot, runtimeID string) []hostprobe.Process {
	id := normalGUID(runtimeID)
	if id == "" || id == zeroGUID {
		return nil
	}
	var out []hostprobe.Process
	for _, p := range s.Processes {
		if acct, ok := strings.CutPrefix(strings.ToUpper(p.Owner), `NT VIRTUAL MACHINE\`); ok && normalGUID(acct) == id {
			out = append(out, p)
		}
	}
	return out
}

const zeroGUID = "00000000-0000-0000-0000-000000000000"

func normalGUID(s string) string { return strings.ToLower(strings.Trim(strings.TrimSpace(s), "{}")) }

// CheckCRIIsolation: the host sees the isolation the handler must give.
// Linux: the workload's pid is a host process named as the workload, in a
// PID namespace other than the harness's. Windows process: no utility VM,
// and the pid is a host process in a session other than the harness's.
// Windows hypervisor: HCS lists the sandbox's utility VM; the processes
// running under its VM account are named, and their absence is a warning
// (a physically backed utility VM has no vmmem, and vmwp's account for a
// container utility VM is not documented).
func CheckCRIIsolation(r evidence.Runtime, p evidence.Pod) Verdict {
	if !r.Local {
		return skipped("the CRI endpoint " + r.Target + " is not local: this host's processes say nothing about it")
	}
	if v, inside := harnessInContainer(runtimeDaemon(r)); inside {
		return v
	}
	if p.After == nil {
		msg := "no host snapshot after the start"
		if p.HostErr != nil {
			msg += ": " + p.HostErr.Message
		}
		return failed(msg, "the host probe failed: run the gate on the node, elevated", msg)
	}
	after := *p.After
	self, _ := after.Self()
	want := WorkloadName(p.Row.Platform)
	proc, found := after.Find(p.PID)
	uvm, hasUVM := UtilityVMOf(after, p.SandboxID)
	switch CRIHostView(p.Row) {
	case ViewUtilityVM:
		ev := []string{hcsLine(after, p.SandboxID)}
		if after.HCS == nil || after.HCS.Err != "" {
			return failed("HCS's compute systems could not be read, so the utility VM cannot be seen", "run the gate elevated on the node (HcsEnumerateComputeSystems needs an Administrator)", ev...)
		}
		if !hasUVM {
			return failed(fmt.Sprintf("HCS lists no utility VM %s@vm: the %q handler did not isolate the pod in a VM", hostprobe.ShortID(p.SandboxID), p.Handler),
				`configure the handler for Hyper-V isolation: SandboxIsolation = 1 in [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.`+p.Handler+`.options]`, ev...)
		}
		if !strings.EqualFold(uvm.SystemType, "VirtualMachine") {
			return failed(fmt.Sprintf("compute system %s is a %s, not a VirtualMachine", uvm.ID, uvm.SystemType), "this is a runtime fault: report it with the evidence", ev...)
		}
		if found && hostprobe.SameImageName(proc.Name, want) {
			return failed(fmt.Sprintf("the workload's pid %d is a host process named %s: the workload runs on the host beside its utility VM", p.PID, proc.Name), "this is a runtime fault: report it with the evidence", append(ev, describe(proc, found))...)
		}
		workers := VMAccountProcesses(after, uvm.RuntimeID)
		v := passed(fmt.Sprintf("the pod runs in utility VM %s (RuntimeId %s)", uvm.ID, nonEmpty(uvm.RuntimeID, "unknown")), ev...)
		if len(workers) > 0 {
			v.Evidence = append(v.Evidence, fmt.Sprintf("its worker: %s running as NT VIRTUAL MACHINE\\%s", pids(workers), normalGUID(uvm.RuntimeID)))
		} else {
			v.Warnings = append(v.Warnings, fmt.Sprintf("no process runs as NT VIRTUAL MACHINE\\%s: the worker is not attributed (a physically backed utility VM has no vmmem; RuntimeId %q)", normalGUID(uvm.RuntimeID), uvm.RuntimeID))
		}
		return v
	}
	ev := []string{describe(proc, found)}
	if p.Row.Platform == "windows" {
		ev = append(ev, hcsLine(after, p.SandboxID))
		if hasUVM {
			return failed(fmt.Sprintf("HCS lists utility VM %s for a pod of the process handler %q: the pod is Hyper-V isolated", uvm.ID, p.Handler),
				`remove SandboxIsolation = 1 from the options of [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.`+p.Handler+`], or name the process handler with `+config.EnvHandlerProcess, ev...)
		}
	}
	if !found || !hostprobe.SameImageName(proc.Name, want) {
		return failed(fmt.Sprintf("the workload's pid %d is not a host process named %s", p.PID, want), "this is a runtime fault: the task's pid must be its host process under this isolation", ev...)
	}
	if p.Row.Platform == "linux" {
		switch {
		case proc.PIDNamespace == "" || self.PIDNamespace == "":
			v := passed(fmt.Sprintf("the workload is host process %d", p.PID), ev...)
			v.Warnings = append(v.Warnings, "PID namespaces could not be read: the namespace is not judged")
			return v
		case proc.PIDNamespace == self.PIDNamespace:
			return failed(fmt.Sprintf("the workload runs in the harness's PID namespace %s", proc.PIDNamespace), "this is a runtime fault: a container must get its own PID namespace", ev...)
		}
		return passed(fmt.Sprintf("the workload is host process %d in its own PID namespace %s", p.PID, proc.PIDNamespace), ev...)
	}
	switch {
	case proc.Session == nil || self.Session == nil:
		v := passed(fmt.Sprintf("the workload is host process %d", p.PID), ev...)
		v.Warnings = append(v.Warnings, "sessions could not be read: the container session is not judged")
		return v
	case *proc.Session == *self.Session:
		return failed(fmt.Sprintf("the workload runs in the harness's own session %d, not a container session", *proc.Session), "this is a runtime fault: a process-isolated container gets a session of its own", ev...)
	}
	return passed(fmt.Sprintf("the workload is host process %d in container session %d", p.PID, *proc.Session), ev...)
}

func hcsLine(s hostprobe.Snapshot, sandboxID string) string {
	if s.HCS == nil {
		return "HCS: not read"
	}
	if s.HCS.Err != "" {
		return "HCS: " + s.HCS.Err
	}
	var ids []string
	for _, cs := range s.HCS.Systems {
		ids = append(ids, fmt.Sprintf("%s (%s, owner %s, RuntimeId %s)", cs.ID, cs.SystemType, cs.Owner, nonEmpty(cs.RuntimeID, "none")))
	}
	return fmt.Sprintf("HCS compute systems (sandbox %s): %s", hostprobe.ShortID(sandboxID), nonEmpty(strings.Join(ids, "; "), "none"))
}

// ListedProcess is one process of a listing taken inside the container.
type ListedProcess struct {
	PID  int
	Name string
}

// ParseProcessList reads `ps` (busybox: PID USER TIME COMMAND) or
// `tasklist` (Image Name, PID, ... after a ===== line) output.
func ParseProcessList(platform, out string) []ListedProcess {
	var procs []ListedProcess
	lines := strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n")
	if platform == "windows" {
		started := false
		for _, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), "====") {
				started = true
				continue
			}
			f := strings.Fields(l)
			if !started || len(f) < 2 {
				continue
			}
			if pid, err := strconv.Atoi(f[1]); err == nil {
				procs = append(procs, ListedProcess{PID: pid, Name: f[0]})
			}
		}
		return procs
	}
	// ps prints a header whose columns vary (busybox: PID USER TIME
	// COMMAND, or PID USER COMMAND without /proc/<pid>/stat access): the
	// header says where PID and COMMAND are.
	pidAt := -1 // no header read yet
	var cmdAt int
	for _, l := range lines {
		f := strings.Fields(l)
		if pidAt < 0 {
			pidAt, cmdAt = slices.Index(f, "PID"), slices.IndexFunc(f, func(h string) bool { return h == "COMMAND" || h == "CMD" })
			if cmdAt < 0 {
				pidAt = -1
			}
			continue
		}
		if len(f) <= max(pidAt, cmdAt) {
			continue
		}
		pid, err := strconv.Atoi(f[pidAt])
		if err != nil {
			continue
		}
		procs = append(procs, ListedProcess{PID: pid, Name: f[cmdAt]})
	}
	return procs
}

// CheckCRIProcessTree: the process listing inside the container (ExecSync)
// shows the workload, and its pid there agrees with the host's view: the
// same pid under Windows process isolation (one kernel), another pid on
// Linux (its own PID namespace), and no host process of that pid and name
// under Hyper-V (the guest's own kernel).
func CheckCRIProcessTree(p evidence.Pod) Verdict {
	cmd := strings.Join(p.ExecCmd, " ")
	if p.ExecErr != nil {
		ev := "ExecSync " + cmd + ": " + p.ExecErr.Message
		if v, lost := connectionLost("ExecSync", p.ExecErr, ev); lost {
			return v
		}
		return failed("ExecSync of "+cmd+" failed: "+firstLine(p.ExecErr.Message), "look at containerd's log: exec into a running container must work (kubectl exec, probes)", ev)
	}
	ev := []string{fmt.Sprintf("ExecSync %s: exit %d, stdout %q", cmd, p.ExecExitCode, clip(p.ExecStdout, 600))}
	if p.ExecExitCode != 0 {
		return failed(fmt.Sprintf("%s inside the container exited %d", cmd, p.ExecExitCode), "the workload image lacks "+cmd+": use an image that has it ("+config.EnvImage+")", ev...)
	}
	want := WorkloadName(p.Row.Platform)
	var inside *ListedProcess
	procs := ParseProcessList(p.Row.Platform, p.ExecStdout)
	for i := range procs {
		if hostprobe.SameImageName(procs[i].Name, want) {
			inside = &procs[i]
			break
		}
	}
	if inside == nil {
		return failed(fmt.Sprintf("%s inside the container does not list %s", cmd, want), "this is a runtime fault: the exec ran outside the workload's container", ev...)
	}
	switch {
	case p.Row.Platform == "windows" && p.Row.Mode == "process":
		if inside.PID != p.PID {
			return failed(fmt.Sprintf("inside, %s has pid %d, the runtime says %d: under process isolation both are host pids", want, inside.PID, p.PID), "this is a runtime fault: report it with the evidence", ev...)
		}
		return passed(fmt.Sprintf("inside, %s is pid %d, the host's pid: one kernel", want, inside.PID), ev...)
	case p.Row.Platform == "windows":
		if p.After != nil {
			if proc, ok := p.After.Find(inside.PID); ok && hostprobe.SameImageName(proc.Name, want) {
				return failed(fmt.Sprintf("the host has a %s with the guest's pid %d: the workload is visible on the host", want, inside.PID), "this is a runtime fault: report it with the evidence", append(ev, describe(proc, true))...)
			}
		}
		return passed(fmt.Sprintf("inside the utility VM, %s is pid %d; the host has no such process", want, inside.PID), ev...)
	}
	if inside.PID == p.PID {
		return failed(fmt.Sprintf("inside, %s has the host's pid %d: the container shares the host's PID namespace", want, p.PID), "this is a runtime fault: a container must get its own PID namespace", ev...)
	}
	return passed(fmt.Sprintf("inside, %s is pid %d; on the host it is %d: its own PID namespace", want, inside.PID, p.PID), ev...)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// PodLeftOnHost lists what of a pod the host still shows: its workload
// process (by pid and create time), its utility VM, and the processes of
// the VM's account. It is what the cleanup wait waits for and what the
// cleanup claim judges.
func PodLeftOnHost(p evidence.Pod, s hostprobe.Snapshot) []string {
	var left []string
	if p.After != nil {
		if proc, ok := p.After.Find(p.PID); ok && CRIHostView(p.Row) == ViewHostProcess && s.Contains(proc) {
			left = append(left, fmt.Sprintf("workload process %d (%s)", proc.PID, proc.Name))
		}
		if uvm, ok := UtilityVMOf(*p.After, p.SandboxID); ok {
			if _, still := UtilityVMOf(s, p.SandboxID); still {
				left = append(left, "utility VM "+uvm.ID)
			}
			for _, w := range VMAccountProcesses(*p.After, uvm.RuntimeID) {
				if s.Contains(w) {
					left = append(left, fmt.Sprintf("VM worker %d (%s)", w.PID, w.Name))
				}
			}
		}
	}
	return left
}

// CheckCRICleanup: the sandbox was stopped and removed, the runtime lists
// neither it nor its container, and the host no longer shows the workload,
// the utility VM or its worker.
func CheckCRICleanup(p evidence.Pod) Verdict {
	if p.SandboxID == "" {
		return passed("no sandbox was created: nothing to clean up")
	}
	for _, step := range []struct {
		name string
		f    *evidence.Failure
	}{{"StopPodSandbox", p.StopErr}, {"RemovePodSandbox", p.RemoveErr}} {
		if step.f != nil {
			return failed(step.name+" failed: "+firstLine(step.f.Message), "look at containerd's log; the harness removes its sandboxes at its next run", step.name+": "+step.f.Message)
		}
	}
	if p.LeftErr != nil {
		return failed("the runtime still lists the sandbox or its container after removal: "+p.LeftErr.Message, "look at containerd's log: RemovePodSandbox must remove the pod's containers", p.LeftErr.Message)
	}
	if p.Gone != nil {
		if left := PodLeftOnHost(p, *p.Gone); len(left) > 0 {
			return failed("still on the host after the sandbox was removed: "+strings.Join(left, ", "), "this is a runtime fault: removing a pod must end its processes and utility VM", left...)
		}
	}
	return passed(fmt.Sprintf("sandbox %s and its container are gone", hostprobe.ShortID(p.SandboxID)))
}

// CheckHandlerRefused: a sandbox asked for a handler nobody configured is
// refused with containerd's words (`no runtime for "<handler>" is configured`).
func CheckHandlerRefused(p evidence.Pod) Verdict {
	if p.RunErr == nil {
		return failed(fmt.Sprintf("the runtime ran sandbox %s for handler %q, which no config names", hostprobe.ShortID(p.SandboxID), p.Handler),
			"this is a runtime fault: an unknown runtime handler must be refused, or pods would run without the isolation their RuntimeClass asks for", "RunPodSandbox: "+p.SandboxID)
	}
	ev := "RunPodSandbox: " + p.RunErr.Message
	if v, lost := connectionLost("RunPodSandbox", p.RunErr, ev); lost {
		return v
	}
	if !strings.Contains(p.RunErr.Message, fmt.Sprintf("no runtime for %q", p.Handler)) {
		return failed("the sandbox was refused, but not for its handler: "+firstLine(p.RunErr.Message), "look at containerd's log: the refusal must name the unconfigured handler", ev)
	}
	return passed(fmt.Sprintf("handler %q refused: %s", p.Handler, firstLine(p.RunErr.Message)), ev)
}
