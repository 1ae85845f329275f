// Command mutants runs the mutation tool (github.com/go-gremlins/gremlins, a
// `tool` of go.mod) over the verdict code one package at a time, and judges
// what it found: per package it prints killed, lived, not covered, timed out,
// test efficacy and mutator coverage, and it fails when a package is under
// its thresholds or when a mutant lived that scripts/mutants-equivalent.txt
// does not list as equivalent (with the reason, reviewed).
//
//	go run ./helpers/mutants                      # every package of the verdict code (make mutants)
//	go run ./helpers/mutants -only claims,config  # some of them
//	go run ./helpers/mutants -changed origin/main # those a change touched (the CI step)
//
// docs/mutation-testing.md says why each package has its thresholds and what
// the last run measured.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// scope is one package of the verdict code and what the run holds it to.
type scope struct {
	// Dir is the package folder, relative to the module root.
	Dir string
	// Exclude are the files (regular expressions on the name) left out:
	// code that talks to the OS or the daemon, not decision code, and
	// files this OS does not build (their mutants could never be covered).
	Exclude []string
	// Efficacy and Coverage are the thresholds, in percent: killed over
	// killed+lived, and covered (killed+lived) over every mutant.
	Efficacy, Coverage float64
	// Coefficient overrides -timeout-coefficient: the harness's coverage
	// run already takes seconds, and a mutant that breaks one of its waits
	// runs until the timeout.
	Coefficient int
}

// scopes is the verdict code. docs/mutation-testing.md justifies each line.
var scopes = []scope{
	{Dir: "helpers/claims", Efficacy: 95, Coverage: 90},
	{Dir: "helpers/config", Efficacy: 95, Coverage: 90},
	{Dir: "helpers/hostprobe", Exclude: []string{`_windows\.go$`, `_other\.go$`, `^hostprobe_linux\.go$`}, Efficacy: 95, Coverage: 90},
	{Dir: "helpers/harness", Exclude: []string{`_windows\.go$`, `_other\.go$`, `_linux\.go$`, `^session\.go$`, `^cri`}, Efficacy: 95, Coverage: 90, Coefficient: 10},
	{Dir: "helpers/fixture", Exclude: []string{`^fixture\.go$`, `^cri\.go$`}, Efficacy: 90, Coverage: 80},
}

// Statuses gremlins writes into its JSON output.
const (
	killed     = "KILLED"
	lived      = "LIVED"
	notCovered = "NOT COVERED"
	timedOut   = "TIMED OUT"
	notViable  = "NOT VIABLE"
	runnable   = "RUNNABLE" // a dry run's covered mutant
	skipped    = "SKIPPED"  // outside the lines a -changed run looks at
)

