package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The rows below pin each comparison of the version, constraint, timeout,
// port and folder-name rules at its edge: every row fails if its operator is
// changed (> for >=, < for <=, a dropped condition). Each names the host or
// the pipeline setting it stands for.

// TestConstraintEdges: engine and API constraints at equality and across
// versions of different lengths.
func TestConstraintEdges(t *testing.T) {
	tests := []struct {
		doc        string
		constraint string
		reported   string
		want       bool
	}{
		{doc: "the documented host's 19.03.5 meets >=19.03.5 exactly", constraint: ">=19.03.5", reported: "19.03.5", want: true},
		{doc: "a 19.03.1 engine (three segments) misses >=19.03.5", constraint: ">=19.03.5", reported: "19.03.1", want: false},
		{doc: "a two-segment 19.03 engine is 19.03.0: misses >=19.03.5", constraint: ">=19.03.5", reported: "19.03", want: false},
		{doc: "a longer 19.03.5.1 build meets >=19.03.5", constraint: ">=19.03.5", reported: "19.03.5.1", want: true},
		{doc: "exclusive >: the engine at the bound is refused", constraint: ">20.10", reported: "20.10", want: false},
		{doc: "exclusive >: 20.10.0 equals 20.10, refused", constraint: ">20.10", reported: "20.10.0", want: false},
		{doc: "exclusive >: one patch above passes", constraint: ">20.10", reported: "20.10.1", want: true},
		{doc: "a pin == holds only the pinned build (Mirantis 20.10.13 on Server 2022)", constraint: "==20.10.13", reported: "20.10.13", want: true},
		{doc: "a pin == refuses the next patch", constraint: "==20.10.13", reported: "20.10.14", want: false},
		{doc: "a pin == refuses the shorter 20.10", constraint: "==20.10.13", reported: "20.10", want: false},
		{doc: "a pin = with one segment: 27 is 27.0.0", constraint: "=27", reported: "27.0.0", want: true},
		{doc: "<= holds at the bound", constraint: "<=20.10", reported: "20.10", want: true},
		{doc: "<= with a longer version at the bound: 20.10.0", constraint: "<=20.10", reported: "20.10.0", want: true},
		{doc: "<= with a longer version past the bound: 20.10.24 (Debian's docker.io)", constraint: "<=20.10", reported: "20.10.24+dfsg1", want: false},
		{doc: "< refuses the bound itself", constraint: "<24", reported: "24.0.0", want: false},
		{doc: "< holds just below", constraint: "<24", reported: "23.0.9m1", want: true},
		{doc: "API 1 against >=1.40 (a one-segment API version)", constraint: ">=1.40", reported: "1", want: false},
		{doc: "API 1.40 against >=1.40", constraint: ">=1.40", reported: "1.40", want: true},
		{doc: "API 1.9 against >=1.40: segments are numbers, not text", constraint: ">=1.40", reported: "1.9", want: false},
		{doc: "API 2 against >=1.40: a higher first segment wins whatever follows", constraint: ">=1.40", reported: "2", want: true},
		{doc: "every comparison must hold: a range, inside", constraint: ">=19.03 <24", reported: "20.10.13", want: true},
		{doc: "every comparison must hold: a range, above", constraint: ">=19.03 <24", reported: "27.5.1", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			c, err := ParseConstraint(tc.constraint)
			require.NoError(t, err)
			got, err := c.Allows(tc.reported)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got, "%s allows %s", tc.constraint, tc.reported)
		})
	}
}

// TestCompareEdges: Compare in both directions, so that neither a < nor a >
// of a segment can be changed.
func TestCompareEdges(t *testing.T) {
	tests := []struct {
		doc  string
		a, b Version
		want int
	}{
		{doc: "lower first segment", a: Version{19, 3}, b: Version{20, 10}, want: -1},
		{doc: "higher first segment", a: Version{20, 10}, b: Version{19, 3}, want: 1},
		{doc: "lower in the last segment", a: Version{20, 10, 13}, b: Version{20, 10, 14}, want: -1},
		{doc: "higher in the last segment", a: Version{20, 10, 14}, b: Version{20, 10, 13}, want: 1},
		{doc: "a shorter version is padded with zeros", a: Version{20, 10}, b: Version{20, 10, 0}, want: 0},
		{doc: "a shorter version below a longer one", a: Version{1}, b: Version{1, 40}, want: -1},
		{doc: "a longer version above a shorter one", a: Version{1, 40}, b: Version{1}, want: 1},
		{doc: "equal", a: Version{27, 5, 1}, b: Version{27, 5, 1}, want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.a.Compare(tc.b))
		})
	}
}

