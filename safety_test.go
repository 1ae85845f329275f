package conformance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/wincontainer-gate/conformance/helpers/fixture"
)

// secretPatterns are what must never be committed in a fixture: credentials,
// home folders, and (checked separately) this machine's host name.
var secretPatterns = map[string]*regexp.Regexp{
	"credential assignment": regexp.MustCompile(`(?i)\b[A-Z0-9_]*(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|CREDENTIALS?)[A-Z0-9_]*\s*[=:]\s*"?([^"\s,}\\]{3,})`),
	"bearer or basic auth":  regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9+/=._-]{12,}`),
	"private key":           regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`),
	"cloud access key":      regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`),
	"URL with a password":   regexp.MustCompile(`[a-z]+://[^/\s:@"]+:[^/\s@"]+@`),
	"home folder":           regexp.MustCompile(`(?i)(/home/|/Users/|[A-Z]:\\{1,2}Users\\{1,2})[^/\\"\s]+|(^|[\s"':=])/root(/|["\s]|$)`),
}

// TestCommittedFixturesHoldNoSecrets scans every committed fixture file for
// credentials, home folders and this machine's host name (issue 9 case 6):
// a recording's redaction is checked on what is committed, not only on what
// the redactor is shown.
func TestCommittedFixturesHoldNoSecrets(t *testing.T) {
	hostname, _ := os.Hostname()
	hostToken := regexp.MustCompile(`(?i)(^|[^A-Za-z0-9_-])` + regexp.QuoteMeta(hostname) + `($|[^A-Za-z0-9_-])`)
	files, err := filepath.Glob(filepath.Join("fixtures", "*", "*"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	recorded := map[string]bool{}
	dirs, err := fixture.Discover("fixtures")
	require.NoError(t, err)
	for _, dir := range dirs {
		f, err := fixture.Load(dir)
		require.NoError(t, err)
		recorded[dir] = f.Meta.Provenance.Kind == fixture.Recorded
	}
	require.Contains(t, recorded, recordedLinuxFixture)
	for _, path := range files {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		text := string(b)
		for what, re := range secretPatterns {
			for _, m := range re.FindAllStringSubmatch(text, -1) {
				if what == "credential assignment" && strings.HasPrefix(m[2], fixture.Redacted) {
					continue
				}
				if what == "home folder" && strings.Contains(m[0], fixture.Redacted) {
					continue
				}
				t.Errorf("%s holds a %s: %q", path, what, m[0])
			}
		}
		// Only a recording holds this machine's answers; constructed hosts are
		// written from their descriptions (where "VM" is a word, not a host).
		if recorded[filepath.Dir(path)] && hostname != "" && !strings.EqualFold(hostname, "localhost") && hostToken.MatchString(text) {
			t.Errorf("%s holds this machine's host name %q", path, hostname)
		}
	}
}

// TestSecretScanCatchesLeaks: the scan above finds each kind of leak.
func TestSecretScanCatchesLeaks(t *testing.T) {
	for what, leak := range map[string]string{
		"credential assignment": `"Env":["API_TOKEN=hunter2-value"]`,
		"bearer or basic auth":  `Authorization: Bearer eyJhbGciOiJIUzI1NiJ9`,
		"private key":           `-----BEGIN RSA PRIVATE KEY-----`,
		"cloud access key":      `AKIAIOSFODNN7EXAMPLE`,
		"URL with a password":   `"HttpProxy":"http://alice:s3cret@proxy:3128"`,
		"home folder":           `"LogPath":"/home/alice/x"`,
	} {
		assert.True(t, secretPatterns[what].MatchString(leak), "%s not caught in %s", what, leak)
	}
	assert.False(t, secretPatterns["credential assignment"].MatchString(`"Env":["PATH=REDACTED"]`))
	assert.False(t, secretPatterns["home folder"].MatchString(`"Cmd":["ping","localhost"]`))
}

// TestFixturesCreateNothingPrivileged reads what every fixture's harness
// asked the daemon to create (the create request bodies that replay matches
// byte for byte): no privileged container, no host mount, no host network or
// other host namespace, no added capability or device. The live side is
// TestLiveFaults "what the harness creates is unprivileged", which inspects
// the containers themselves.
func TestFixturesCreateNothingPrivileged(t *testing.T) {
	dirs, err := fixture.Discover("fixtures")
	require.NoError(t, err)
	creates := 0
	for _, dir := range dirs {
		c, err := cassette.Load(filepath.Join(dir, "engine"))
		require.NoError(t, err)
		for _, i := range c.Interactions {
			if i.Request.Method != "POST" || !strings.Contains(i.Request.URL, "/containers/create") {
				continue
			}
			creates++
			var body struct {
				container.Config
				HostConfig *container.HostConfig
			}
			require.NoError(t, json.Unmarshal([]byte(i.Request.Body), &body), "%s: create body", dir)
			where := dir + ": " + i.Request.URL
			require.NotNil(t, body.HostConfig, where)
			hc := body.HostConfig
			assert.False(t, hc.Privileged, "%s asks for a privileged container", where)
			assert.Empty(t, hc.Binds, "%s mounts host paths", where)
			assert.Empty(t, hc.Mounts, "%s mounts host paths", where)
			assert.Empty(t, body.Volumes, "%s asks for volumes", where)
			assert.False(t, hc.NetworkMode.IsHost(), "%s uses the host network", where)
			assert.False(t, hc.PidMode.IsHost() || hc.IpcMode.IsHost() || hc.UTSMode.IsHost() || hc.UsernsMode.IsHost(), "%s shares a host namespace", where)
			assert.Empty(t, hc.CapAdd, "%s adds capabilities", where)
			assert.Empty(t, hc.Devices, "%s maps host devices", where)
			assert.Empty(t, hc.SecurityOpt, "%s changes security options", where)
		}
	}
	assert.Greater(t, creates, 10, "the fixtures hold too few creates to judge")
}
