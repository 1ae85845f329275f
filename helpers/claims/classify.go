package claims

import "strings"

// Class is what a daemon error means for the gate.
type Class string

const (
	ClassNone Class = ""
	// ClassImageMismatch: the image's OS build cannot run on this host.
	ClassImageMismatch Class = "image-mismatch"
	// ClassNoHypervisor: Hyper-V isolation asked for on a host without a usable hypervisor.
	ClassNoHypervisor Class = "no-hypervisor"
	// ClassUnsupportedIsolation: the daemon does not support the isolation asked for.
	ClassUnsupportedIsolation Class = "unsupported-isolation"
	// ClassUnexpectedExit: the utility VM or container died at start; on a 2025
	// host this is how an image newer than the host's revision fails.
	ClassUnexpectedExit Class = "unexpected-exit"
	// ClassAccessDenied: the client may not open the daemon's pipe or socket.
	ClassAccessDenied Class = "access-denied"
	// ClassNotListening: nothing listens at the daemon address.
	ClassNotListening Class = "not-listening"
	ClassOther        Class = "other"
)

// Wordings are matched case-insensitively as substrings. Each set covers the
// wordings of several Windows and engine versions (see
// ../shared/reference/windows-engine-facts.md and the README).
var wordings = []struct {
	class Class
	parts []string
}{
	{ClassImageMismatch, []string{
		"container operating system does not match the host operating system", // hcsshim:: (19.03) and hcs:: (20.10+) prefixes
		"0xc0370101", "0x80370101",
		"-based image is incompatible with a",                  // at pull
		"no matching manifest for windows",                     // at pull, manifest list without the host build
		"the operating system of the container does not match", // wording of some Windows builds' HCS
	}},
	{ClassNoHypervisor, []string{
		"no hypervisor is present on this system", // 0xc0351000, ERROR_HV_NOT_PRESENT
		"0xc0351000",
		"0x80370102", "hcs_e_hyperv_not_installed",
		"a required feature is not installed", // text of 0x80370102 on Server 2019+
		"hypervisor is not running",           // bcdedit hypervisorlaunchtype off
		"hyper-v is not installed",
		"the virtualization extensions are not available", // nested virtualization off
	}},
	{ClassUnsupportedIsolation, []string{
		"linux only supports 'default'", // both the 20.10 and the current moby wording
		"invalid isolation",
		"isolation mode is not supported",
	}},
	{ClassUnexpectedExit, []string{
		"0xc0370106",
		"the virtual machine or container exited unexpectedly",
	}},
	{ClassAccessDenied, []string{
		"access is denied",
		"permission denied",
	}},
	{ClassNotListening, []string{
		"the system cannot find the file specified", // named pipe missing
		"no such file or directory",
		"connection refused",
		"is the docker daemon running",
	}},
}

// Classify says what a daemon or connection error means.
func Classify(message string) Class {
	if message == "" {
		return ClassNone
	}
	lower := strings.ToLower(message)
	for _, w := range wordings {
		for _, p := range w.parts {
			if strings.Contains(lower, p) {
				return w.class
			}
		}
	}
	return ClassOther
}
