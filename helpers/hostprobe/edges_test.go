package hostprobe

import (
	"encoding/binary"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// Rows that pin the probe's decisions at their edges (make mutants found
// them alive): several GUIDs on a command line, the evidence wording of a
// compute system and of the facts, image-name matching, short ids, and
// buffers that end exactly where their last field does.

func TestGUIDsInKeepsEveryGUIDInOrder(t *testing.T) {
	const a, b = "5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418", "C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35"
	assert.DeepEqual(t, GUIDsIn(`vmwp.exe `+a+` 0x2c4 {`+b+`} `+a), []string{a, b})
}

func TestVMKeysOfAWorker(t *testing.T) {
	const a, b = "5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418", "C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35"
	p := Process{Owner: `NT VIRTUAL MACHINE\` + a, CommandLineIDs: []string{a, zeroGUID, b, b}}
	assert.DeepEqual(t, vmKeys(p), []string{a, b})
	assert.Check(t, is.Equal(namesVM(p, b), "names "+b+" on its command line"))
	assert.Check(t, is.Equal(namesVM(p, a), `runs as NT VIRTUAL MACHINE\`+a+" and names "+a+" on its command line"))
	assert.Check(t, is.Equal(namesVM(Process{}, a), ""))
}

func TestDescribeSystem(t *testing.T) {
	full := ComputeSystem{ID: "0ACF54A5-CEEF-454A-BDC7-56D2C9A223B9", SystemType: "VirtualMachine", Owner: "WSL", RuntimeID: "0acf54a5-ceef-454a-bdc7-56d2c9a223b9",
		IsRuntimeTemplate: true, RuntimeImagePath: `C:\ProgramData\Microsoft\Windows\Hyper-V\tpl.vmcx`, HostingSystemID: "uvm-1"}
	assert.Check(t, is.Equal(DescribeSystem(full), `template VM 0ACF54A5-CEEF-454A-BDC7-56D2C9A223B9 (type VirtualMachine, owner WSL, RuntimeId 0ACF54A5-CEEF-454A-BDC7-56D2C9A223B9, IsRuntimeTemplate, RuntimeImagePath C:\ProgramData\Microsoft\Windows\Hyper-V\tpl.vmcx, HostingSystemId uvm-1)`))
	assert.Check(t, is.Equal(DescribeSystem(ComputeSystem{ID: "c1"}), "compute system c1 (no owner)"))
}

func TestFactsNameEachWorkersOwnerAndCommandLine(t *testing.T) {
	const cid, uvm = "3f7c795918db21fb76720502fefc51210e8d037ebcacb5e4dd505aec35f322ac", "5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418"
	hcs := HCSView{Systems: []ComputeSystem{{ID: cid, RuntimeID: uvm}}}
	fresh := []Process{
		{PID: 1, OwnerSID: "S-1-5-18"},
		{PID: 2, CommandLineIDs: []string{uvm}},
		{PID: 3},
	}
	f := facts(hcs, cid, uvm, true, fresh, fresh, nil)
	assert.DeepEqual(t, f, []string{
		"RuntimeId present: yes, " + uvm,
		"worker account = RuntimeId: no; new vmwp.exe 1 as SID S-1-5-18, no VM account, 2 owner not read, 3 owner not read",
		"command line = RuntimeId: yes; new vmwp.exe 1 no GUID read from it, 2 names " + uvm + ", 3 no GUID read from it",
		"template VM seen: no",
	})
	none := facts(hcs, cid, uvm, true, nil, nil, nil)
	assert.Check(t, is.Equal(none[1], "worker account = RuntimeId: no; no new vmwp.exe"))
}

func TestSameImageNameEdges(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{a: `C:\Windows\System32\PING.EXE`, b: "ping.exe", want: true},
		{a: "/usr/bin/ping", b: "ping", want: true},
		{a: `\ping.exe`, b: "ping", want: true},
		{a: "conformance.test", b: "conformance.tes", want: true}, // comm keeps 15 bytes
		{a: "conformance.tes", b: "conformance.te", want: false},  // 15 bytes are compared, not 14
		{a: "abcdefghijklmnop", b: "abcdefghijklmno", want: true},
		{a: "", b: "", want: false},
	} {
		assert.Check(t, is.Equal(SameImageName(tc.a, tc.b), tc.want), "%q %q", tc.a, tc.b)
	}
}

func TestShortIDEdges(t *testing.T) {
	assert.Check(t, is.Equal(ShortID("sha256:080394ef5494abcdef"), "080394ef5494"))
	assert.Check(t, is.Equal(ShortID("0123456789ab"), "0123456789ab"))
	assert.Check(t, is.Equal(ShortID("0123456789abc"), "0123456789ab"))
	assert.Check(t, is.Equal(ShortID("abc"), "abc"))
}

// TestBuffersThatEndExactly: a process table whose last record, or last
// image name, ends exactly at the end of the buffer is whole; one byte less
// is refused.
func TestBuffersThatEndExactly(t *testing.T) {
	base := uint64(0x10000)
	l, err := layoutFor(8)
	assert.NilError(t, err)
	// One record of exactly minSize bytes, no image name.
	rec := make([]byte, l.minSize)
	binary.LittleEndian.PutUint64(rec[l.pid:], 4)
	got, err := ParseSystemProcessInformation(rec, base, 8)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(got[0].PID, 4))
	_, err = ParseSystemProcessInformation(rec[:l.minSize-1], base, 8)
	assert.Check(t, is.ErrorContains(err, "runs past"))

	// One record whose image name is the buffer's last bytes.
	name := []byte{'S', 0, 'y', 0, 's', 0}
	withName := append(append([]byte{}, rec...), name...)
	binary.LittleEndian.PutUint16(withName[l.imageNameLen:], uint16(len(name)))
	binary.LittleEndian.PutUint64(withName[l.imageNameBuf:], base+uint64(l.minSize))
	got, err = ParseSystemProcessInformation(withName, base, 8)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(got[0].Name, "Sys"))
	_, err = ParseSystemProcessInformation(withName[:len(withName)-2], base, 8)
	assert.Check(t, is.ErrorContains(err, "lies outside the buffer"), "a name that runs past the end")
	binary.LittleEndian.PutUint16(withName[l.imageNameLen:], uint16(len(name)+2))
	_, err = ParseSystemProcessInformation(withName, base, 8)
	assert.Check(t, is.ErrorContains(err, "lies outside the buffer"), "a length that runs past the end")
}

func TestNotTheContainersSaysWhichVM(t *testing.T) {
	const cid, a, b = "3f7c795918db21fb76720502fefc51210e8d037ebcacb5e4dd505aec35f322ac", "5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418", "C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35"
	hcs := HCSView{Systems: []ComputeSystem{{ID: cid, RuntimeID: a}, {ID: b, SystemType: "VirtualMachine", Owner: "WSL", RuntimeID: b}}}
	assert.Check(t, is.Equal(notTheContainers(hcs, cid, Process{Owner: `NT VIRTUAL MACHINE\` + b}), "names "+b+": compute system "+b+" (type VirtualMachine, owner WSL, RuntimeId "+b+")"))
	const c = "0ACF54A5-CEEF-454A-BDC7-56D2C9A223B9"
	assert.Check(t, is.Equal(notTheContainers(hcs, cid, Process{CommandLineIDs: []string{c}}), "names "+c+", a VM HCS does not list"))
	assert.Check(t, is.Equal(notTheContainers(hcs, cid, Process{OwnerSID: "S-1-5-18"}), `names no VM (owner "", SID "S-1-5-18")`))
}

// TestPointersIntoTheHeaderAreRefused: a UNICODE_STRING whose text pointer
// points into its own header, or an image name pointing into the first
// record's fields, is a corrupt answer, not a name.
func TestPointersIntoTheHeaderAreRefused(t *testing.T) {
	buf := unicodeStringBuffer("vmwp", 0x10000, 8)
	binary.LittleEndian.PutUint64(buf[8:], 0x10000+15) // inside the 16-byte header
	_, err := ParseUnicodeString(buf, 0x10000, 8)
	assert.Check(t, is.ErrorContains(err, "outside"))
	binary.LittleEndian.PutUint64(buf[8:], 0x10000+16) // right after it: the text
	got, err := ParseUnicodeString(buf, 0x10000, 8)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(got, "vmwp"))

	base := uint64(0x10000)
	l, err := layoutFor(8)
	assert.NilError(t, err)
	rec := make([]byte, l.minSize+4)
	binary.LittleEndian.PutUint16(rec[l.imageNameLen:], 4)
	binary.LittleEndian.PutUint64(rec[l.imageNameBuf:], base+uint64(l.minSize)-1)
	_, err = ParseSystemProcessInformation(rec, base, 8)
	assert.Check(t, is.ErrorContains(err, "lies outside the buffer"))
}

// TestListedVMWithoutAnIDIsStillMatched: a compute system listed without an
// id (an HCS answer that left it out) is another VM all the same, matched by
// its RuntimeId, when the container names no hosting system.
func TestListedVMWithoutAnIDIsStillMatched(t *testing.T) {
	const cid, b = "3f7c795918db21fb76720502fefc51210e8d037ebcacb5e4dd505aec35f322ac", "C1A7E2D9-3B58-4E0F-A6D4-92F81B7C0E35"
	hcs := HCSView{Systems: []ComputeSystem{{ID: cid}, {ID: "", SystemType: "VirtualMachine", RuntimeID: b}}}
	cs, key, ok := listedVM(hcs, cid, Process{Owner: `NT VIRTUAL MACHINE\` + b})
	assert.Check(t, ok)
	assert.Check(t, is.Equal(key, b))
	assert.Check(t, is.Equal(cs.RuntimeID, b))
}
