// Command release makes the gate's release artifacts (make release): for each
// target a gate binary (the root package's test binary, -tags gatebinary),
// built with -trimpath and without cgo, archived with the README, LICENSE and
// CHANGELOG (zip for Windows, tar.gz for Linux); an SBOM of the Go
// dependencies (CycloneDX, by cyclonedx-gomod run at a pinned version outside
// this module's graph); and checksums.txt (SHA-256, the form sha256sum -c
// reads).
//
// Every byte is a function of the commit: the link-time values come from the
// Makefile (GATE_LDFLAGS, the one place they are set), archive entries carry
// the commit's time and fixed owners and modes, in a fixed order, and the SBOM
// has no timestamp or serial number. Two runs on one commit, in different
// folders, give identical files (make release-check shows it).
//
// It is a small program rather than GoReleaser: see docs/releases.md for the
// measurement that decided it.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Project is the name of the binary and the prefix of every artifact.
const Project = "conformance-gate"

type options struct {
	dist     string
	version  string
	date     time.Time
	tags     string
	ldflags  string
	sbomTool string
	files    []string
	targets  []target
}

type target struct{ goos, goarch string }

func (t target) String() string { return t.goos + "/" + t.goarch }

func main() {
	opts, err := parseArgs(os.Args[1:])
	if err == nil {
		err = run(opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func parseArgs(args []string) (options, error) {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	var o options
	var date, files string
	fs.StringVar(&o.dist, "dist", "dist/release", "folder the artifacts are written to (emptied first)")
	fs.StringVar(&o.version, "version", "", "the version (scripts/version.sh version)")
	fs.StringVar(&date, "date", "", "the commit's time, RFC 3339 (scripts/version.sh date): every archive entry's time")
	fs.StringVar(&o.tags, "tags", "", "build tags of the gate binary")
	fs.StringVar(&o.ldflags, "ldflags", "", "link flags of the gate binary (the Makefile's GATE_LDFLAGS)")
	fs.StringVar(&o.sbomTool, "sbom-tool", "", "cyclonedx-gomod's command as package@version, built with go install; empty: no SBOM")
	fs.StringVar(&files, "files", "README.md,LICENSE,CHANGELOG.md", "files put beside the binary in each archive")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.version == "" || !strings.HasPrefix(o.version, "v") && o.version != "devel" {
		return o, fmt.Errorf("-version %q: want a semantic version (v1.2.3, a pseudo-version) from scripts/version.sh", o.version)
	}
	t, err := time.Parse(time.RFC3339, date)
	if err != nil {
		return o, fmt.Errorf("-date %q: want the commit's time in RFC 3339 (scripts/version.sh date): %w", date, err)
	}
	o.date = t.UTC()
	o.files = strings.Split(files, ",")
	if fs.NArg() == 0 {
		return o, errors.New("no target: name them as GOOS/GOARCH (windows/amd64 linux/amd64)")
	}
	for _, a := range fs.Args() {
		goos, goarch, ok := strings.Cut(a, "/")
		if !ok || goos == "" || goarch == "" {
			return o, fmt.Errorf("target %q: want GOOS/GOARCH", a)
		}
		o.targets = append(o.targets, target{goos, goarch})
	}
	return o, nil
}

func run(o options) error {
	if err := os.RemoveAll(o.dist); err != nil {
		return err
	}
	if err := os.MkdirAll(o.dist, 0o755); err != nil {
		return err
	}
	build, err := os.MkdirTemp("", "gate-release-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(build)

	sbomTool := ""
	if o.sbomTool != "" {
		if sbomTool, err = installTool(o.sbomTool, filepath.Join(build, "tools")); err != nil {
			return fmt.Errorf("install %s: %w", o.sbomTool, err)
		}
	}
	var artifacts []string
	for _, t := range o.targets {
		bin := filepath.Join(build, t.String(), binaryName(t))
		if err := buildGate(o, t, bin); err != nil {
			return fmt.Errorf("build %s: %w", t, err)
		}
		name, err := archive(o, t, bin)
		if err != nil {
			return fmt.Errorf("archive %s: %w", t, err)
		}
		fmt.Printf("%s\n", name)
		artifacts = append(artifacts, name)
		if sbomTool != "" {
			name := name + ".sbom.cdx.json"
			if err := sbom(sbomTool, o.tags, t, filepath.Join(o.dist, name)); err != nil {
				return fmt.Errorf("sbom %s: %w", t, err)
			}
			fmt.Printf("%s\n", name)
			artifacts = append(artifacts, name)
		}
	}
	sums, err := Checksums(o.dist, artifacts)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.dist, "checksums.txt"), sums, 0o644); err != nil {
		return err
	}
	fmt.Println("checksums.txt")
	return nil
}

func binaryName(t target) string {
	if t.goos == "windows" {
		return Project + ".exe"
	}
	return Project
}

// ArtifactPrefix names a release's files as GoReleaser does: the project, then
// the version without its "v".
func ArtifactPrefix(version string) string {
	return Project + "_" + strings.TrimPrefix(version, "v")
}

// buildGate builds the gate binary for t. The environment is pinned where it
// changes the bytes: no cgo (a static binary that does not depend on the
// build machine's C toolchain) and no GOFLAGS of the caller's.
func buildGate(o options, t target, out string) error {
	args := []string{"test", "-c", "-trimpath", "-buildvcs=false", "-o", out}
	if o.tags != "" {
		args = append(args, "-tags", o.tags)
	}
	if o.ldflags != "" {
		args = append(args, "-ldflags", o.ldflags)
	}
	args = append(args, ".")
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "GOOS="+t.goos, "GOARCH="+t.goarch, "CGO_ENABLED=0", "GOFLAGS=")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// entry is one file of an archive.
type entry struct {
	name string
	mode os.FileMode
	data []byte
}

// archive packs the binary and the release files into o.dist and returns the
// archive's name.
func archive(o options, t target, bin string) (string, error) {
	b, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	entries := []entry{{name: binaryName(t), mode: 0o755, data: b}}
	for _, f := range o.files {
		d, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		entries = append(entries, entry{name: filepath.Base(f), mode: 0o644, data: d})
	}
	base := fmt.Sprintf("%s_%s_%s", ArtifactPrefix(o.version), t.goos, t.goarch)
	var packed []byte
	if t.goos == "windows" {
		base += ".zip"
		packed, err = Zip(entries, o.date)
	} else {
		base += ".tar.gz"
		packed, err = TarGz(entries, o.date)
	}
	if err != nil {
		return "", err
	}
	return base, os.WriteFile(filepath.Join(o.dist, base), packed, 0o644)
}

// Zip packs entries in their order, each with the time mod and no extra
// fields (archive/zip adds an extended timestamp only when Modified is set).
func Zip(entries []entry, mod time.Time) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		h.SetMode(e.mode)
		h.Modified = mod
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// TarGz packs entries in their order with the time mod, owner 0:0 and no
// owner names; the gzip header carries no name and no time.
func TarGz(entries []entry, mod time.Time) ([]byte, error) {
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: int64(e.mode.Perm()), Size: int64(len(e.data)), ModTime: mod, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// installTool builds a tool given as module@version into dir for this machine
// and returns its path. go install of module@version builds it from its own
// module graph, so it adds nothing to this module's go.mod; -trimpath keeps
// the path of the module cache out of it (cyclonedx-gomod writes its own hash
// into the SBOM).
func installTool(pkg, dir string) (string, error) {
	cmd := exec.Command("go", "install", pkg)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOOS=", "GOARCH=", "GOFLAGS=-trimpath")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", err
	}
	name, _, _ := strings.Cut(path.Base(pkg), "@")
	return filepath.Join(dir, name), nil
}

// sbom writes the CycloneDX SBOM of the Go modules the gate binary for t
// links (GOOS, GOARCH and the build tags select them), named after the
// archive, as GoReleaser names SBOMs: cyclonedx-gomod's SBOM of the module,
// trimmed to what go list says the binary holds (TrimToLinked). -licenses
// records each module's license as evidence; the timestamp and serial number
// are left out, so that the SBOM, like the archives, is a function of the
// commit.
func sbom(tool, tags string, t target, out string) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	cmd := exec.Command(tool, "mod", "-json", "-licenses", "-notimestamp", "-noserial", "-test", "-output", abs, ".")
	goflags := ""
	if tags != "" {
		goflags = "-tags=" + tags
	}
	cmd.Env = append(os.Environ(), "GOOS="+t.goos, "GOARCH="+t.goarch, "CGO_ENABLED=0", "GOFLAGS="+goflags)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	linked, err := linkedModules(tags, t)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		return err
	}
	trimmed, err := TrimToLinked(b, linked)
	if err != nil {
		return err
	}
	return os.WriteFile(abs, trimmed, 0o644)
}

