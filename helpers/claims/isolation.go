package claims

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/container"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// Isolation claim kinds; a claim ID is "<platform>/<mode>/<kind>".
const (
	KindStart          = "start"
	KindIsolationField = "isolation-field"
	KindProcessTree    = "process-tree"
	KindPIDVisibility  = "pid-visibility"
	KindVMWorker       = "vm-worker"
	KindCleanup        = "cleanup"
	KindRefused        = "refused"
)

// ID names the claim of one kind on one row.
func ID(row evidence.Row, kind string) string { return row.String() + "/" + kind }

// WorkloadName is the program each platform's workload runs.
func WorkloadName(platform string) string {
	if platform == "windows" {
		return "PING.EXE"
	}
	return "ping"
}

// WindowsSystemSet is what every Windows container's process tree contains
// besides the workload, under either isolation (moby daemon/top_windows.go
// lists the compute system's processes).
var WindowsSystemSet = []string{"smss.exe", "csrss.exe", "wininit.exe", "services.exe", "lsass.exe", "CExecSvc.exe"}

// RowApplies decides from what the daemon reports, not from the harness's own
// OS, whether a row runs on this host.
func RowApplies(d evidence.Daemon, e config.Expectations, row evidence.Row) (bool, string) {
	if d.Info.OSType != row.Platform {
		return false, "daemon OSType is " + d.Info.OSType
	}
	if !e.WantsMode(row.Mode) {
		return false, fmt.Sprintf("isolation %s is not under test (%s=%s)", row.Mode, config.EnvIsolation, strings.Join(e.Isolation, ","))
	}
	return true, ""
}

// StartNeeds lists the provisioning claims a row's start depends on. The
// image build rule is judged per mode inside CheckStart: an image too old for
// process isolation still runs under Hyper-V.
func StartNeeds(evidence.Row) []string { return []string{BaseImage} }

// CheckStart: the workload container was created with the isolation asked for
// and reached running. Hyper-V rows skip, under the skip policy only, when the
// daemon says the host has no usable hypervisor or vmms is missing.
func CheckStart(d evidence.Daemon, e config.Expectations, w evidence.Workload) Verdict {
	ev := []string{fmt.Sprintf("image %s, HostConfig.Isolation %q", w.Image, w.Isolation)}
	hyperv := w.Row.Mode == "hyperv"
	// Only a missing vmms (no Hyper-V role) decides the start before the
	// daemon is heard: HCS starts utility VMs through vmcompute, so a vmms
	// that is merely stopped fails service-vmms while the start is judged by
	// what the daemon answered.
	if reading, line := ReadVmms(d); hyperv && reading == VmmsMissing {
		if e.HyperV == config.HyperVSkip {
			return skipped("no usable Hyper-V on this host ("+line+") and "+config.EnvHyperV+"=skip", ev...)
		}
		return blocked(ServiceVmms, "Hyper-V isolation needs vmms ("+line+")", ev...)
	}
	if w.Row.Platform == "windows" && d.Local {
		if s, ok := d.Service("vmcompute"); ok && (!s.Exists || s.State != "running") {
			return blocked(ServiceVmcompute, "containers need the host compute service", ev...)
		}
	}
	if w.Row.Platform == "windows" && d.Image.Inspect != nil {
		host, image := evidence.WindowsBuild(d.Info.KernelVersion), evidence.WindowsBuild(d.Image.Inspect.OsVersion)
		if host != 0 && image != 0 && !BuildFits(w.Row.Mode, host, image) {
			ev = append(ev, failureLine(w))
			return blocked(ImageBuild, fmt.Sprintf("image build %d cannot run under %s isolation on host build %d", image, w.Row.Mode, host), ev...)
		}
	}
	errFail := w.CreateErr
	step := "create"
	if errFail == nil {
		errFail, step = w.StartErr, "start"
	}
	if v, lost := connectionLost(step, errFail, ev...); lost {
		return v
	}
	if errFail != nil {
		ev = append(ev, fmt.Sprintf("%s error (%s): %s", step, errFail.Kind, errFail.Message))
		return startFailure(d, e, w, step, errFail.Message, ev)
	}
	if v, lost := connectionLost("wait for running", w.RunErr, ev...); lost {
		return v
	}
	if w.RunErr != nil {
		ev = append(ev, stateLine(w.Inspect))
		return failed("container did not stay running: "+w.RunErr.Message, "read `docker logs` of the container and the daemon's log", ev...)
	}
	return passed(fmt.Sprintf("container %s running", shortID(w.ContainerID)), append(ev, stateLine(w.Inspect))...)
}

