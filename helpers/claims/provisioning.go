package claims

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// Provisioning claim IDs.
const (
	DaemonReachable  = "daemon-reachable"
	EnginePlatform   = "engine-platform"
	EngineVersion    = "engine-version"
	APIVersion       = "api-version"
	DefaultIsolation = "default-isolation"
	BaseImage        = "base-image"
	ImageBuild       = "image-build"
	ServiceDocker    = "service-docker"
	ServiceVmcompute = "service-vmcompute"
	ServiceVmms      = "service-vmms"
)

// CheckDaemonReachable: the daemon answered. It never skips: a gate that
// cannot reach its daemon has proved nothing.
func CheckDaemonReachable(d evidence.Daemon) Verdict {
	if d.Unreachable == nil {
		return passed(fmt.Sprintf("daemon at %s answered: %s %s, API %s",
			d.Target, nonEmpty(d.Version.Platform.Name, "Docker Engine"), d.Version.Version, d.Version.APIVersion))
	}
	msg := fmt.Sprintf("cannot reach the Docker daemon at %s", d.Target)
	evidenceLine := "error: " + d.Unreachable.Message
	switch Classify(d.Unreachable.Message) {
	case ClassAccessDenied:
		return failed(msg+": access denied", "run elevated (an Administrator shell on Windows, root or the docker group on Linux), or have the daemon grant this user access", evidenceLine)
	case ClassPipeBusy:
		return failed(msg+": every instance of the pipe is busy", "the daemon is overloaded or hung: wait and re-run, or restart it (Restart-Service docker) when it stays so", evidenceLine)
	case ClassDesktopBackendDown:
		backend := "its backend engine"
		if pipe := pipeRE.FindString(d.Unreachable.Message); pipe != "" {
			backend = "its backend engine at " + pipe
		}
		return failed(msg+": Docker Desktop's proxy answered, but "+backend+" is down",
			"restart Docker Desktop's engine (Docker Desktop: Troubleshoot > Restart, or quit and start Docker Desktop; for the WSL 2 backend run wsl --shutdown first): Docker Desktop 4.x runs no docker service to start", evidenceLine)
	case ClassNotDockerEngine:
		return failed(fmt.Sprintf("not a Docker Engine at %s: it answered, but not with the Engine API (%s)", d.Target, firstLine(d.Unreachable.Message)),
			"something else (a web server, a proxy) listens at "+d.Target+": point DOCKER_HOST at the Docker Engine's socket or pipe", evidenceLine)
	case ClassNotListening:
		if fix := silentDaemonFix(d); fix != "" {
			return failed(msg+": nothing listens there", fix, append([]string{evidenceLine}, hostFactsLines(d)...)...)
		}
		return failed(msg+": nothing listens there", "start the daemon (Windows: Start-Service docker; Linux: systemctl start docker, or dockerd &), or point DOCKER_HOST at the daemon to test", evidenceLine)
	}
	return failed(msg, "check that the daemon runs and DOCKER_HOST (or the platform default) names it", evidenceLine)
}

// pullFix says what to do about a failed pull, by the class of the
// registry's or daemon's words: an image for another Windows build or OS gets
// the image that fits this host (never "make it reachable": the registry
// answered), missing foreign layers get the mirror fix.
func pullFix(d evidence.Daemon, e config.Expectations, message string) string {
	host := evidence.WindowsBuild(d.Info.KernelVersion)
	var modes []string
	for _, m := range []string{"process", "hyperv"} {
		if e.WantsMode(m) {
			modes = append(modes, m)
		}
	}
	if len(modes) == 0 {
		modes = []string{"process", "hyperv"}
	}
	fitting := func(lead string) string {
		if d.Info.OSType != "windows" || host == 0 {
			return lead + "set " + config.EnvImage + " to an image built for this daemon's platform"
		}
		return lead + FitFix(fitOf(d, host, modes, d.Image.Ref)) + " (set " + config.EnvImage + ")"
	}
	switch Classify(message) {
	case ClassImageMismatch:
		return fitting("the registry has no variant of this image for the host's build: ")
	case ClassTagMissing:
		return fitting("the tag does not exist: ")
	case ClassWrongImageOS:
		return fitting("the image is for another operating system: ")
	case ClassLayerRegistration:
		return layerRegistrationFix(d)
	case ClassInvalidLayer:
		return "the compute service cannot use a layer of the image (0xc0370112): remove it (docker rmi) and pull again, or " + FitFix(fitOf(d, host, modes, ""))
	case ClassForeignLayers:
		return "the registry or mirror lacks the image's Windows base layers (foreign layers): pull from mcr.microsoft.com, or push the image to the mirror with the daemon's allow-nondistributable-artifacts set; then re-run"
	}
	return "make the image reachable (registry, proxy, credentials) or load it with docker load; then re-run"
}

