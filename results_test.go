package conformance

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wincontainer-gate/conformance/helpers/config"
	results "github.com/wincontainer-gate/conformance/helpers/report"
	"github.com/wincontainer-gate/conformance/helpers/version"
)

// prebuilt is set by `make windows-exe` (-ldflags -X): the binary then runs
// the gate when no -test.run is given, and writes its report and JUnit beside
// itself unless told otherwise.
var prebuilt string

// showVersion is the gate binary's -version: it prints the build's version,
// commit and date (helpers/version) and exits without running anything.
var showVersion = flag.Bool("version", false, "print the gate's version, commit and build date, and exit")

// gateRun collects the verdicts of every host TestConformance judged, for the
// matrix and the files written when the run ends.
var gateRun struct {
	sync.Mutex
	// started is set when TestConformance runs: from then on the run has a
	// verdict to report, even when no host was judged (a configuration error).
	started bool
	mode    config.Mode
	hosts   []results.Host
}

// gateStarted marks the run as a gate run.
func gateStarted() {
	gateRun.Lock()
	defer gateRun.Unlock()
	gateRun.started = true
}

// collect adds a host's verdicts to the run's results.
func collect(name string, run *hostRun, mode config.Mode, profile string) {
	run.mu.Lock()
	docs := maps.Clone(run.docs)
	run.mu.Unlock()
	h := results.NewHost(results.Judged{
		Name: name, Profile: profile, Daemon: run.daemon, Expect: run.s.Expect, Verdicts: run.ledger.All(),
		Docs: docs, Requirements: run.required, Summary: run.Summary,
	})
	gateRun.Lock()
	defer gateRun.Unlock()
	gateRun.mode = mode
	gateRun.hosts = append(gateRun.hosts, h)
}

func TestMain(m *testing.M) {
	flag.Parse()
	if *showVersion {
		fmt.Print(version.Get())
		os.Exit(0)
	}
	if prebuilt != "" || !inRepository() {
		runsTheGateByDefault()
	}
	started := time.Now().UTC()
	code := m.Run()
	os.Exit(finishRun(code, started))
}

// runsTheGateByDefault selects TestConformance when the prebuilt binary is
// started without -test.run (its self-tests need the repository's fixtures),
// and gives it go test's default -test.timeout, from which the run derives
// the bound it stops itself at, cleaning up.
func runsTheGateByDefault() {
	given := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if !given["test.run"] {
		_ = flag.Set("test.run", "^TestConformance$")
	}
	if !given["test.timeout"] {
		_ = flag.Set("test.timeout", prebuiltTimeout)
	}
}

// inRepository reports whether the test binary runs in this repository's
// root (go test runs it there). Anywhere else (a test binary copied to a
// host) its self-tests lack the fixtures and examples they read, and they are
// no part of the gate: without -test.run only TestConformance runs, and its
// exit code is the verdict.
func inRepository() bool {
	mod, err := os.ReadFile("go.mod")
	return err == nil && strings.HasPrefix(string(mod), "module github.com/wincontainer-gate/conformance\n")
}

// prebuiltTimeout is go test's default -timeout.
const prebuiltTimeout = "10m"

// listingOnly reports whether the binary only lists tests (-test.list).
func listingOnly() bool {
	f := flag.Lookup("test.list")
	return f != nil && f.Value.String() != ""
}

// finishRun prints the matrix and writes the report, the JUnit and the job
// summary. The exit code stays the gate's; a result file that cannot be
// written fails the run, since a pipeline would otherwise read a stale one.
func finishRun(code int, started time.Time) int {
	gateRun.Lock()
	hosts := gateRun.hosts
	mode := gateRun.mode
	gateStartedRun := gateRun.started
	gateRun.Unlock()
	if !gateStartedRun && prebuilt == "" {
		return code // a run of self-tests only: there is no gate verdict to report
	}
	if len(hosts) == 0 && code == 0 && !listingOnly() {
		// The prebuilt gate judged nothing (a -test.run that selects no host):
		// that is no verdict, and a gate fails closed.
		fmt.Fprintln(os.Stderr, "the gate judged no host: run it without -test.run, or with one that selects TestConformance")
		code = 1
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].Name < hosts[j].Name })
	build := version.Get()
	run := results.Run{
		HarnessVersion: build.Version,
		HarnessCommit:  build.Commit,
		HarnessDate:    build.Date,
		Mode:           string(mode),
		StartedAt:      started.Format(time.RFC3339),
		FinishedAt:     time.Now().UTC().Format(time.RFC3339),
		Passed:         code == 0,
		ExitCode:       code,
		Hosts:          hosts,
	}
	if run.Mode == "" {
		run.Mode = "none: the gate did not start"
	}
	_ = results.WriteMatrix(os.Stdout, run)
	beside := ""
	if prebuilt != "" {
		if exe, err := os.Executable(); err == nil {
			beside = filepath.Dir(exe)
		}
	}
	if err := results.WriteFiles(run, config.LoadOutputs(os.Getenv, beside)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			return 1
		}
	}
	return code
}

// requireFixtures skips a self-test that needs the repository's fixtures
// when the test binary runs elsewhere (the prebuilt gate on a host).
func requireFixtures(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join("fixtures", "ws2019-17763", "fixture.json")); err != nil {
		t.Skipf("self-test of the repository: no fixtures here (%v)", err)
	}
}