// noHypervisorFix is what to do on a host whose hypervisor is not usable.
const noHypervisorFix = "install Hyper-V (Server: Install-WindowsFeature Hyper-V; client: Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V -All), make the hypervisor launch (bcdedit /set hypervisorlaunchtype auto, then reboot), in a VM enable nested virtualization on its host (Set-VMProcessor -ExposeVirtualizationExtensions $true); or set " + config.EnvHyperV + "=skip where Hyper-V is known to be absent"

// startFailure judges a create or start the daemon refused, by the class of
// its words (classify.go) and, where the words are generic, by the evidence
// at hand: the row, the vmms service, other VMs' workers, the image and host
// revisions. The verdict says what decided it.
func startFailure(d evidence.Daemon, e config.Expectations, w evidence.Workload, step, message string, ev []string) Verdict {
	hyperv := w.Row.Mode == "hyperv"
	hostBuild := evidence.WindowsBuild(d.Info.KernelVersion)
	noHypervisor := func(why string) Verdict {
		if hyperv && e.HyperV == config.HyperVSkip {
			return skipped("no usable hypervisor on this host and "+config.EnvHyperV+"=skip ("+why+"): "+firstLine(message), ev...)
		}
		return failed("Hyper-V isolation failed: no usable hypervisor ("+why+")", noHypervisorFix, ev...)
	}
	switch class := Classify(message); class {
	case ClassNoHypervisor:
		return noHypervisor("the daemon says so")
	case ClassGenericHCS:
		return genericStartFailure(d, w, step, message, ev, noHypervisor)
	case ClassImageMismatch:
		return failed("the daemon refused the image: its OS build does not match the host", FitFix(hostBuild, []string{w.Row.Mode}), ev...)
	case ClassUnexpectedExit:
		if d.Image.Inspect != nil {
			image, imageRev, hostRev := evidence.WindowsBuild(d.Image.Inspect.OsVersion), WindowsRevision(d.Image.Inspect.OsVersion), hostRevision(d)
			if image == hostBuild && hostRev > 0 && imageRev > hostRev {
				return failed(fmt.Sprintf("the container exited unexpectedly at start (0xc0370106): image revision %d is newer than the host's %d", imageRev, hostRev),
					"update the host to the image's revision or newer (Windows Update), or pin an image of revision "+fmt.Sprint(hostRev)+" or older", ev...)
			}
			return failed(fmt.Sprintf("the container exited unexpectedly at start (0xc0370106); not the revision problem: image %d.%d, host %d.%d", image, imageRev, hostBuild, hostRev),
				"read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Operational) and the daemon's log; try the other isolation mode to tell the image from the host", ev...)
		}
		return failed("the container exited unexpectedly at start (0xc0370106)", "read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Operational) and the daemon's log", ev...)
	case ClassUnsupportedIsolation:
		if strings.Contains(strings.ToLower(message), "can only run hyper-v containers") {
			return failed("the daemon refuses process isolation on this Windows client", "run Hyper-V isolation on this client (CONFORMANCE_ISOLATION=hyperv), or upgrade it to 1809 or later", ev...)
		}
		return failed("the daemon does not support isolation "+w.Row.Mode, "a Windows daemon takes default, process or hyperv, a Linux daemon only default; check CONFORMANCE_ISOLATION and the engine", ev...)
	case ClassWrongImageOS:
		return failed("the image is built for another operating system", "use a Windows base image: "+FitFix(hostBuild, []string{w.Row.Mode}), ev...)
	}
	return failed(fmt.Sprintf("container %s failed", step), "read the daemon's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin on Windows) for the error above", ev...)
}

