package hostprobe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// fakeRoot lays out the files containerSignals reads.
type fakeRoot struct {
	selfNS, pid1NS, cgroup, mountinfo string
	dockerenv                         bool
}

func (f fakeRoot) make(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	link := func(path, target string) {
		assert.NilError(t, os.MkdirAll(filepath.Join(root, filepath.Dir(path)), 0o755))
		assert.NilError(t, os.Symlink(target, filepath.Join(root, path)))
	}
	write := func(path, body string) {
		assert.NilError(t, os.MkdirAll(filepath.Join(root, filepath.Dir(path)), 0o755))
		assert.NilError(t, os.WriteFile(filepath.Join(root, path), []byte(body), 0o644))
	}
	link("proc/self/ns/pid", f.selfNS)
	link("proc/1/ns/pid", f.pid1NS)
	write("proc/self/cgroup", f.cgroup)
	write("proc/self/mountinfo", f.mountinfo)
	if f.dockerenv {
		write(".dockerenv", "")
	}
	return root
}

const (
	hostMounts   = "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
	dockerMounts = hostMounts +
		"90 73 254:0 /var/lib/docker/containers/5ed4c7a9868d/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda rw\n" +
		"91 73 254:0 /var/lib/docker/containers/5ed4c7a9868d/hostname /etc/hostname rw,relatime - ext4 /dev/vda rw\n"
)

func TestContainerSignals(t *testing.T) {
	tests := []struct {
		doc  string
		root fakeRoot
		want []string // substrings of the signals, in order; none: not in a container
	}{
		{
			doc: "this project's CI host: a /.dockerenv left by its image, everything else the host's",
			root: fakeRoot{selfNS: initialPIDNamespace, pid1NS: initialPIDNamespace, dockerenv: true, mountinfo: hostMounts,
				cgroup: "9:name=systemd:/\n4:memory:/process_api/d26024fb692a\n0::/\n"},
		},
		{
			doc:  "a plain host with cgroup v2",
			root: fakeRoot{selfNS: initialPIDNamespace, pid1NS: initialPIDNamespace, cgroup: "0::/user.slice/user-0.slice/session-3.scope\n", mountinfo: hostMounts},
		},
		{
			doc: "a docker container (cgroup v1, measured here with docker run)",
			root: fakeRoot{selfNS: "pid:[4026532183]", pid1NS: "pid:[4026532183]", dockerenv: true, mountinfo: dockerMounts,
				cgroup: "4:memory:/docker/5ed4c7a9868d\n0::/docker/5ed4c7a9868d\n"},
			want: []string{
				"the harness's PID namespace is pid:[4026532183], not the host's initial pid:[4026531836]",
				"cgroup 4:memory:/docker/5ed4c7a9868d (and 1 more)",
				"/etc/resolv.conf is a bind mount of /var/lib/docker/containers/5ed4c7a9868d/resolv.conf",
				"/etc/hostname is a bind mount of /var/lib/docker/containers/5ed4c7a9868d/hostname",
				"/.dockerenv exists",
			},
		},
		{
			doc:  "a container with its own cgroup namespace: the PID namespace tells",
			root: fakeRoot{selfNS: "pid:[4026532183]", pid1NS: "pid:[4026532183]", cgroup: "0::/\n", mountinfo: hostMounts},
			want: []string{"the harness's PID namespace is pid:[4026532183]"},
		},
		{
			doc:  "a container that shares the host's PID namespace: its cgroup tells",
			root: fakeRoot{selfNS: initialPIDNamespace, pid1NS: initialPIDNamespace, cgroup: "0::/system.slice/docker-5ed4c7a9868d.scope\n", mountinfo: hostMounts},
			want: []string{"cgroup 0::/system.slice/docker-5ed4c7a9868d.scope"},
		},
		{
			doc:  "a container that sees the host's /proc: PID 1 is in another namespace",
			root: fakeRoot{selfNS: "pid:[4026532183]", pid1NS: initialPIDNamespace, cgroup: "0::/\n", mountinfo: hostMounts},
			want: []string{"not the host's initial", "differs from PID 1's pid:[4026531836]"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			got := containerSignals(tc.root.make(t))
			assert.Check(t, is.Len(got, len(tc.want)), "signals: %q", got)
			for i := range min(len(got), len(tc.want)) {
				assert.Check(t, strings.Contains(got[i], tc.want[i]), "signal %d: got %q, want %q", i, got[i], tc.want[i])
			}
		})
	}
}

// TestMountinfoLineOfFiveFields: a mountinfo line cut after its fifth field
// (the mount point) still says what is mounted where; a line of four does not.
func TestMountinfoLineOfFiveFields(t *testing.T) {
	five := fakeRoot{selfNS: initialPIDNamespace, pid1NS: initialPIDNamespace, cgroup: "0::/\n",
		mountinfo: hostMounts + "91 73 254:0 /var/lib/docker/containers/5ed4c7a9868d/hostname /etc/hostname\n"}
	got := containerSignals(five.make(t))
	assert.Check(t, is.Len(got, 1), "%q", got)
	four := five
	four.mountinfo = hostMounts + "91 73 254:0 /var/lib/docker/containers/5ed4c7a9868d/hostname\n"
	assert.Check(t, is.Len(containerSignals(four.make(t)), 0))
}
