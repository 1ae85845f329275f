package harness

import (
	"errors"
	"fmt"
	"strconv"

	"golang.org/x/sys/windows"
)

// processStart is the process's creation time (100 ns units since 1601) from
// GetProcessTimes. OpenProcess fails with ERROR_INVALID_PARAMETER when no
// process has that PID.
func processStart(pid int) (start string, exists bool, err error) {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if errors.Is(err, windows.ERROR_INVALID_PARAMETER) {
		return "", false, nil
	}
	if err != nil {
		return "", true, fmt.Errorf("open pid %d: %w", pid, err)
	}
	defer windows.CloseHandle(h)
	var created, exited, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(h, &created, &exited, &kernel, &user); err != nil {
		return "", true, fmt.Errorf("start time of pid %d: %w", pid, err)
	}
	var code uint32
	if windows.GetExitCodeProcess(h, &code) == nil && code != 259 { // STILL_ACTIVE
		return "", false, nil // a handle still open elsewhere keeps an exited process's entry
	}
	return strconv.FormatInt(created.Nanoseconds()/100, 10), true, nil
}

// pidNamespace is empty: process ids are the host's.
func pidNamespace() string { return "" }
