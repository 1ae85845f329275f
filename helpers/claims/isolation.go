package claims

import (
	"fmt"
	"strconv"
	"strings"
	"time"

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
	return passed(fmt.Sprintf("container %s running", hostprobe.ShortID(w.ContainerID)), append(ev, stateLine(w.Inspect))...)
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
		return imageMismatch(d, w, hostBuild, message, ev)
	case ClassUnexpectedExit:
		if d.Image.Inspect != nil && hyperv {
			// Revisions never decide a Hyper-V start: the utility VM runs the
			// image's own kernel (Microsoft Learn, Update Windows Server
			// containers: these issues "only happen on process isolated
			// containers").
			return failed("the Hyper-V container exited unexpectedly at start (0xc0370106); not a revision problem: revisions do not matter under Hyper-V isolation",
				"read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Operational) for the utility VM's exit, check the host's memory and the hypervisor (Get-CimInstance Win32_ComputerSystem: HypervisorPresent), and update the host to its latest cumulative update", ev...)
		}
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
		if lower := strings.ToLower(message); strings.Contains(lower, "can only run hyper-v containers") || strings.Contains(lower, "only support hyper-v containers") {
			return failed("the daemon refuses process isolation on this Windows client: "+firstLine(message), "run Hyper-V isolation on this client (CONFORMANCE_ISOLATION=hyperv), or move to an engine of 19.03 or later on Windows 10 1809 or later, which runs process isolation on clients", ev...)
		}
		return failed("the daemon does not support isolation "+w.Row.Mode, "a Windows daemon takes default, process or hyperv, a Linux daemon only default; check CONFORMANCE_ISOLATION and the engine", ev...)
	case ClassCreateProcess:
		lower := strings.ToLower(message)
		if strings.Contains(lower, "(0x2)") || strings.Contains(lower, "cannot find the file specified") {
			return failed("the container started but its workload process could not be created: "+firstLine(message),
				"the image lacks the workload's program (0x2, ERROR_FILE_NOT_FOUND; the gate runs ping localhost -t): use a Windows base image that has ping.exe, such as nanoserver or servercore of the host's build", ev...)
		}
		return failed("the container started but its workload process could not be created: "+firstLine(message),
			"not shown to be the image (a missing program is 0x2): read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin) for the error above", ev...)
	case ClassHostRPC:
		return failed("a call into the host compute service failed (0x6be, RPC_S_CALL_FAILED) at the container "+step+": a host fault, not the image: "+firstLine(message),
			"restart the compute service (Restart-Service vmcompute: the containers it runs stop) or the host, and update the host to its latest cumulative update (hcsshim#1472 is reported fixed in newer Windows releases); the image is not at fault", ev...)
	case ClassInvalidLayer:
		return failed("the compute service cannot use a layer of the image (0xc0370112, ERROR_VMCOMPUTE_INVALID_LAYER): "+firstLine(message),
			"remove the image (docker rmi "+w.Image+") and pull it again: a damaged or half-registered layer fails under both isolation modes; if it persists on this build, use another serviced image that fits (hcsshim#2566: ltsc2025 images on 26200 hosts, where ltsc2022 runs): "+FitFix(fitOf(d, hostBuild, []string{w.Row.Mode}, "")), ev...)
	case ClassLayerRegistration:
		return failed("the daemon could not register the image's layers on this host: "+firstLine(message), layerRegistrationFix(d), ev...)
	case ClassHCSTimeout:
		return failed("the host compute service did not answer in time at the container "+step+": "+firstLine(message),
			"the host was too slow to start the container (CPU, memory or disk under load, antivirus scanning the daemon's data root): re-run on a quieter host; if it repeats on an idle host, restart the compute service (Restart-Service vmcompute) and read its log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin)", ev...)
	case ClassRuntimeCreate:
		return failed("the engine's runtime refused to create the container: "+firstLine(message), engineLogFix(d), ev...)
	case ClassWrongImageOS:
		return failed("the image is built for another operating system", "use a Windows base image: "+FitFix(fitOf(d, hostBuild, []string{w.Row.Mode}, "")), ev...)
	}
	// No class: the daemon's own first line is the message, and the fix
	// sends HCS's errors to HCS's log, the engine's own refusals to the
	// engine's log.
	if hcsWording(message) {
		return failed(fmt.Sprintf("the host compute service refused the container %s: %s", step, firstLine(message)),
			"read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin) for the error above", ev...)
	}
	return failed(fmt.Sprintf("the daemon refused the container %s: %s", step, firstLine(message)), engineLogFix(d), ev...)
}

