package hostprobe

// These tests run only on Windows (the file name's _windows suffix): they
// exercise the probe against the real OS. CI builds and vets them
// (GOOS=windows go test -c, amd64 and arm64); anyone with a Windows host runs
// them with `go test -count=1 -v ./helpers/hostprobe/`, elevated or not: what
// needs elevation is said, never failed on. `make wine` runs them under Wine
// (docs/wine.md): a facility the OS lacks is a skip that names it, decided
// from the API's own answer (lacksFacility), never from which OS it is.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// The parser's offsets are those of x/sys's own SYSTEM_PROCESS_INFORMATION
// on this architecture.
func TestLayoutMatchesXSys(t *testing.T) {
	var s windows.SYSTEM_PROCESS_INFORMATION
	l, err := layoutFor(int(unsafe.Sizeof(uintptr(0))))
	assert.NilError(t, err)
	assert.Equal(t, int(unsafe.Offsetof(s.CreateTime)), sysProcCreateTime)
	assert.Equal(t, int(unsafe.Offsetof(s.ImageName)), l.imageNameLen)
	assert.Equal(t, int(unsafe.Offsetof(s.ImageName)+unsafe.Offsetof(s.ImageName.Buffer)), l.imageNameBuf)
	assert.Equal(t, int(unsafe.Offsetof(s.UniqueProcessID)), l.pid)
	assert.Equal(t, int(unsafe.Offsetof(s.InheritedFromUniqueProcessID)), l.parentPID)
	assert.Equal(t, int(unsafe.Offsetof(s.SessionID)), l.session)
}

func TestLiveProcessesSeesItselfWhole(t *testing.T) {
	snap, err := Live().Processes(context.Background(), "test")
	assert.NilError(t, err)
	assert.Check(t, time.Since(snap.TakenAt) < time.Minute, "taken at %s", snap.TakenAt)

	seen := map[int]bool{}
	for _, p := range snap.Processes {
		assert.Check(t, !seen[p.PID], "PID %d twice in one instant", p.PID)
		seen[p.PID] = true
		assert.Check(t, p.Session != nil, "PID %d (%s): no session", p.PID, p.Name)
	}

	self, ok := snap.Self()
	assert.Assert(t, ok, "the snapshot lacks the harness (PID %d)", snap.SelfPID)
	exe, _ := os.Executable()
	assert.Check(t, SameImageName(self.Name, exe), "self is %q, executable %q", self.Name, exe)
	assert.Check(t, is.Equal(self.ParentPID, os.Getppid()))
	var session uint32
	assert.NilError(t, windows.ProcessIdToSessionId(uint32(os.Getpid()), &session))
	assert.Check(t, is.Equal(*self.Session, session))

	// The create time is the one GetProcessTimes reports for this process.
	var created, exited, kernel, user windows.Filetime
	assert.NilError(t, windows.GetProcessTimes(windows.CurrentProcess(), &created, &exited, &kernel, &user))
	assert.Check(t, self.CreateTime.Equal(FiletimeToTime(created.Nanoseconds()/100+unixEpochTicks)),
		"create time %s, GetProcessTimes %s", self.CreateTime, time.Unix(0, created.Nanoseconds()))

	if parent, ok := snap.ParentOf(self); ok {
		assert.Check(t, !parent.CreateTime.After(self.CreateTime))
	} else {
		t.Logf("parent PID %d is no longer running", self.ParentPID)
	}
	t.Run("kernel process", func(t *testing.T) {
		system, ok := snap.Find(4)
		if !ok {
			t.Skipf("lacks the kernel's process: NtQuerySystemInformation(SystemProcessInformation) lists no PID 4 (System) among %d processes", len(snap.Processes))
		}
		assert.Check(t, is.Equal(system.Name, "System"), "PID 4 is %+v", system)
	})

	again, err := Live().Processes(context.Background(), "test")
	assert.NilError(t, err)
	assert.Check(t, again.Contains(self), "the same process in a second snapshot, by PID and create time")
	assert.Check(t, is.Len(NewProcesses(snap, again, self.Name), 0))
}

// lacksFacility names the facility when err is the OS saying it does not
// have it: the call is not implemented, the information level is unknown,
// or the module or its entry point does not load. Any other error (access
// denied, say) is not a missing facility.
func lacksFacility(err error) (string, bool) {
	for _, missing := range []struct {
		code error
		what string
	}{
		{windows.ERROR_CALL_NOT_IMPLEMENTED, "ERROR_CALL_NOT_IMPLEMENTED"},
		{windows.ERROR_INVALID_LEVEL, "ERROR_INVALID_LEVEL"},
		{windows.ERROR_MOD_NOT_FOUND, "ERROR_MOD_NOT_FOUND: the module does not load"},
		{windows.ERROR_PROC_NOT_FOUND, "ERROR_PROC_NOT_FOUND: the module lacks the entry point"},
		{windows.STATUS_NOT_IMPLEMENTED, "STATUS_NOT_IMPLEMENTED"},
		{windows.STATUS_INVALID_INFO_CLASS, "STATUS_INVALID_INFO_CLASS: the information class is unknown"},
	} {
		if errors.Is(err, missing.code) {
			return fmt.Sprintf("%s (%v)", missing.what, err), true
		}
	}
	return "", false
}