// TestConstraintOperatorStandingAlone: ">= 19.03" reads the version that
// follows the operator; an operator with nothing after it is an error naming
// the forms, never a panic or a constraint that allows everything.
func TestConstraintOperatorStandingAlone(t *testing.T) {
	c, err := ParseConstraint(">= 19.03")
	require.NoError(t, err)
	ok, err := c.Allows("19.03.5")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = c.Allows("18.09.11")
	require.NoError(t, err)
	assert.False(t, ok)

	for _, bad := range []string{">=", "19.03 >=", "> "} {
		_, err := ParseConstraint(bad)
		if assert.Error(t, err, bad) {
			assert.Contains(t, err.Error(), "is not a comparison", bad)
		}
	}
}

// TestVersionMadeOfASuffixOnly: a version that is only a build suffix has no
// version in it, and says so.
func TestVersionMadeOfASuffixOnly(t *testing.T) {
	for _, s := range []string{"-ee-1", "+dfsg1", "~ds1"} {
		_, err := ParseVersion(s)
		if assert.Error(t, err, s) {
			assert.Contains(t, err.Error(), "empty version", s)
		}
	}
}

// TestStepTimeoutEdges: CONFORMANCE_STEP_TIMEOUT must be positive: 0s would
// time every wait out at once and fail a healthy host.
func TestStepTimeoutEdges(t *testing.T) {
	for _, tc := range []struct {
		value string
		ok    bool
	}{
		{value: "0s", ok: false},
		{value: "0", ok: false},
		{value: "-1s", ok: false},
		{value: "1ns", ok: true},
		{value: "90s", ok: true},
	} {
		cfg, err := Load(env(map[string]string{EnvMode: "live", EnvStepTimeout: tc.value}), "linux")
		if !tc.ok {
			if assert.Error(t, err, tc.value) {
				assert.Contains(t, err.Error(), EnvStepTimeout+`="`+tc.value+`": use a positive Go duration`)
			}
			continue
		}
		require.NoError(t, err, tc.value)
		want, _ := time.ParseDuration(tc.value)
		assert.Equal(t, Duration(want), cfg.Expect.StepTimeout, tc.value)
	}
}

// TestDockerHostPortEdges: the TCP port of DOCKER_HOST is 1 to 65535.
func TestDockerHostPortEdges(t *testing.T) {
	for port, ok := range map[string]bool{"0": false, "1": true, "2375": true, "65535": true, "65536": false, "-1": false} {
		cfg, err := Load(env(map[string]string{EnvMode: "live", EnvDockerHost: "tcp://10.1.0.4:" + port}), "linux")
		if !ok {
			if assert.Error(t, err, port) {
				assert.Contains(t, err.Error(), "is not a TCP port", port)
			}
			continue
		}
		require.NoError(t, err, port)
		assert.Equal(t, "tcp://10.1.0.4:"+port, cfg.DockerHost)
	}
}

// TestRecordNameCharacterEdges: letters, digits, '.', '-' and '_', each
// range taken at both ends; the characters just outside each range are
// refused (they would make folder names that differ by OS).
func TestRecordNameCharacterEdges(t *testing.T) {
	for _, good := range []string{"a", "z", "A", "Z", "0", "9", "Q", "m-x_1.2", "ws2022-PROD"} {
		assert.NoError(t, CheckRecordName(good), good)
	}
	for _, bad := range []string{"`", "{", "@", "[", "a!", "a=b", "a~b", "ä"} {
		err := CheckRecordName(bad)
		if assert.Error(t, err, bad) {
			assert.Contains(t, err.Error(), "one folder name", bad)
		}
	}
}

// TestReportedVersionErrorsQuoteWhatTheEngineSaid: the error names the
// version as the engine reported it, suffix and all.
func TestReportedVersionErrorsQuoteWhatTheEngineSaid(t *testing.T) {
	for _, reported := range []string{"-rc1", "unknown", "~dev"} {
		_, err := ParseReportedVersion(reported)
		if assert.Error(t, err, reported) {
			assert.Contains(t, err.Error(), `version "`+reported+`" does not start with a number`)
		}
	}
}

// TestDurationText: a step timeout reads and writes as Go duration text in
// fixtures and profiles; text that is no duration is an error.
func TestDurationText(t *testing.T) {
	var d Duration
	require.NoError(t, d.UnmarshalText([]byte("300ms")))
	assert.Equal(t, Duration(300*time.Millisecond), d)
	b, err := d.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "300ms", string(b))
	err = d.UnmarshalText([]byte("two minutes"))
	if assert.Error(t, err) {
		assert.Contains(t, err.Error(), "parse duration")
	}
	assert.Equal(t, Duration(300*time.Millisecond), d, "a bad text leaves the duration as it was")
	assert.Equal(t, 2*time.Minute, time.Duration(DefaultStepTimeout))
}