// hcsWording reports whether an error comes from the host compute service
// (its prefixes and its error codes), not from the engine itself.
func hcsWording(message string) bool {
	lower := strings.ToLower(message)
	for _, part := range []string{"hcsshim", "hcs::", "windows system call", "createcomputesystem", "0xc037", "0x8037"} {
		if strings.Contains(lower, part) {
			return true
		}
	}
	return false
}

// engineLogFix sends an engine-level refusal to the engine's own log.
func engineLogFix(d evidence.Daemon) string {
	if d.Info.OSType == "windows" {
		return "an engine-level refusal, not the compute service's: read the engine's log (Get-WinEvent -LogName Application -ProviderName docker, or dockerd's log file) for the line above, and check the engine install"
	}
	return "an engine-level refusal: read the engine's log (journalctl -u docker) for the line above, and check the engine and its runtime (containerd, runc) install"
}

// layerRegistrationFix: the registry delivered the image; this host could
// not register its layers in the daemon's data root.
func layerRegistrationFix(d evidence.Daemon) string {
	root := nonEmpty(d.Info.DockerRootDir, `the daemon's data root (C:\ProgramData\docker)`)
	if root == "REDACTED" {
		root = "the daemon's data root"
	}
	return "not the registry: the layers were downloaded, and registering them in " + root + " failed. Check that the data root is on a local NTFS volume with free space and is excluded from antivirus scanning, remove what the failed pull left (docker image prune) and pull again; moby#46112, moby#38582 (fixed by an engine update)"
}

