package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var commitTime = time.Date(2026, 12, 3, 7, 45, 39, 0, time.UTC)

func sampleEntries() []entry {
	return []entry{
		{name: "conformance-gate.exe", mode: 0o755, data: []byte("MZ binary")},
		{name: "README.md", mode: 0o644, data: []byte("# readme\n")},
		{name: "LICENSE", mode: 0o644, data: []byte("Apache License\n")},
	}
}

// TestArchivesAreAFunctionOfTheirInput: the same files and time give the
// same bytes, and what is packed carries the commit's time, the modes and
// the order given, owner 0 and no owner names.
func TestArchivesAreAFunctionOfTheirInput(t *testing.T) {
	z1, err := Zip(sampleEntries(), commitTime)
	require.NoError(t, err)
	z2, err := Zip(sampleEntries(), commitTime)
	require.NoError(t, err)
	assert.Equal(t, z1, z2)
	later, err := Zip(sampleEntries(), commitTime.Add(time.Second))
	require.NoError(t, err)
	assert.NotEqual(t, z1, later, "the time is in the archive: it must be the commit's, not the clock's")

	zr, err := zip.NewReader(bytes.NewReader(z1), int64(len(z1)))
	require.NoError(t, err)
	require.Len(t, zr.File, 3)
	for i, f := range zr.File {
		want := sampleEntries()[i]
		assert.Equal(t, want.name, f.Name)
		assert.Equal(t, want.mode, f.Mode().Perm(), f.Name)
		assert.True(t, f.Modified.Equal(commitTime), "%s: %s", f.Name, f.Modified)
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.Equal(t, want.data, b)
	}

	t1, err := TarGz(sampleEntries(), commitTime)
	require.NoError(t, err)
	t2, err := TarGz(sampleEntries(), commitTime)
	require.NoError(t, err)
	assert.Equal(t, t1, t2)
	gz, err := gzip.NewReader(bytes.NewReader(t1))
	require.NoError(t, err)
	assert.Empty(t, gz.Name)
	assert.True(t, gz.ModTime.IsZero(), "no time in the gzip header")
	tr := tar.NewReader(gz)
	for i := 0; ; i++ {
		h, err := tr.Next()
		if err == io.EOF {
			assert.Equal(t, 3, i)
			break
		}
		require.NoError(t, err)
		want := sampleEntries()[i]
		assert.Equal(t, want.name, h.Name)
		assert.Equal(t, int64(want.mode), h.Mode)
		assert.True(t, h.ModTime.Equal(commitTime))
		assert.Zero(t, h.Uid)
		assert.Zero(t, h.Gid)
		assert.Empty(t, h.Uname)
		assert.Empty(t, h.Gname)
	}
}

// TestChecksumsAreWhatSha256sumChecks: sorted "<hash>  <name>" lines, and
// sha256sum -c accepts them and refuses a changed file.
func TestChecksumsAreWhatSha256sumChecks(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.zip"), []byte("b"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.tar.gz"), []byte("a"), 0o644))
	sums, err := Checksums(dir, []string{"b.zip", "a.tar.gz"})
	require.NoError(t, err)
	assert.Equal(t, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb  a.tar.gz\n"+
		"3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d  b.zip\n", string(sums))
	if _, err := exec.LookPath("sha256sum"); err != nil {
		t.Skip("no sha256sum here")
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "checksums.txt"), sums, 0o644))
	check := func() error {
		cmd := exec.Command("sha256sum", "-c", "--quiet", "checksums.txt")
		cmd.Dir = dir
		return cmd.Run()
	}
	assert.NoError(t, check())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.zip"), []byte("B"), 0o644))
	assert.Error(t, check(), "a changed archive fails the check")
}

func TestArtifactPrefix(t *testing.T) {
	assert.Equal(t, "conformance-gate_0.4.0", ArtifactPrefix("v0.4.0"))
	assert.Equal(t, "conformance-gate_0.0.0-20261203074539-a55cca15d397", ArtifactPrefix("v0.0.0-20261203074539-a55cca15d397"))
}

