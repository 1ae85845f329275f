// Command winecheck is the Linux side of `make wine` (scripts/wine.sh): it
// runs Windows test binaries under Wine and counts their tests, and compares
// the JSON report of the Windows gate with the Linux build's claim by claim.
//
//	winecheck tests -wine wine <pkg>=<binary.exe> ...   run each binary under Wine (go tool test2json), count, name each skip's reason
//	winecheck compare <linux-report.json> <windows-report.json>   every host's claims must agree (times and paths aside)
//	winecheck expect <report.json> <description.yaml> <exit code>   the live host's verdicts and exit code are the described ones
//
// Its exit code is 0 when every test passed or skipped and the reports agree,
// 1 otherwise, 2 for bad arguments.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "tests":
		fs := flag.NewFlagSet("tests", flag.ExitOnError)
		wine := fs.String("wine", "wine", "the Wine loader that starts a Windows binary")
		_ = fs.Parse(os.Args[2:])
		if fs.NArg() == 0 {
			usage()
		}
		tally, err := runTestBinaries(*wine, fs.Args(), os.Stdout)
		fmt.Println(tally.Summary())
		if err != nil {
			fmt.Fprintln(os.Stderr, "winecheck:", err)
			os.Exit(1)
		}
		if tally.Failed > 0 {
			os.Exit(1)
		}
	case "compare":
		if len(os.Args) != 4 {
			usage()
		}
		same, err := compareReportFiles(os.Args[2], os.Args[3], os.Stdout)
		if err != nil {
			fmt.Fprintln(os.Stderr, "winecheck:", err)
			os.Exit(1)
		}
		if !same {
			os.Exit(1)
		}
	case "expect":
		if len(os.Args) != 5 {
			usage()
		}
		ok, err := expectFiles(os.Args[2], os.Args[3], os.Args[4], os.Stdout)
		if err != nil {
			fmt.Fprintln(os.Stderr, "winecheck:", err)
			os.Exit(1)
		}
		if !ok {
			os.Exit(1)
		}
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: winecheck tests [-wine wine] <pkg>=<binary.exe> ... | winecheck compare <linux-report.json> <windows-report.json> | winecheck expect <report.json> <description.yaml> <exit code>")
	os.Exit(2)
}
