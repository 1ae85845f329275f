package hostprobe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// Live returns the probe of the machine the harness runs on.
func Live() Host { return windowsHost{} }

type windowsHost struct{}

// Processes reads the process table at one instant with
// NtQuerySystemInformation(SystemProcessInformation) (golang.org/x/sys/windows):
// PID, parent PID, image name, session id and create time of every process,
// without opening any process, so that no access right (SeDebugPrivilege,
// which elevated cmd.exe, ssh and CI agents usually lack) hides a field and
// no second moment separates a process from its session. Owners come from
// WTSEnumerateProcessesEx, VM workers' command lines from
// NtQueryInformationProcess and the HCS compute systems from
// HcsEnumerateComputeSystems; each facility that fails leaves its reason in
// the snapshot and costs only what it would have shown (HCS or owners:
// attribution by timing; a command line: that key).
func (windowsHost) Processes(ctx context.Context, _ string) (Snapshot, error) {
	procs, err := systemProcesses()
	if err != nil {
		return Snapshot{}, err
	}
	snap := Snapshot{SelfPID: os.Getpid(), TakenAt: time.Now().UTC(), Processes: procs}
	if err := addOwners(snap.Processes); err != nil {
		snap.OwnersErr = err.Error()
	}
	addCommandLines(snap.Processes)
	systems, err := boundedComputeSystems(ctx)
	snap.HCS = &HCSView{Systems: systems}
	if err != nil {
		snap.HCS = &HCSView{Err: err.Error()}
	}
	return snap, ctx.Err()
}

// hcsQueryBound bounds one HCS enumeration: a hung vmcompute must not hang
// the gate. A call past it is left to finish on its own (a system call
// cannot be cancelled), and attribution falls back to timing.
const hcsQueryBound = 20 * time.Second

func boundedComputeSystems(ctx context.Context) ([]ComputeSystem, error) {
	type answer struct {
		systems []ComputeSystem
		err     error
	}
	done := make(chan answer, 1)
	go func() {
		systems, err := computeSystems()
		done <- answer{systems, err}
	}()
	timer := time.NewTimer(hcsQueryBound)
	defer timer.Stop()
	select {
	case a := <-done:
		return a.systems, a.err
	case <-timer.C:
		return nil, fmt.Errorf("HcsEnumerateComputeSystems: no answer within %s", hcsQueryBound)
	case <-ctx.Done():
		return nil, fmt.Errorf("HcsEnumerateComputeSystems: %w", ctx.Err())
	}
}

// systemProcesses calls NtQuerySystemInformation until the buffer is large
// enough: the table may grow between the size query and the read, so
// STATUS_INFO_LENGTH_MISMATCH is retried with the size it reports plus room.
func systemProcesses() ([]Process, error) {
	size := uint32(512 << 10)
	for range 8 {
		buf := make([]byte, size)
		var needed uint32
		err := windows.NtQuerySystemInformation(windows.SystemProcessInformation, unsafe.Pointer(&buf[0]), size, &needed)
		if errors.Is(err, windows.STATUS_INFO_LENGTH_MISMATCH) {
			size = max(needed, size) + 64<<10
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("NtQuerySystemInformation(SystemProcessInformation): %w", err)
		}
		if needed > 0 && needed <= size {
			buf = buf[:needed] // ReturnLength: the bytes written
		}
		procs, err := ParseSystemProcessInformation(buf, uint64(uintptr(unsafe.Pointer(&buf[0]))), int(unsafe.Sizeof(uintptr(0))))
		if err != nil {
			return nil, fmt.Errorf("read process table: %w", err)
		}
		return procs, nil
	}
	return nil, errors.New("read process table: the table kept growing past the buffer")
}

// wtsapi32's WTSEnumerateProcessesExW is not in golang.org/x/sys/windows.
// Signature and structure: Microsoft's wtsapi32.h documentation
// (https://learn.microsoft.com/windows/win32/api/wtsapi32/nf-wtsapi32-wtsenumerateprocessesexw,
// .../ns-wtsapi32-wts_process_info_exw): level 1 returns WTS_PROCESS_INFO_EX
// with the user SID of each process's primary token, read by the session
// manager without opening the process; the array is freed with
// WTSFreeMemoryExW(WTSTypeProcessInfoLevel1, ...). Enumerating other users'
// processes needs membership of Administrators.
var (
	modwtsapi32                  = windows.NewLazySystemDLL("wtsapi32.dll")
	procWTSEnumerateProcessesExW = modwtsapi32.NewProc("WTSEnumerateProcessesExW")
	procWTSFreeMemoryExW         = modwtsapi32.NewProc("WTSFreeMemoryExW")
)