// genericStartFailure decides "The request is not supported" and "The
// parameter is incorrect", which HCS returns for several causes. On a Hyper-V
// row without host evidence, or with the vmms evidence that Hyper-V is off,
// they are read as no usable hypervisor, the cause public reports name
// (moby#40720: "enable Hyper-V Services"; navcontainerhelper#525 with
// --isolation hyperv). When vmms runs, or other VMs' workers run (the
// hypervisor is up), they are not, and the start fails as generic.
func genericStartFailure(d evidence.Daemon, w evidence.Workload, step, message string, ev []string, noHypervisor func(string) Verdict) Verdict {
	text := firstLine(message)
	if w.Row.Mode != "hyperv" {
		return failed(fmt.Sprintf("the daemon refused the process-isolated %s with a generic HCS error (%s); the image build fits, so it is not a build mismatch", step, genericName(message)),
			"read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin), check that the Containers feature is fully enabled, and run the Hyper-V row to tell the host from the image", ev...)
	}
	reading, line := ReadVmms(d)
	workers := 0
	if w.Before != nil {
		workers = len(w.Before.Named("vmwp.exe"))
	}
	switch {
	case reading == VmmsNotRunning:
		return failed(fmt.Sprintf("Hyper-V start failed with a generic HCS error (%s) while %s", genericName(message), line), "Start-Service vmms (Set-Service vmms -StartupType Automatic) and re-run: Hyper-V is installed but switched off", ev...)
	case reading == VmmsRunning || workers > 0:
		why := line
		if workers > 0 {
			why += fmt.Sprintf(", %d VM worker(s) of other VMs running", workers)
		}
		return failed(fmt.Sprintf("Hyper-V start failed with a generic HCS error (%s); not read as 'no hypervisor' because %s", genericName(message), why),
			"check that the hypervisor runs (Get-CimInstance Win32_ComputerSystem: HypervisorPresent), that both the Containers and Hyper-V features are enabled, and the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin): "+text, ev...)
	}
	return noHypervisor("decided without host evidence of Hyper-V: " + genericName(message) + " is what hosts without Hyper-V print")
}

