package config

import (
	"path/filepath"
	"strings"
)

// Variables that say where a run's results go.
const (
	EnvReport = "CONFORMANCE_REPORT"
	EnvJUnit  = "CONFORMANCE_JUNIT"
	// EnvStepSummary is set by GitHub Actions: the Markdown file of the job summary.
	EnvStepSummary = "GITHUB_STEP_SUMMARY"
)

// Default file names of the prebuilt binary's results, written beside it.
const (
	DefaultReportFile = "conformance-report.json"
	DefaultJUnitFile  = "conformance-junit.xml"
)

// Off turns a result file off, also in the prebuilt binary.
const Off = "off"

// Outputs are the files a run writes when it ends; an empty path writes nothing.
type Outputs struct {
	// Report is the JSON report (schema/report.schema.json).
	Report string
	// JUnit is the JUnit XML: one test case per claim ID.
	JUnit string
	// StepSummary is appended the Markdown matrix.
	StepSummary string
}

// LoadOutputs reads the result files, in every mode (a replay writes a report
// too). beside is the folder the prebuilt binary lives in: there, a report and
// a JUnit file are written by default; empty means none unless asked for.
func LoadOutputs(getenv func(string) string, beside string) Outputs {
	file := func(name, def string) string {
		v := strings.TrimSpace(getenv(name))
		switch {
		case strings.EqualFold(v, Off):
			return ""
		case v == "" && beside != "":
			return filepath.Join(beside, def)
		}
		return v
	}
	return Outputs{
		Report:      file(EnvReport, DefaultReportFile),
		JUnit:       file(EnvJUnit, DefaultJUnitFile),
		StepSummary: strings.TrimSpace(getenv(EnvStepSummary)),
	}
}
