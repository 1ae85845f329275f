package harness

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// processStart reads field 22 of /proc/<pid>/stat: the start time in clock
// ticks after boot. The command name (field 2) may hold spaces and
// parentheses, so the fields are counted after its closing parenthesis.
func processStart(pid int) (start string, exists bool, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", true, fmt.Errorf("read start time of pid %d: %w", pid, err)
	}
	s := string(b)
	rest := s[strings.LastIndexByte(s, ')')+1:]
	fields := strings.Fields(rest) // field 3 onwards
	if len(fields) < 20 {
		return "", true, fmt.Errorf("read start time of pid %d: short stat line", pid)
	}
	return fields[19], true, nil
}

// pidNamespace is this process's PID namespace, as /proc names it.
func pidNamespace() string {
	ns, _ := os.Readlink("/proc/self/ns/pid")
	return ns
}
