package conformance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/docker/docker/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// secretWords are words one of which a file must hold, compared as the
// patterns' (?i) compares (foldCase), for the pattern of that name to match
// in it. The case-insensitive patterns that start with a character class run
// at a few MB/s in Go's regexp, and almost no fixture file holds any of their
// words: checking the words first keeps the scan of every fixture fast.
var secretWords = map[string][]string{
	"credential assignment": {"PASSW", "SECRET", "TOKEN", "APIKEY", "API_KEY", "ACCESSKEY", "ACCESS_KEY", "CREDENTIAL"},
	"bearer or basic auth":  {"BEARER", "BASIC"},
	"private key":           {"PRIVATE KEY"},
	"cloud access key":      {"AKIA", "ASIA"},
	"home folder":           {"/HOME/", "/USERS/", "USERS\\", "/ROOT"},
}

// foldCase maps every character to the smallest of the characters that
// (?i) takes for the same (unicode.SimpleFold's orbit: k, K and the Kelvin
// sign; s, S and the long s), so that a word found in the folded text is a
// word (?i) would find.
func foldCase(s string) string {
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' {
				return r - 'a' + 'A'
			}
			if r != 'K' && r != 'S' {
				return r
			}
		}
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}

func mayMatch(what, folded string) bool {
	words, ok := secretWords[what]
	if !ok {
		return true
	}
	for _, w := range words {
		if strings.Contains(folded, w) {
			return true
		}
	}
	return false
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
		recorded[dir] = loadFixture(t, dir).Meta.Provenance.Kind == fixture.Recorded
	}
	require.Contains(t, recorded, recordedLinuxFixture)
	for _, path := range files {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		text := string(b)
		folded := foldCase(text)
		for what, re := range secretPatterns {
			if !mayMatch(what, folded) {
				continue
			}
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
		for _, i := range loadFixture(t, dir).Interactions() {
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

// TestSecretWordsComeBeforeEveryMatch: each secret pattern matches these
// samples, and the word check lets each through, whatever their case.
func TestSecretWordsComeBeforeEveryMatch(t *testing.T) {
	samples := map[string][]string{
		"credential assignment": {`"Env":["API_TOKEN=hunter22"]`, "db_passwd: s3cret!", "x-ApiKey=abcdef", "ACCESS_KEY = qwerty", "pa\u017f\u017fword=abc", "to\u212aen: abc"},
		"bearer or basic auth":  {"Authorization: Bearer eyJhbGciOiJIUzI1", "basic dXNlcjpwYXNzd29yZA=="},
		"private key":           {"-----BEGIN RSA PRIVATE KEY-----"},
		"cloud access key":      {"AKIAIOSFODNN7EXAMPLE"},
		"home folder":           {"/home/alice/x", `C:\Users\bob`, `C:\\users\\bob`, `"/root/.docker"`, "/Users/carol"},
	}
	for what, re := range secretPatterns {
		if _, ok := samples[what]; !ok && secretWords[what] != nil {
			t.Errorf("pattern %q has words but no samples", what)
		}
		for _, s := range samples[what] {
			assert.True(t, re.MatchString(s), "%s does not match %q", what, s)
			assert.True(t, mayMatch(what, foldCase(s)), "the words of %s miss %q", what, s)
		}
	}
}