func TestParseArgs(t *testing.T) {
	ok := []string{"-version", "v0.4.0", "-date", "2026-12-03T07:45:39Z", "windows/amd64", "linux/amd64"}
	o, err := parseArgs(ok)
	require.NoError(t, err)
	assert.Equal(t, []target{{"windows", "amd64"}, {"linux", "amd64"}}, o.targets)
	assert.True(t, o.date.Equal(commitTime))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-date", "2026-12-03T07:45:39Z", "linux/amd64"}, "-version"},
		{[]string{"-version", "0.4.0", "-date", "2026-12-03T07:45:39Z", "linux/amd64"}, "-version"},
		{[]string{"-version", "v0.4.0", "-date", "unknown", "linux/amd64"}, "-date"},
		{[]string{"-version", "v0.4.0", "-date", "2026-12-03T07:45:39Z"}, "no target"},
		{[]string{"-version", "v0.4.0", "-date", "2026-12-03T07:45:39Z", "linux"}, "GOOS/GOARCH"},
	} {
		_, err := parseArgs(tc.args)
		assert.ErrorContains(t, err, tc.want, "%v", tc.args)
	}
}

// TestTrimToLinked: only linked modules stay, with the graph's edges between
// what stays; the main component and the metadata stay as they were; a field
// this code does not know is an error.
func TestTrimToLinked(t *testing.T) {
	in := `{"$schema":"http://cyclonedx.org/schema/bom-1.6.schema.json","bomFormat":"CycloneDX","specVersion":"1.6","version":1,
"metadata":{"component":{"bom-ref":"pkg:golang/gate?type=module","name":"gate"}},
"components":[
 {"bom-ref":"pkg:golang/a@v1.0.0?type=module","name":"a","version":"v1.0.0","purl":"pkg:golang/a@v1.0.0?goarch=amd64&goos=windows&type=module"},
 {"bom-ref":"pkg:golang/tool@v2.0.0?type=module","name":"tool","version":"v2.0.0"},
 {"bom-ref":"pkg:golang/c@v0.1.0?type=module","name":"c","version":"v0.1.0"}],
"dependencies":[
 {"ref":"pkg:golang/gate?type=module","dependsOn":["pkg:golang/a@v1.0.0?type=module","pkg:golang/tool@v2.0.0?type=module"]},
 {"ref":"pkg:golang/a@v1.0.0?type=module","dependsOn":["pkg:golang/c@v0.1.0?type=module"]},
 {"ref":"pkg:golang/tool@v2.0.0?type=module","dependsOn":["pkg:golang/c@v0.1.0?type=module"]},
 {"ref":"pkg:golang/c@v0.1.0?type=module"}]}`
	out, err := TrimToLinked([]byte(in), map[string]bool{"a@v1.0.0": true, "c@v0.1.0": true, "c@v0.2.0": true})
	require.NoError(t, err)
	var got cycloneDX
	require.NoError(t, json.Unmarshal(out, &got))
	var names []string
	for _, c := range got.Components {
		var n struct{ Name, Version string }
		require.NoError(t, json.Unmarshal(c, &n))
		names = append(names, n.Name+"@"+n.Version)
	}
	assert.Equal(t, []string{"a@v1.0.0", "c@v0.1.0"}, names, "the tool the binary does not link is gone")
	assert.Equal(t, []bomDependency{
		{Ref: "pkg:golang/gate?type=module", DependsOn: []string{"pkg:golang/a@v1.0.0?type=module"}},
		{Ref: "pkg:golang/a@v1.0.0?type=module", DependsOn: []string{"pkg:golang/c@v0.1.0?type=module"}},
		{Ref: "pkg:golang/c@v0.1.0?type=module"},
	}, got.Dependencies)
	assert.JSONEq(t, `{"component":{"bom-ref":"pkg:golang/gate?type=module","name":"gate"}}`, string(got.Metadata))
	assert.Contains(t, string(out), "goarch=amd64&goos=windows", "purls are not HTML-escaped")
	again, err := TrimToLinked([]byte(in), map[string]bool{"a@v1.0.0": true, "c@v0.1.0": true})
	require.NoError(t, err)
	assert.Equal(t, out, again)

	_, err = TrimToLinked([]byte(`{"bomFormat":"CycloneDX","services":[]}`), nil)
	assert.ErrorContains(t, err, `"services"`)
}
