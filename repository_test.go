package conformance

import (
	"bytes"
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outsidePaths are references to places a user's clone does not have: the
// workspace this project was developed in, and the material it started from
// (its facts live in docs/ now).
var outsidePaths = regexp.MustCompile(`/work/|\bshared/(seed|reference)\b`)

// relativePath finds relative paths that climb: each is resolved against the
// folder of the file that holds it.
var relativePath = regexp.MustCompile(`(?:\.\.[/\\])+[A-Za-z0-9_.\-/\\]*`)

// mayReferOutside is false when b holds none of the literals that every match
// of outsidePaths or relativePath contains.
func mayReferOutside(b []byte) bool {
	for _, lit := range []string{"/work/", "shared/", "../", `..\`} {
		if bytes.Contains(b, []byte(lit)) {
			return true
		}
	}
	return false
}

// TestNoFileRefersOutsideTheRepository: every tracked file's references stay
// inside the repository, so a clone is complete.
func TestNoFileRefersOutsideTheRepository(t *testing.T) {
	files := trackedFiles(t)
	require.NotEmpty(t, files)
	for _, name := range files {
		if name == "repository_test.go" {
			continue // this file spells the references it looks for
		}
		b, err := os.ReadFile(name)
		if err != nil || bytes.IndexByte(b, 0) >= 0 {
			continue // deleted in the work tree, or binary
		}
		if !mayReferOutside(b) {
			continue // most files (the fixtures above all) hold none of the patterns' literals
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := outsidePaths.FindString(line); m != "" {
				t.Errorf("%s:%d refers to %q, outside the repository: copy what it needs into docs/", name, i+1, m)
			}
			for _, rel := range relativePath.FindAllString(line, -1) {
				resolved := path.Join(path.Dir(name), strings.ReplaceAll(rel, `\`, "/"))
				if resolved == ".." || strings.HasPrefix(resolved, "../") {
					t.Errorf("%s:%d refers to %q, which resolves to %s outside the repository", name, i+1, rel, resolved)
				}
			}
		}
	}
}

func TestOutsideReferencesAreFound(t *testing.T) {
	// The samples are put together here so that no line of this file is itself
	// such a reference for other tools that look for them.
	up, upWindows := ".."+"/", ".."+`\`
	for _, line := range []string{"see " + up + "shared/seed/README.md", "in `/work/shared/reference/`", "the facts (shared/reference)", "see " + upWindows + "shared"} {
		assert.True(t, outsidePaths.MatchString(line) || len(relativePath.FindAllString(line, -1)) > 0, line)
		assert.True(t, mayReferOutside([]byte(line)), "the literal check skips %q", line)
	}
	assert.Equal(t, []string{"../../x"}, relativePath.FindAllString("a ../../x b", -1))
	assert.False(t, outsidePaths.MatchString("go test ./... and docs/documented-session.md"))
	assert.Empty(t, relativePath.FindAllString("go test ./...", -1))
}

// trackedFiles lists the repository's files: git's list when this is a
// clone, else every file under the package folder.
func trackedFiles(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		if _, statErr := os.Stat("go.mod"); statErr != nil {
			t.Skipf("self-test of the repository: not run from a clone (%v)", err)
		}
		t.Skipf("git ls-files: %v", err)
	}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	return files
}

// TestMakeHelpPrintsNoVariableName: `make help` shows what a user types, not
// the Makefile's $(VARIABLE) references.
func TestMakeHelpPrintsNoVariableName(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make here")
	}
	if _, err := os.Stat("Makefile"); err != nil {
		t.Skip("self-test of the repository: no Makefile here")
	}
	out, err := exec.Command("make", "-s", "help").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "windows-exe")
	assert.NotContains(t, string(out), "$(")
	assert.NotContains(t, string(out), "${")
}