// imageMismatch judges HCS's "does not match" (0xc0370101). CheckStart has
// already blocked a start whose build the mode's rule refuses, so here the
// build rule holds, and HCS answers the same code for update-level
// incompatibilities of one build (Microsoft Learn, Update Windows Server
// containers, and KB4542617: host and image "on different sides of the new
// baseline won't work"; refusals with equal build and revision are on record,
// moby#36735, microsoft/service-fabric-issues#1000). So the verdict says the
// build rule holds and reasons about revisions; it never gives the build fix.
// Without the image's build, it can only name the images that fit.
func imageMismatch(d evidence.Daemon, w evidence.Workload, host int, message string, ev []string) Verdict {
	code := "0xc0370101, 'does not match the host'"
	if d.Image.Inspect == nil || host == 0 || evidence.WindowsBuild(d.Image.Inspect.OsVersion) == 0 {
		return failed("the daemon refused the image: its OS build does not match the host ("+firstLine(message)+")", FitFix(fitOf(d, host, []string{w.Row.Mode}, w.Image)), ev...)
	}
	image, imageRev, hostRev := evidence.WindowsBuild(d.Image.Inspect.OsVersion), WindowsRevision(d.Image.Inspect.OsVersion), hostRevision(d)
	fits := fmt.Sprintf("image build %d fits host build %d under %s isolation", image, host, w.Row.Mode)
	if w.Row.Mode == "hyperv" {
		return failed(fmt.Sprintf("the daemon refused the Hyper-V container (%s) although %s: not a build or revision problem (revisions do not matter under Hyper-V)", code, fits),
			"update the host to its latest cumulative update and read the compute service's log (Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Admin) for the refusal", ev...)
	}
	if image != host {
		// A newer host running an older LTSC image (hcsshim's rule from 20348 on).
		return failed(fmt.Sprintf("the daemon refused the image (%s) although %s: an update-level incompatibility, not the build", code, fits),
			"update host and image to their latest cumulative updates, or use the image of the host's own build; Hyper-V isolation runs it meanwhile (revisions do not matter there)", ev...)
	}
	revs := fmt.Sprintf("host %d.%d, image %d.%d", host, hostRev, image, imageRev)
	why := "an update-level incompatibility of the same build"
	switch {
	case hostRev == 0 || imageRev == 0:
		why += " (a revision could not be read)"
	case hostRev == imageRev:
		why = "host and image at the same revision: an update-level fault, not the build"
	case imageRev > hostRev:
		why = "the image's revision is newer than the host's"
	}
	if b, across := AcrossBaseline(host, hostRev, imageRev); across {
		why = fmt.Sprintf("host and image are on different sides of the February 2020 baseline (%d.%d)", host, b)
	}
	return failed(fmt.Sprintf("the daemon refused the image (%s) although %s: %s (%s)", code, fits, why, revs), RevisionFix(host, hostRev, imageRev), ev...)
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

// firstLine is the daemon's first line without HCS's "extra info" JSON (the
// evidence keeps the whole message).
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	for _, sep := range []string{" extra info: {", " (extra info: {"} {
		if i := strings.Index(s, sep); i >= 0 {
			s = s[:i]
		}
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
func CheckIsolationField(d evidence.Daemon, w evidence.Workload) Verdict {
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
		v := failed(fmt.Sprintf("Isolation: got %q, want %q", got, want),
			"the daemon did not honour --isolation="+want+"; check its exec-opts and the engine version", ev)
		if dis, disagree := RowDisagreement(d, w); disagree {
			return withDisagreement(v, v.Message, dis)
		}
		return v
	}
	return passed(fmt.Sprintf("Isolation is %q", got), ev)
}

// TopProcess is one row of `docker top`.
type TopProcess struct {
	Name string
	PID  int
}

// LegacyWindowsTop reports the shape of docker top on Windows engines before
// 1.13 (Docker 1.12, the engine Windows Server 2016 shipped with): no columns
// and no rows, one title "<pid> <command>" per process the daemon started,
// the container's system processes left out (moby v1.12.x
// daemon/top_windows.go; the Name, PID, CPU, Private Working Set table came
// with moby commit 52f0474851 for 1.13).
func LegacyWindowsTop(top *container.TopResponse) bool {
	if top == nil || len(top.Processes) > 0 || len(top.Titles) == 0 {
		return false
	}
	for _, t := range top.Titles {
		pid, command, ok := strings.Cut(strings.TrimSpace(t), " ")
		if _, err := strconv.Atoi(pid); !ok || err != nil || strings.TrimSpace(command) == "" {
			return false
		}
	}
	return true
}

// TopProcesses reads the Name/PID (Windows) or CMD/PID (Linux) columns, or
// the titles of the pre-1.13 Windows shape.
func TopProcesses(top *container.TopResponse) ([]TopProcess, error) {
	if top == nil {
		return nil, fmt.Errorf("no top answer")
	}
	if LegacyWindowsTop(top) {
		var out []TopProcess
		for _, t := range top.Titles {
			pid, command, _ := strings.Cut(strings.TrimSpace(t), " ")
			n, _ := strconv.Atoi(pid)
			out = append(out, TopProcess{Name: strings.Fields(command)[0], PID: n})
		}
		return out, nil
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
	return "top: " + TopNames(procs)
}

// TopNames lists the processes as "name PID", comma-separated.
func TopNames(procs []TopProcess) string {
	parts := make([]string, 0, len(procs))
	for _, p := range procs {
		parts = append(parts, fmt.Sprintf("%s %d", p.Name, p.PID))
	}
	return strings.Join(parts, ", ")
}

// FindTopProcess returns the first process named name, compared as Windows
// compares image names.
func FindTopProcess(procs []TopProcess, name string) (TopProcess, bool) {
	for _, p := range procs {
		if hostprobe.SameImageName(p.Name, name) {
			return p, true
		}
	}
	return TopProcess{}, false
}

// WorkloadProcess finds the workload in the top answer.
func WorkloadProcess(w evidence.Workload) (TopProcess, []TopProcess, error) {
	procs, err := TopProcesses(w.Top)
	if err != nil {
		return TopProcess{}, nil, err
	}
	if p, ok := FindTopProcess(procs, WorkloadName(w.Row.Platform)); ok {
		return p, procs, nil
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
		return failed(err.Error(), "the workload did not run as started; read `docker logs`", append([]string{topSummary(procs)}, settleLine(w)...)...)
	}
	if w.Row.Platform == "windows" && LegacyWindowsTop(w.Top) {
		v := passed(fmt.Sprintf("%s is PID %d; the engine's docker top lists only the processes it started", work.Name, work.PID), topSummary(procs))
		v.Warnings = []string{"this engine answers docker top in the pre-1.13 shape (titles \"<pid> <command>\", no rows): the container's system processes (" +
			strings.Join(WindowsSystemSet, ", ") + ") cannot be checked; upgrade the engine to check them"}
		return v
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

// soundSnapshot refuses to judge a snapshot that cannot show what it is
// used for. It must contain the harness itself; on a Windows host also the
// processes the harness knows run outside any container: dockerd (by the PID
// the service manager reports for the docker service) and vmcompute.exe.
// A snapshot taken inside a container lacks them (it shows only the
// container's processes), and would make any "absent from the host" claim
// pass without evidence.
func soundSnapshot(label string, s *hostprobe.Snapshot, d evidence.Daemon) (hostprobe.Process, *Verdict) {
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
	if d.Info.OSType != "windows" {
		return self, nil
	}
	if signals := hostprobe.WindowsInContainerSignals(*s); len(signals) > 0 {
		v := failed(InContainerMessage+": "+strings.Join(signals, "; "),
			"run the gate on the container host itself, not in a container", "the "+label+" snapshot")
		return hostprobe.Process{}, &v
	}
	if missing := hostprobe.MissingRequired(*s, RequiredHostProcesses(d)); len(missing) > 0 {
		v := failed(fmt.Sprintf("probe broken: the %s host snapshot lacks %s: it does not show this host's processes", label, strings.Join(missing, ", ")),
			"run the gate elevated on the daemon's host itself (not in a container or another session's view)",
			fmt.Sprintf("snapshot of %d processes", len(s.Processes)))
		return hostprobe.Process{}, &v
	}
	return self, nil
}

// RequiredHostProcesses are the processes every sound Windows host snapshot
// contains: dockerd and vmcompute.exe, by the PIDs the service manager
// reported when it reported them running.
func RequiredHostProcesses(d evidence.Daemon) []hostprobe.Required {
	pidOf := func(name string) int {
		if s, ok := d.Service(name); ok && s.State == "running" {
			return s.PID
		}
		return 0
	}
	return []hostprobe.Required{
		{What: "the docker service's", Name: "dockerd.exe", PID: pidOf("docker")},
		{What: "the host compute service's", Name: "vmcompute.exe", PID: pidOf("vmcompute")},
	}
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
// On Windows under process isolation every `docker top` process must be a
// host process of its name, all in one container session (ContainerSession).
func CheckPIDVisibility(d evidence.Daemon, w evidence.Workload) Verdict {
	if !d.Local {
		return notLocal(d, "this host's processes say nothing about its containers")
	}
	if v, inside := harnessInContainer(d); inside {
		return v
	}
	if w.HostErr != nil {
		return failed("probe broken: "+w.HostErr.Message, "run the gate elevated on the daemon's host")
	}
	work, procs, err := WorkloadProcess(w)
	if err != nil {
		return failed("no workload PID to look for: "+err.Error(), "", topSummary(procs))
	}
	self, broken := soundSnapshot("after-start", w.After, d)
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
	if w.SettleErr != nil {
		ev = append(ev, "the host snapshot never settled: "+w.SettleErr.Message)
	}

	if w.Row.Mode == "hyperv" {
		if same {
			found := fmt.Sprintf("%s PID %d is a host process", work.Name, work.PID)
			if dis, ok := RowDisagreement(d, w); ok {
				return withDisagreement(failed(found, "", ev...), found, dis)
			}
			return failed(found+": the container is not in a utility VM",
				"the daemon ran the container without Hyper-V isolation; check --isolation handling and the engine version", ev...)
		}
		return passed(fmt.Sprintf("%s PID %d is not a host process: it runs in the utility VM", work.Name, work.PID), ev...)
	}
	if !same {
		v := failed(fmt.Sprintf("%s PID %d is not a host process: got %s, want a host %s", work.Name, work.PID, describe(host, found), work.Name),
			"under process isolation the container's processes are host processes; check the isolation the daemon really used", ev...)
		if dis, ok := RowDisagreement(d, w); ok {
			return withDisagreement(v, v.Message, dis)
		}
		return v
	}
	if w.Row.Platform == "windows" {
		session, problem := ContainerSession(procs, *w.After, self)
		if problem != "" {
			fix := "the processes are not one container's session; check the isolation the daemon really used"
			if strings.Contains(problem, "unknown") {
				fix = "the probe could not read a session id; run the gate elevated on the daemon's host"
			}
			return failed(problem, fix, ev...)
		}
		return passed(fmt.Sprintf("%s PID %d is a host process in session %d (harness: session %d), with all %d processes of the container", work.Name, work.PID, session, *self.Session, len(procs)), ev...)
	}
	switch {
	case host.PIDNamespace == "" || self.PIDNamespace == "":
		return failed("PID namespace unknown: cannot show the workload runs in its own namespace", "run the gate as root on the daemon's host", ev...)
	case host.PIDNamespace == self.PIDNamespace:
		return failed(fmt.Sprintf("%s shares the harness's PID namespace %s", work.Name, host.PIDNamespace), "the container runs without its own PID namespace (--pid=host?)", ev...)
	}
	return passed(fmt.Sprintf("%s PID %d is a host process in PID namespace %s (harness: %s)", work.Name, work.PID, host.PIDNamespace, self.PIDNamespace), ev...)
}

// ContainerSession checks a process-isolated Windows container's processes on
// the host: every `docker top` process is a host process of the same name,
// and they share one session that is neither 0 (the host's services) nor the
// harness's. The one exception is smss.exe, the session manager instance
// that creates the container's session: real host outputs reviewed for this
// project show it in session 0 beside the container's session (no public
// source is cited for it yet), so it may be in either.
func ContainerSession(top []TopProcess, after hostprobe.Snapshot, self hostprobe.Process) (uint32, string) {
	if self.Session == nil {
		return 0, "the harness's session is unknown: cannot show the container runs in its own session"
	}
	var session *uint32
	var smss []hostprobe.Process
	for _, t := range top {
		p, ok := after.Find(t.PID)
		switch {
		case !ok || !hostprobe.SameImageName(p.Name, t.Name):
			return 0, fmt.Sprintf("container process %s PID %d is not a host process: got %s", t.Name, t.PID, describe(p, ok))
		case p.Session == nil:
			return 0, fmt.Sprintf("session unknown for %s PID %d: cannot show the container runs in its own session", t.Name, t.PID)
		case hostprobe.SameImageName(t.Name, "smss.exe"):
			smss = append(smss, p)
			continue
		case session == nil:
			session = p.Session
		case *p.Session != *session:
			return 0, fmt.Sprintf("container processes in two sessions: %s PID %d in session %d, others in session %d", t.Name, t.PID, *p.Session, *session)
		}
	}
	switch {
	case session == nil:
		return 0, "no container process besides smss.exe to find the container's session"
	case *session == 0:
		return 0, "the container's processes run in session 0, among the host's services, not in a container session"
	case *session == *self.Session:
		return 0, fmt.Sprintf("the container's processes run in the harness's session %d, not a container session", *session)
	}
	for _, p := range smss {
		if *p.Session != 0 && *p.Session != *session {
			return 0, fmt.Sprintf("container process smss.exe PID %d is in session %d, neither 0 nor the container's session %d", p.PID, *p.Session, *session)
		}
	}
	return *session, ""
}

// settleLine quotes a wait for settled evidence that timed out.
func settleLine(w evidence.Workload) []string {
	if w.SettleErr == nil {
		return nil
	}
	return []string{"docker top never settled: " + w.SettleErr.Message}
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
		part := fmt.Sprintf("%d (session %s", p.PID, sessionText(p.Session))
		if !p.CreateTime.IsZero() {
			part += ", created " + p.CreateTime.UTC().Format(time.RFC3339Nano)
		}
		if p.Owner != "" {
			part += ", owner " + p.Owner
		}
		if len(p.CommandLineIDs) > 0 {
			part += ", command line " + strings.Join(p.CommandLineIDs, " ")
		}
		parts = append(parts, part+")")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// FirstRunDoc is where a user reads which evidence lines of a first run on
// a real Hyper-V host to report (the facts the exact step rests on).
const FirstRunDoc = "docs/hyperv-attribution.md#first-run-on-a-real-host"

// AttributionText says, for the evidence, how the workers were attributed.
func AttributionText(a hostprobe.Attribution) string {
	switch a.Method {
	case hostprobe.AttributionExact:
		return "attribution: exact (a new vmwp.exe runs as or names the container's utility VM): utility VM " + a.VMID + " (" + a.VMIDFrom + ")"
	case hostprobe.AttributionElimination:
		return "attribution: elimination (new vmwp.exe created by vmcompute.exe inside the start window, less those naming another compute system HCS lists); exact did not apply: " + a.Why
	}
	return "attribution: timing (new vmwp.exe by PID and create time, created by vmcompute.exe or vmms.exe inside the start window): " + a.Why
}

// workerEvidence is what vm-worker shows of the attribution: the method,
// for a Hyper-V row the facts the exact step rests on, the workers before
// and after, every compute system HCS listed and why each new worker that
// is not the container's is not.
func workerEvidence(w evidence.Workload, a hostprobe.Attribution) []string {
	ev := []string{AttributionText(a)}
	if w.Row.Mode == "hyperv" {
		for _, f := range a.Facts {
			ev = append(ev, "fact: "+f)
		}
	}
	ev = append(ev,
		"vmwp before start: "+pids(w.Before.Named(hostprobe.WorkerName)),
		"vmwp after start: "+pids(w.After.Named(hostprobe.WorkerName)))
	if w.After.HCS != nil && w.After.HCS.Err == "" {
		for _, cs := range w.After.HCS.Systems {
			ev = append(ev, "HCS after start: "+hostprobe.DescribeSystem(cs))
		}
	}
	for _, cs := range a.NewTemplates {
		ev = append(ev, "template VM created in the start window (never the container's worker): "+cs.ID)
	}
	for i, p := range a.Foreign {
		ev = append(ev, fmt.Sprintf("not attributed: vmwp.exe %d: %s", p.PID, a.ForeignWhy[i]))
	}
	return ev
}

// CheckVMWorker: a Hyper-V container brings a VM worker attributed to it; a
// process-isolated one brings none. Other VMs have workers too, and may start
// during the window: a worker counts only when it is attributed to the
// container (hostprobe.AttributeWorkers: exact, else elimination, else
// timing; the evidence names the method and the facts that held).
func CheckVMWorker(d evidence.Daemon, w evidence.Workload) Verdict {
	if !d.Local {
		return notLocal(d, "this host's VM workers say nothing about it")
	}
	if v, inside := harnessInContainer(d); inside {
		return v
	}
	if w.HostErr != nil {
		return failed("probe broken: "+w.HostErr.Message, "run the gate elevated on the daemon's host")
	}
	if _, broken := soundSnapshot("before-start", w.Before, d); broken != nil {
		return *broken
	}
	if _, broken := soundSnapshot("after-start", w.After, d); broken != nil {
		return *broken
	}
	a := hostprobe.AttributeWorkers(*w.Before, *w.After, w.ContainerID)
	ev := workerEvidence(w, a)
	// Elimination and timing hold only while no other row of the harness
	// starts a VM in the window (the harness serialises Windows rows).
	if a.Method != hostprobe.AttributionExact && !w.Serialized {
		return failed(fmt.Sprintf("VM workers cannot be attributed: attribution by %s needs the harness's rows serialised, and this row was not", a.Method),
			"run the gate again; if it repeats, report it with this evidence: the harness serialises every Windows row", ev...)
	}
	if w.Row.Mode == "hyperv" {
		switch {
		case a.Ambiguous() && a.Method == hostprobe.AttributionTiming:
			return failed(fmt.Sprintf("ambiguous: %d new VM workers could be the container's: %s", len(a.Workers), pids(a.Workers)),
				"the probe could not read whose VMs they are ("+a.Why+"); run the gate elevated (as Administrator) so that HCS and process owners name each worker's VM", ev...)
		case a.Ambiguous():
			return failed(fmt.Sprintf("ambiguous: %d new VM workers could be the container's: %s", len(a.Workers), pids(a.Workers)),
				"none of them names a compute system HCS lists; find each one's VM (hcsdiag list; Get-Process vmwp -IncludeUserName) and attach this evidence to a report", ev...)
		case len(a.Workers) == 0 && len(a.Foreign) > 0:
			found := "no VM worker attributed to the Hyper-V container: the new vmwp.exe " + pids(a.Foreign) + " are not its (see why below)"
			if dis, ok := RowDisagreement(d, w); ok {
				return withDisagreement(failed(found, "", ev...), found, dis)
			}
			return failed(found, "the daemon did not start a utility VM for the container; check Hyper-V and the isolation the daemon used", ev...)
		case len(a.Workers) == 0:
			found := "no new vmwp.exe after the Hyper-V container started"
			if dis, ok := RowDisagreement(d, w); ok {
				return withDisagreement(failed(found, "", ev...), found, dis)
			}
			return failed(found+": no utility VM was seen, and the daemon's report and the process table agree",
				"the daemon did not start a utility VM; check Hyper-V and the isolation the daemon used", ev...)
		}
		v := passed(fmt.Sprintf("VM worker attributed (%s): vmwp.exe %s", a.Method, pids(a.Workers)), ev...)
		if a.Method == hostprobe.AttributionElimination {
			v.Warnings = []string{"VM worker attributed by elimination, not exactly: " + a.Why +
				"; please report this claim's attribution and fact lines (" + FirstRunDoc + ")"}
		}
		return v
	}
	if len(a.Workers) > 0 {
		found := fmt.Sprintf("a VM worker attributed (%s) to a process-isolated container: vmwp.exe %s", a.Method, pids(a.Workers))
		if dis, ok := RowDisagreement(d, w); ok && a.Method != hostprobe.AttributionExact {
			return withDisagreement(failed(found, "", ev...), found, dis)
		}
		return failed(found, "the daemon started a utility VM for a process container; check the isolation it really used", ev...)
	}
	return passed(fmt.Sprintf("no VM worker attributed (%s) to a process-isolated container", a.Method), ev...)
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
	ev := "container " + hostprobe.ShortID(w.ContainerID)
	if v, lost := connectionLost("removal", w.RemoveErr, ev); lost {
		return v
	}
	if v, lost := connectionLost("wait for removal", w.GoneErr, ev); lost {
		return v
	}
	switch {
	case w.RemoveErr != nil:
		return failed("removing the container failed: "+w.RemoveErr.Message, "docker rm -f "+hostprobe.ShortID(w.ContainerID)+"; read the daemon's log", ev)
	case w.GoneErr != nil:
		return failed("container still present after removal: "+w.GoneErr.Message, "docker rm -f "+hostprobe.ShortID(w.ContainerID)+"; a daemon that keeps removed containers leaks them", ev)
	case w.WorkersGoneErr != nil:
		return failed("VM worker still running after removal: "+w.WorkersGoneErr.Message, "the utility VM outlived its container; check Hyper-V and vmcompute", ev)
	}
	v := passed("container removed and gone", ev)
	v.Evidence = append(v.Evidence, lingeringTemplates(w)...)
	return v
}

// lingeringTemplates names the template VMs HCS listed after the start:
// never the container's worker, so the removal did not wait for them. HCS
// keeps them to clone utility VMs from and reuses them, and moby terminates
// them only when a layer is deleted (daemon/graphdriver/windows/windows.go,
// "Get and terminate any template VMs"); one docker run --rm of a Hyper-V
// container has left a second vmwp.exe running (microsoft/hcsshim#251).
func lingeringTemplates(w evidence.Workload) []string {
	if w.Row.Mode != "hyperv" || w.After == nil || w.After.HCS == nil {
		return nil
	}
	var out []string
	for _, cs := range w.After.HCS.Systems {
		if cs.IsRuntimeTemplate {
			out = append(out, "template VM "+cs.ID+" is not the container's: its worker may outlive the container (HCS reuses templates)")
		}
	}
	return out
}

// CheckRefused: a Linux daemon refuses process and hyperv isolation as an
// invalid parameter, in a known wording. Current moby answers 400
// ("invalid isolation (hyperv): linux only supports 'default'"); Debian's
// 20.10 answers 500 with `Invalid isolation: "hyperv" - linux only supports
// 'default'`, an error it never typed as invalid-parameter (measured on this
// project's CI host). Both are refusals; any other answer fails.
func CheckRefused(r evidence.Refusal) Verdict {
	if r.CreateErr == nil {
		return failed(fmt.Sprintf("the daemon accepted isolation %q (container %s)", r.Row.Mode, hostprobe.ShortID(r.ContainerID)),
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
