package hostprobe

import (
	"encoding/binary"
	"fmt"
	"time"
	"unicode/utf16"
)

// The process table on Windows is read with one call,
// NtQuerySystemInformation(SystemProcessInformation), which fills a buffer
// with SYSTEM_PROCESS_INFORMATION records chained by NextEntryOffset: PID,
// parent PID, image name, session id and create time of every process at one
// instant, without opening any process (so no access right can hide a field).
// Parsing the buffer is portable code, so that it is tested on any OS from a
// buffer built by the test.
//
// Layout: golang.org/x/sys/windows SYSTEM_PROCESS_INFORMATION (types_windows.go)
// and Microsoft's winternl.h documentation of SYSTEM_PROCESS_INFORMATION
// (https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntquerysysteminformation).
// Offsets depend on the pointer size: ImageName is a UNICODE_STRING (two
// uint16 lengths, then a pointer aligned to the pointer size), and the PIDs
// are HANDLE-sized.
type sysProcLayout struct {
	imageNameLen, imageNameBuf, pid, parentPID, session, minSize int
}

const (
	sysProcNextEntry  = 0
	sysProcCreateTime = 32
)

func layoutFor(ptrSize int) (sysProcLayout, error) {
	switch ptrSize {
	case 8: // amd64, arm64
		return sysProcLayout{imageNameLen: 56, imageNameBuf: 64, pid: 80, parentPID: 88, session: 100, minSize: 104}, nil
	case 4: // 386, arm
		return sysProcLayout{imageNameLen: 56, imageNameBuf: 60, pid: 68, parentPID: 72, session: 80, minSize: 84}, nil
	}
	return sysProcLayout{}, fmt.Errorf("pointer size %d: want 4 or 8", ptrSize)
}

// unixEpochTicks is 1970-01-01 UTC as a FILETIME: Windows counts
// 100-nanosecond ticks from 1601-01-01 UTC.
const unixEpochTicks = 116444736000000000

// FiletimeToTime converts a FILETIME count; 0 is "unknown" (the idle process
// has no create time).
func FiletimeToTime(ticks int64) time.Time {
	if ticks <= 0 {
		return time.Time{}
	}
	since := ticks - unixEpochTicks
	return time.Unix(since/10_000_000, (since%10_000_000)*100).UTC()
}

// TimeToFiletime is FiletimeToTime's inverse (to the tick), for tests and
// fixtures.
func TimeToFiletime(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()*10_000_000 + int64(t.Nanosecond())/100 + unixEpochTicks
}

// ParseSystemProcessInformation reads the records of a
// SystemProcessInformation buffer. base is the address the buffer had when
// Windows filled it: the image name pointers are absolute addresses into the
// same buffer, and a pointer outside it is an error rather than a read.
func ParseSystemProcessInformation(buf []byte, base uint64, ptrSize int) ([]Process, error) {
	l, err := layoutFor(ptrSize)
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	ptr := func(off int) uint64 {
		if ptrSize == 8 {
			return le.Uint64(buf[off:])
		}
		return uint64(le.Uint32(buf[off:]))
	}
	var out []Process
	for off := 0; ; {
		if off < 0 || off+l.minSize > len(buf) {
			return nil, fmt.Errorf("process record at offset %d runs past the %d-byte buffer", off, len(buf))
		}
		rec := off
		name := ""
		if n := int(le.Uint16(buf[rec+l.imageNameLen:])); n > 0 {
			addr := ptr(rec + l.imageNameBuf)
			// A name lies after the first record's fields, inside the buffer.
			if addr < base+uint64(l.minSize) || addr-base > uint64(len(buf)) || int(addr-base)+n > len(buf) || n%2 != 0 {
				return nil, fmt.Errorf("process record at offset %d: image name (%d bytes at %#x) lies outside the buffer", off, n, addr)
			}
			start := int(addr - base)
			units := make([]uint16, n/2)
			for i := range units {
				units[i] = le.Uint16(buf[start+2*i:])
			}
			name = string(utf16.Decode(units))
		}
		pid := int(ptr(rec + l.pid))
		if pid == 0 && name == "" {
			name = "[System Process]" // the idle process has no image name; Toolhelp calls it this
		}
		session := le.Uint32(buf[rec+l.session:])
		out = append(out, Process{
			PID:        pid,
			ParentPID:  int(ptr(rec + l.parentPID)),
			Name:       name,
			Session:    &session,
			CreateTime: FiletimeToTime(int64(le.Uint64(buf[rec+sysProcCreateTime:]))),
		})
		next := le.Uint32(buf[rec+sysProcNextEntry:])
		if next == 0 {
			return out, nil
		}
		off += int(next)
	}
}
