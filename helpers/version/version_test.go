package version

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResolve(t *testing.T) {
	stamped := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/wincontainer-gate/conformance", Version: "v0.4.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "1111111111111111111111111111111111111111"},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
		},
	}
	for _, tc := range []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  Info
	}{
		{
			name:    "linked values win over the toolchain's stamp",
			version: "v0.5.0", commit: "2222222222222222222222222222222222222222", date: "2026-12-02T10:00:00Z", bi: stamped,
			want: Info{Version: "v0.5.0", Commit: "2222222222222222222222222222222222222222", Date: "2026-12-02T10:00:00Z"},
		},
		{
			name: "the toolchain's stamp when nothing is linked",
			bi:   stamped,
			want: Info{Version: "v0.4.0", Commit: "1111111111111111111111111111111111111111", Date: "2026-12-01T10:00:00Z"},
		},
		{
			name: "a test binary: (devel), no VCS stamp",
			bi:   &debug.BuildInfo{Main: debug.Module{Path: "github.com/wincontainer-gate/conformance", Version: "(devel)"}},
			want: Info{Version: Devel, Commit: Unknown, Date: Unknown},
		},
		{
			name: "a VCS stamp of a modified tree without a version",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}}},
			want: Info{Version: Devel + "+dirty", Commit: Unknown, Date: Unknown},
		},
		{
			name: "no build information at all",
			want: Info{Version: Devel, Commit: Unknown, Date: Unknown},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := resolve(tc.version, tc.commit, tc.date, tc.bi)
			assert.Equal(t, tc.want.Version, got.Version)
			assert.Equal(t, tc.want.Commit, got.Commit)
			assert.Equal(t, tc.want.Date, got.Date)
			assert.NotEmpty(t, got.Go)
			assert.Contains(t, got.Platform, "/")
		})
	}
}

func TestStringPutsTheVersionFirst(t *testing.T) {
	s := Info{Version: "v0.4.0", Commit: "c", Date: "d", Go: "go1.26.8", Platform: "windows/amd64"}.String()
	assert.Equal(t, "conformance-gate v0.4.0\ncommit: c\ndate: d (the commit's time)\ngo: go1.26.8 windows/amd64\n", s)
}

// TestVersionScript runs scripts/version.sh in throwaway repositories: every
// way a work tree can stand towards its tags.
func TestVersionScript(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "version.sh"))
	require.NoError(t, err)
	repo := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
		return strings.TrimSpace(string(out))
	}
	ver := func(what string) string {
		t.Helper()
		cmd := exec.Command("bash", script, what)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		return strings.TrimSpace(string(out))
	}
	commit := func(when string) string {
		t.Helper()
		require.NoError(t, os.WriteFile(filepath.Join(repo, "f"), []byte(when), 0o644))
		git("add", "f")
		cmd := exec.Command("git", "commit", "-q", "-m", when)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_COMMITTER_DATE="+when, "GIT_AUTHOR_DATE="+when)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		return git("rev-parse", "HEAD")
	}

	assert.Equal(t, Devel, ver("version"), "outside a repository")
	assert.Equal(t, Unknown, ver("commit"))
	assert.Equal(t, Unknown, ver("date"))

	git("init", "-q")
	first := commit("2026-12-01T10:00:00+02:00")
	assert.Equal(t, "v0.0.0-20261201080000-"+first[:12], ver("version"), "no tag: a pseudo-version at the commit's UTC time")
	assert.Equal(t, first, ver("commit"))
	assert.Equal(t, "2026-12-01T08:00:00Z", ver("date"), "the commit's time in UTC")

	git("tag", "v0.4.0")
	git("tag", "release-candidate") // not a semantic version: ignored
	assert.Equal(t, "v0.4.0", ver("version"), "a tagged commit")
	pkg := "github.com/wincontainer-gate/conformance/helpers/version"
	assert.Equal(t, "-X "+pkg+".version=v0.4.0 -X "+pkg+".commit="+first+" -X "+pkg+".date=2026-12-01T08:00:00Z", ver("ldflags"),
		"the linker flags set this package's variables")

	require.NoError(t, os.WriteFile(filepath.Join(repo, "f"), []byte("changed"), 0o644))
	assert.Equal(t, "v0.4.0+dirty", ver("version"), "a changed tracked file")
	git("checkout", "-q", "f")

	second := commit("2026-12-02T10:00:00Z")
	assert.Equal(t, "v0.4.1-0.20261202100000-"+second[:12], ver("version"), "after a release: the next patch's pre-release")

	git("tag", "v1.0.0-rc.1")
	third := commit("2026-12-03T10:00:00Z")
	assert.Equal(t, "v1.0.0-rc.1.0.20261203100000-"+third[:12], ver("version"), "after a pre-release")

	git("tag", "v1.0.0")
	git("tag", "v0.9.9")
	assert.Equal(t, "v1.0.0", ver("version"), "of two tags on one commit, the highest")
}