// fitOf gathers what FitFix needs from the evidence; image is the image under
// test ("" when a Microsoft tag is what to name).
func fitOf(d evidence.Daemon, host int, modes []string, image string) Fit {
	at, _ := RunDate(d)
	return Fit{Host: host, HostRev: hostRevision(d), Modes: modes, At: at, Image: image}
}

// RunDate is the moment of the run by the daemon's own clock (Info.SystemTime,
// recorded in fixtures, so that a replay judges servicing as the run did);
// false when the daemon reported none, and then the servicing table's own
// date.
func RunDate(d evidence.Daemon) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, d.Info.SystemTime); err == nil {
		return t, true
	}
	return TableChecked, false
}

// WindowsRevision reads the update revision (UBR) from an image OsVersion
// ("10.0.17763.1039") or an OperatingSystem ("... (OS Build 20348.707)").
func WindowsRevision(s string) int {
	if m := osBuildRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[2])
		return n
	}
	parts := strings.Split(s, ".")
	if len(parts) == 4 {
		n, _ := strconv.Atoi(parts[3])
		return n
	}
	return 0
}

var osBuildRE = regexp.MustCompile(`OS Build (\d+)\.(\d+)`)

// pipeRE finds a named pipe in an error, in either spelling
// (\\.\pipe\docker_engine_linux, //./pipe/dockerDesktopLinuxEngine).
var pipeRE = regexp.MustCompile(`(?:\\\\\.\\pipe\\|//\./pipe/)[A-Za-z0-9_.-]+`)

// DaemonBuild is the host build the daemon reports: the Windows build number,
// or the Linux kernel release.
func DaemonBuild(d evidence.Daemon) string {
	if d.Info.OSType == "windows" {
		if b := evidence.WindowsBuild(d.Info.KernelVersion); b != 0 {
			return strconv.Itoa(b)
		}
	}
	return d.Info.KernelVersion
}

