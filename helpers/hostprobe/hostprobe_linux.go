package hostprobe

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Live returns the probe of the machine the harness runs on.
func Live() Host { return linuxHost{proc: "/proc"} }

type linuxHost struct{ proc string }

// Processes reads /proc: comm for the name and the ns/pid link for the PID
// namespace. A process that exits while the table is read is left out.
func (h linuxHost) Processes(ctx context.Context, _ string) (Snapshot, error) {
	entries, err := os.ReadDir(h.proc)
	if err != nil {
		return Snapshot{}, fmt.Errorf("read process table: %w", err)
	}
	snap := Snapshot{SelfPID: os.Getpid()}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !e.IsDir() {
			continue
		}
		comm, err := os.ReadFile(filepath.Join(h.proc, e.Name(), "comm"))
		if err != nil {
			continue
		}
		ns, _ := os.Readlink(filepath.Join(h.proc, e.Name(), "ns", "pid"))
		snap.Processes = append(snap.Processes, Process{
			PID:          pid,
			Name:         strings.TrimSpace(string(comm)),
			PIDNamespace: ns,
		})
	}
	return snap, ctx.Err()
}

// Services: Linux hosts have no service control manager the claims ask about.
func (linuxHost) Services(context.Context, string, []string) ([]Service, error) {
	return nil, ErrNotSupported
}

// OS reports the kernel release as the build, which is what a Linux daemon puts
// in KernelVersion.
func (linuxHost) OS(context.Context, string) (OSInfo, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return OSInfo{}, fmt.Errorf("uname: %w", err)
	}
	host, _ := os.Hostname()
	return OSInfo{OS: "linux", Build: unix.ByteSliceToString(u.Release[:]), Hostname: host, InContainer: containerSignals("/")}, nil
}
