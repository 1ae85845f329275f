// Command fixturegen builds the constructed fixtures: for every folder under
// -fixtures that holds a description.yaml, it runs the real harness, in record
// mode, against a simulated Docker Engine and a described host, and writes
// fixture.json, engine.yaml and host.json exactly as recording a live host
// does. The output depends on the description alone, so running it twice
// changes no byte (make fixtures-check).
//
//	go run ./helpers/fixturegen -fixtures fixtures [-only <name>] [-v]
//
// fixtures/README.md documents the description format.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"github.com/wincontainer-gate/conformance/helpers/claims"
	"github.com/wincontainer-gate/conformance/helpers/config"
	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
	"github.com/wincontainer-gate/conformance/helpers/harness"
)

func main() {
	if wineMain(os.Args) { // the Windows build's live host under Wine (wine_windows.go)
		return
	}
	root := flag.String("fixtures", "fixtures", "folder that holds one folder per fixture")
	only := flag.String("only", "", "regenerate only this fixture folder")
	verbose := flag.Bool("v", false, "log the harness's progress")
	flag.Parse()

	names, err := describedFolders(*root, *only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fixturegen:", err)
		os.Exit(2)
	}
	logf := func(string, ...any) {}
	if *verbose {
		logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	}
	var failed []error
	for _, name := range names {
		gen := generate
		if _, err := os.Stat(filepath.Join(*root, name, CRIDescriptionFile)); err == nil {
			gen = generateCRI
		}
		if err := gen(*root, name, logf); err != nil {
			failed = append(failed, fmt.Errorf("%s: %w", name, err))
			continue
		}
		fmt.Printf("generated %s\n", filepath.Join(*root, name))
	}
	if err := errors.Join(failed...); err != nil {
		fmt.Fprintln(os.Stderr, "fixturegen:", err)
		os.Exit(1)
	}
}

// describedFolders lists, sorted, the folders under root with a description.
func describedFolders(root, only string) ([]string, error) {
	if only != "" {
		_, err := os.Stat(filepath.Join(root, only, DescriptionFile))
		if _, cerr := os.Stat(filepath.Join(root, only, CRIDescriptionFile)); err != nil && cerr != nil {
			return nil, fmt.Errorf("-only %s: %w", only, err)
		}
		return []string{only}, nil
	}
	names, err := fixture.FoldersWith(root, DescriptionFile)
	if err != nil {
		return nil, err
	}
	criNames, err := fixture.FoldersWith(root, CRIDescriptionFile)
	if err != nil {
		return nil, err
	}
	names = append(names, criNames...)
	slices.Sort(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("no folder under %s holds a %s", root, DescriptionFile)
	}
	return names, nil
}

// generate records one described host into root/name. It gathers exactly
// what the suite gathers (conformance_test.go checkHost, provisioning_test.go
// gatherBaseImage, isolation_test.go testIsolation): the daemon, the base
// image when engine-platform passes, then every row that applies to the daemon's
// platform and the isolation modes under test, provided engine-platform and
// base-image pass (here: are expected to pass), each row's cleanups in
// reverse order as t.Cleanup runs them, and the leftovers of a daemon that
// answered.
func generate(root, name string, logf func(string, ...any)) error {
	d, err := loadDescription(root, name)
	if err != nil {
		return err
	}
	expect, err := d.expectations()
	if err != nil {
		return err
	}
	sim, err := newSimDaemon(d)
	if err != nil {
		return err
	}
	s, err := harness.OpenConstructed(sim.transport(), &describedHost{d: d, sim: sim}, d.Target, d.Local, d.RunID, expect)
	if err != nil {
		return err
	}
	defer s.Close()
	s.Logf = logf
	s.Owner = constructedOwner(d)

	ctx := context.Background()
	daemon, err := s.Daemon(ctx)
	if err != nil {
		return fmt.Errorf("gather daemon evidence: %w", err)
	}
	if d.Expected["engine-platform"].Status == "pass" {
		if daemon.Image, err = s.BaseImage(ctx, daemon); err != nil {
			return fmt.Errorf("gather base image: %w", err)
		}
	}
	gate := d.Expected["engine-platform"].Status == "pass" && d.Expected["base-image"].Status == "pass"
	for _, row := range evidence.Rows {
		if daemon.Info.OSType != row.Platform || !expect.WantsMode(row.Mode) || !gate {
			continue
		}
		var cleanups []func()
		register := func(f func()) { cleanups = append(cleanups, f) }
		if row.Refusal() {
			_, err = s.TryRefusal(ctx, row, daemon.Image.Ref, register)
		} else {
			_, err = s.RunWorkload(ctx, row, daemon.Image.Ref, register)
		}
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
		if err != nil {
			return fmt.Errorf("row %s: %w", row, err)
		}
	}
	if daemon.Unreachable == nil {
		left, err := s.Leftovers(ctx)
		if err != nil {
			return err
		}
		// The suite reports every leftover as an error, which no expected
		// verdict can absorb: such a fixture could never replay cleanly.
		if len(left) > 0 {
			return fmt.Errorf("container %s (%s) is still listed at the end of the run: the replay would report it as left behind", left[0].ID[:12], left[0].State)
		}
	}
	meta := d.metadata(expect)
	outcome := expectedOutcome(daemon, expect, d.Expected)
	if d.Gate != nil && !reflect.DeepEqual(*d.Gate, outcome) {
		return fmt.Errorf("gate: the description says %+v, its expected verdicts give %+v", *d.Gate, outcome)
	}
	meta.Gate = &outcome
	_, err = s.FinishRecording(root, name, meta)
	return err
}

// expectedOutcome is the gate's own outcome on a host whose claims reach the
// expected verdicts, under the requirements the suite would apply to it.
func expectedOutcome(daemon evidence.Daemon, expect config.Expectations, expected map[string]fixture.Expected) fixture.Gate {
	ledger := claims.NewLedger()
	for id, e := range expected {
		ledger.Judge(id, nil, func() claims.Verdict { return claims.Verdict{Status: claims.Status(e.Status), Message: e.Message} })
	}
	reqs := claims.Requirements(daemon, expect)
	return harness.GateOutcome(ledger, claims.JudgeRequired(ledger, reqs, nil), reqs, claims.GatedPlatform(daemon, expect))
}