func genericName(message string) string {
	lower := strings.ToLower(message)
	switch {
	case strings.Contains(lower, "parameter is incorrect"), strings.Contains(lower, "0x80070057"):
		return "ERROR_INVALID_PARAMETER, 'The parameter is incorrect'"
	}
	return "ERROR_NOT_SUPPORTED, 'The request is not supported'"
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// failureLine quotes what the daemon said when the workload was created and
// started, so that a blocked start still shows the daemon's own words.
func failureLine(w evidence.Workload) string {
	switch {
	case w.CreateErr != nil:
		return fmt.Sprintf("create error (%s): %s", w.CreateErr.Kind, w.CreateErr.Message)
	case w.StartErr != nil:
		return fmt.Sprintf("start error (%s): %s", w.StartErr.Kind, w.StartErr.Message)
	}
	return "the daemon created and started the container"
}

func stateLine(in *container.InspectResponse) string {
	if in == nil || in.ContainerJSONBase == nil || in.State == nil {
		return "state: not inspected"
	}
	return fmt.Sprintf("state: %s (pid %d, exit code %d, error %q)", in.State.Status, in.State.Pid, in.State.ExitCode, in.State.Error)
}

// CheckIsolationField: inspect reports the isolation asked for; a Linux daemon
// reports "" or "default".
func CheckIsolationField(w evidence.Workload) Verdict {
	if w.Inspect == nil || w.Inspect.ContainerJSONBase == nil || w.Inspect.HostConfig == nil {
		return failed("no inspect of the container", "")
	}
	got := string(w.Inspect.HostConfig.Isolation)
	ev := fmt.Sprintf(`inspect: "Isolation": %q`, got)
	want := w.Row.Mode
	ok := got == want
	if want == "default" {
		ok = got == "" || got == "default"
	}
	if !ok {
		return failed(fmt.Sprintf("Isolation: got %q, want %q", got, want),
			"the daemon did not honour --isolation="+want+"; check its exec-opts and the engine version", ev)
	}
	return passed(fmt.Sprintf("Isolation is %q", got), ev)
}

// TopProcess is one row of `docker top`.
type TopProcess struct {
	Name string
	PID  int
}

// TopProcesses reads the Name/PID (Windows) or CMD/PID (Linux) columns.
func TopProcesses(top *container.TopResponse) ([]TopProcess, error) {
	if top == nil {
		return nil, fmt.Errorf("no top answer")
	}
	nameCol, pidCol := -1, -1
	for i, t := range top.Titles {
		switch t {
		case "Name", "CMD", "COMMAND":
			nameCol = i
		case "PID":
			pidCol = i
		}
	}
	if nameCol < 0 || pidCol < 0 {
		return nil, fmt.Errorf("top titles %q lack a name or PID column", top.Titles)
	}
	var out []TopProcess
	for _, p := range top.Processes {
		if len(p) <= nameCol || len(p) <= pidCol {
			return nil, fmt.Errorf("top row %q is shorter than its titles", p)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(p[pidCol]))
		if err != nil {
			return nil, fmt.Errorf("top row %q: PID %q is not a number", p, p[pidCol])
		}
		name := strings.TrimSpace(p[nameCol])
		if fields := strings.Fields(name); len(fields) > 0 {
			name = fields[0] // Linux CMD carries the arguments
		}
		out = append(out, TopProcess{Name: name, PID: pid})
	}
	return out, nil
}

func topSummary(procs []TopProcess) string {
	parts := make([]string, 0, len(procs))
	for _, p := range procs {
		parts = append(parts, fmt.Sprintf("%s %d", p.Name, p.PID))
	}
	return "top: " + strings.Join(parts, ", ")
}

// WorkloadProcess finds the workload in the top answer.
func WorkloadProcess(w evidence.Workload) (TopProcess, []TopProcess, error) {
	procs, err := TopProcesses(w.Top)
	if err != nil {
		return TopProcess{}, nil, err
	}
	for _, p := range procs {
		if hostprobe.SameImageName(p.Name, WorkloadName(w.Row.Platform)) {
			return p, procs, nil
		}
	}
	return TopProcess{}, procs, fmt.Errorf("%s is not in the container's process tree", WorkloadName(w.Row.Platform))
}

// CheckProcessTree: `docker top` lists the workload and, on Windows, the
// container's system processes.
func CheckProcessTree(w evidence.Workload) Verdict {
	if v, lost := connectionLost("docker top", w.TopErr); lost {
		return v
	}
	if w.TopErr != nil {
		return failed("docker top failed: "+w.TopErr.Message, "read the daemon's log")
	}
	work, procs, err := WorkloadProcess(w)
	if err != nil {
		return failed(err.Error(), "the workload did not run as started; read `docker logs`", topSummary(procs))
	}
	var missing []string
	if w.Row.Platform == "windows" {
		for _, want := range WindowsSystemSet {
			found := false
			for _, p := range procs {
				found = found || hostprobe.SameImageName(p.Name, want)
			}
			if !found {
				missing = append(missing, want)
			}
		}
	}
	if len(missing) > 0 {
		return failed(fmt.Sprintf("process tree lacks %s", strings.Join(missing, ", ")),
			"the container is not a full Windows compute system; check the base image and the daemon's runtime", topSummary(procs))
	}
	return passed(fmt.Sprintf("%s is PID %d among %d processes", work.Name, work.PID, len(procs)), topSummary(procs))
}

// soundSnapshot refuses to judge a snapshot that lacks the harness itself: an
// absence in it would prove nothing.
func soundSnapshot(label string, s *hostprobe.Snapshot) (hostprobe.Process, *Verdict) {
	if s == nil {
		v := failed("probe broken: no "+label+" host snapshot", "the harness could not read the host's process table; run it elevated on the daemon's host")
		return hostprobe.Process{}, &v
	}
	self, ok := s.Self()
	if !ok {
		v := failed(fmt.Sprintf("probe broken: the %s host snapshot lacks the harness's own process (pid %d)", label, s.SelfPID),
			"the process probe does not see this host's processes; run the gate elevated on the daemon's host")
		return hostprobe.Process{}, &v
	}
	return self, nil
}

func sessionText(s *uint32) string {
	if s == nil {
		return "unknown"
	}
	return strconv.FormatUint(uint64(*s), 10)
}

// CheckPIDVisibility: under process isolation and Linux default, the workload's
// PID is a host process of the same name, in another session (Windows) or PID
// namespace (Linux) than the harness; under Hyper-V it is not a host process.
func CheckPIDVisibility(d evidence.Daemon, w evidence.Workload) Verdict {
	if !d.Local {
		return notLocal(d, "this host's processes say nothing about its containers")
	}
	if w.HostErr != nil {
		return failed("probe broken: "+w.HostErr.Message, "run the gate elevated on the daemon's host")
	}
	work, procs, err := WorkloadProcess(w)
	if err != nil {
		return failed("no workload PID to look for: "+err.Error(), "", topSummary(procs))
	}
	self, broken := soundSnapshot("after-start", w.After)
	if broken != nil {
		return *broken
	}
	host, found := w.After.Find(work.PID)
	same := found && hostprobe.SameImageName(host.Name, work.Name)
	ev := []string{fmt.Sprintf("container: %s PID %d", work.Name, work.PID)}
	if found {
		ev = append(ev, fmt.Sprintf("host: PID %d is %s, session %s, pid namespace %q", host.PID, host.Name, sessionText(host.Session), host.PIDNamespace))
	} else {
		ev = append(ev, fmt.Sprintf("host: no process with PID %d among %d", work.PID, len(w.After.Processes)))
	}
	ev = append(ev, fmt.Sprintf("harness: PID %d, session %s, pid namespace %q", self.PID, sessionText(self.Session), self.PIDNamespace))

	if w.Row.Mode == "hyperv" {
		if same {
			return failed(fmt.Sprintf("%s PID %d is a host process: the container is not in a utility VM", work.Name, work.PID),
				"the daemon ran the container without Hyper-V isolation; check --isolation handling and the engine version", ev...)
		}
		return passed(fmt.Sprintf("%s PID %d is not a host process: it runs in the utility VM", work.Name, work.PID), ev...)
	}
	if !same {
		return failed(fmt.Sprintf("%s PID %d is not a host process: got %s, want a host %s", work.Name, work.PID, describe(host, found), work.Name),
			"under process isolation the container's processes are host processes; check the isolation the daemon really used", ev...)
	}
	if w.Row.Platform == "windows" {
		switch {
		case host.Session == nil || self.Session == nil:
			return failed("session unknown: cannot show the workload runs in its own session", "run the gate elevated so that session ids can be read", ev...)
		case *host.Session == *self.Session:
			return failed(fmt.Sprintf("%s runs in the harness's session %d, not a container session", work.Name, *host.Session), "the process is not the container's; check for a stray host PING", ev...)
		}
		return passed(fmt.Sprintf("%s PID %d is a host process in session %d (harness: session %d)", work.Name, work.PID, *host.Session, *self.Session), ev...)
	}
	switch {
	case host.PIDNamespace == "" || self.PIDNamespace == "":
		return failed("PID namespace unknown: cannot show the workload runs in its own namespace", "run the gate as root on the daemon's host", ev...)
	case host.PIDNamespace == self.PIDNamespace:
		return failed(fmt.Sprintf("%s shares the harness's PID namespace %s", work.Name, host.PIDNamespace), "the container runs without its own PID namespace (--pid=host?)", ev...)
	}
	return passed(fmt.Sprintf("%s PID %d is a host process in PID namespace %s (harness: %s)", work.Name, work.PID, host.PIDNamespace, self.PIDNamespace), ev...)
}

func describe(p hostprobe.Process, found bool) string {
	if !found {
		return "no such PID"
	}
	return p.Name
}

func pids(ps []hostprobe.Process) string {
	parts := make([]string, 0, len(ps))
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%d (session %s)", p.PID, sessionText(p.Session)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// CheckVMWorker: a Hyper-V container brings a new vmwp.exe; a process-isolated
// one does not. Only a before/after difference says anything: other VMs have
// workers too.
func CheckVMWorker(d evidence.Daemon, w evidence.Workload) Verdict {
	if !d.Local {
		return notLocal(d, "this host's VM workers say nothing about it")
	}
	if w.HostErr != nil {
		return failed("probe broken: "+w.HostErr.Message, "run the gate elevated on the daemon's host")
	}
	if _, broken := soundSnapshot("before-start", w.Before); broken != nil {
		return *broken
	}
	if _, broken := soundSnapshot("after-start", w.After); broken != nil {
		return *broken
	}
	fresh := hostprobe.NewProcesses(*w.Before, *w.After, "vmwp.exe")
	ev := []string{
		"vmwp before start: " + pids(w.Before.Named("vmwp.exe")),
		"vmwp after start: " + pids(w.After.Named("vmwp.exe")),
	}
	if w.Row.Mode == "hyperv" {
		if len(fresh) == 0 {
			return failed("no new vmwp.exe after the Hyper-V container started: no utility VM runs it",
				"the daemon did not start a utility VM; check Hyper-V and the isolation the daemon used", ev...)
		}
		return passed("new VM worker: vmwp.exe "+pids(fresh), ev...)
	}
	if len(fresh) > 0 {
		return failed("a new vmwp.exe appeared for a process-isolated container: "+pids(fresh),
			"the daemon started a utility VM for a process container; check the isolation it really used", ev...)
	}
	return passed("no new VM worker for a process-isolated container", ev...)
}

// CheckCleanup: after removal the container is gone and, under Hyper-V, its
// VM worker has exited.
func CheckCleanup(w evidence.Workload) Verdict {
	if w.ContainerID == "" {
		// A create that lost its connection may have created a container
		// that the harness never heard of.
		if w.CreateErr != nil && w.CreateErr.Kind == evidence.KindConnection {
			return failed(LostConnection+" at create: the daemon may have created a container the harness never heard of",
				lostConnectionFix+"; list it with: docker ps -a --filter label="+"io.github.wincontainer-gate.conformance.run-id",
				fmt.Sprintf("create error (%s): %s", w.CreateErr.Kind, w.CreateErr.Message))
		}
		return skipped("no container was created")
	}
	ev := "container " + shortID(w.ContainerID)
	if v, lost := connectionLost("removal", w.RemoveErr, ev); lost {
		return v
	}
	if v, lost := connectionLost("wait for removal", w.GoneErr, ev); lost {
		return v
	}
	switch {
	case w.RemoveErr != nil:
		return failed("removing the container failed: "+w.RemoveErr.Message, "docker rm -f "+shortID(w.ContainerID)+"; read the daemon's log", ev)
	case w.GoneErr != nil:
		return failed("container still present after removal: "+w.GoneErr.Message, "docker rm -f "+shortID(w.ContainerID)+"; a daemon that keeps removed containers leaks them", ev)
	case w.WorkersGoneErr != nil:
		return failed("VM worker still running after removal: "+w.WorkersGoneErr.Message, "the utility VM outlived its container; check Hyper-V and vmcompute", ev)
	}
	return passed("container removed and gone", ev)
}

// CheckRefused: a Linux daemon refuses process and hyperv isolation as an
// invalid parameter, in a known wording. Current moby answers 400
// ("invalid isolation (hyperv): linux only supports 'default'"); Debian's
// 20.10 answers 500 with `Invalid isolation: "hyperv" - linux only supports
// 'default'`, an error it never typed as invalid-parameter (measured on this
// project's CI host). Both are refusals; any other answer fails.
func CheckRefused(r evidence.Refusal) Verdict {
	if r.CreateErr == nil {
		return failed(fmt.Sprintf("the daemon accepted isolation %q (container %s)", r.Row.Mode, shortID(r.ContainerID)),
			"a Linux daemon must refuse Windows isolation modes; check the engine", "create: accepted")
	}
	if v, lost := connectionLost("create", r.CreateErr); lost {
		return v
	}
	ev := fmt.Sprintf("create error (%s): %s", r.CreateErr.Kind, r.CreateErr.Message)
	if Classify(r.CreateErr.Message) != ClassUnsupportedIsolation || !strings.Contains(r.CreateErr.Message, r.Row.Mode) {
		return failed("refused with an unknown wording", "if the engine changed its wording, add it to the classifier", ev)
	}
	legacy := r.CreateErr.Kind == evidence.KindSystem && strings.Contains(r.CreateErr.Message, legacyRefusal(r.Row.Mode))
	if r.CreateErr.Kind != evidence.KindInvalidParameter && !legacy {
		return failed(fmt.Sprintf("refusal kind: got %s, want %s", r.CreateErr.Kind, evidence.KindInvalidParameter), "the daemon failed for another reason; read its log", ev)
	}
	return passed(fmt.Sprintf("isolation %q refused as invalid", r.Row.Mode), ev)
}

// legacyRefusal is the 20.10 wording, the only one accepted with HTTP 500.
func legacyRefusal(mode string) string {
	return fmt.Sprintf("Invalid isolation: %q - linux only supports 'default'", mode)
}
