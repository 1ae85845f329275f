package conformance

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
	"github.com/wincontainer-gate/conformance/helpers/harness"
)

// TestProfilesFitTheirHosts: each committed profile, applied to the good host
// it describes, passes the provisioning claims its settings decide, and names
// the image that host runs. A profile that pins a wrong engine floor, API
// version, default isolation or docker service policy fails here.
func TestProfilesFitTheirHosts(t *testing.T) {
	requireFixtures(t)
	for profile, host := range map[string]string{
		"ws2019":    "ws2019-17763",
		"ws2022":    "ws2022-20348",
		"ws2025":    "ws2025-26100",
		"win11-dev": "win11-22631-ltsc2022",
	} {
		t.Run(profile, func(t *testing.T) {
			cfg, err := config.Load(func(name string) string {
				return map[string]string{config.EnvMode: "live", config.EnvProfile: profile}[name]
			}, "windows")
			require.NoError(t, err)
			d := replayedDaemon(t, filepath.Join("fixtures", host))
			for _, check := range []func(evidence.Daemon, config.Expectations) claims.Verdict{
				claims.CheckEnginePlatform, claims.CheckEngineVersion, claims.CheckAPIVersion,
				claims.CheckDefaultIsolation, claims.CheckServiceDocker,
			} {
				v := check(d, cfg.Expect)
				assert.Equal(t, claims.Pass, v.Status, "profile %s on %s: %s", profile, host, v)
			}
			if cfg.Expect.Image != "" {
				hostImage, refErr := harness.ImageRef(d, config.Expectations{})
				require.Nil(t, refErr)
				assert.Equal(t, hostImage, cfg.Expect.Image, "the image %s runs by default", host)
			}
		})
	}
}

// replayedDaemon gathers a fixture host's provisioning evidence.
func replayedDaemon(t *testing.T, dir string) evidence.Daemon {
	t.Helper()
	f, err := fixture.Load(dir)
	require.NoError(t, err)
	s, err := harness.OpenReplay(f)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	d, err := s.Daemon(context.Background())
	require.NoError(t, err)
	return d
}