// CheckEnginePlatform: the daemon is the host's daemon and runs the containers
// the gate is for: Version.Os, Info.OSType, the expected platform and, for a
// local daemon, the host probe's OS build all agree.
func CheckEnginePlatform(d evidence.Daemon, e config.Expectations) Verdict {
	ev := []string{
		fmt.Sprintf("version: os/arch %s/%s, kernel %q", d.Version.Os, d.Version.Arch, d.Version.KernelVersion),
		fmt.Sprintf("info: OSType %q, OperatingSystem %q, KernelVersion %q", d.Info.OSType, d.Info.OperatingSystem, d.Info.KernelVersion),
	}
	want := e.Platform
	if d.Local && d.Host != nil {
		ev = append(ev, fmt.Sprintf("host probe: os %s, build %s", d.Host.OS, d.Host.Build))
		if want == "" {
			want = d.Host.OS
		}
	}
	if d.Local && d.HostErr != nil {
		return failed("host probe broken: "+d.HostErr.Message, "the harness could not read this host's OS; run it on the daemon's host with the rights to do so", ev...)
	}
	if d.Version.Os != "" && d.Info.OSType != "" && d.Version.Os != d.Info.OSType {
		return failed(fmt.Sprintf("version says os %q but info says OSType %q", d.Version.Os, d.Info.OSType), "the daemon contradicts itself; reinstall the engine", ev...)
	}
	if d.Version.Arch == "" || d.Info.OSType == "" {
		return failed("the daemon reports no OS type or architecture", "the daemon's /version and /info answers are incomplete; check the engine install", ev...)
	}
	if !d.Local && e.Platform == "" {
		return failed(fmt.Sprintf("daemon at %s is not local and no platform is pinned: got OSType %q, want a platform named by %s", d.Target, d.Info.OSType, config.EnvPlatform),
			"set "+config.EnvPlatform+"=windows or linux: a remote daemon cannot be compared with this host, so the gate must be told which containers it runs", ev...)
	}
	if want != "" && d.Info.OSType != want {
		fix := fmt.Sprintf("this gate expects %s containers; point DOCKER_HOST at the %s daemon", want, want)
		if want == "windows" && d.Info.OSType == "linux" {
			fix = "the daemon runs Linux containers (Docker Desktop in Linux mode?): switch to Windows containers, or install the Windows engine"
		}
		return failed(fmt.Sprintf("daemon OSType: got %q, want %q", d.Info.OSType, want), fix, ev...)
	}
	if d.Local && d.Host != nil && d.Host.Build != "" {
		if got := DaemonBuild(d); got != d.Host.Build {
			return failed(fmt.Sprintf("daemon reports host build %s but this host is build %s", got, d.Host.Build),
				"DOCKER_HOST reaches a daemon on another machine; run the gate on the daemon's host or unset DOCKER_HOST", ev...)
		}
	}
	v := passed(fmt.Sprintf("%s/%s daemon, host build %s", d.Info.OSType, d.Version.Arch, DaemonBuild(d)), ev...)
	if w := HostServicingWarning(d); w != "" {
		v.Warnings = append(v.Warnings, w)
	}
	return v
}

// CheckEngineVersion: the engine version satisfies the constraint.
func CheckEngineVersion(d evidence.Daemon, e config.Expectations) Verdict {
	ev := fmt.Sprintf("%s %s (commit %s, %s)", nonEmpty(d.Version.Platform.Name, "engine"), d.Version.Version, d.Version.GitCommit, d.Version.GoVersion)
	c, err := config.ParseConstraint(e.EngineVersion)
	if err != nil {
		return failed("bad engine version constraint: "+err.Error(), "fix "+config.EnvEngineVersion, ev)
	}
	ok, err := c.Allows(d.Version.Version)
	if err != nil {
		return failed(fmt.Sprintf("engine version %q is not a version: %v", d.Version.Version, err), "check the engine install", ev)
	}
	if !ok {
		return failed(fmt.Sprintf("engine version: got %s, want %s", d.Version.Version, e.EngineVersion),
			"upgrade the engine to a version within "+e.EngineVersion+", or change "+config.EnvEngineVersion, ev)
	}
	return passed(fmt.Sprintf("engine %s satisfies %s", d.Version.Version, e.EngineVersion), ev)
}

// CheckAPIVersion: the daemon's API version is at least the minimum.
func CheckAPIVersion(d evidence.Daemon, e config.Expectations) Verdict {
	ev := fmt.Sprintf("API %s (daemon minimum %s)", d.Version.APIVersion, d.Version.MinAPIVersion)
	cmp, err := config.CompareVersions(d.Version.APIVersion, e.MinAPIVersion)
	if err != nil {
		return failed("cannot compare API versions: "+err.Error(), "check the engine install and "+config.EnvMinAPIVersion, ev)
	}
	if cmp < 0 {
		return failed(fmt.Sprintf("API version: got %s, want >= %s", d.Version.APIVersion, e.MinAPIVersion),
			"upgrade the engine to one that serves API "+e.MinAPIVersion+" or later", ev)
	}
	return passed(fmt.Sprintf("API %s >= %s", d.Version.APIVersion, e.MinAPIVersion), ev)
}

