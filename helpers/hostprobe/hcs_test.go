package hostprobe

import (
	"encoding/binary"
	"testing"
	"unicode/utf16"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestParseComputeSystems decodes an answer in HCS's field names: a v1
// container with the all-zero RuntimeId of the one public dump (hcsshim
// v0.6.0 container.go, commit ffd0daf83), a template VM as hcsdiag lists it
// (roy-n-roy.github.io HostComputeService.md) with moby's RuntimeImagePath
// shape (daemon/graphdriver/windows/windows.go), and an older containerd
// shim's container hosted in its "<id>@vm" (hcsshim internal/uvm/create.go:
// HostingSystemId).
func TestParseComputeSystems(t *testing.T) {
	const answer = `[
 {"Id":"0c5b099512a9041d71b54544680416ac497a96b40206958a118777b2592393f6","SystemType":"Container","Name":"0c5b099512a9","Owner":"docker","RuntimeId":"00000000-0000-0000-0000-000000000000","State":"Running"},
 {"Id":"0ACF54A5-CEEF-454A-BDC7-56D2C9A223B9","SystemType":"VirtualMachine","RuntimeId":"0acf54a5-ceef-454a-bdc7-56d2c9a223b9","IsRuntimeTemplate":true,"RuntimeImagePath":"C:\\ProgramData\\docker\\windowsfilter\\644e7f35\\UtilityVM"},
 {"Id":"c1","SystemType":"Container","Owner":"containerd-shim-runhcs-v1.exe","HostingSystemId":"c1@vm"}
]`
	got, err := ParseComputeSystems(answer)
	assert.NilError(t, err)
	assert.DeepEqual(t, got, []ComputeSystem{
		{ID: "0c5b099512a9041d71b54544680416ac497a96b40206958a118777b2592393f6", SystemType: "Container", Owner: "docker", RuntimeID: zeroGUID},
		{ID: "0ACF54A5-CEEF-454A-BDC7-56D2C9A223B9", SystemType: "VirtualMachine", RuntimeID: "0ACF54A5-CEEF-454A-BDC7-56D2C9A223B9", IsRuntimeTemplate: true,
			RuntimeImagePath: `C:\ProgramData\docker\windowsfilter\644e7f35\UtilityVM`},
		{ID: "c1", SystemType: "Container", Owner: "containerd-shim-runhcs-v1.exe", HostingSystemID: "c1@vm"},
	})
	_, err = ParseComputeSystems("")
	assert.Check(t, is.ErrorContains(err, "empty answer"))
	_, err = ParseComputeSystems(`{"Error":"x"}`)
	assert.Check(t, is.ErrorContains(err, "decode answer"))
	none, err := ParseComputeSystems(`[]`)
	assert.NilError(t, err)
	assert.Check(t, is.Len(none, 0))
}

// unicodeStringBuffer lays out a UNICODE_STRING followed by its text, as
// NtQueryInformationProcess writes it, for a buffer at address base.
func unicodeStringBuffer(text string, base uint64, ptrSize int) []byte {
	units := utf16.Encode([]rune(text))
	buf := make([]byte, 2*ptrSize+2*len(units))
	binary.LittleEndian.PutUint16(buf[0:], uint16(2*len(units)))
	binary.LittleEndian.PutUint16(buf[2:], uint16(2*len(units)))
	if ptrSize == 8 {
		binary.LittleEndian.PutUint64(buf[8:], base+16)
	} else {
		binary.LittleEndian.PutUint32(buf[4:], uint32(base)+8)
	}
	for i, u := range units {
		binary.LittleEndian.PutUint16(buf[2*ptrSize+2*i:], u)
	}
	return buf
}

func TestParseUnicodeString(t *testing.T) {
	const line = `"C:\Windows\System32\vmwp.exe" 5E0B1C37-9A4D-4F62-8C1E-7D2A90B3F418 0x2c4`
	for _, ptrSize := range []int{8, 4} {
		buf := unicodeStringBuffer(line, 0x10000, ptrSize)
		got, err := ParseUnicodeString(buf, 0x10000, ptrSize)
		assert.NilError(t, err)
		assert.Check(t, is.Equal(got, line))
		_, err = ParseUnicodeString(buf, 0x20000, ptrSize) // the pointer is outside the buffer
		assert.Check(t, is.ErrorContains(err, "outside"))
		_, err = ParseUnicodeString(buf[:len(buf)-2], 0x10000, ptrSize) // the text runs past the end
		assert.Check(t, is.ErrorContains(err, "outside"))
	}
	empty, err := ParseUnicodeString(make([]byte, 16), 0, 8)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(empty, ""))
	_, err = ParseUnicodeString(make([]byte, 4), 0, 8)
	assert.Check(t, is.ErrorContains(err, "want at least"))
}
