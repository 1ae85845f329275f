package claims

import (
	"os"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// Where a surveyed wording reaches the gate.
const (
	atConnect      = "connect"       // the client's error reaching the daemon: daemon-reachable
	atStartHyperV  = "start-hyperv"  // the daemon's create/start error on the Hyper-V row
	atStartProcess = "start-process" // ... on the process row
	atPull         = "pull"          // the pull error: base-image
)

// Host evidence a generic wording is decided with.
const (
	hostVmmsRunning = "vmms running, other VMs' workers running"
	hostUnknown     = "no host evidence (vmms not probed, no VM worker seen)"
	hostVmmsStopped = "vmms installed but stopped"
)

// survey holds real wordings, each with its public source, the class the
// classifier gives it and what the verdict does under both Hyper-V
// policies. docs/windows-wordings.md is its readable form.
var survey = []struct {
	wording, source, at string
	host                string // for generic wordings: the evidence at hand
	class               Class
	require, skip       Status // verdict under CONFORMANCE_HYPERV=require and =skip
	fix                 string // substring of the verdict's fix (require)
}{
	// No usable hypervisor: every wording skips under skip.
	{at: atStartHyperV, class: ClassNoHypervisor, require: Fail, skip: Skip, fix: "nested virtualization",
		source:  "moby/moby#27198 (Docker 1.12 on Server 2016)",
		wording: `container 484d5da7efd80a68e314d875831ae11cea29d280e8a7b4776fe11e83c86f6774 encountered an error during CreateContainer failed in Win32: No hypervisor is present on this system. (0xc0351000) extra info: {"SystemType":"Container","HvPartition":true}`},
	{at: atStartHyperV, class: ClassNoHypervisor, require: Fail, skip: Skip, fix: "hypervisorlaunchtype auto",
		source:  "docker/for-win#851, #1477 (17.x)",
		wording: `container e31cc45f5d4849055ff13566014c696cad5a5effc9702622c3524b43b3f9ea01 encountered an error during CreateContainer: failure in a Windows system call: No hypervisor is present on this system. (0xc0351000) extra info: {"SystemType":"Container"}`},
	{at: atStartHyperV, class: ClassNoHypervisor, require: Fail, skip: Skip, fix: "Install-WindowsFeature Hyper-V",
		source:  "microsoft/navcontainerhelper#283 (18.09 on Server 2016)",
		wording: "CreateComputeSystem e6abf00f7f7f94df15bd460742e318ecc07483c966a21e1c740c5c8f3f5cd6d6: No hypervisor is present on this system.\n[Event Detail: Cannot start Hyper-V Container 'e6abf00f7f7f94df15bd460742e318ecc07483c966a21e1c740c5c8f3f5cd6d6' since the hypervisor is not running in the host. Provider: 17103e3f-3c6e-4677-bb17-3b267eb5be57 EventID: 12001]"},
	{at: atStartHyperV, class: ClassNoHypervisor, require: Fail, skip: Skip, fix: "Install-WindowsFeature Hyper-V",
		source:  "19.03 prefix hcsshim:: (this project's seed session wording)",
		wording: "Error response from daemon: hcsshim::CreateComputeSystem a503f75e9583: No hypervisor is present on this system.\n(extra info: {\"HvPartition\":true})"},
	{at: atStartHyperV, class: ClassNoHypervisor, require: Fail, skip: Skip, fix: "Install-WindowsFeature Hyper-V",
		source:  "20.10+ prefix hcs:: (hcsshim internal/hcs/errors.go SystemError: op, id, error)",
		wording: "hcs::CreateComputeSystem e83c31fe90e2: No hypervisor is present on this system."},
	{at: atStartHyperV, class: ClassNoHypervisor, require: Fail, skip: Skip, fix: "Microsoft-Hyper-V",
		source:  "MicrosoftDocs/azure-docs#47058 (19.03 on Server 2019 in a VM)",
		wording: "hcsshim::CreateComputeSystem 3b1b7c0e: The virtual machine could not be started because a required feature is not installed."},
	{at: atStartHyperV, class: ClassNoHypervisor, require: Fail, skip: Skip, fix: "Microsoft-Hyper-V",
		source:  "anthropics/claude-code#42888 (HCS HRESULT 0x80370102 with its event)",
		wording: `failed to create compute system: HcsWaitForOperationResult failed with HRESULT 0x80370102: {"Error":-2143878910,"ErrorMessage":"The virtual machine could not be started because a required feature is not installed.","ErrorEvents":[{"Message":"Cannot create system 'vm' since Hyper-V is not installed on the host.","EventId":11008}]}`},
	{at: atStartHyperV, class: ClassNoHypervisor, require: Fail, skip: Skip, fix: "nested virtualization",
		source:  "MicrosoftDocs/azure-docs#47058 (vmms on a VM without the hypervisor)",
		wording: "Failed to start the virtual machine 'DockerDesktopVM' because one of the Hyper-V components is not running."},
	// Generic HCS errors: decided with the evidence at hand.
	{at: atStartHyperV, host: hostUnknown, class: ClassGenericHCS, require: Fail, skip: Skip, fix: "Install-WindowsFeature Hyper-V",
		source:  "microsoft/navcontainerhelper#525 (18.09, --isolation hyperv)",
		wording: "CreateComputeSystem 21dbd6e201b000dcde323e720e45652b13835196889960e1ee9dee54e09679a4: The request is not supported.\n(extra info: {\"SystemType\":\"Container\",\"Owner\":\"docker\"})"},
	{at: atStartHyperV, host: hostVmmsRunning, class: ClassGenericHCS, require: Fail, skip: Fail, fix: "HypervisorPresent",
		source:  "microsoft/navcontainerhelper#525 with vmms running: not read as no hypervisor",
		wording: "CreateComputeSystem 21dbd6e201b000dcde323e720e45652b13835196889960e1ee9dee54e09679a4: The request is not supported."},
	{at: atStartHyperV, host: hostVmmsStopped, class: ClassGenericHCS, require: Fail, skip: Fail, fix: "Start-Service vmms",
		source:  "moby/moby#40720 ('enable Hyper-V Services'): a switched-off Hyper-V fails under both policies",
		wording: "hcsshim::CreateComputeSystem : The request is not supported."},
	{at: atStartHyperV, host: hostUnknown, class: ClassGenericHCS, require: Fail, skip: Skip, fix: "Install-WindowsFeature Hyper-V",
		source:  "HodorNV/ALOps#89 (17.x, --isolation=hyperv)",
		wording: `container 62d1aa1b5e9d78be70e5d76f814bf5f9eb36e34ec276a3ae6c026685e7d5ac4e encountered an error during CreateContainer: failure in a Windows system call: The request is not supported. (0x32) extra info: {"SystemType":"Container"}`},
	{at: atStartProcess, host: hostVmmsRunning, class: ClassGenericHCS, require: Fail, skip: Fail, fix: "Hyper-V-Compute-Admin",
		source:  "moby/moby#42159, docker/for-win#10665 (20.10 on Windows 10 2004)",
		wording: "hcsshim::CreateComputeSystem 5eb7ad90bff5afd75fea86b440dd99a7618c4b0a1ce763b6ef5431ef7ff453ab: The parameter is incorrect.\n(extra info: {\"SystemType\":\"Container\"})"},
	// Image build does not fit.
	// On the documented host the image's build (17763.805) equals the host's:
	// the refusal is read as an update-level fault, never a build mismatch.
	{at: atStartProcess, class: ClassImageMismatch, require: Fail, skip: Fail, fix: "update both to the latest cumulative update",
		source:  "Microsoft Learn, version compatibility, 'Errors from mismatched versions'",
		wording: `container b81ed896222eb87906ccab1c3dd2fc49324eafa798438f7979b87b210906f839 encountered an error during CreateContainer: failure in a Windows system call: The operating system of the container does not match the operating system of the host. (0xc0370101) extra info: {"HvPartition":false}`},
	{at: atStartProcess, class: ClassImageMismatch, require: Fail, skip: Fail, fix: "update both to the latest cumulative update",
		source:  "gitlab-org/gitlab-runner#29058",
		wording: "Error response from daemon: container 0123abcd encountered an error during hcsshim::System::Start: failure in a Windows system call: The container operating system does not match the host operating system. (0xc0370101)"},
	{at: atStartProcess, class: ClassImageMismatch, require: Fail, skip: Fail, fix: "update both to the latest cumulative update",
		source:  "20.10+ hcs:: prefix of HCS_E_IMAGE_MISMATCH",
		wording: "hcs::CreateComputeSystem cece6585ce23: The container operating system does not match the host operating system."},
	// The container died at start.
	{at: atStartProcess, class: ClassUnexpectedExit, require: Fail, skip: Fail, fix: "update the host to the image's revision",
		source:  "actions/runner-images#11582 (26100.2894 host, ltsc2025 image 26100.3194)",
		wording: "docker: Error response from daemon: container 5e2d0c7f encountered an error during hcs::System::Start: failure in a Windows system call: The virtual machine or container exited unexpectedly. (0xc0370106)."},
	// The workload process could not be created.
	{at: atStartProcess, class: ClassCreateProcess, require: Fail, skip: Fail, fix: "has ping.exe",
		source:  "jenkinsci/docker-agents#208 (19.03, a command missing from the image)",
		wording: "container 8c232986c20a5123c76a34ba192af2b2664c55466c0ac26d975481e4fc49f889 encountered an error during hcsshim::System::CreateProcess: failure in a Windows system call: The system cannot find the file specified. (0x2)\n[Event Detail:  Provider: 00000000-0000-0000-0000-000000000000]"},
	{at: atStartHyperV, class: ClassCreateProcess, require: Fail, skip: Fail, fix: "has ping.exe",
		source:  "microsoft/service-fabric-issues#574 (17.x wording)",
		wording: `container 8653c6125ead6223ae6f1fd8cbce5e6c755a7cc31972f1483b1507e3c6da5f7f encountered an error during CreateProcess: failure in a Windows system call: The system cannot find the file specified. (0x2) extra info: {"ApplicationName":"","CommandLine":"ping localhost -t"}`},
	// Isolation refused.
	{at: atStartHyperV, class: ClassUnsupportedIsolation, require: Fail, skip: Fail, fix: "default, process or hyperv",
		source:  "moby daemon/internal/runconfig/hostconfig_windows.go",
		wording: "invalid isolation (hyper-v): Windows supports 'default', 'process', or 'hyperv'"},
	{at: atStartHyperV, class: ClassUnsupportedIsolation, require: Fail, skip: Fail, fix: "default, process or hyperv",
		source:  "MicrosoftDocs/Virtualization-Documentation#637 (17.06)",
		wording: `invalid --isolation: "hyper-v". Windows supports 'default', 'process', or 'hyperv'.`},
	{at: atStartProcess, class: ClassUnsupportedIsolation, require: Fail, skip: Fail, fix: "CONFORMANCE_ISOLATION=hyperv",
		source:  "moby before commit 1b3fef5333 (engines up to 19.03 on Windows 10 before 1809)",
		wording: "Windows client operating systems earlier than version 1809 can only run Hyper-V containers"},
	// Classified by the code, not by where the error happened.
	{at: atStartProcess, class: ClassHostRPC, require: Fail, skip: Fail, fix: "Restart-Service vmcompute",
		source:  "microsoft/hcsshim#1472 (0x6be at CreateProcess: a host fault, not a missing program)",
		wording: "container 1b2c3d4e5f60 encountered an error during hcsshim::System::CreateProcess: failure in a Windows system call: The remote procedure call failed. (0x6be)"},
	{at: atStartHyperV, class: ClassInvalidLayer, require: Fail, skip: Fail, fix: "pull it again",
		source:  "microsoft/hcsshim#2566 (ltsc2025 image on a 26200 host, both isolations)",
		wording: "hcsshim::PrepareLayer failed in Win32: the container image contains a layer with an unrecognized format. (0xc0370112)"},
	{at: atStartHyperV, class: ClassHCSTimeout, require: Fail, skip: Fail, fix: "Restart-Service vmcompute",
		source:  "hcsshim internal/hcs/errors.go ErrTimeout as 19.03 prints it",
		wording: `hcsshim::CreateComputeSystem 5c8a7e1f: hcsshim: timeout waiting for notification extra info: {"SystemType":"Container"}`},
	{at: atStartProcess, class: ClassRuntimeCreate, require: Fail, skip: Fail, fix: "the engine's log",
		source:  "moby (an OCI runtime create error as the daemon returns it)",
		wording: "OCI runtime create failed: container with id exists: 4a1b2c3d4e5f"},
	{at: atStartProcess, class: ClassUnsupportedIsolation, require: Fail, skip: Fail, fix: "CONFORMANCE_ISOLATION=hyperv",
		source:  "moby 17.x daemon/daemon_windows.go verifyContainerSettings",
		wording: "Windows client operating systems only support Hyper-V containers"},
	{at: atPull, class: ClassLayerRegistration, fix: "not the registry",
		source:  "moby/moby#46112 (24.0 on Server 2019)",
		wording: `failed to register layer: re-exec error: exit status 1: output: hcsshim::ProcessBaseLayer \\?\D:\Docker-Graph\windowsfilter\1ab6d367addab1376b2ff5c7214df0783623fce15c756bc1b2d0b7eff78e08a1: The parameter is incorrect.`},
	{at: atPull, class: ClassLayerRegistration, fix: "excluded from antivirus",
		source:  "moby/moby#38582 (17.06.2-ee on Server 2016)",
		wording: `failed to register layer: re-exec error: exit status 1: output: cloning the parent utility VM image failed: SetFileInformationByHandle \\?\d:\docker\windowsfilter\29cb12d4\UtilityVM\Files\Documents and Settings: The parameter is incorrect.`},
	// Pull errors.
	{at: atPull, class: ClassImageMismatch, fix: "use the image tag for build 17763 (1809 / ltsc2019)",
		source:  "moby daemon/internal/distribution/pull_v2.go (formatPlatform: windows/amd64 and the host's version)",
		wording: "no matching manifest for windows/amd64 10.0.17763 in the manifest list entries"},
	{at: atPull, class: ClassImageMismatch, fix: "use the image tag for build 17763",
		source:  "moby daemon/internal/distribution/pull_v2_windows.go; AWS CodeBuild troubleshooting",
		wording: "a Windows version 10.0.20348-based image is incompatible with a 10.0.17763 host"},
	{at: atPull, class: ClassWrongImageOS, fix: "use the image tag for build 17763",
		source:  "moby daemon/internal/distribution/config.go",
		wording: `image operating system "linux" cannot be used on this platform`},
	{at: atPull, class: ClassTagMissing, fix: "the tag does not exist",
		source:  "OCI distribution spec MANIFEST_UNKNOWN as the docker client reports it",
		wording: `manifest for mcr.microsoft.com/windows/nanoserver:ltsc2023 not found: manifest unknown: manifest tagged by "ltsc2023" is not found`},
	{at: atPull, class: ClassForeignLayers, fix: "allow-nondistributable-artifacts",
		source:  "aspnet/aspnet-docker#163, docker-archive/docker-registry#1117",
		wording: "unknown blob"},
	{at: atPull, class: ClassRegistry, fix: "make the image reachable",
		source:  "Docker Hub rate limit",
		wording: "toomanyrequests: You have reached your pull rate limit."},
	// Reaching the daemon.
	{at: atConnect, class: ClassNotListening, fix: "Start-Service docker",
		source:  "moby client/request.go (pipe absent)",
		wording: "open //./pipe/docker_engine: The system cannot find the file specified."},
	{at: atConnect, class: ClassNotListening, fix: "Start-Service docker",
		source:  "moby client/request.go (elevated client, pipe absent)",
		wording: `error during connect: this error may indicate that the docker daemon is not running: Get "http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.24/version": open //./pipe/docker_engine: The system cannot find the file specified.`},
	{at: atConnect, class: ClassAccessDenied, fix: "run elevated",
		source:  "moby client/request.go (client not elevated, Win32 text localized)",
		wording: `error during connect: in the default daemon configuration on Windows, the docker client must be run with elevated privileges to connect: Get "http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.24/version": open //./pipe/docker_engine: Le fichier spécifié est introuvable.`},
	{at: atConnect, class: ClassAccessDenied, fix: "run elevated",
		source:  "open on the pipe's ACL (the documented host, not elevated)",
		wording: "open //./pipe/docker_engine: Access is denied."},
	{at: atConnect, class: ClassPipeBusy, fix: "Restart-Service docker",
		source:  "Win32 ERROR_PIPE_BUSY (231) text",
		wording: "open //./pipe/docker_engine: All pipe instances are busy."},
	{at: atConnect, class: ClassDesktopBackendDown, fix: "restart Docker Desktop's engine",
		source:  "docker/for-win#7186 (Desktop's proxy naming its backend pipe)",
		wording: `Error response from daemon: open \\.\pipe\docker_engine_linux: The system cannot find the file specified.`},
	{at: atConnect, class: ClassDesktopBackendDown, fix: "no docker service to start",
		source:  "docker/for-win#13770, #14869 (HTTP 500 on /version from Desktop's proxy)",
		wording: "request returned Internal Server Error for API route and version http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.47/version, check if the server supports the requested API version"},
	{at: atConnect, class: ClassNotDockerEngine, fix: "point DOCKER_HOST at the Docker Engine",
		source:  "a web server at a tcp:// DOCKER_HOST (measured here with the docker client v28.5)",
		wording: "Error response from daemon: <!DOCTYPE HTML>\n<html lang=\"en\">\n<head>"},
	{at: atConnect, class: ClassNotDockerEngine, fix: "point DOCKER_HOST at the Docker Engine",
		source:  "an endpoint answering /info with a body that is not JSON (encoding/json)",
		wording: "invalid character '<' looking for beginning of value"},
	{at: atConnect, class: ClassNotListening, fix: "start the daemon",
		source:  "moby client/errors.go",
		wording: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"},
	{at: atConnect, class: ClassNotListening, fix: "start the daemon",
		source:  "WSAECONNREFUSED text on a tcp:// DOCKER_HOST",
		wording: "error during connect: Get \"http://127.0.0.1:2375/v1.24/version\": dial tcp 127.0.0.1:2375: connectex: No connection could be made because the target machine actively refused it."},
}

func TestSurveyedWordings(t *testing.T) {
	for _, tc := range survey {
		t.Run(tc.source, func(t *testing.T) {
			assert.Check(t, is.Equal(Classify(tc.wording), tc.class), "wording %q", tc.wording)
			for _, policy := range []config.HyperVPolicy{config.HyperVRequire, config.HyperVSkip} {
				e := defaultExpect()
				e.HyperV = policy
				v := judgeSurveyed(tc.at, tc.host, tc.wording, e)
				want := tc.require
				if policy == config.HyperVSkip {
					want = tc.skip
				}
				if tc.at == atConnect || tc.at == atPull {
					want = Fail
				}
				assert.Check(t, is.Equal(v.Status, want), "policy %s: %s", policy, v)
				if v.Status == Fail {
					assert.Check(t, v.Fix != "", "a failure says how to fix it: %s", v)
					assert.Check(t, is.Contains(v.Fix, tc.fix), "policy %s: %s", policy, v)
					assert.Check(t, !strings.Contains(v.Message, "container create failed") && !strings.Contains(v.Message, "container start failed"),
						"a surveyed wording gets a cause, not a bare failure: %s", v)
				}
			}
		})
	}
}

// judgeSurveyed runs the claim the wording reaches on the documented host.
func judgeSurveyed(at, host, wording string, e config.Expectations) Verdict {
	d := ws2019()
	failure := &evidence.Failure{Kind: evidence.KindSystem, Message: wording}
	switch at {
	case atConnect:
		// The wording alone: no host facts (class 5's tests give them).
		d.Host, d.Services = nil, nil
		d.Unreachable = &evidence.Failure{Kind: evidence.KindConnection, Message: wording}
		return CheckDaemonReachable(d)
	case atPull:
		d.Image.Inspect, d.Image.PresentBefore, d.Image.PullErr = nil, false, failure
		return CheckBaseImage(d, e)
	}
	w := processWorkload()
	if at == atStartHyperV {
		w = hypervWorkload()
	}
	w.StartErr, w.Inspect, w.After, w.Top = failure, nil, nil, nil
	switch host {
	case hostUnknown:
		d.Services, w.Before = nil, nil
	case hostVmmsStopped:
		setService(&d, hostprobe.Service{Name: "vmms", Exists: true, State: "stopped", StartType: "manual"})
	}
	if strings.Contains(wording, "0xc0370106") {
		// The runner-images host: 26100.2894 given an ltsc2025 image of 26100.3194.
		d.Info.KernelVersion = "10.0 26100 (26100.1.amd64fre.ge_release.240331-1435)"
		d.Info.OperatingSystem = "Microsoft Windows Server Version 24H2 (OS Build 26100.2894)"
		d.Image.Inspect.OsVersion = "10.0.26100.3194"
	}
	return CheckStart(d, e, w)
}

func TestUnexpectedExitIsDecidedByTheRevisions(t *testing.T) {
	d := ws2019() // 17763.805 host, 17763.805 image: not the revision problem
	w := processWorkload()
	w.StartErr = &evidence.Failure{Kind: evidence.KindSystem, Message: "container e0f88b2f encountered an error during hcs::System::Start: failure in a Windows system call: The virtual machine or container exited unexpectedly. (0xc0370106)"}
	v := CheckStart(d, defaultExpect(), w)
	assert.Check(t, is.Contains(v.Message, "not the revision problem: image 17763.805, host 17763.805"), v.String())
	assert.Check(t, is.Contains(v.Fix, "Hyper-V-Compute-Operational"), v.String())
}

// TestWordingsDocumented keeps docs/windows-wordings.md in step with the
// classifier: every phrase of the table is on the page, in its class's row.
func TestWordingsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/windows-wordings.md")
	assert.NilError(t, err)
	rows := map[Class]string{}
	for _, line := range strings.Split(strings.ToLower(string(b)), "\n") {
		if fields := strings.Split(line, "|"); len(fields) > 3 {
			rows[Class(strings.TrimSpace(fields[1]))] = line
		}
	}
	for _, w := range Wordings {
		assert.Check(t, is.Contains(rows[w.Class], "`"+w.Part+"`"), "phrase %q (%s) missing from the %s row of docs/windows-wordings.md", w.Part, w.Source, w.Class)
		assert.Check(t, w.Source != "", "phrase %q has no source", w.Part)
	}
}