// ExpectedDefaultIsolation is what the daemon should report in Info.Isolation,
// and what decided it. The daemon itself picks hyperv on a client SKU and
// process otherwise, by RtlGetVersion's product type (moby
// daemon/daemon_windows.go setDefaultIsolation, IsWindowsClient in
// pkg/parsers/operatingsystem), so a local host's product type decides.
// A remote daemon's host cannot be probed: its OperatingSystem text decides,
// which newer engines write from the same product type ("Microsoft Windows
// Server Version ..." only on a server, pkg/parsers/operatingsystem
// windows_os_string.go) and older ones from the registry's ProductName
// ("Windows Server 2019 Datacenter ...", "Windows 10 Pro ..."). On Linux,
// "default" (reported as "").
func ExpectedDefaultIsolation(d evidence.Daemon, e config.Expectations) (string, string) {
	if e.DefaultIsolation != config.AutoDefaultIsolation && e.DefaultIsolation != "" {
		return e.DefaultIsolation, config.EnvDefaultIsolation + "=" + e.DefaultIsolation
	}
	if d.Info.OSType != "windows" {
		return "default", "a " + d.Info.OSType + " daemon has only its default isolation"
	}
	if d.Local && d.Host != nil && d.Host.ProductType != "" {
		if d.Host.IsClient() {
			return "hyperv", "host product type " + d.Host.ProductType + " (a client edition): the daemon defaults to hyperv"
		}
		return "process", "host product type " + d.Host.ProductType + ": the daemon defaults to process"
	}
	why := "daemon's OperatingSystem text"
	if d.Local {
		why += " (the host probe read no product type)"
	}
	if strings.Contains(strings.ToLower(d.Info.OperatingSystem), "server") {
		return "process", why + " names a Server edition"
	}
	return "hyperv", why + " names no Server edition"
}

// CheckDefaultIsolation: the daemon's default isolation is the platform's.
func CheckDefaultIsolation(d evidence.Daemon, e config.Expectations) Verdict {
	want, why := ExpectedDefaultIsolation(d, e)
	got := string(d.Info.Isolation)
	if got == "" {
		got = "default"
	}
	ev := []string{fmt.Sprintf("info: Isolation %q, OperatingSystem %q", d.Info.Isolation, d.Info.OperatingSystem), "expected " + want + ": " + why}
	if got != want {
		fix := "set the daemon's default with --exec-opt isolation=" + want + ` (daemon.json "exec-opts": ["isolation=` + want + `"]) and restart it, or set ` + config.EnvDefaultIsolation
		if d.Info.OSType != "windows" {
			fix = "a Linux daemon has only the default isolation; set " + config.EnvDefaultIsolation + "=default"
		}
		if reading, line := ReadVmms(d); want == "hyperv" && reading == VmmsMissing {
			// A hyperv default where Hyper-V is absent would fail every
			// container that does not ask for an isolation.
			fix = "this host has no Hyper-V (" + line + "), so a hyperv default would fail every container: install Hyper-V (Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V -All; in a VM, enable nested virtualization first) before setting the daemon's default to hyperv, or set " + config.EnvDefaultIsolation + "=" + got + " to gate this host as it is"
		}
		return failed(fmt.Sprintf("default isolation: got %s, want %s", got, want), fix, ev...)
	}
	return passed("default isolation is "+got, ev...)
}

// CheckBaseImage: the base image is on the host, or was pulled as the pull
// policy allows.
func CheckBaseImage(d evidence.Daemon, e config.Expectations) Verdict {
	img := d.Image
	if img.RefErr != nil {
		return failed(img.RefErr.Message, "set "+config.EnvImage+" to an image built for this host")
	}
	if img.Inspect == nil {
		ev := []string{"pull policy: " + string(e.Pull)}
		if img.PullErr != nil {
			ev = append(ev, "pull error: "+img.PullErr.Message)
		}
		if img.InspectErr != nil {
			ev = append(ev, "inspect error: "+img.InspectErr.Message)
		}
		fix := "docker pull " + img.Ref + ", or set " + config.EnvPull + "=missing"
		if img.PullErr != nil {
			fix = pullFix(d, e, img.PullErr.Message)
		}
		if img.Ref == config.LinuxTestImage {
			fix = "build it with `make image`"
		}
		return failed(fmt.Sprintf("image %s is not on the host", img.Ref), fix, ev...)
	}
	how := "present"
	if img.Pulled {
		how = "pulled"
	}
	platform := img.Inspect.Os + "/" + img.Inspect.Architecture
	if img.Inspect.OsVersion != "" {
		platform += " " + img.Inspect.OsVersion
	}
	return passed(fmt.Sprintf("image %s %s: id %s, %s", img.Ref, how, hostprobe.ShortID(img.Inspect.ID), platform))
}