const (
	wtsCurrentServerHandle   = 0
	wtsAnySession            = 0xFFFFFFFE // WTS_ANY_SESSION
	wtsTypeProcessInfoLevel1 = 1          // WTS_TYPE_CLASS WTSTypeProcessInfoLevel1
)

// wtsProcessInfoEx is WTS_PROCESS_INFO_EXW.
type wtsProcessInfoEx struct {
	SessionID          uint32
	ProcessID          uint32
	ProcessName        *uint16
	UserSid            *windows.SID
	NumberOfThreads    uint32
	HandleCount        uint32
	PagefileUsage      uint32
	PeakPagefileUsage  uint32
	WorkingSetSize     uint32
	PeakWorkingSetSize uint32
	UserTime           int64
	KernelTime         int64
}

// addOwners sets OwnerSID (and, for Hyper-V VM accounts, Owner) on the
// processes. The enumeration is a second moment after the table: an entry
// counts only when its PID and image name agree with the table's.
func addOwners(procs []Process) error {
	if err := procWTSEnumerateProcessesExW.Find(); err != nil {
		return fmt.Errorf("WTSEnumerateProcessesExW: %w", err)
	}
	if err := procWTSFreeMemoryExW.Find(); err != nil {
		return fmt.Errorf("WTSFreeMemoryExW: %w", err)
	}
	level := uint32(1)
	var info *wtsProcessInfoEx
	var count uint32
	r, _, callErr := procWTSEnumerateProcessesExW.Call(wtsCurrentServerHandle, uintptr(unsafe.Pointer(&level)), wtsAnySession,
		uintptr(unsafe.Pointer(&info)), uintptr(unsafe.Pointer(&count)))
	if r == 0 {
		return fmt.Errorf("WTSEnumerateProcessesExW: %w", callErr)
	}
	defer procWTSFreeMemoryExW.Call(wtsTypeProcessInfoLevel1, uintptr(unsafe.Pointer(info)), uintptr(count)) //nolint:errcheck // nothing to do if freeing fails
	var owners []OwnerEntry
	for _, e := range unsafe.Slice(info, count) {
		if e.UserSid == nil {
			continue
		}
		o := OwnerEntry{PID: int(e.ProcessID), Name: windows.UTF16PtrToString(e.ProcessName), SID: e.UserSid.String()}
		if strings.HasPrefix(o.SID, "S-1-5-83-1-") {
			// hcsshim resolves the VM account the same way (LookupAccount,
			// internal/vm/vmutils/vmmem.go); only these few SIDs are looked up.
			if account, domain, _, err := e.UserSid.LookupAccount(""); err == nil {
				o.VMAccount = domain + `\` + account
			}
		}
		owners = append(owners, o)
	}
	ApplyOwners(procs, owners)
	return nil
}

// vmcompute.dll's HcsEnumerateComputeSystems (the HCS v1 API that
// hcsshim's GetContainers calls: internal/vmcompute, signature and
// HRESULT handling as there). It is called directly because GetContainers
// decodes into schema1 ContainerProperties, which has no HostingSystemId;
// both answer strings are allocated by HCS and freed with CoTaskMemFree
// (hcsshim internal/interop ConvertAndFreeCoTaskMemString).
var (
	modvmcompute                   = windows.NewLazySystemDLL("vmcompute.dll")
	procHcsEnumerateComputeSystems = modvmcompute.NewProc("HcsEnumerateComputeSystems")
)

// computeSystems lists every compute system HCS knows
// (ParseComputeSystems decodes the answer, portable and unit-tested).
func computeSystems() ([]ComputeSystem, error) {
	if err := procHcsEnumerateComputeSystems.Find(); err != nil {
		return nil, fmt.Errorf("HcsEnumerateComputeSystems: %w", err)
	}
	query, err := windows.UTF16PtrFromString(hcsQuery)
	if err != nil {
		return nil, err
	}
	var systems, result *uint16
	r, _, _ := procHcsEnumerateComputeSystems.Call(uintptr(unsafe.Pointer(query)), uintptr(unsafe.Pointer(&systems)), uintptr(unsafe.Pointer(&result)))
	answer, detail := takeCoTaskString(systems), takeCoTaskString(result)
	if int32(r) < 0 {
		err := error(windows.Errno(r))
		if r&0x1fff0000 == 0x00070000 { // FACILITY_WIN32: the Win32 error inside
			err = windows.Errno(r & 0xffff)
		}
		if detail != "" {
			return nil, fmt.Errorf("HcsEnumerateComputeSystems: %w: %s", err, detail)
		}
		return nil, fmt.Errorf("HcsEnumerateComputeSystems: %w", err)
	}
	return ParseComputeSystems(answer)
}

func takeCoTaskString(p *uint16) string {
	if p == nil {
		return ""
	}
	defer windows.CoTaskMemFree(unsafe.Pointer(p))
	return windows.UTF16PtrToString(p)
}

// maxWorkersRead bounds how many vmwp.exe command lines one snapshot reads,
// and maxCommandLineBuffer one read (a UNICODE_STRING holds at most 64 KiB).
const (
	maxWorkersRead       = 64
	maxCommandLineBuffer = 64<<10 + 64
)

// addCommandLines reads the command line of every vmwp.exe in the table
// and keeps its GUIDs: a VM worker names its VM there (GUIDsIn). Each
// failure is kept on its process and costs only that key.
func addCommandLines(procs []Process) {
	read := 0
	for i := range procs {
		if !SameImageName(procs[i].Name, WorkerName) {
			continue
		}
		if read == maxWorkersRead {
			procs[i].CommandLineErr = fmt.Sprintf("not read: more than %d VM workers", maxWorkersRead)
			continue
		}
		read++
		line, err := commandLine(procs[i])
		if err != nil {
			procs[i].CommandLineErr = err.Error()
			continue
		}
		procs[i].CommandLineIDs = GUIDsIn(line)
	}
}

// commandLine reads a process's command line with
// NtQueryInformationProcess(ProcessCommandLineInformation, class 60), which
// needs only PROCESS_QUERY_LIMITED_INFORMATION (Windows 8.1 and later;
// Microsoft Learn, NtQueryInformationProcess): that right is granted for
// protected processes too and without SeDebugPrivilege. Where the class is
// not implemented (Windows before 8.1, Wine 8) it reads the command line
// from the process's PEB instead, which needs PROCESS_VM_READ. The handle
// is checked against the table's create time: a PID reused since the table
// was read is another process.
func commandLine(p Process) (string, error) {
	h, err := openChecked(p, windows.PROCESS_QUERY_LIMITED_INFORMATION)
	if err != nil {
		return "", err
	}
	defer windows.CloseHandle(h)
	line, err := commandLineByClass(h)
	if !errors.Is(err, windows.STATUS_INVALID_INFO_CLASS) && !errors.Is(err, windows.STATUS_NOT_IMPLEMENTED) {
		return line, err
	}
	return commandLineFromPEB(p)
}

// openChecked opens the process with the rights asked for and makes sure it
// is the table's process: same create time.
func openChecked(p Process, rights uint32) (windows.Handle, error) {
	h, err := windows.OpenProcess(rights, false, uint32(p.PID))
	if err != nil {
		return 0, fmt.Errorf("OpenProcess: %w", err)
	}
	var created, exited, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(h, &created, &exited, &kernel, &user); err != nil {
		windows.CloseHandle(h)
		return 0, fmt.Errorf("GetProcessTimes: %w", err)
	}
	if got := FiletimeToTime(int64(created.HighDateTime)<<32 | int64(created.LowDateTime)); !p.CreateTime.IsZero() && !got.Equal(p.CreateTime) {
		windows.CloseHandle(h)
		return 0, fmt.Errorf("PID %d was reused (created %s, not %s)", p.PID, got.Format(time.RFC3339Nano), p.CreateTime.Format(time.RFC3339Nano))
	}
	return h, nil
}

func commandLineByClass(h windows.Handle) (string, error) {
	size := uint32(2048)
	for {
		buf := make([]byte, size)
		var needed uint32
		err := windows.NtQueryInformationProcess(h, windows.ProcessCommandLineInformation, unsafe.Pointer(&buf[0]), size, &needed)
		if errors.Is(err, windows.STATUS_INFO_LENGTH_MISMATCH) || errors.Is(err, windows.STATUS_BUFFER_TOO_SMALL) || errors.Is(err, windows.STATUS_BUFFER_OVERFLOW) {
			if needed <= size || needed > maxCommandLineBuffer {
				return "", fmt.Errorf("NtQueryInformationProcess(ProcessCommandLineInformation): %w (asks for %d bytes)", err, needed)
			}
			size = needed
			continue
		}
		if err != nil {
			return "", fmt.Errorf("NtQueryInformationProcess(ProcessCommandLineInformation): %w", err)
		}
		return ParseUnicodeString(buf, uint64(uintptr(unsafe.Pointer(&buf[0]))), int(unsafe.Sizeof(uintptr(0))))
	}
}

// commandLineFromPEB follows ProcessBasicInformation's PebBaseAddress to
// the PEB's ProcessParameters and their CommandLine (x/sys's PEB and
// RTL_USER_PROCESS_PARAMETERS give the offsets; Microsoft Learn, winternl.h).
// The other process's addresses are read into byte buffers and kept as
// numbers, never as Go pointers.
func commandLineFromPEB(p Process) (string, error) {
	h, err := openChecked(p, windows.PROCESS_QUERY_INFORMATION|windows.PROCESS_VM_READ)
	if err != nil {
		return "", fmt.Errorf("read the PEB: %w", err)
	}
	defer windows.CloseHandle(h)
	basic := make([]byte, unsafe.Sizeof(windows.PROCESS_BASIC_INFORMATION{}))
	if err := windows.NtQueryInformationProcess(h, windows.ProcessBasicInformation, unsafe.Pointer(&basic[0]), uint32(len(basic)), nil); err != nil {
		return "", fmt.Errorf("NtQueryInformationProcess(ProcessBasicInformation): %w", err)
	}
	peb := remoteAddress(basic[unsafe.Offsetof(windows.PROCESS_BASIC_INFORMATION{}.PebBaseAddress):])
	params, err := readRemote(h, peb+unsafe.Offsetof(windows.PEB{}.ProcessParameters), unsafe.Sizeof(uintptr(0)))
	if err != nil {
		return "", fmt.Errorf("read PEB.ProcessParameters: %w", err)
	}
	header, err := readRemote(h, remoteAddress(params)+unsafe.Offsetof(windows.RTL_USER_PROCESS_PARAMETERS{}.CommandLine), unsafe.Sizeof(windows.NTUnicodeString{}))
	if err != nil {
		return "", fmt.Errorf("read ProcessParameters.CommandLine: %w", err)
	}
	length := uintptr(header[0]) | uintptr(header[1])<<8
	if length == 0 {
		return "", nil
	}
	text, err := readRemote(h, remoteAddress(header[unsafe.Offsetof(windows.NTUnicodeString{}.Buffer):]), length)
	if err != nil {
		return "", fmt.Errorf("read the command line: %w", err)
	}
	units := make([]uint16, len(text)/2)
	for i := range units {
		units[i] = uint16(text[2*i]) | uint16(text[2*i+1])<<8
	}
	return windows.UTF16ToString(units), nil
}

func readRemote(h windows.Handle, address, size uintptr) ([]byte, error) {
	buf := make([]byte, size)
	var read uintptr
	if err := windows.ReadProcessMemory(h, address, &buf[0], size, &read); err != nil {
		return nil, err
	}
	if read != size {
		return nil, fmt.Errorf("read %d of %d bytes at %#x", read, size, address)
	}
	return buf, nil
}

// remoteAddress reads a pointer-sized little-endian address.
func remoteAddress(b []byte) uintptr {
	var a uintptr
	for i := int(unsafe.Sizeof(a)) - 1; i >= 0; i-- {
		a = a<<8 | uintptr(b[i])
	}
	return a
}

// Services asks the service control manager directly, with only the calls
// the claims need: QueryServiceStatusEx (state and PID), QueryServiceConfig
// (start type) and, for an automatic service only, the delayed-start flag.
// mgr.Connect would ask for SC_MANAGER_ALL_ACCESS, which only an elevated
// harness gets, and mgr.Service.Config makes further queries (description,
// service SID type, ...) any of which would fail every service claim.
func (windowsHost) Services(ctx context.Context, _ string, names []string) ([]Service, error) {
	scm, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return nil, fmt.Errorf("connect to service control manager: %w", err)
	}
	defer windows.CloseServiceHandle(scm)

	out := make([]Service, 0, len(names))
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s, err := queryService(scm, name)
		if err != nil {
			return nil, fmt.Errorf("query service %s: %w", name, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func queryService(scm windows.Handle, name string) (Service, error) {
	namep, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return Service{}, err
	}
	h, err := windows.OpenService(scm, namep, windows.SERVICE_QUERY_STATUS|windows.SERVICE_QUERY_CONFIG)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		// An absent service is a fact the claims assert on, not a failed probe.
		return Service{Name: name}, nil
	}
	if err != nil {
		return Service{}, fmt.Errorf("open: %w", err)
	}
	defer windows.CloseServiceHandle(h)

	var status windows.SERVICE_STATUS_PROCESS
	var needed uint32
	if err := windows.QueryServiceStatusEx(h, windows.SC_STATUS_PROCESS_INFO, (*byte)(unsafe.Pointer(&status)), uint32(unsafe.Sizeof(status)), &needed); err != nil {
		return Service{}, fmt.Errorf("status: %w", err)
	}
	startType, err := serviceStartType(h)
	if err != nil {
		return Service{}, fmt.Errorf("config: %w", err)
	}
	s := Service{
		Name:   name,
		Exists: true,
		State:  ServiceStateName(status.CurrentState),
		PID:    int(status.ProcessId),
	}
	delayed := false
	if startType == windows.SERVICE_AUTO_START {
		// The flag only refines "auto": a service whose flag cannot be
		// read (access denied on a locked-down host, or an OS without the
		// information level) keeps its state and start type, and says why.
		if delayed, err = serviceDelayedAutoStart(h); err != nil {
			s.StartTypeNote = "delayed-start flag unreadable: QueryServiceConfig2(SERVICE_CONFIG_DELAYED_AUTO_START_INFO): " + err.Error()
		}
	}
	s.StartType = ServiceStartTypeName(startType, delayed)
	return s, nil
}

// serviceStartType reads QUERY_SERVICE_CONFIG, whose strings follow the
// structure in the same buffer: ask for the size first.
func serviceStartType(h windows.Handle) (uint32, error) {
	var needed uint32
	err := windows.QueryServiceConfig(h, nil, 0, &needed)
	if !errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) {
		return 0, err
	}
	buf := make([]byte, needed)
	config := (*windows.QUERY_SERVICE_CONFIG)(unsafe.Pointer(&buf[0]))
	if err := windows.QueryServiceConfig(h, config, needed, &needed); err != nil {
		return 0, err
	}
	return config.StartType, nil
}

func serviceDelayedAutoStart(h windows.Handle) (bool, error) {
	var info windows.SERVICE_DELAYED_AUTO_START_INFO
	var needed uint32
	if err := windows.QueryServiceConfig2(h, windows.SERVICE_CONFIG_DELAYED_AUTO_START_INFO, (*byte)(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)), &needed); err != nil {
		return false, err
	}
	return info.IsDelayedAutoStartUp != 0, nil
}

// OS takes the build from RtlGetVersion because GetVersionEx lies to a binary
// without a compatibility manifest. UBR and InstallationType exist only in the
// registry, read through its 64-bit view so that a 32-bit build of the
// harness is not redirected to WOW6432Node; when they cannot be read the
// build alone is still worth reporting, so they are left zero instead of
// failing the call.
func (windowsHost) OS(context.Context, string) (OSInfo, error) {
	version := windows.RtlGetVersion()
	info := OSInfo{
		OS:          "windows",
		Build:       strconv.FormatUint(uint64(version.BuildNumber), 10),
		ProductType: ProductTypeName(version.ProductType),
	}
	info.Hostname, _ = os.Hostname()
	// Inside a process-isolated container the process table is the
	// container's: its agent runs in the harness's own session.
	if procs, err := systemProcesses(); err == nil {
		info.InContainer = WindowsInContainerSignals(Snapshot{SelfPID: os.Getpid(), Processes: procs})
	}

	const key = `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SOFTWARE\Microsoft\Windows NT\CurrentVersion`, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if err != nil {
		info.Unknown = map[string]string{"revision": key + ": " + err.Error(), "edition": key + ": " + err.Error()}
		return info, nil
	}
	defer k.Close()
	unknown := map[string]string{}
	if ubr, _, err := k.GetIntegerValue("UBR"); err == nil {
		info.Revision = int(ubr)
	} else {
		unknown["revision"] = key + `\UBR: ` + err.Error()
	}
	if installationType, _, err := k.GetStringValue("InstallationType"); err == nil {
		info.Edition = EditionName(installationType)
	} else {
		unknown["edition"] = key + `\InstallationType: ` + err.Error()
	}
	if len(unknown) > 0 {
		info.Unknown = unknown
	}
	return info, nil
}
