package claims

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestClassifyRealMessages: one whole message per phrase of the classifier's
// table, as real hosts print it (the source beside each), with the class the
// gate must give it. Messages that carry two phrases (a layer registration
// that ends in "The parameter is incorrect", an RPC failure inside
// CreateProcess, Docker Desktop's proxy quoting "cannot find the file
// specified") hold the table's order: the specific phrase wins.
func TestClassifyRealMessages(t *testing.T) {
	for _, tc := range []struct {
		message string
		class   Class
		source  string
	}{
		// layer registration: before the generic HCS texts they end with
		{`failed to register layer: re-exec error: exit status 1: output: hcsshim::ProcessBaseLayer \\?\C:\ProgramData\docker\windowsfilter\7c5b: The parameter is incorrect.`, ClassLayerRegistration, "moby#46112"},
		{`failed to register layer: re-exec error: exit status 1: output: cloning the parent utility VM image failed`, ClassLayerRegistration, "moby#38582"},
		{`failed to register layer: re-exec error: exit status 1: output: ProcessUtilityVMImage \\?\C:\ProgramData\docker\windowsfilter\3f29\UtilityVM: The system cannot find the path specified.`, ClassLayerRegistration, "moby#35668"},
		{`failed to register layer: open C:\ProgramData\docker\image\windowsfilter\layerdb\tmp\write-set-1/diff: Access is denied.`, ClassLayerRegistration, "moby daemon/internal/distribution (before the access-denied phrase)"},
		// invalid layer
		{`hcsshim::PrepareLayer failed in Win32: The container image contains a layer with an unrecognized format. (0xc0370112)`, ClassInvalidLayer, "hcsshim#2566"},
		{`hcs::PrepareLayer: the container image contains a layer with an unrecognized format.`, ClassInvalidLayer, "ERROR_VMCOMPUTE_INVALID_LAYER text without its code"},
		// host RPC and timeouts: before CreateProcess
		{`container 0a1b encountered an error during hcsshim::System::CreateProcess: failure in a Windows system call: The remote procedure call failed.`, ClassHostRPC, "hcsshim#1472 (text)"},
		{`container 0a1b encountered an error during hcs::System::CreateProcess: failure in a Windows system call: (0x6be)`, ClassHostRPC, "hcsshim#1472 (code)"},
		{`hcs::System::Start 0a1b: hcsshim: timeout waiting for notification extra info: {"SystemType":"Container"}`, ClassHCSTimeout, "hcsshim internal/hcs/errors.go ErrTimeout"},
		// image mismatch
		{`hcsshim::CreateComputeSystem 4d2f: The container operating system does not match the host operating system.`, ClassImageMismatch, "gitlab-runner#29058 (19.03)"},
		{`The operating system of the container does not match the operating system of the host.`, ClassImageMismatch, "Microsoft Learn, version compatibility"},
		{`container 4d2f encountered an error during hcs::CreateComputeSystem: failure in a Windows system call: (0xc0370101)`, ClassImageMismatch, "HCS_E_IMAGE_MISMATCH as an NTSTATUS"},
		{`hcs::CreateComputeSystem 4d2f: (0x80370101)`, ClassImageMismatch, "HCS_E_IMAGE_MISMATCH as an HRESULT"},
		{`a Windows version 10.0.20348-based image is incompatible with a 10.0.17763 host`, ClassImageMismatch, "moby pull_v2_windows.go checkImageCompatibility"},
		{`a newer Windows version 10.0.20348-based image can only be run on a 10.0.26100 host using Hyper-V isolation`, ClassImageMismatch, "a Windows engine's image check"},
		{`no matching manifest for windows/amd64 10.0.17134 in the manifest list entries`, ClassImageMismatch, "moby pull_v2.go"},
		// no hypervisor
		{`container 484d encountered an error during CreateContainer failed in Win32: No hypervisor is present on this system.`, ClassNoHypervisor, "moby#27198"},
		{`container 484d encountered an error during CreateContainer: failure in a Windows system call: (0xc0351000)`, ClassNoHypervisor, "ERROR_HV_NOT_PRESENT as an NTSTATUS"},
		{`[Event Detail: Cannot start Hyper-V Container 'e6ab' since the hypervisor is not running in the host.]`, ClassNoHypervisor, "navcontainerhelper#283"},
		{`The virtual machine could not be started because the hypervisor is not running.`, ClassNoHypervisor, "bcdedit hypervisorlaunchtype off"},
		{`hcsshim::CreateComputeSystem 3b1b: The virtual machine could not be started because a required feature is not installed.`, ClassNoHypervisor, "MicrosoftDocs/azure-docs#47058"},
		{`hcs::CreateComputeSystem 3b1b: (0x80370102)`, ClassNoHypervisor, "HCS_E_HYPERV_NOT_INSTALLED"},
		{`CreateComputeSystem 3b1b: HCS_E_HYPERV_NOT_INSTALLED`, ClassNoHypervisor, "HCS_E_HYPERV_NOT_INSTALLED by name"},
		{`Cannot create system 3b1b since Hyper-V is not installed on the host.`, ClassNoHypervisor, "HCS event 11008"},
		{`'3b1b' failed to start because one of the Hyper-V components is not running.`, ClassNoHypervisor, "MicrosoftDocs/azure-docs#47058 (vmms)"},
		{`Hyper-V cannot be installed: The virtualization extensions are not available.`, ClassNoHypervisor, "a VM without nested virtualization"},
		// generic HCS
		{`hcs::CreateComputeSystem 5e6f: The request is not supported.`, ClassGenericHCS, "navcontainerhelper#525"},
		{`hcs::CreateComputeSystem 5e6f: (0x80070032)`, ClassGenericHCS, "ERROR_NOT_SUPPORTED as an HRESULT"},
		{`container 5e6f encountered an error during hcsshim::System::Start: failure in a Windows system call: (0x32)`, ClassGenericHCS, "HodorNV/ALOps#89"},
		{`hcsshim::CreateComputeSystem 5e6f: The parameter is incorrect.`, ClassGenericHCS, "moby#42159"},
		{`hcs::CreateComputeSystem 5e6f: (0x80070057)`, ClassGenericHCS, "ERROR_INVALID_PARAMETER as an HRESULT"},
		// unexpected exit
		{`container 9a8b encountered an error during hcs::System::Start: failure in a Windows system call: (0xc0370106)`, ClassUnexpectedExit, "actions/runner-images#11582"},
		{`hcs::System::Start 9a8b: The virtual machine or container exited unexpectedly.`, ClassUnexpectedExit, "microsoft/Windows-Containers#356"},
		{`hcs::System::Start 9a8b: (0xc0370100)`, ClassUnexpectedExit, "HCS_E_TERMINATED_DURING_START"},
		// create process: before the pipe wordings
		{`container 7c6d encountered an error during hcs::System::CreateProcess: failure in a Windows system call: The system cannot find the file specified. (0x2)`, ClassCreateProcess, "jenkinsci/docker-agents#208"},
		{`container 7c6d encountered an error during CreateProcess: failure in a Windows system call: The system cannot find the file specified. (0x2)`, ClassCreateProcess, "microsoft/service-fabric-issues#574"},
		// isolation refused
		{`Error response from daemon: invalid isolation (hyperv): linux only supports 'default'`, ClassUnsupportedIsolation, "moby hostconfig_unix.go"},
		{`Invalid isolation: "vm" - Windows supports 'default', 'process', or 'hyperv'`, ClassUnsupportedIsolation, "moby hostconfig_windows.go"},
		{`Windows client operating systems only support Hyper-V containers`, ClassUnsupportedIsolation, "moby 17.x daemon_windows.go"},
		{`Windows client operating systems earlier than version 1809 can only run Hyper-V containers`, ClassUnsupportedIsolation, "moby before 1b3fef5333"},
		{`invalid isolation 'process' on windows`, ClassUnsupportedIsolation, "moby daemon/container.go"},
		{`the isolation mode is not supported by this daemon`, ClassUnsupportedIsolation, "generic refusal wording"},
		// runtime refusals
		{`OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "ping": executable file not found in $PATH: unknown`, ClassRuntimeCreate, "runc through moby"},
		{`failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process`, ClassRuntimeCreate, "moby 23.0+ with containerd"},
		{`OCI runtime create failed: hcs::CreateComputeSystem 1a2b: No hypervisor is present on this system.`, ClassNoHypervisor, "an HCS phrase wrapped in a runtime error is the HCS class"},
		// pull
		{`image operating system "linux" cannot be used on this platform`, ClassWrongImageOS, "moby distribution/config.go"},
		{`manifest for mcr.microsoft.com/windows/nanoserver:ltsc2030 not found: manifest unknown: manifest unknown`, ClassTagMissing, "OCI MANIFEST_UNKNOWN"},
		{`filesystem layer verification failed for digest sha256:3889: unknown blob`, ClassForeignLayers, "docker-archive/docker-registry#1117"},
		{`error parsing HTTP 404 response body: blob unknown to registry`, ClassForeignLayers, "distribution/distribution#2232"},
		{`pull access denied for example/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`, ClassRegistry, "docker pull of a private repository"},
		{`Head "https://registry.example.com/v2/app/manifests/1": unauthorized: authentication required`, ClassRegistry, "OCI UNAUTHORIZED"},
		{`toomanyrequests: You have reached your pull rate limit.`, ClassRegistry, "Docker Hub rate limit"},
		{`Get "https://mcr.microsoft.com/v2/": net/http: TLS handshake timeout`, ClassRegistry, "a registry behind a firewall"},
		{`Get "https://mcr.microsoft.com/v2/": dial tcp: lookup mcr.microsoft.com: no such host`, ClassRegistry, "DNS"},
		{`Get "https://mcr.microsoft.com/v2/": proxyconnect tcp: dial tcp 10.0.0.1:3128: connectex: No connection could be made because the target machine actively refused it.`, ClassRegistry, "HTTPS_PROXY down (proxyconnect before actively refused)"},
		{`Get "https://mcr.microsoft.com/v2/": dial tcp 204.79.197.219:443: i/o timeout`, ClassRegistry, "registry unreachable"},
		// Docker Desktop: before the pipe wordings it quotes
		{`Error response from daemon: open \\.\pipe\docker_engine_linux: The system cannot find the file specified.`, ClassDesktopBackendDown, "docker/for-win#7186"},
		{`open //./pipe/dockerDesktopLinuxEngine: The system cannot find the file specified.`, ClassDesktopBackendDown, "docker/for-win#14975"},
		{`request returned Internal Server Error for API route and version http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.47/version, check if the server supports the requested API version`, ClassDesktopBackendDown, "docker/for-win#13770"},
		// not an Engine
		{"Error response from daemon: <!DOCTYPE HTML>", ClassNotDockerEngine, "a web server's error page"},
		{"Error response from daemon: <html><body>Bad Gateway</body></html>", ClassNotDockerEngine, "a proxy's error page"},
		{"invalid character '<' looking for beginning of value", ClassNotDockerEngine, "encoding/json"},
		{"unexpected end of JSON input", ClassNotDockerEngine, "encoding/json on an empty answer"},
		{"json: cannot unmarshal string into Go value of type types.Version", ClassNotDockerEngine, "encoding/json"},
		// the daemon's pipe or socket
		{`open //./pipe/docker_engine: Access is denied.`, ClassAccessDenied, "an unelevated shell"},
		{`dial unix /var/run/docker.sock: connect: permission denied`, ClassAccessDenied, "outside the docker group"},
		{`open //./pipe/docker_engine: All pipe instances are busy.`, ClassPipeBusy, "ERROR_PIPE_BUSY"},
		{`open //./pipe/docker_engine: The system cannot find the file specified.`, ClassNotListening, "moby client/request.go"},
		{`error during connect: this error may indicate that the docker daemon is not running: Get "http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.24/version": open //./pipe/docker_engine: Das System kann die angegebene Datei nicht finden.`, ClassNotListening, "moby client/request.go on a German host"},
		{`error during connect: in the default daemon configuration on Windows, the docker client must be run with elevated privileges to connect: Get "http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.24/version": open //./pipe/docker_engine: Zugriff verweigert`, ClassAccessDenied, "moby client/request.go on a German host"},
		{`dial unix /var/run/docker.sock: connect: no such file or directory`, ClassNotListening, "dockerd not started"},
		{`dial tcp 127.0.0.1:2375: connect: connection refused`, ClassNotListening, "tcp DOCKER_HOST"},
		{`dial tcp 127.0.0.1:2375: connectex: No connection could be made because the target machine actively refused it.`, ClassNotListening, "WSAECONNREFUSED"},
		{`Cannot connect to the Docker daemon at tcp://10.0.0.5:2375. Is the docker daemon running?`, ClassNotListening, "moby client/errors.go"},
		// nothing, and something no phrase names
		{"", ClassNone, "no error"},
		{"x509: certificate signed by unknown authority", ClassOther, "a TLS daemon with another CA"},
	} {
		t.Run(tc.source, func(t *testing.T) {
			assert.Check(t, is.Equal(Classify(tc.message), tc.class), "%s: %q", tc.source, tc.message)
		})
	}
}