// CheckImageBuild: the image's OS build fits the host for every isolation
// mode under test, by the rules in buildcompat.go (hcsshim's process
// isolation rule, "not newer" for Hyper-V, the revision rules Microsoft
// states); an image revision newer than the host's is a warning.
func CheckImageBuild(d evidence.Daemon, e config.Expectations) Verdict {
	img := d.Image.Inspect
	if img == nil {
		return failed("no image inspect to judge", "check the base-image claim: the image was not found on the host")
	}
	if img.Os != d.Info.OSType {
		return failed(fmt.Sprintf("image OS: got %s, want %s", img.Os, d.Info.OSType), "use an image built for "+d.Info.OSType)
	}
	if d.Info.OSType != "windows" {
		return passed(fmt.Sprintf("%s image on a %s daemon: no OS build rule applies", img.Os, d.Info.OSType))
	}
	host := evidence.WindowsBuild(d.Info.KernelVersion)
	image := evidence.WindowsBuild(img.OsVersion)
	hostRev, imageRev := hostRevision(d), WindowsRevision(img.OsVersion)
	ev := []string{fmt.Sprintf("host build %d.%d (KernelVersion %q), image %s OsVersion %q", host, hostRev, d.Info.KernelVersion, d.Image.Ref, img.OsVersion)}
	revisionUnknown := hostRevisionUnknown(d, hostRev)
	if revisionUnknown != "" {
		ev = append(ev, "host revision unknown ("+revisionUnknown+"): the revision rules were not applied")
	}
	if host == 0 || image == 0 {
		return failed("cannot read the OS build of the host or the image", "check the daemon's KernelVersion and the image's OsVersion", ev...)
	}
	var problems, fits, modes, warnings []string
	for _, mode := range []string{"process", "hyperv"} {
		if !e.WantsMode(mode) {
			continue
		}
		modes = append(modes, mode)
		if !BuildFits(mode, host, image) {
			if mode == "process" {
				problems = append(problems, fmt.Sprintf("process isolation on host build %d cannot run image build %d", host, image))
			} else {
				problems = append(problems, fmt.Sprintf("hyperv isolation runs images of build %d or older, got %d", host, image))
			}
			continue
		}
		problem, warning := RevisionFinding(mode, host, hostRev, image, imageRev)
		if revisionUnknown != "" && RevisionRuleApplies(mode, host, image, imageRev) {
			warning = fmt.Sprintf("host revision unknown (%s): whether image revision %d.%d fits %s isolation on this build was not checked", revisionUnknown, image, imageRev, mode)
		}
		if problem != "" {
			problems = append(problems, problem)
			continue
		}
		if warning != "" {
			warnings = append(warnings, warning)
		}
		fits = append(fits, mode)
	}
	if len(problems) > 0 {
		fix := FitFix(fitOf(d, host, modes, d.Image.Ref))
		if image == host && BuildFits("process", host, image) {
			// The build fits: a revision rule failed, and a build fix would be wrong.
			fix = RevisionFix(host, hostRev, imageRev)
		}
		return failed(strings.Join(problems, "; "), fix, ev...)
	}
	if len(modes) == 0 {
		return skipped("no Windows isolation mode is under test ("+config.EnvIsolation+")", ev...)
	}
	if w := ImageServicingWarning(d, modes); w != "" {
		warnings = append(warnings, w)
	}
	v := passed(fmt.Sprintf("image build %d fits host build %d for %s", image, host, strings.Join(fits, ", ")), ev...)
	v.Warnings = warnings
	return v
}

