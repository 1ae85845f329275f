package hostprobe

import (
	"encoding/binary"
	"testing"
	"time"
	"unicode/utf16"
	"unsafe"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

type fakeProc struct {
	pid, parent int
	name        string
	session     uint32
	created     time.Time
}

// buildSystemProcessInformation lays records out as Windows does: each
// record, then its image name, the next record at NextEntryOffset, the last
// one with offset 0. Image name pointers are absolute addresses from base.
func buildSystemProcessInformation(t *testing.T, base uint64, ptrSize int, procs []fakeProc) []byte {
	t.Helper()
	l, err := layoutFor(ptrSize)
	assert.NilError(t, err)
	le := binary.LittleEndian
	putPtr := func(b []byte, v uint64) {
		if ptrSize == 8 {
			le.PutUint64(b, v)
		} else {
			le.PutUint32(b, uint32(v))
		}
	}
	var buf []byte
	for i, p := range procs {
		start := len(buf)
		recSize := 184 // a real record is larger than the fields read; threads follow it
		name := utf16.Encode([]rune(p.name))
		rec := make([]byte, recSize+2*len(name)+6)
		le.PutUint64(rec[sysProcCreateTime:], uint64(TimeToFiletime(p.created)))
		le.PutUint16(rec[l.imageNameLen:], uint16(2*len(name)))
		le.PutUint16(rec[l.imageNameLen+2:], uint16(2*len(name)+2))
		if len(name) > 0 {
			putPtr(rec[l.imageNameBuf:], base+uint64(start+recSize))
		}
		for j, u := range name {
			le.PutUint16(rec[recSize+2*j:], u)
		}
		putPtr(rec[l.pid:], uint64(p.pid))
		putPtr(rec[l.parentPID:], uint64(p.parent))
		le.PutUint32(rec[l.session:], p.session)
		if i < len(procs)-1 {
			le.PutUint32(rec[sysProcNextEntry:], uint32(len(rec)))
		}
		buf = append(buf, rec...)
	}
	return buf
}

func TestParseSystemProcessInformation(t *testing.T) {
	created := time.Date(2026, 11, 29, 0, 41, 7, 123456700, time.UTC)
	procs := []fakeProc{
		{pid: 0, name: ""},
		{pid: 4, name: "System", created: created.Add(-time.Hour)},
		{pid: 1876, parent: 620, name: "vmcompute.exe", created: created.Add(-time.Minute)},
		{pid: 7312, parent: 1876, name: "vmwp.exe", session: 0, created: created},
		{pid: 4872, parent: 6216, name: "PING.EXE", session: 3, created: created.Add(time.Second)},
	}
	for _, ptrSize := range []int{8, 4} {
		base := uint64(0x7ff6_1234_0000)
		if ptrSize == 4 {
			base = 0x0234_0000
		}
		buf := buildSystemProcessInformation(t, base, ptrSize, procs)
		got, err := ParseSystemProcessInformation(buf, base, ptrSize)
		assert.NilError(t, err)
		assert.Equal(t, len(got), len(procs))
		assert.Equal(t, got[0].Name, "[System Process]")
		assert.Check(t, got[0].CreateTime.IsZero())
		for i, p := range procs[1:] {
			g := got[i+1]
			assert.Check(t, is.Equal(g.PID, p.pid))
			assert.Check(t, is.Equal(g.ParentPID, p.parent))
			assert.Check(t, is.Equal(g.Name, p.name))
			assert.Check(t, is.Equal(*g.Session, p.session))
			assert.Check(t, g.CreateTime.Equal(p.created), "pointer size %d, %s: got %s want %s", ptrSize, p.name, g.CreateTime, p.created)
		}
	}
}

func TestParseSystemProcessInformationRefusesBadBuffers(t *testing.T) {
	base := uint64(0x10000)
	good := buildSystemProcessInformation(t, base, 8, []fakeProc{{pid: 4, name: "System"}, {pid: 8, name: "smss.exe"}})

	_, err := ParseSystemProcessInformation(good[:50], base, 8)
	assert.ErrorContains(t, err, "runs past")

	wrongBase := append([]byte{}, good...)
	_, err = ParseSystemProcessInformation(wrongBase, base+1<<20, 8)
	assert.ErrorContains(t, err, "lies outside the buffer")

	loop := append([]byte{}, good...)
	binary.LittleEndian.PutUint32(loop[sysProcNextEntry:], uint32(len(loop))) // points past the end
	_, err = ParseSystemProcessInformation(loop, base, 8)
	assert.ErrorContains(t, err, "runs past")

	_, err = ParseSystemProcessInformation(good, base, 2)
	assert.ErrorContains(t, err, "pointer size 2")
}

// The 64-bit offsets are those of golang.org/x/sys/windows's
// SYSTEM_PROCESS_INFORMATION; this mirror of its leading fields checks them
// on any 64-bit OS (hostprobe_windows_test.go checks the real type).
func TestLayoutMatchesXSysOn64Bit(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("64-bit layout")
	}
	type ntUnicodeString struct {
		Length, MaximumLength uint16
		Buffer                *uint16
	}
	type mirror struct {
		NextEntryOffset              uint32
		NumberOfThreads              uint32
		WorkingSetPrivateSize        int64
		HardFaultCount               uint32
		NumberOfThreadsHighWatermark uint32
		CycleTime                    uint64
		CreateTime                   int64
		UserTime                     int64
		KernelTime                   int64
		ImageName                    ntUnicodeString
		BasePriority                 int32
		UniqueProcessID              uintptr
		InheritedFromUniqueProcessID uintptr
		HandleCount                  uint32
		SessionID                    uint32
	}
	var m mirror
	l, _ := layoutFor(8)
	assert.Equal(t, int(unsafe.Offsetof(m.CreateTime)), sysProcCreateTime)
	assert.Equal(t, int(unsafe.Offsetof(m.ImageName)), l.imageNameLen)
	assert.Equal(t, int(unsafe.Offsetof(m.ImageName)+unsafe.Offsetof(m.ImageName.Buffer)), l.imageNameBuf)
	assert.Equal(t, int(unsafe.Offsetof(m.UniqueProcessID)), l.pid)
	assert.Equal(t, int(unsafe.Offsetof(m.InheritedFromUniqueProcessID)), l.parentPID)
	assert.Equal(t, int(unsafe.Offsetof(m.SessionID)), l.session)
}

func TestFiletime(t *testing.T) {
	assert.Check(t, FiletimeToTime(0).IsZero())
	assert.Equal(t, FiletimeToTime(unixEpochTicks), time.Unix(0, 0).UTC())
	// 2019-12-17T05:30:00Z as a FILETIME, computed independently:
	// (1576560600 s since 1970) * 1e7 + 116444736000000000.
	assert.Equal(t, FiletimeToTime(132210342000000000), time.Date(2019, 12, 17, 5, 30, 0, 0, time.UTC))
	t0 := time.Date(2026, 11, 29, 0, 41, 7, 123456700, time.UTC)
	assert.Check(t, FiletimeToTime(TimeToFiletime(t0)).Equal(t0))
}
