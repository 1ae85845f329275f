package hostprobe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
	"golang.org/x/sys/windows/svc/mgr"
)

// Live returns the probe of the machine the harness runs on.
func Live() Host { return windowsHost{} }

type windowsHost struct{}

// Processes walks a Toolhelp32 snapshot, which lists every process without
// opening any of them, so that processes the harness may not open (those of
// other sessions and of Hyper-V isolated containers, such as vmwp.exe) are still
// seen. A process that exits while the table is read stays in, as the snapshot
// saw it.
func (windowsHost) Processes(ctx context.Context, _ string) (Snapshot, error) {
	snapshot, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPPROCESS, 0)
	if err != nil {
		return Snapshot{}, fmt.Errorf("snapshot process table: %w", err)
	}
	defer windows.CloseHandle(snapshot)

	snap := Snapshot{SelfPID: os.Getpid()}
	entry := windows.ProcessEntry32{Size: uint32(unsafe.Sizeof(windows.ProcessEntry32{}))}
	for err = windows.Process32First(snapshot, &entry); err == nil; err = windows.Process32Next(snapshot, &entry) {
		snap.Processes = append(snap.Processes, Process{
			PID:     int(entry.ProcessID),
			Name:    windows.UTF16ToString(entry.ExeFile[:]),
			Session: sessionOf(entry.ProcessID),
		})
	}
	if !errors.Is(err, windows.ERROR_NO_MORE_FILES) {
		return Snapshot{}, fmt.Errorf("read process table: %w", err)
	}
	return snap, ctx.Err()
}

// sessionOf returns nil rather than 0 when the session cannot be read (access
// denied, or the process has exited), because session 0 is the claim that a
// process runs among the host services.
func sessionOf(pid uint32) *uint32 {
	var session uint32
	if err := windows.ProcessIdToSessionId(pid, &session); err != nil {
		return nil
	}
	return &session
}

// Services asks the service control manager directly. mgr.Connect would ask for
// SC_MANAGER_ALL_ACCESS, which only an elevated harness gets; reading state and
// configuration needs no more than connect and query rights.
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
	s := &mgr.Service{Name: name, Handle: h}
	defer s.Close()

	status, err := s.Query()
	if err != nil {
		return Service{}, fmt.Errorf("status: %w", err)
	}
	config, err := s.Config()
	if err != nil {
		return Service{}, fmt.Errorf("config: %w", err)
	}
	return Service{
		Name:      name,
		Exists:    true,
		State:     ServiceStateName(uint32(status.State)),
		StartType: ServiceStartTypeName(config.StartType, config.DelayedAutoStart),
	}, nil
}

// OS takes the build from RtlGetVersion because GetVersionEx lies to a binary
// without a compatibility manifest. UBR and InstallationType exist only in the
// registry; when they cannot be read the build alone is still worth reporting,
// so they are left zero instead of failing the call.
func (windowsHost) OS(context.Context, string) (OSInfo, error) {
	version := windows.RtlGetVersion()
	info := OSInfo{
		OS:          "windows",
		Build:       strconv.FormatUint(uint64(version.BuildNumber), 10),
		ProductType: ProductTypeName(version.ProductType),
	}
	info.Hostname, _ = os.Hostname()

	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SOFTWARE\Microsoft\Windows NT\CurrentVersion`, registry.QUERY_VALUE)
	if err != nil {
		return info, nil
	}
	defer k.Close()
	if ubr, _, err := k.GetIntegerValue("UBR"); err == nil {
		info.Revision = int(ubr)
	}
	if installationType, _, err := k.GetStringValue("InstallationType"); err == nil {
		info.Edition = EditionName(installationType)
	}
	return info, nil
}