func TestLiveOwners(t *testing.T) {
	snap, err := Live().Processes(context.Background(), "test")
	assert.NilError(t, err)
	if snap.OwnersErr != "" {
		ownersErr := addOwners(snap.Processes)
		if what, ok := lacksFacility(ownersErr); ok {
			t.Skipf("lacks process owners: WTSEnumerateProcessesExW answers %s", what)
		}
		t.Skipf("owners unreadable here (not elevated?): %s", snap.OwnersErr)
	}
	self, _ := snap.Self()
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	assert.NilError(t, err)
	assert.Check(t, is.Equal(self.OwnerSID, RecordableSID(user.User.Sid.String())))
	for _, p := range snap.Named(WorkerName) {
		t.Logf("vmwp.exe %d: owner %q (SID %s), parent %d, created %s", p.PID, p.Owner, p.OwnerSID, p.ParentPID, p.CreateTime)
	}
}

func TestLiveComputeSystems(t *testing.T) {
	snap, err := Live().Processes(context.Background(), "test")
	assert.NilError(t, err)
	assert.Assert(t, snap.HCS != nil)
	if snap.HCS.Err != "" {
		_, hcsErr := computeSystems()
		if what, ok := lacksFacility(hcsErr); ok {
			t.Skipf("lacks the Host Compute Service: vmcompute.dll HcsEnumerateComputeSystems answers %s", what)
		}
		t.Skipf("HCS not readable here (Containers feature missing, or not elevated): %s", snap.HCS.Err)
	}
	for _, cs := range snap.HCS.Systems {
		t.Logf("%s", DescribeSystem(cs))
	}
	t.Logf("exact attribution possible: %v", ExactAttributionPossible(snap))
}

func TestLiveServices(t *testing.T) {
	got, err := Live().Services(context.Background(), "test", []string{"EventLog", "no-such-service-conformance", "docker", "vmcompute", "vmms"})
	assert.NilError(t, err)
	assert.Assert(t, is.Len(got, 5))
	eventLog := got[0]
	assert.Check(t, eventLog.Exists)
	assert.Check(t, is.Equal(eventLog.State, "running"))
	assert.Check(t, is.Equal(eventLog.StartType, "auto"))
	assert.Check(t, eventLog.PID > 0, "a running service reports its process")
	snap, err := Live().Processes(context.Background(), "test")
	assert.NilError(t, err)
	p, ok := snap.Find(eventLog.PID)
	assert.Check(t, ok && SameImageName(p.Name, "svchost.exe"), "EventLog PID %d is %+v", eventLog.PID, p)

	assert.Check(t, !got[1].Exists)
	for _, s := range got[2:] {
		t.Logf("%s: exists %v, %s, %s, PID %d %s", s.Name, s.Exists, s.State, s.StartType, s.PID, s.StartTypeNote)
	}
}

// The delayed-start flag of an automatic service: read, or the reason it
// cannot be is what the service probe reports beside the start type.
func TestLiveServiceDelayedStartFlag(t *testing.T) {
	scm, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	assert.NilError(t, err)
	defer windows.CloseServiceHandle(scm)
	h, err := windows.OpenService(scm, windows.StringToUTF16Ptr("EventLog"), windows.SERVICE_QUERY_CONFIG|windows.SERVICE_QUERY_STATUS)
	assert.NilError(t, err)
	defer windows.CloseServiceHandle(h)
	delayed, flagErr := serviceDelayedAutoStart(h)
	got, err := Live().Services(context.Background(), "test", []string{"EventLog"})
	assert.NilError(t, err)
	if flagErr != nil {
		assert.Check(t, is.Contains(got[0].StartTypeNote, flagErr.Error()), "the reason is reported with the service")
		assert.Check(t, is.Equal(got[0].StartType, "auto"), "the start type is kept")
		if what, ok := lacksFacility(flagErr); ok {
			t.Skipf("lacks the delayed auto-start flag: QueryServiceConfig2(SERVICE_CONFIG_DELAYED_AUTO_START_INFO) answers %s", what)
		}
		t.Fatalf("delayed-start flag: %v", flagErr)
	}
	assert.Check(t, is.Equal(got[0].StartTypeNote, ""))
	assert.Check(t, is.Equal(got[0].StartType == "delayed-auto", delayed))
}

