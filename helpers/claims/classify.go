package claims

import "strings"

// Class is what a daemon, client or registry error means for the gate.
type Class string

const (
	ClassNone Class = ""
	// ClassImageMismatch: the image's OS build cannot run on this host (at
	// start) or no image of the reference fits it (at pull).
	ClassImageMismatch Class = "image-mismatch"
	// ClassNoHypervisor: Hyper-V isolation asked for on a host without a
	// usable hypervisor (role missing, feature off, no nested
	// virtualization, hypervisor not launched).
	ClassNoHypervisor Class = "no-hypervisor"
	// ClassGenericHCS: a generic Win32 error of the host compute service
	// ("The request is not supported", "The parameter is incorrect") that
	// real hosts print for several causes; the claim decides it with the
	// evidence at hand and says so.
	ClassGenericHCS Class = "generic-hcs"
	// ClassUnsupportedIsolation: the daemon does not support the isolation
	// asked for (a Linux daemon, an unknown value, an old Windows client).
	ClassUnsupportedIsolation Class = "unsupported-isolation"
	// ClassUnexpectedExit: the utility VM or container died at start; an
	// image revision newer than the host's fails this way.
	ClassUnexpectedExit Class = "unexpected-exit"
	// ClassCreateProcess: the container exists but its workload process could
	// not be created in it (the program is not in the image, most often).
	ClassCreateProcess Class = "create-process"
	// ClassWrongImageOS: the image is built for another operating system.
	ClassWrongImageOS Class = "wrong-image-os"
	// ClassTagMissing: the registry has no such tag.
	ClassTagMissing Class = "tag-missing"
	// ClassForeignLayers: a registry or mirror lacks the Windows base
	// layers that Microsoft's images reference by URL.
	ClassForeignLayers Class = "foreign-layers"
	// ClassRegistry: the registry cannot be reached or refuses the pull.
	ClassRegistry Class = "registry"
	// ClassAccessDenied: the client may not open the daemon's pipe or socket.
	ClassAccessDenied Class = "access-denied"
	// ClassPipeBusy: the named pipe exists but every instance is busy.
	ClassPipeBusy Class = "pipe-busy"
	// ClassNotListening: nothing listens at the daemon address.
	ClassNotListening Class = "not-listening"
	// ClassLayerRegistration: the image was downloaded, but the daemon could
	// not register its layers on this host's disk (hcsshim ProcessBaseLayer):
	// a local fault, not the registry's.
	ClassLayerRegistration Class = "layer-registration"
	// ClassInvalidLayer: HCS cannot use a layer of the image
	// (ERROR_VMCOMPUTE_INVALID_LAYER, 0xc0370112), under either isolation.
	ClassInvalidLayer Class = "invalid-layer"
	// ClassHostRPC: a call into the host compute service failed
	// (RPC_S_CALL_FAILED, 0x6be): a host fault, whatever step it hit.
	ClassHostRPC Class = "host-rpc"
	// ClassHCSTimeout: the host compute service did not answer in time.
	ClassHCSTimeout Class = "hcs-timeout"
	// ClassRuntimeCreate: the engine's runtime (containerd's shim, runc)
	// refused to create the container: an engine-level refusal.
	ClassRuntimeCreate Class = "runtime-create"
	// ClassDesktopBackendDown: Docker Desktop's proxy answered on the pipe,
	// but the engine behind it (its backend) is down.
	ClassDesktopBackendDown Class = "desktop-backend-down"
	// ClassNotDockerEngine: something answered at the address, but not with
	// the Engine API (a web server's HTML, invalid JSON).
	ClassNotDockerEngine Class = "not-a-docker-engine"
	ClassOther           Class = "other"
)

// Wording is one phrase real hosts print, the class it means and where it
// was seen. Parts are matched case-insensitively as substrings, in table
// order: the first match wins, so specific phrases come before generic ones.
// docs/windows-wordings.md is the readable form of this table (a test keeps
// them in step) and survey_test.go holds a full message of each with its
// class and the fix the verdict gives.
type Wording struct {
	Part   string
	Class  Class
	Source string
}