// linkedModules are the modules (path@version) whose packages the gate binary
// for t links: the root package, its tests and their dependencies, as go list
// selects them for the target and tags.
func linkedModules(tags string, t target) (map[string]bool, error) {
	args := []string{"list", "-deps", "-test", "-f", "{{with .Module}}{{.Path}}@{{.Version}}{{end}}"}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Env = append(os.Environ(), "GOOS="+t.goos, "GOARCH="+t.goarch, "CGO_ENABLED=0", "GOFLAGS=")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	linked := map[string]bool{}
	for _, m := range strings.Fields(string(out)) {
		linked[m] = true
	}
	return linked, nil
}

// cycloneDX is the top level of the SBOM cyclonedx-gomod writes, in its order.
type cycloneDX struct {
	Schema       string            `json:"$schema"`
	BOMFormat    string            `json:"bomFormat"`
	SpecVersion  string            `json:"specVersion"`
	Version      int               `json:"version"`
	Metadata     json.RawMessage   `json:"metadata"`
	Components   []json.RawMessage `json:"components"`
	Dependencies []bomDependency   `json:"dependencies"`
}

type bomDependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn,omitempty"`
}

// TrimToLinked keeps, of the SBOM's components, the modules the binary links
// (linked: path@version), and of its dependency graph the edges between what
// is kept. cyclonedx-gomod mod lists every module the package and its tests
// use on any path through the module graph, tools included (a test binary
// records no dependency list that its bin command could read); an SBOM of the
// binary must list what the binary holds, no more: a scanner would otherwise
// flag modules the gate does not contain. A top-level field this code does
// not know is an error, so that a newer tool cannot lose data silently.
func TrimToLinked(sbom []byte, linked map[string]bool) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(sbom, &fields); err != nil {
		return nil, fmt.Errorf("the SBOM: %w", err)
	}
	for k := range fields {
		switch k {
		case "$schema", "bomFormat", "specVersion", "version", "metadata", "components", "dependencies":
		default:
			return nil, fmt.Errorf("the SBOM has a field %q this program does not know: update TrimToLinked", k)
		}
	}
	var bom cycloneDX
	if err := json.Unmarshal(sbom, &bom); err != nil {
		return nil, fmt.Errorf("the SBOM: %w", err)
	}
	var main struct {
		Component struct {
			Ref string `json:"bom-ref"`
		} `json:"component"`
	}
	if err := json.Unmarshal(bom.Metadata, &main); err != nil {
		return nil, fmt.Errorf("the SBOM's metadata: %w", err)
	}
	kept := map[string]bool{main.Component.Ref: true}
	var components []json.RawMessage
	for _, raw := range bom.Components {
		var c struct {
			Ref     string `json:"bom-ref"`
			Name    string `json:"name"`
			Version string `json:"version"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("an SBOM component: %w", err)
		}
		if linked[c.Name+"@"+c.Version] {
			kept[c.Ref] = true
			components = append(components, raw)
		}
	}
	var deps []bomDependency
	for _, d := range bom.Dependencies {
		if !kept[d.Ref] {
			continue
		}
		on := []string{}
		for _, r := range d.DependsOn {
			if kept[r] {
				on = append(on, r)
			}
		}
		deps = append(deps, bomDependency{Ref: d.Ref, DependsOn: on})
	}
	bom.Components, bom.Dependencies = components, deps
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(bom); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Checksums is checksums.txt: "<sha256>  <name>" a line, sorted by name, the
// form sha256sum -c and GoReleaser's checksums.txt share.
func Checksums(dir string, names []string) ([]byte, error) {
	sorted := slices.Sorted(slices.Values(names))
	var b bytes.Buffer
	for _, n := range sorted {
		f, err := os.Open(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h.Sum(nil)), n)
	}
	return b.Bytes(), nil
}