// output is the part of gremlins' JSON output (-o) read here.
type output struct {
	Files []struct {
		Name      string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

// mutant is one mutation gremlins tried, with the source line it changes.
type mutant struct {
	File, Type, Status string
	Line, Column       int
	// Marked is the source line, trimmed, with the changed operator
	// between ⟪ and ⟫: what the equivalents file names.
	Marked string
}

func (m mutant) key() string { return m.File + " | " + m.Type + " | " + m.Marked }

// tally sums one package's mutants.
type tally struct {
	Killed, Lived, Equivalent, NotCovered, TimedOut, NotViable, Runnable, Skipped int
}

// Efficacy is gremlins' test efficacy: killed over killed and lived. A
// mutant listed as equivalent still counts as lived: the threshold bounds
// how much of a package may be equivalent.
func (t tally) Efficacy() float64 {
	if t.Killed+t.Lived == 0 {
		return 0
	}
	return 100 * float64(t.Killed) / float64(t.Killed+t.Lived)
}

// Coverage is gremlins' mutator coverage: the mutants a test reached
// (killed or lived) over those and the ones no test reached.
func (t tally) Coverage() float64 {
	if t.Killed+t.Lived == 0 {
		return 0
	}
	return 100 * float64(t.Killed+t.Lived) / float64(t.Killed+t.Lived+t.NotCovered)
}

// count sums the mutants; equivalent says which living ones the reviewed
// file lists.
func count(ms []mutant, equivalent map[string]string) (t tally, unlisted []mutant) {
	for _, m := range ms {
		switch m.Status {
		case killed:
			t.Killed++
		case lived:
			t.Lived++
			if _, ok := equivalent[m.key()]; ok {
				t.Equivalent++
			} else {
				unlisted = append(unlisted, m)
			}
		case notCovered:
			t.NotCovered++
		case timedOut:
			t.TimedOut++
		case notViable:
			t.NotViable++
		case runnable:
			t.Runnable++
		case skipped:
			t.Skipped++
		}
	}
	return t, unlisted
}

// verdict says which thresholds a package missed ("" when none).
func verdict(t tally, s scope, unlisted int) string {
	var missed []string
	if t.Efficacy() < s.Efficacy {
		missed = append(missed, fmt.Sprintf("efficacy %.1f%% < %.0f%%", t.Efficacy(), s.Efficacy))
	}
	if t.Coverage() < s.Coverage {
		missed = append(missed, fmt.Sprintf("coverage %.1f%% < %.0f%%", t.Coverage(), s.Coverage))
	}
	if unlisted > 0 {
		missed = append(missed, fmt.Sprintf("%d lived, not listed as equivalent", unlisted))
	}
	return strings.Join(missed, "; ")
}

// operatorChars are the characters of the operators gremlins mutates.
const operatorChars = "<>=!+-*/%&|^"

// marked is the source line of a mutant, trimmed, with the operator at the
// column between ⟪ and ⟫.
func marked(line string, column int) string {
	i := column - 1
	if i < 0 || i > len(line) {
		return strings.TrimSpace(line)
	}
	j := i
	for j < len(line) && strings.IndexByte(operatorChars, line[j]) >= 0 {
		j++
	}
	out := line[:i] + "⟪" + line[i:j] + "⟫" + line[j:]
	return strings.TrimSpace(out)
}

// readMutants reads gremlins' output for the package in dir and marks each
// mutant's source line.
func readMutants(root, dir string, r io.Reader) ([]mutant, error) {
	var out output
	if err := json.NewDecoder(r).Decode(&out); err != nil {
		return nil, fmt.Errorf("read gremlins output: %w", err)
	}
	lines := map[string][]string{}
	var ms []mutant
	for _, f := range out.Files {
		file := filepath.ToSlash(filepath.Join(dir, f.Name))
		if _, ok := lines[file]; !ok {
			b, err := os.ReadFile(filepath.Join(root, file))
			if err != nil {
				return nil, err
			}
			lines[file] = strings.Split(string(b), "\n")
		}
		for _, m := range f.Mutations {
			text := ""
			if m.Line >= 1 && m.Line <= len(lines[file]) {
				text = marked(lines[file][m.Line-1], m.Column)
			}
			ms = append(ms, mutant{File: file, Type: m.Type, Status: m.Status, Line: m.Line, Column: m.Column, Marked: text})
		}
	}
	slices.SortFunc(ms, func(a, b mutant) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	return ms, nil
}

// readEquivalents reads the reviewed file: one mutant a line, "file | TYPE
// | marked line | reason"; "#" starts a comment. A line without a reason is
// an error: every equivalent mutant says why it is one.
func readEquivalents(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	n := 0
	var problems []error
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, " | ")
		if len(parts) < 4 || strings.TrimSpace(parts[len(parts)-1]) == "" {
			problems = append(problems, fmt.Errorf("line %d: want \"file | TYPE | marked line | reason\", got %q", n, line))
			continue
		}
		reason := parts[len(parts)-1]
		key := strings.Join(parts[:len(parts)-1], " | ")
		out[key] = reason
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, errors.Join(problems...)
}

// stale lists the entries of the equivalents file, for files of dir, that
// name no mutant that lived: a test now kills it, or the line changed.
func stale(ms []mutant, dir string, equivalent map[string]string) []string {
	livedKeys := map[string]bool{}
	for _, m := range ms {
		if m.Status == lived {
			livedKeys[m.key()] = true
		}
	}
	var out []string
	for key := range equivalent {
		file, _, _ := strings.Cut(key, " | ")
		if filepath.Dir(file) == dir && !livedKeys[key] {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

// changedScopes are the scopes with a Go file (tests included) that differs
// from rev, or whose equivalents the reviewed file may now list wrongly.
func changedScopes(root, rev string) ([]scope, error) {
	// As gremlins' own diff: from where this tree left rev.
	cmd := exec.Command("git", "diff", "--merge-base", "--name-only", rev, "--")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git diff --name-only %s: %w", rev, err)
	}
	return scopesTouching(strings.Fields(string(out))), nil
}

// scopesTouching lists the scopes that hold one of the files.
func scopesTouching(files []string) []scope {
	var out []scope
	for _, s := range scopes {
		for _, f := range files {
			if filepath.Dir(f) == s.Dir && strings.HasSuffix(f, ".go") {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

func main() {
	switch filepath.Base(os.Args[0]) {
	case "go":
		runAsGo() // gremlins starts this program as go: see coverage.go
		return
	case "git":
		runAsGit()
		return
	}
	os.Exit(run())
}

// run is the command; its deferred removals run before the exit.
func run() int {
	only := flag.String("only", "", "comma-separated package folders' last names (claims,config): run these alone")
	changed := flag.String("changed", "", "run only the mutants of lines that differ from this git revision, in the packages they are in (the CI step); "+
		"every one that lives must be listed as equivalent, the thresholds are for whole packages")
	equivalents := flag.String("equivalents", "scripts/mutants-equivalent.txt", "the reviewed list of equivalent mutants")
	coefficient := flag.Int("timeout-coefficient", 40, "gremlins' timeout: this many times the package's coverage run (see docs/mutation-testing.md)")
	workers := flag.Int("workers", 1, "gremlins' parallel test runs")
	verbose := flag.Bool("v", false, "also list the mutants no test reached")
	keep := flag.String("keep", "", "copy gremlins' JSON output of each package into this folder")
	dryRun := flag.Bool("dry-run", false, "only count the mutants and which a test reaches (gremlins --dry-run)")
	files := flag.String("files", "", "a regular expression on file names: run only those files' mutants (with -only; "+
		"the thresholds and the stale-list check are then not judged, they are for whole packages)")
	flag.Parse()
	var onlyFiles *regexp.Regexp
	if *files != "" {
		if *only == "" {
			return fail("-files needs -only: the file names are matched inside the packages it names")
		}
		re, err := regexp.Compile(*files)
		if err != nil {
			return fail("-files %q: %v", *files, err)
		}
		onlyFiles = re
	}

	root, err := os.Getwd()
	if err == nil {
		_, err = os.Stat(filepath.Join(root, "go.mod"))
	}
	if err != nil {
		return fail("run from the module root: %v", err)
	}
	selected := scopes
	switch {
	case *only != "":
		selected = nil
		for _, name := range strings.Split(*only, ",") {
			i := slices.IndexFunc(scopes, func(s scope) bool { return filepath.Base(s.Dir) == strings.TrimSpace(name) })
			if i < 0 {
				return fail("-only %s: not a package of the verdict code", name)
			}
			selected = append(selected, scopes[i])
		}
	case *changed != "":
		if exec.Command("git", "cat-file", "-e", *changed+"^{commit}").Run() != nil {
			fmt.Printf("mutants: %s is not in this clone (a shallow one?): the lines the last commit changed are run instead\n", *changed)
			*changed = "HEAD~1"
		}
		if selected, err = changedScopes(root, *changed); err != nil {
			return fail("%v", err)
		}
		if len(selected) == 0 {
			fmt.Printf("mutants: no package of the verdict code differs from %s\n", *changed)
			return 0
		}
	}
	f, err := os.Open(*equivalents)
	if err != nil {
		return fail("%v", err)
	}
	equivalent, err := readEquivalents(f)
	_ = f.Close()
	if err != nil {
		return fail("%s: %v", *equivalents, err)
	}

	tmp, err := os.MkdirTemp("", "mutants-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(tmp)
	env, err := installWrapper(tmp)
	if err != nil {
		return fail("%v", err)
	}
	// The tool's binary, started directly: `go tool` would put GOROOT/bin
	// first on PATH, ahead of the wrapper.
	path, err := exec.Command("go", "tool", "-n", "gremlins").Output()
	if err != nil {
		return fail("go tool -n gremlins: %v (go.mod lists it as a tool)", err)
	}
	gremlins := strings.TrimSpace(string(path))
	type result struct {
		s        scope
		t        tally
		unlisted []mutant
		all      []mutant
		took     time.Duration
	}
	var results []result
	started := time.Now()
	for _, s := range selected {
		out := filepath.Join(tmp, filepath.Base(s.Dir)+".json")
		coef := *coefficient
		if s.Coefficient != 0 {
			coef = s.Coefficient
		}
		args := []string{"unleash", "--silent", "--workers", fmt.Sprint(*workers),
			"--timeout-coefficient", fmt.Sprint(coef), "-o", out}
		if *dryRun {
			args = append(args, "--dry-run")
		}
		if *changed != "" {
			args = append(args, "--diff", *changed)
		}
		for _, e := range s.Exclude {
			args = append(args, "-E", e)
		}
		if onlyFiles != nil {
			others, err := filesOutside(filepath.Join(root, s.Dir), onlyFiles)
			if err != nil {
				return fail("%v", err)
			}
			for _, name := range others {
				args = append(args, "-E", "^"+regexp.QuoteMeta(name)+"$")
			}
		}
		args = append(args, "./"+s.Dir)
		fmt.Printf("mutants: %s (gremlins %s)\n", s.Dir, strings.Join(args, " "))
		cmd := exec.Command(gremlins, args...)
		cmd.Stdout, cmd.Stderr, cmd.Env = os.Stderr, os.Stderr, append(env, relativeEnv+"="+s.Dir)
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			return fail("gremlins on %s: %v", s.Dir, err)
		}
		r, err := os.Open(out)
		if err != nil {
			return fail("gremlins on %s wrote no output: %v", s.Dir, err)
		}
		if *keep != "" {
			if b, err := os.ReadFile(out); err == nil {
				_ = os.WriteFile(filepath.Join(*keep, filepath.Base(out)), b, 0o644)
			}
		}
		ms, err := readMutants(root, s.Dir, r)
		_ = r.Close()
		if err != nil {
			return fail("%s: %v", s.Dir, err)
		}
		t, unlisted := count(ms, equivalent)
		results = append(results, result{s: s, t: t, unlisted: unlisted, all: ms, took: time.Since(t0).Round(time.Second)})
	}

	fmt.Printf("\n%-18s %6s %6s %6s %8s %6s %9s %9s %8s  %s\n", "package", "killed", "lived", "equiv", "not cov", "t/out", "efficacy", "coverage", "time", "thresholds")
	failed := false
	for _, r := range results {
		if *dryRun {
			fmt.Printf("%-18s dry run: %d mutants a test reaches, %d not covered (%.1f%%)\n", r.s.Dir, r.t.Runnable, r.t.NotCovered,
				100*float64(r.t.Runnable)/float64(max(1, r.t.Runnable+r.t.NotCovered)))
			continue
		}
		if *changed != "" || onlyFiles != nil {
			status := "every living mutant listed as equivalent"
			if len(r.unlisted) > 0 {
				status, failed = fmt.Sprintf("FAILED: %d lived, not listed as equivalent", len(r.unlisted)), true
			}
			part := fmt.Sprintf("lines changed since %s (%d mutants elsewhere skipped)", *changed, r.t.Skipped)
			if onlyFiles != nil {
				part = "files matching " + onlyFiles.String()
			}
			fmt.Printf("%-18s %6d %6d %6d %8d %6d %8.1f%% %8.1f%% %8s  %s: %s\n", r.s.Dir, r.t.Killed, r.t.Lived, r.t.Equivalent,
				r.t.NotCovered, r.t.TimedOut, r.t.Efficacy(), r.t.Coverage(), r.took, part, status)
			continue
		}
		v := verdict(r.t, r.s, len(r.unlisted))
		status := fmt.Sprintf(">=%.0f%% >=%.0f%% met", r.s.Efficacy, r.s.Coverage)
		if v != "" {
			status, failed = "FAILED: "+v, true
		}
		fmt.Printf("%-18s %6d %6d %6d %8d %6d %8.1f%% %8.1f%% %8s  %s\n", r.s.Dir, r.t.Killed, r.t.Lived, r.t.Equivalent, r.t.NotCovered, r.t.TimedOut,
			r.t.Efficacy(), r.t.Coverage(), r.took, status)
	}
	fmt.Printf("total time %s\n", time.Since(started).Round(time.Second))
	for _, r := range results {
		for _, key := range stale(r.all, r.s.Dir, equivalent) {
			if *changed != "" || onlyFiles != nil {
				break // a run of some lines or files leaves the other mutants unrun
			}
			fmt.Printf("listed as equivalent, but no such mutant lived: %s\n    remove the line from %s\n", key, *equivalents)
			failed = true
		}
		for _, m := range r.unlisted {
			fmt.Printf("LIVED, not listed: %s:%d:%d %s\n    add a test that kills it, or this line to %s with the reason it is equivalent:\n    %s | <reason>\n",
				m.File, m.Line, m.Column, m.Type, *equivalents, m.key())
		}
		if *verbose {
			for _, m := range r.all {
				if m.Status == notCovered {
					fmt.Printf("not covered: %s:%d:%d %s  %s\n", m.File, m.Line, m.Column, m.Type, m.Marked)
				}
			}
		}
	}
	if failed {
		return 1
	}
	return 0
}

// filesOutside lists the package's Go files whose names the -files
// expression does not match: gremlins only takes exclusions.
func filesOutside(dir string, keep *regexp.Regexp) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var out []string
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") && !keep.MatchString(name) {
			out = append(out, name)
		}
	}
	return out, nil
}

func fail(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "mutants: "+format+"\n", args...)
	return 2
}
