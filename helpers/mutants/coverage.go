package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Gremlins runs a mutant only when its position lies in a block of the
// coverage profile that a test reached. Go's coverage blocks leave out the
// expressions of a switch's case clauses: the block before ends at the
// switch's "{", the clause's block starts after its ":" (cmd/cover). So every
// mutant of `case a < b:` would be "not covered" however well it is tested,
// and the verdict code decides most things in such switches. The profile is
// therefore extended before gremlins reads it: the case expressions of every
// switch whose header a test reached count as reached. That can only turn a
// "not covered" mutant into one that is run (killed or lived), never hide one.

// wrapperEnv names the real go command for the wrapper; gitEnv the real git,
// and relativeEnv the package folder gremlins' `git diff` is made relative
// to: gremlins compares the diff's paths (from the repository root) with
// paths relative to the package it runs on, so without --relative no line of
// a package below the root would ever count as changed.
const (
	wrapperEnv  = "MUTANTS_REAL_GO"
	gitEnv      = "MUTANTS_REAL_GIT"
	relativeEnv = "MUTANTS_GIT_RELATIVE"
)

// installWrapper makes this program the `go` that gremlins starts (first on
// PATH): it runs the real go and extends the coverage profiles it writes.
// It returns the environment for gremlins.
func installWrapper(dir string) ([]string, error) {
	realGo, err := exec.LookPath("go")
	if err != nil {
		return nil, err
	}
	realGit, err := exec.LookPath("git")
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return nil, err
	}
	for _, name := range []string{"go", "git"} {
		if err := os.Symlink(self, filepath.Join(bin, name)); err != nil {
			return nil, err
		}
	}
	env := append(os.Environ(), wrapperEnv+"="+realGo, gitEnv+"="+realGit, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return env, nil
}

// runAsGit is the git wrapper: `git diff` relative to the package folder.
func runAsGit() {
	args := os.Args[1:]
	if dir := os.Getenv(relativeEnv); dir != "" && len(args) > 0 && args[0] == "diff" {
		args = append([]string{"diff", "--relative=" + dir}, args[1:]...)
	}
	cmd := exec.Command(os.Getenv(gitEnv), args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutants: git wrapper:", err)
		os.Exit(2)
	}
}

// runAsGo is the wrapper: the real go with the same arguments; a coverage
// profile it wrote is then extended (see above).
func runAsGo() {
	cmd := exec.Command(os.Getenv(wrapperEnv), os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutants: go wrapper:", err)
		os.Exit(2)
	}
	for i, a := range os.Args[1:] {
		if (a == "-coverprofile" || a == "--coverprofile") && i+2 < len(os.Args) {
			if err := extendProfileFile(os.Args[i+2]); err != nil {
				fmt.Fprintln(os.Stderr, "mutants: extend coverage:", err)
				os.Exit(2)
			}
		}
	}
}

func extendProfileFile(path string) error {
	profile, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	root, module, err := moduleRoot()
	if err != nil {
		return err
	}
	extended, err := extendCoverage(profile, func(file string) ([]byte, error) {
		rel, ok := strings.CutPrefix(file, module+"/")
		if !ok {
			return nil, os.ErrNotExist
		}
		return os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	})
	if err != nil {
		return err
	}
	return os.WriteFile(path, extended, 0o644)
}

// moduleRoot finds go.mod from the working folder up, and the module path.
func moduleRoot() (root, module string, err error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
					return dir, strings.TrimSpace(m), nil
				}
			}
			return "", "", fmt.Errorf("%s/go.mod names no module", dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "", fmt.Errorf("no go.mod above the working folder")
		}
		dir = parent
	}
}

// block is one line of a coverage profile.
type block struct {
	startLine, startCol, endLine, endCol, stmts, count int
}

func (b block) contains(line, col int) bool {
	after := line > b.startLine || line == b.startLine && col >= b.startCol
	before := line < b.endLine || line == b.endLine && col <= b.endCol
	return after && before
}

// parseBlock reads "file:12.3,14.5 2 1".
func parseBlock(line string) (file string, b block, ok bool) {
	colon := strings.LastIndex(line, ":")
	if colon < 0 {
		return "", b, false
	}
	var n int
	n, err := fmt.Sscanf(line[colon+1:], "%d.%d,%d.%d %d %d", &b.startLine, &b.startCol, &b.endLine, &b.endCol, &b.stmts, &b.count)
	if err != nil || n != 6 {
		return "", b, false
	}
	return line[:colon], b, true
}

// extendCoverage appends to a coverage profile one reached block for the
// expressions of each case clause of every switch statement whose header a
// reached block holds. source reads a file named as the profile names it.
func extendCoverage(profile []byte, source func(file string) ([]byte, error)) ([]byte, error) {
	reached := map[string][]block{}
	var files []string
	for _, line := range strings.Split(string(profile), "\n") {
		file, b, ok := parseBlock(line)
		if !ok || b.count == 0 {
			continue
		}
		if _, seen := reached[file]; !seen {
			files = append(files, file)
		}
		reached[file] = append(reached[file], b)
	}
	out := bytes.TrimRight(profile, "\n")
	out = append(out, '\n')
	for _, file := range files {
		src, err := source(file)
		if err != nil {
			continue // a file of another module: nothing to mutate there
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, src, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		isReached := func(p token.Pos) bool {
			pos := fset.Position(p)
			for _, b := range reached[file] {
				if b.contains(pos.Line, pos.Column) {
					return true
				}
			}
			return false
		}
		ast.Inspect(f, func(n ast.Node) bool {
			s, ok := n.(*ast.SwitchStmt)
			if !ok || !isReached(s.Switch) {
				return true
			}
			for _, stmt := range s.Body.List {
				clause := stmt.(*ast.CaseClause)
				if len(clause.List) == 0 {
					continue // default: no expression
				}
				from, to := fset.Position(clause.Case), fset.Position(clause.Colon)
				out = append(out, file+":"+strconv.Itoa(from.Line)+"."+strconv.Itoa(from.Column)+","+
					strconv.Itoa(to.Line)+"."+strconv.Itoa(to.Column)+" 0 1\n"...)
			}
			return true
		})
	}
	return out, nil
}
