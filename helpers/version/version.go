// Package version says which build of the gate is running: its version, the
// commit it was built from and when that commit was made. A release build
// links the three in (the Makefile's GATE_LDFLAGS is the one place that sets
// them, from git: see docs/releases.md); any other build falls back to what
// the Go toolchain stamped into the binary (runtime/debug.ReadBuildInfo), and
// where that says nothing either, the version is "devel" rather than a guess.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set at link time: -X github.com/wincontainer-gate/conformance/helpers/version.version=v0.4.0
// (and .commit, .date). Nothing else writes them.
var (
	version string
	commit  string
	date    string
)

// Devel is the version of a build that knows none: a plain `go test` of a
// checkout, with no link-time values and no VCS stamp.
const Devel = "devel"

// Unknown stands for a commit or date the build does not know.
const Unknown = "unknown"

// Info is what a build knows about itself.
type Info struct {
	// Version is a semantic version: the git tag the build was made from
	// (v0.4.0), a Go pseudo-version for an untagged commit
	// (v0.0.0-20261203073000-0123456789ab, or v0.4.1-0.<time>-<commit> after
	// tag v0.4.0), with "+dirty" when the work tree had changes; or Devel.
	Version string `json:"version"`
	// Commit is the full commit hash, or Unknown.
	Commit string `json:"commit"`
	// Date is the commit's time in RFC 3339 UTC (the build date: a release
	// build takes the commit's time, not the clock's, so that two builds of
	// one commit are byte-identical), or Unknown.
	Date string `json:"date"`
	// Go is the toolchain and the platform the binary was built for.
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// Get returns what this build knows about itself.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return resolve(version, commit, date, bi)
}

// resolve prefers the linked values, then the toolchain's stamp.
func resolve(linkedVersion, linkedCommit, linkedDate string, bi *debug.BuildInfo) Info {
	info := Info{
		Version:  linkedVersion,
		Commit:   linkedCommit,
		Date:     linkedDate,
		Go:       runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
	if bi != nil {
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version // go build/install stamps the module's version from VCS tags
		}
		if info.Commit == "" {
			info.Commit = settings["vcs.revision"]
		}
		if info.Date == "" {
			info.Date = settings["vcs.time"]
		}
		if info.Version == "" && settings["vcs.modified"] == "true" {
			info.Version = Devel + "+dirty"
		}
	}
	if info.Version == "" {
		info.Version = Devel
	}
	if info.Commit == "" {
		info.Commit = Unknown
	}
	if info.Date == "" {
		info.Date = Unknown
	}
	return info
}

// String is what -version prints: one "name: value" line each, the version
// first, so that `conformance-gate -version | head -1` is the version line.
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "conformance-gate %s\n", i.Version)
	fmt.Fprintf(&b, "commit: %s\n", i.Commit)
	fmt.Fprintf(&b, "date: %s (the commit's time)\n", i.Date)
	fmt.Fprintf(&b, "go: %s %s\n", i.Go, i.Platform)
	return b.String()
}