// Wordings is the classifier's table.
var Wordings = []Wording{
	// Layers: before the generic "The parameter is incorrect", which a layer
	// registration failure ends with.
	{"processbaselayer", ClassLayerRegistration, "hcsshim ProcessBaseLayer at layer registration: moby#46112 ('failed to register layer: re-exec error: exit status 1: output: hcsshim::ProcessBaseLayer ...: The parameter is incorrect.'), docker/for-win#5506, moby#27527"},
	{"cloning the parent utility vm image failed", ClassLayerRegistration, "moby#38582 (17.06.2-ee on Server 2016, 'failed to register layer ... cloning the parent utility VM image failed')"},
	{"processutilityvmimage", ClassLayerRegistration, "moby#35668 ('failed to register layer: ... ProcessUtilityVMImage ...\\UtilityVM: The system cannot find the path specified.')"},
	{"failed to register layer", ClassLayerRegistration, "moby daemon/internal/distribution (registering a downloaded layer)"},
	{"0xc0370112", ClassInvalidLayer, "ERROR_VMCOMPUTE_INVALID_LAYER (golang.org/x/sys/windows zerrors); hcsshim#2566 ('hcsshim::PrepareLayer failed ... the container image contains a layer with an unrecognized format (0xc0370112)', ltsc2025 images on 26200 hosts, both isolations)"},
	{"layer with an unrecognized format", ClassInvalidLayer, "ERROR_VMCOMPUTE_INVALID_LAYER text (hcsshim#2566)"},
	// A failed call into the host compute service: before the CreateProcess
	// wordings, which it arrives in.
	{"the remote procedure call failed", ClassHostRPC, "RPC_S_CALL_FAILED text: hcsshim#1472 ('encountered an error during hcsshim::System::CreateProcess: failure in a Windows system call: The remote procedure call failed. (0x6be)'; maintainers: fixed in newer Windows releases)"},
	{"(0x6be)", ClassHostRPC, "RPC_S_CALL_FAILED as hcsshim prints it (hcsshim#1472)"},
	{"timeout waiting for notification", ClassHCSTimeout, "hcsshim internal/hcs/errors.go ErrTimeout 'hcsshim: timeout waiting for notification'"},
	// Image build does not fit the host.
	{"container operating system does not match the host operating system", ClassImageMismatch, "HCS_E_IMAGE_MISMATCH text; 19.03 hcsshim:: and 20.10+ hcs:: prefixes (gitlab-runner#29058)"},
	{"operating system of the container does not match the operating system of the host", ClassImageMismatch, "Microsoft Learn, version compatibility, 'Errors from mismatched versions'"},
	{"0xc0370101", ClassImageMismatch, "HCS_E_IMAGE_MISMATCH as an NTSTATUS (Microsoft Learn, version compatibility)"},
	{"0x80370101", ClassImageMismatch, "HCS_E_IMAGE_MISMATCH as an HRESULT"},
	{"-based image is incompatible with a", ClassImageMismatch, "moby daemon/internal/distribution/pull_v2_windows.go checkImageCompatibility"},
	{"-based image can only be run on a", ClassImageMismatch, "a Windows engine's image check ('an older/a newer Windows version ...-based image can only be run on a ... host using Hyper-V isolation')"},
	{"no matching manifest for windows", ClassImageMismatch, "moby daemon/internal/distribution/pull_v2.go and daemon/containerd/image_pull.go"},
	// No usable hypervisor.
	{"no hypervisor is present on this system", ClassNoHypervisor, "ERROR_HV_NOT_PRESENT; moby#27198 (1.12), docker/for-win#851 and #1477 (17.x), navcontainerhelper#283 (18.09)"},
	{"0xc0351000", ClassNoHypervisor, "ERROR_HV_NOT_PRESENT as an NTSTATUS (moby#27198)"},
	{"since the hypervisor is not running", ClassNoHypervisor, "HCS event 12001 'Cannot start Hyper-V Container ... since the hypervisor is not running in the host' (navcontainerhelper#283)"},
	{"hypervisor is not running", ClassNoHypervisor, "bcdedit hypervisorlaunchtype off; Hyper-V-Hypervisor event 5"},
	{"a required feature is not installed", ClassNoHypervisor, "HCS_E_HYPERV_NOT_INSTALLED text (MicrosoftDocs/azure-docs#47058, 19.03 hcsshim::CreateComputeSystem)"},
	{"0x80370102", ClassNoHypervisor, "HCS_E_HYPERV_NOT_INSTALLED"},
	{"hcs_e_hyperv_not_installed", ClassNoHypervisor, "HCS_E_HYPERV_NOT_INSTALLED by name"},
	{"since hyper-v is not installed on the host", ClassNoHypervisor, "HCS event 11008 'Cannot create system ... since Hyper-V is not installed on the host'"},
	{"one of the hyper-v components is not running", ClassNoHypervisor, "vmms 'failed to start ... because one of the Hyper-V components is not running' (MicrosoftDocs/azure-docs#47058)"},
	{"the virtualization extensions are not available", ClassNoHypervisor, "a VM without nested virtualization (Set-VMProcessor -ExposeVirtualizationExtensions)"},
	// Generic Win32 errors of HCS: decided with evidence.
	{"the request is not supported", ClassGenericHCS, "ERROR_NOT_SUPPORTED from CreateComputeSystem under --isolation=hyperv (navcontainerhelper#525, #3207, moby#40720, HodorNV/ALOps#89)"},
	{"0x80070032", ClassGenericHCS, "ERROR_NOT_SUPPORTED as an HRESULT"},
	{"(0x32)", ClassGenericHCS, "ERROR_NOT_SUPPORTED as hcsshim prints it (HodorNV/ALOps#89)"},
	{"the parameter is incorrect", ClassGenericHCS, "ERROR_INVALID_PARAMETER from CreateComputeSystem (moby#42159, docker/for-win#10665, MicrosoftDocs/Virtualization-Documentation#1461)"},
	{"0x80070057", ClassGenericHCS, "ERROR_INVALID_PARAMETER as an HRESULT"},
	// The container died at start.
	{"0xc0370106", ClassUnexpectedExit, "HCS_E_UNEXPECTED_EXIT (hcsshim internal/hcs/errors.go ErrVmcomputeUnexpectedExit; actions/runner-images#11582, microsoft/Windows-Containers#591)"},
	{"the virtual machine or container exited unexpectedly", ClassUnexpectedExit, "HCS_E_UNEXPECTED_EXIT text (microsoft/Windows-Containers#356, #591)"},
	{"0xc0370100", ClassUnexpectedExit, "HCS_E_TERMINATED_DURING_START, 'exited unexpectedly while starting'"},
	// The workload process could not be created (before the pipe wordings:
	// its Win32 text is often "The system cannot find the file specified").
	{"system::createprocess", ClassCreateProcess, "19.03 hcsshim::System::CreateProcess and 20.10+ hcs::System::CreateProcess (jenkinsci/docker-agents#208)"},
	{"error during createprocess", ClassCreateProcess, "17.x 'encountered an error during CreateProcess: failure in a Windows system call' (microsoft/service-fabric-issues#574)"},
	// The isolation mode is refused.
	{"linux only supports 'default'", ClassUnsupportedIsolation, "moby daemon/internal/runconfig/hostconfig_unix.go (400) and Debian's 20.10 (500, measured)"},
	{"windows supports 'default', 'process', or 'hyperv'", ClassUnsupportedIsolation, "moby daemon/internal/runconfig/hostconfig_windows.go; 17.x 'invalid --isolation' (MicrosoftDocs/Virtualization-Documentation#637)"},
	{"only support hyper-v containers", ClassUnsupportedIsolation, "moby 17.x daemon/daemon_windows.go verifyContainerSettings: 'Windows client operating systems only support Hyper-V containers'"},
	{"can only run hyper-v containers", ClassUnsupportedIsolation, "moby before 1b3fef5333: 'Windows client operating systems earlier than version 1809 can only run Hyper-V containers'"},
	{"invalid isolation", ClassUnsupportedIsolation, "moby daemon/container.go 'invalid isolation ... on windows'"},
	{"isolation mode is not supported", ClassUnsupportedIsolation, "generic refusal wording"},
	// The engine's runtime refused: after every HCS phrase, which such an
	// error often wraps.
	{"oci runtime create failed", ClassRuntimeCreate, "moby daemon (containerd/runc create error, 'OCI runtime create failed: ...')"},
	{"failed to create shim task", ClassRuntimeCreate, "containerd task create through the engine ('failed to create shim task: ...', moby 23.0+ with containerd)"},
	// Pull errors.
	{"cannot be used on this platform", ClassWrongImageOS, "moby daemon/internal/distribution/config.go 'image operating system %q cannot be used on this platform'"},
	{"manifest unknown", ClassTagMissing, "OCI distribution spec MANIFEST_UNKNOWN"},
	{"unknown blob", ClassForeignLayers, "a Windows image through a registry without its foreign layers (docker-archive/docker-registry#1117, aspnet/aspnet-docker#163)"},
	{"blob unknown", ClassForeignLayers, "OCI distribution spec BLOB_UNKNOWN (distribution/distribution#2232)"},
	{"pull access denied", ClassRegistry, "docker pull of a private or missing repository"},
	{"unauthorized", ClassRegistry, "OCI distribution spec UNAUTHORIZED"},
	{"toomanyrequests", ClassRegistry, "Docker Hub rate limit"},
	{"tls handshake timeout", ClassRegistry, "registry unreachable through a proxy or firewall"},
	{"no such host", ClassRegistry, "registry name does not resolve"},
	{"proxyconnect", ClassRegistry, "HTTPS_PROXY unreachable"},
	// Docker Desktop's proxy answering for an engine that is down: before the
	// pipe wordings, whose "cannot find the file specified" it quotes.
	{"docker_engine_linux", ClassDesktopBackendDown, "docker/for-win#7186 ('Error response from daemon: open \\\\.\\pipe\\docker_engine_linux: The system cannot find the file specified.'), #7967"},
	{"dockerdesktoplinuxengine", ClassDesktopBackendDown, "docker/for-win#14975 (Desktop 4.49: 'open //./pipe/dockerDesktopLinuxEngine: The system cannot find the file specified.')"},
	{"request returned internal server error for api route", ClassDesktopBackendDown, "moby client/request.go (an HTTP 500 with an empty body: 'request returned Internal Server Error for API route and version ..., check if the server supports the requested API version'), what Docker Desktop's proxy answers on /version while its engine is down (docker/for-win#13770, #14869)"},
	// Something that is not a Docker Engine answered.
	{"<!doctype html", ClassNotDockerEngine, "a web server's HTML error page as the docker client reports it ('Error response from daemon: <!DOCTYPE HTML>', measured against a web server here)"},
	{"<html", ClassNotDockerEngine, "a web server's HTML page"},
	{"looking for beginning of value", ClassNotDockerEngine, "encoding/json 'invalid character '<' looking for beginning of value': an answer that is not JSON"},
	{"unexpected end of json input", ClassNotDockerEngine, "encoding/json on a truncated or empty answer"},
	{"cannot unmarshal", ClassNotDockerEngine, "encoding/json 'json: cannot unmarshal ...': JSON of another shape than the Engine API's"},
	// The daemon's pipe or socket.
	{"access is denied", ClassAccessDenied, "open //./pipe/docker_engine: Access is denied. (not elevated, not in the daemon's group)"},
	{"permission denied", ClassAccessDenied, "dial unix /var/run/docker.sock: connect: permission denied"},
	{"all pipe instances are busy", ClassPipeBusy, "ERROR_PIPE_BUSY (231) on //./pipe/docker_engine"},
	{"the system cannot find the file specified", ClassNotListening, "open //./pipe/docker_engine: The system cannot find the file specified. (moby client/request.go)"},
	{"this error may indicate that the docker daemon is not running", ClassNotListening, "moby client/request.go, elevated client, pipe absent"},
	{"must be run with elevated privileges", ClassAccessDenied, "moby client/request.go: the client is not elevated (the Win32 text may be localized)"},
	{"no such file or directory", ClassNotListening, "dial unix: no such file or directory"},
	{"connection refused", ClassNotListening, "tcp/unix connect: connection refused"},
	{"actively refused", ClassNotListening, "connectex: No connection could be made because the target machine actively refused it. (WSAECONNREFUSED)"},
	{"is the docker daemon running", ClassNotListening, "moby client/errors.go 'Cannot connect to the Docker daemon at ... Is the docker daemon running?'"},
	{"i/o timeout", ClassRegistry, "dial tcp ... i/o timeout: a registry (or daemon) that does not answer"},
}

// Classify says what a daemon, client or registry error means.
func Classify(message string) Class {
	if message == "" {
		return ClassNone
	}
	lower := strings.ToLower(message)
	for _, w := range Wordings {
		if strings.Contains(lower, w.Part) {
			return w.Class
		}
	}
	return ClassOther
}
