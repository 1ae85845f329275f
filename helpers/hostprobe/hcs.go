package hostprobe

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"unicode/utf16"
)

// hcsQuery is the query HcsEnumerateComputeSystems gets: an empty schema1
// ComputeSystemQuery, which lists every compute system (containers of any
// owner, template VMs, and the VMs of WSL, Windows Sandbox and containerd's
// utility VMs).
const hcsQuery = "{}"

// hcsSystemJSON is one element of HcsEnumerateComputeSystems' answer: the
// fields of hcsshim's schema1 ContainerProperties that attribution uses
// (internal/hcs/schema1/schema1.go: Id, SystemType, Owner, RuntimeId,
// IsRuntimeTemplate, RuntimeImagePath) and HostingSystemId from the HCS
// schema reference's ComputeSystemProperties, which ContainerProperties
// lacks: hcsshim's public GetContainers would drop it, so the probe decodes
// the answer itself.
type hcsSystemJSON struct {
	ID                string `json:"Id"`
	SystemType        string `json:"SystemType"`
	Owner             string `json:"Owner"`
	RuntimeID         string `json:"RuntimeId"`
	IsRuntimeTemplate bool   `json:"IsRuntimeTemplate"`
	RuntimeImagePath  string `json:"RuntimeImagePath"`
	HostingSystemID   string `json:"HostingSystemId"`
}

// ParseComputeSystems decodes HcsEnumerateComputeSystems' JSON answer. An
// empty answer is an error, as hcsshim treats it (GetComputeSystems:
// ErrUnexpectedValue), so that it is not taken for "no compute systems".
func ParseComputeSystems(answer string) ([]ComputeSystem, error) {
	if answer == "" {
		return nil, fmt.Errorf("HcsEnumerateComputeSystems: empty answer")
	}
	var raw []hcsSystemJSON
	if err := json.Unmarshal([]byte(answer), &raw); err != nil {
		return nil, fmt.Errorf("HcsEnumerateComputeSystems: decode answer: %w", err)
	}
	out := make([]ComputeSystem, 0, len(raw))
	for _, r := range raw {
		out = append(out, ComputeSystem{
			ID: r.ID, SystemType: r.SystemType, Owner: r.Owner, RuntimeID: normGUID(r.RuntimeID),
			IsRuntimeTemplate: r.IsRuntimeTemplate, RuntimeImagePath: r.RuntimeImagePath, HostingSystemID: r.HostingSystemID,
		})
	}
	return out, nil
}

// ParseUnicodeString reads the UNICODE_STRING that
// NtQueryInformationProcess(ProcessCommandLineInformation) writes at the
// start of buf (Length and MaximumLength in bytes, then the pointer to the
// text, aligned to the pointer size; Microsoft Learn, winternl.h and
// ntdef.h). base is the address buf had when Windows filled it: the text
// must lie inside buf, or the answer is refused rather than read.
func ParseUnicodeString(buf []byte, base uint64, ptrSize int) (string, error) {
	if ptrSize != 4 && ptrSize != 8 {
		return "", fmt.Errorf("pointer size %d: want 4 or 8", ptrSize)
	}
	header := 2 * ptrSize // two uint16 counts padded to a pointer, then the pointer
	if len(buf) < header {
		return "", fmt.Errorf("UNICODE_STRING: %d bytes, want at least %d", len(buf), header)
	}
	length := uint64(binary.LittleEndian.Uint16(buf[0:]))
	if length == 0 {
		return "", nil
	}
	var ptr uint64
	if ptrSize == 8 {
		ptr = binary.LittleEndian.Uint64(buf[ptrSize:])
	} else {
		ptr = uint64(binary.LittleEndian.Uint32(buf[ptrSize:]))
	}
	// The text follows the header: a pointer into the header is no string.
	if length%2 != 0 || ptr < base+uint64(header) || ptr-base > uint64(len(buf)) || ptr-base+length > uint64(len(buf)) {
		return "", fmt.Errorf("UNICODE_STRING: text at %#x (%d bytes) outside the %d-byte buffer at %#x", ptr, length, len(buf), base)
	}
	text := buf[ptr-base : ptr-base+length]
	units := make([]uint16, length/2)
	for i := range units {
		units[i] = binary.LittleEndian.Uint16(text[2*i:])
	}
	return string(utf16.Decode(units)), nil
}