// hostRevisionUnknown is the probe's reason when neither the daemon nor the
// host probe gave the host's revision; empty when it is known or no reason
// was given.
func hostRevisionUnknown(d evidence.Daemon, hostRev int) string {
	if hostRev != 0 || d.Host == nil {
		return ""
	}
	return d.Host.Unknown["revision"]
}

func hostRevision(d evidence.Daemon) int {
	if r := WindowsRevision(d.Info.OperatingSystem); r > 0 {
		return r
	}
	if d.Host != nil {
		return d.Host.Revision
	}
	return 0
}

// hostSide decides whether a claim about the host's own state can be judged.
func hostSide(d evidence.Daemon) (Verdict, bool) {
	if d.Info.OSType != "windows" {
		return skipped("daemon OSType is " + d.Info.OSType + ": Windows services do not apply"), false
	}
	if !d.Local {
		return notLocal(d, "this host's services say nothing about it"), false
	}
	if v, inside := harnessInContainer(d); inside {
		return v, false
	}
	if d.ServicesErr != nil {
		return failed("service probe broken: "+d.ServicesErr.Message, "run the gate elevated so that it can query the service control manager"), false
	}
	return Verdict{}, true
}

func serviceLine(name string, d evidence.Daemon) (string, bool, bool) {
	s, ok := d.Service(name)
	if !ok || !s.Exists {
		return fmt.Sprintf("service %s: not installed", name), false, false
	}
	line := fmt.Sprintf("service %s: %s, start type %s", name, s.State, s.StartType)
	if s.StartTypeNote != "" {
		line += " (" + s.StartTypeNote + ")"
	}
	return line, true, s.State == "running"
}

// DockerServicePolicy resolves auto: a client edition (Windows 10/11) runs
// the Windows engine under Docker Desktop, which starts the docker service
// itself when it switches to Windows containers and does not set it to start
// with Windows (Docker Desktop starts at user login only, by design:
// docker/for-win#6670, #11396), so there the service must only exist and run; a Server must
// bring the engine back after a reboot on its own (dockerd
// --register-service, Microsoft's install scripts set it automatic).
func DockerServicePolicy(d evidence.Daemon, e config.Expectations) (config.DockerServicePolicy, string) {
	switch e.DockerService {
	case config.DockerServiceAutomatic, config.DockerServiceRunning:
		return e.DockerService, config.EnvDockerService + "=" + string(e.DockerService)
	}
	if d.Host != nil && d.Host.IsClient() {
		return config.DockerServiceRunning, "client edition (product type " + nonEmpty(d.Host.ProductType, "unknown") + ", installation type " + nonEmpty(d.Host.Edition, "unknown") + "): Docker Desktop starts the engine"
	}
	return config.DockerServiceAutomatic, "server edition: the engine must start with Windows"
}

// CheckServiceDocker: the docker service exists and runs, and on a Server (or
// under CONFORMANCE_DOCKER_SERVICE=automatic) starts with the host.
func CheckServiceDocker(d evidence.Daemon, e config.Expectations) Verdict {
	if v, ok := hostSide(d); !ok {
		return v
	}
	policy, why := DockerServicePolicy(d, e)
	line, exists, running := serviceLine("docker", d)
	ev := []string{line, "policy " + string(policy) + ": " + why}
	s, _ := d.Service("docker")
	desktop := policy == config.DockerServiceRunning && d.Host != nil && d.Host.IsClient()
	switch {
	case !exists && desktop:
		return failed("the docker service is not installed", "start Docker Desktop and switch it to Windows containers (it runs the Windows engine as the docker service), or install the engine as a service with dockerd --register-service", ev...)
	case !exists:
		return failed("the docker service is not installed", "install the engine as a service (dockerd --register-service) so that it survives a reboot", ev...)
	case !running && desktop:
		return failed("the docker service is "+s.State, "start Docker Desktop in Windows containers mode, or Start-Service docker", ev...)
	case !running:
		return failed("the docker service is "+s.State, "Start-Service docker; a daemon that answers without the service was started by hand and will not come back after a reboot", ev...)
	case policy == config.DockerServiceAutomatic && s.StartType != "auto" && s.StartType != "delayed-auto":
		return failed("the docker service starts "+s.StartType+", not automatically", "Set-Service docker -StartupType Automatic, or set "+config.EnvDockerService+"=running where another program starts the engine", ev...)
	case policy == config.DockerServiceAutomatic:
		return passed("docker service running, starts automatically", ev...)
	}
	return passed("docker service running (start type "+s.StartType+")", ev...)
}

