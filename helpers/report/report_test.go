package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/jstemmer/go-junit-report/v2/junit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// judgedHost is a Windows host where vmms is missing under CONFORMANCE_HYPERV=require,
// with one required claim skipped and one never judged.
func judgedHost(t *testing.T) Host {
	t.Helper()
	l := claims.NewLedger()
	pass := func(id string) {
		l.Judge(id, nil, func() claims.Verdict { return claims.Verdict{Status: claims.Pass, Message: "ok"} })
	}
	pass(claims.DaemonReachable)
	pass(claims.EnginePlatform)
	l.Judge(claims.ServiceVmms, nil, func() claims.Verdict {
		return claims.Verdict{Status: claims.Fail, Message: "vmms (Hyper-V) is not installed", Evidence: []string{"service vmms: not found\x00"}, Fix: "Install-WindowsFeature Hyper-V"}
	})
	l.Judge("windows/hyperv/start", []string{claims.ServiceVmms}, nil)
	l.Judge("windows/process/pid-visibility", nil, func() claims.Verdict { return claims.NotApplicable("daemon is not local") })
	d := evidence.Daemon{Target: "npipe:////./pipe/docker_engine", Local: true}
	d.Info.OSType = "windows"
	expect := config.Expectations{HyperV: config.HyperVRequire}
	reqs := []claims.Requirement{
		{Claim: claims.DaemonReachable, Required: true, Why: "applies to every daemon"},
		{Claim: claims.EnginePlatform, Required: true, Why: "applies to every daemon"},
		{Claim: claims.ServiceVmms, Required: true, Why: "applies to windows daemons, isolation hyperv under test"},
		{Claim: "windows/hyperv/start", Required: true, Why: "applies to windows daemons, isolation hyperv under test"},
		{Claim: "windows/process/pid-visibility", Required: true, Why: "applies to windows daemons"},
		{Claim: "windows/process/cleanup", Required: true, Why: "applies to windows daemons"},
	}
	return NewHost(Judged{
		Name: "live", Daemon: d, Expect: expect, Verdicts: l.All(), Requirements: reqs,
		Docs:    map[string]string{claims.ServiceVmms: "Hyper-V: vmms runs when Hyper-V isolation is under test"},
		Summary: claims.JudgeRequired(l, reqs, nil),
	})
}

func TestJUnitFailsWhateverFailsTheGate(t *testing.T) {
	h := judgedHost(t)
	var b bytes.Buffer
	require.NoError(t, WriteJUnit(&b, Run{Mode: "live", ExitCode: 1, Hosts: []Host{h}}))
	var suites junit.Testsuites
	require.NoError(t, xml.Unmarshal(b.Bytes(), &suites), b.String())
	require.Len(t, suites.Suites, 1)
	cases := map[string]junit.Testcase{}
	for _, tc := range suites.Suites[0].Testcases {
		cases[tc.Name] = tc
	}
	assert.Len(t, cases, 6, "five judged claims and the required claim never judged")
	assert.Equal(t, 4, suites.Failures)

	vmms := cases[claims.ServiceVmms]
	require.NotNil(t, vmms.Failure)
	assert.Equal(t, "vmms (Hyper-V) is not installed", vmms.Failure.Message)
	assert.Equal(t, "fail", vmms.Failure.Type)
	assert.Contains(t, vmms.Failure.Data, "Hyper-V: vmms runs when Hyper-V isolation is under test", "the table's doc")
	assert.Contains(t, vmms.Failure.Data, "evidence: service vmms: not found\uFFFD", "evidence, with what XML cannot carry replaced")
	assert.Contains(t, vmms.Failure.Data, "fix: Install-WindowsFeature Hyper-V")
	assert.Equal(t, GroupProvisioning, vmms.Classname)

	start := cases["windows/hyperv/start"]
	require.NotNil(t, start.Failure)
	assert.Equal(t, "blocked", start.Failure.Type)
	assert.Equal(t, "windows/hyperv", start.Classname)

	skipped := cases["windows/process/pid-visibility"]
	require.NotNil(t, skipped.Failure, "a required claim that skipped fails the gate, so it fails here")
	assert.Nil(t, skipped.Skipped)
	assert.Contains(t, skipped.Failure.Message, "required claim skipped: daemon is not local")

	never := cases["windows/process/cleanup"]
	require.NotNil(t, never.Failure, "a required claim never judged is a failure")
	assert.Contains(t, never.Failure.Message, "never judged")

	assert.NotNil(t, cases[claims.DaemonReachable].SystemOut)
	assert.Nil(t, cases[claims.DaemonReachable].Failure)
}

func TestJUnitOfAFailedRunWithoutFailedClaims(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteJUnit(&b, Run{Mode: "none: the gate did not start", ExitCode: 1}))
	var suites junit.Testsuites
	require.NoError(t, xml.Unmarshal(b.Bytes(), &suites))
	assert.Equal(t, 1, suites.Failures, "a pipeline counting failed test cases must see the failed gate")
	assert.Equal(t, GateCase, suites.Suites[0].Testcases[0].Name)

	b.Reset()
	require.NoError(t, WriteJUnit(&b, Run{Mode: "live", ExitCode: 0, Passed: true}))
	var passed junit.Testsuites
	require.NoError(t, xml.Unmarshal(b.Bytes(), &passed))
	assert.Zero(t, passed.Failures)
}