func TestLiveOS(t *testing.T) {
	info, err := Live().OS(context.Background(), "test")
	assert.NilError(t, err)
	assert.Check(t, is.Equal(info.OS, "windows"))
	assert.Check(t, is.Equal(info.Build, strconv.FormatUint(uint64(windows.RtlGetVersion().BuildNumber), 10)))
	assert.Check(t, is.Len(info.InContainer, 0), "run these tests on the host itself: %v", info.InContainer)

	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SOFTWARE\Microsoft\Windows NT\CurrentVersion`, registry.QUERY_VALUE|registry.WOW64_64KEY)
	assert.NilError(t, err)
	defer k.Close()
	t.Run("revision", func(t *testing.T) {
		if _, _, err := k.GetIntegerValue("UBR"); errors.Is(err, registry.ErrNotExist) {
			assert.Check(t, is.Equal(info.Revision, 0))
			assert.Check(t, is.Contains(info.Unknown["revision"], "UBR"), "reported as unknown, with the reason")
			t.Skipf("lacks the update revision: the registry has no UBR value (%v)", err)
		}
		assert.Check(t, info.Revision > 0, "UBR read through the 64-bit registry view")
		assert.Check(t, is.Equal(info.Unknown["revision"], ""))
	})
	t.Run("edition", func(t *testing.T) {
		if _, _, err := k.GetStringValue("InstallationType"); errors.Is(err, registry.ErrNotExist) {
			assert.Check(t, is.Equal(info.Edition, ""))
			assert.Check(t, is.Contains(info.Unknown["edition"], "InstallationType"), "reported as unknown, with the reason")
			t.Skipf("lacks the edition: the registry has no InstallationType value (%v)", err)
		}
		assert.Check(t, info.Edition == "server" || info.Edition == "client", "edition %q", info.Edition)
	})
}

// childGUID is put on a child's command line by TestLiveCommandLineIDs; the
// child is this test binary, told by the environment to wait until killed.
const childGUID = "{5e0b1c37-9a4d-4f62-8c1e-7d2a90b3f418}"

func TestMain(m *testing.M) {
	if os.Getenv("HOSTPROBE_TEST_WAIT") == "1" {
		time.Sleep(time.Minute) // the parent kills it; a minute bounds an orphan
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestLiveCommandLineIDs reads a real process's command line the way the
// probe reads a vmwp.exe's (NtQueryInformationProcess, class 60, checked
// against the table's create time) and finds the GUID it was started with.
func TestLiveCommandLineIDs(t *testing.T) {
	child := exec.Command(os.Args[0], "-test.run=^$", childGUID)
	child.Env = append(os.Environ(), "HOSTPROBE_TEST_WAIT=1")
	assert.NilError(t, child.Start())
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })

	procs, err := systemProcesses()
	assert.NilError(t, err)
	var p Process
	for _, q := range procs {
		if q.PID == child.Process.Pid {
			p = q
		}
	}
	assert.Assert(t, p.PID != 0, "the child %d is not in the process table", child.Process.Pid)
	want := []string{"5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418"}
	line, err := commandLine(p)
	if what, ok := lacksFacility(err); ok {
		t.Skipf("lacks process command lines: NtQueryInformationProcess(ProcessCommandLineInformation) answers %s", what)
	}
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(GUIDsIn(line), want), "command line %q", line)
	// The PEB path, which commandLine takes where class 60 is missing
	// (Windows before 8.1, Wine 8), reads the same line.
	fromPEB, err := commandLineFromPEB(p)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(fromPEB, line))
	h, err := openChecked(p, windows.PROCESS_QUERY_LIMITED_INFORMATION)
	assert.NilError(t, err)
	byClass, err := commandLineByClass(h)
	windows.CloseHandle(h)
	if errors.Is(err, windows.STATUS_INVALID_INFO_CLASS) {
		t.Logf("ProcessCommandLineInformation is not implemented here: the PEB path was used")
	} else {
		assert.NilError(t, err)
		assert.Check(t, is.Equal(byClass, line))
	}

	p.CreateTime = p.CreateTime.Add(-time.Second) // as if the PID had been reused since the table was read
	_, err = commandLine(p)
	assert.Check(t, is.ErrorContains(err, "was reused"))
}

// TestLiveComputeSystemsDegrade: on a host without the Containers feature
// (or under Wine) vmcompute.dll is absent; the probe says so in the
// snapshot and still returns the table.
func TestLiveComputeSystemsDegrade(t *testing.T) {
	snap, err := Live().Processes(context.Background(), "test")
	assert.NilError(t, err)
	assert.Assert(t, snap.HCS != nil)
	if windows.NewLazySystemDLL("vmcompute.dll").Load() == nil {
		t.Skip("vmcompute.dll is present: TestLiveComputeSystems covers this host")
	}
	assert.Check(t, is.Contains(snap.HCS.Err, "HcsEnumerateComputeSystems"))
	_, self := snap.Self()
	assert.Check(t, self, "the table is still read")
}