// CheckServiceVmcompute: the Containers feature's host compute service exists and runs.
func CheckServiceVmcompute(d evidence.Daemon) Verdict {
	if v, ok := hostSide(d); !ok {
		return v
	}
	line, exists, running := serviceLine("vmcompute", d)
	switch {
	case !exists:
		return failed("vmcompute (the Containers feature) is not installed", "Install-WindowsFeature -Name Containers; Restart-Computer", line)
	case !running:
		return failed("vmcompute is not running", "Start-Service vmcompute", line)
	}
	return passed("vmcompute running: the Containers feature is installed", line)
}

// VmmsReading says what the vmms service tells about Hyper-V. Missing means
// the Hyper-V role is not installed: what a VM without nested
// virtualization looks like, since Install-WindowsFeature Hyper-V refuses a
// processor without virtualization extensions. Installed but not running is
// a host someone stopped or disabled: a configuration fault, never "Hyper-V
// is not available here", so it fails under both policies.
type VmmsReading int

const (
	VmmsUnknown VmmsReading = iota // not probed (remote daemon, broken probe)
	VmmsRunning
	VmmsMissing
	VmmsNotRunning
)

// ReadVmms reads the vmms service from the evidence.
func ReadVmms(d evidence.Daemon) (VmmsReading, string) {
	s, ok := d.Service("vmms")
	switch {
	case !d.Local || !ok:
		return VmmsUnknown, "vmms not probed"
	case !s.Exists:
		return VmmsMissing, "vmms not installed (no Hyper-V role)"
	case s.State != "running":
		return VmmsNotRunning, fmt.Sprintf("vmms installed but %s (start type %s)", s.State, s.StartType)
	}
	return VmmsRunning, "vmms running"
}

// CheckServiceVmms: the Hyper-V management service exists and runs when
// Hyper-V isolation is under test. Under the skip policy a missing vmms skips;
// a stopped one fails under both policies (see VmmsReading).
func CheckServiceVmms(d evidence.Daemon, e config.Expectations) Verdict {
	if v, ok := hostSide(d); !ok {
		return v
	}
	if !e.WantsMode("hyperv") {
		return skipped("hyperv isolation is not under test (" + config.EnvIsolation + ")")
	}
	line, _, _ := serviceLine("vmms", d)
	reading, _ := ReadVmms(d)
	s, _ := d.Service("vmms")
	switch reading {
	case VmmsRunning:
		return passed("vmms running: Hyper-V is installed", line)
	case VmmsMissing:
		if e.HyperV == config.HyperVSkip {
			return skipped("no usable Hyper-V on this host (vmms not installed) and "+config.EnvHyperV+"=skip", line)
		}
		return failed("vmms (Hyper-V) is not installed", "Install-WindowsFeature -Name Hyper-V -IncludeManagementTools; Restart-Computer (client: Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V -All; in a VM, enable nested virtualization first), or set "+config.EnvHyperV+"=skip", line)
	}
	fix := "Start-Service vmms"
	if s.StartType == "disabled" || s.StartType == "manual" {
		fix = "Set-Service vmms -StartupType Automatic; Start-Service vmms"
	}
	return failed("vmms is installed but "+nonEmpty(s.State, "not running")+": Hyper-V is configured off, not absent", fix+" (a stopped vmms fails under "+config.EnvHyperV+"=skip too: skip is for hosts without Hyper-V)", line)
}

// notLocal skips a host-side claim: the host the harness runs on is not the
// daemon's.
func notLocal(d evidence.Daemon, why string) Verdict {
	return skipped("daemon at " + d.Target + " is not local: " + why)
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