func TestMatrixListsWhatFailsTheGate(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteMatrix(&b, Run{Mode: "live", ExitCode: 1, Hosts: []Host{judgedHost(t)}}))
	out := b.String()
	assert.Contains(t, out, "\n  FAIL service-vmms: vmms (Hyper-V) is not installed\n       fix: Install-WindowsFeature Hyper-V\n")
	assert.Contains(t, out, "(1 more claims are blocked by these)")
	assert.Contains(t, out, "  NOT JUDGED windows/process/pid-visibility (required): skipped: daemon is not local")
	assert.Contains(t, out, "  NOT JUDGED windows/process/cleanup (required): never judged")
	assert.Regexp(t, `(?m)^windows/hyperv\s+blocked\s+-`, out)
	assert.True(t, strings.HasSuffix(out, "required claims: 2 passed, 2 failed, 2 not judged\n"+strings.Repeat("=", matrixWidth)+"\n"), out)
}

// TestMatrixAndSummaryShowWarnings: a warning of a claim that passed (an
// unserviced host) is printed under the matrix and in the job summary.
func TestMatrixAndSummaryShowWarnings(t *testing.T) {
	h := judgedHost(t)
	for i := range h.Claims {
		if h.Claims[i].Claim == claims.EnginePlatform {
			h.Claims[i].Warnings = []string{"the host, Windows Server, version 1909 (build 18363), is no longer serviced"}
		}
	}
	run := Run{Mode: "live", ExitCode: 1, Hosts: []Host{h}}
	var b bytes.Buffer
	require.NoError(t, WriteMatrix(&b, run))
	assert.Contains(t, b.String(), "\n  WARN engine-platform: the host, Windows Server, version 1909 (build 18363), is no longer serviced\n")
	b.Reset()
	require.NoError(t, WriteMarkdown(&b, run))
	assert.Contains(t, b.String(), "- ⚠️ `engine-platform` warning: the host, Windows Server, version 1909 (build 18363), is no longer serviced\n")
}

func TestWrapKeepsLinesWithinTheMatrix(t *testing.T) {
	long := "     fix: " + strings.Repeat("word ", 50)
	for i, line := range strings.Split(strings.TrimSuffix(wrap(long, "          "), "\n"), "\n") {
		assert.LessOrEqual(t, len(line), matrixWidth)
		if i > 0 {
			assert.True(t, strings.HasPrefix(line, "          word"), line)
		} else {
			assert.True(t, strings.HasPrefix(line, "     fix: word"), line)
		}
	}
}

// The header shows the host's own OS and build (from the probe) apart from
// the daemon's platform, and still names the host when the daemon did not
// answer; a remote daemon (no probe) is described by the daemon alone.
func TestHeaderShowsHostAndDaemonApart(t *testing.T) {
	linuxDaemon := evidence.Daemon{Target: "tcp://127.0.0.1:2375", Local: true}
	linuxDaemon.Info.OSType = "linux"
	linuxDaemon.Info.KernelVersion = "6.1.0-18-amd64"
	linuxDaemon.Version.Version, linuxDaemon.Version.APIVersion = "20.10.24", "1.41"
	linuxDaemon.Host = &hostprobe.OSInfo{OS: "windows", Build: "7601", ProductType: "workstation"}

	windowsDaemon := linuxDaemon
	windowsDaemon.Info.OSType = "windows"
	windowsDaemon.Info.KernelVersion = "10.0 7601 (7601.1.amd64fre.win7sp1_rtm.101119-1850)"

	unreachable := evidence.Daemon{Target: "npipe:////./pipe/docker_engine", Local: true,
		Host: &hostprobe.OSInfo{OS: "windows", Build: "17763", Revision: 805, Edition: "server"}}

	unread := unreachable
	unread.Host = &hostprobe.OSInfo{OS: "windows", Build: "18362",
		Unknown: map[string]string{"revision": `HKLM\...\UBR: File not found.`, "edition": `HKLM\...\InstallationType: File not found.`}}

	remote := linuxDaemon
	remote.Local, remote.Host = false, nil

	for _, tc := range []struct {
		doc  string
		d    evidence.Daemon
		want string
	}{
		{"a Linux daemon on a Windows host", linuxDaemon, "windows 7601; daemon platform linux 6.1.0-18-amd64;  20.10.24, API 1.41"},
		{"a Windows daemon on its Windows host", windowsDaemon, "windows 7601;  20.10.24, API 1.41"},
		{"a daemon that did not answer", unreachable, "windows 17763.805 server; daemon did not answer"},
		{"revision and edition unreadable", unread, "windows 18362 (edition, revision unknown); daemon did not answer"},
		{"a remote daemon", remote, "linux 6.1.0-18-amd64;  20.10.24, API 1.41"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			h := NewHost(Judged{Name: "live", Daemon: tc.d})
			assert.Equal(t, strings.ReplaceAll(tc.want, "  ", " "), strings.ReplaceAll(describeHost(h), "  ", " "))
		})
	}
	f := FactsOf(linuxDaemon)
	assert.Equal(t, "windows", f.HostOS)
	assert.Equal(t, "7601", f.HostBuild)
	assert.Equal(t, "linux", f.Platform)
	assert.Equal(t, "6.1.0-18-amd64", f.DaemonBuild)
	f = FactsOf(unread)
	assert.Equal(t, map[string]string{"revision": `HKLM\...\UBR: File not found.`, "edition": `HKLM\...\InstallationType: File not found.`}, f.Unknown)
	windowsDaemon.Info.OperatingSystem = "Microsoft Windows Version 1903 (OS Build 18362.1256)"
	windowsDaemon.Host = unread.Host
	f = FactsOf(windowsDaemon)
	assert.Equal(t, 1256, f.OSRevision)
	assert.Equal(t, map[string]string{"edition": `HKLM\...\InstallationType: File not found.`}, f.Unknown, "the daemon gave the revision")
	f = FactsOf(unreachable)
	assert.Equal(t, "", f.Platform)
	assert.Equal(t, "windows", f.HostOS)
	assert.Equal(t, "17763", f.HostBuild)
	assert.Equal(t, 805, f.OSRevision)
}
