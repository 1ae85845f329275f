// Package profiles holds the committed expectation profiles (one YAML file per
// kind of host, chosen with CONFORMANCE_PROFILE). They are embedded so that the
// prebuilt gate binary carries them to hosts that have no clone of this repository.
package profiles

import "embed"

// Files holds every *.yaml profile of this folder.
//
//go:embed *.yaml
var Files embed.FS
