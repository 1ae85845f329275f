package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/wincontainer-gate/conformance/helpers/claims"
)

const (
	labelWidth      = 17 // "windows/process" and two spaces
	provisionCells  = 3  // provisioning cells per line: the matrix stays within 100 columns
	provisionWidth  = 26 // "service-vmcompute blocked" and a space
	notAClaimOfRow  = "-"
	matrixSeparator = "="
	matrixWidth     = 100
)

// WriteMatrix prints every host's matrix: rows (provisioning, the workload
// rows, refusals) × claims, each cell pass / FAIL / skip / blocked, then one
// line per failing claim with its fix, then the host's closing line.
func WriteMatrix(w io.Writer, run Run) error {
	var b strings.Builder
	for _, h := range run.Hosts {
		fmt.Fprintf(&b, "%s\n", strings.Repeat(matrixSeparator, matrixWidth))
		fmt.Fprintf(&b, "conformance gate: %s (%s)\n", h.Name, run.Mode)
		b.WriteString(wrap("host: "+describeHost(h), "      "))
		b.WriteString("\n")

		groups, kinds := layout(h)
		labelWidth := labelWidth
		for _, g := range groups {
			labelWidth = max(labelWidth, len(g)+2)
		}
		prov := provisioning(h)
		for i := 0; i < len(prov); i += provisionCells {
			label := ""
			if i == 0 {
				label = GroupProvisioning
			}
			fmt.Fprintf(&b, "%-*s", labelWidth, label)
			for j := i; j < min(i+provisionCells, len(prov)); j++ {
				fmt.Fprintf(&b, "%-*s", provisionWidth, prov[j].Claim+" "+cell(prov[j]))
			}
			b.WriteString("\n")
		}

		widths := make([]int, len(kinds))
		fmt.Fprintf(&b, "%-*s", labelWidth, "")
		for i, k := range kinds {
			widths[i] = max(len(k), len("blocked")) + 2
			fmt.Fprintf(&b, "%-*s", widths[i], k)
		}
		b.WriteString("\n")
		for _, g := range groups {
			fmt.Fprintf(&b, "%-*s", labelWidth, g)
			for i, k := range kinds {
				text := notAClaimOfRow
				if v, ok := find(h, g+"/"+k); ok {
					text = cell(v)
				}
				fmt.Fprintf(&b, "%-*s", widths[i], text)
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%-*s", labelWidth, GroupRefusals)
		for _, v := range refusals(h) {
			fmt.Fprintf(&b, "%-*s", provisionWidth, strings.TrimSuffix(v.Claim, "/"+claims.KindRefused)+" "+cell(v))
		}
		b.WriteString("\n")

		if fails := rootFailures(h); len(fails) > 0 {
			b.WriteString("\n")
			for _, v := range fails {
				b.WriteString(wrap(fmt.Sprintf("  FAIL %s: %s", v.Claim, v.Message), "       "))
				if v.Fix != "" {
					b.WriteString(wrap("       fix: "+v.Fix, "            "))
				}
			}
			if h.Counts.Blocked > 0 {
				fmt.Fprintf(&b, "       (%d more claims are blocked by these)\n", h.Counts.Blocked)
			}
		}
		if warns := warnings(h); len(warns) > 0 {
			b.WriteString("\n")
			for _, w := range warns {
				b.WriteString(wrap(fmt.Sprintf("  WARN %s: %s", w.claim, w.text), "       "))
			}
		}
		if unjudged := notJudged(h); len(unjudged) > 0 {
			b.WriteString("\n")
			for _, p := range unjudged {
				b.WriteString(wrap(fmt.Sprintf("  NOT JUDGED %s (required): %s", p.Claim, p.Reason), "       "))
				b.WriteString(wrap("       required because: "+p.Why, "            "))
			}
		}
		fmt.Fprintf(&b, "\n%s\n%s\n", CountsLine(h), h.Required.Line)
	}
	if len(run.Hosts) > 0 {
		fmt.Fprintf(&b, "%s\n", strings.Repeat(matrixSeparator, matrixWidth))
	}
	_, err := io.WriteString(w, trimLineEnds(b.String()))
	return err
}

// claimWarning is one warning of one claim.
type claimWarning struct{ claim, text string }

// warnings lists every claim's warnings in the host's claim order: findings
// that do not fail a claim (an unserviced host or image, a newer image
// revision) are what a person reads next after the failures.
func warnings(h Host) []claimWarning {
	var out []claimWarning
	for _, c := range h.Claims {
		for _, w := range c.Warnings {
			out = append(out, claimWarning{c.Claim, w})
		}
	}
	return out
}

// wrap breaks text into lines of at most matrixWidth runes at spaces; every
// line after the first starts with indent. A word longer than a line stays whole.
func wrap(text, indent string) string {
	var b strings.Builder
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
			if strings.HasPrefix(text, " ") {
				line = text[:len(text)-len(strings.TrimLeft(text, " "))] + word
			}
		case len([]rune(line))+1+len([]rune(word)) > matrixWidth:
			b.WriteString(line + "\n")
			line = indent + word
		default:
			line += " " + word
		}
	}
	b.WriteString(line + "\n")
	return b.String()
}

func trimLineEnds(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// markdownCell is a matrix cell in a GitHub job summary.
func markdownCell(v claims.Verdict, ok bool) string {
	if !ok {
		return notAClaimOfRow
	}
	switch c := cell(v); c {
	case "pass":
		return "✅ pass"
	case "skip":
		return "⏭️ skip"
	case "blocked":
		return "⛔ blocked"
	default:
		return "❌ **FAIL**"
	}
}

// WriteMarkdown writes the same matrix as Markdown, for GITHUB_STEP_SUMMARY.
func WriteMarkdown(w io.Writer, run Run) error {
	var b strings.Builder
	verdict := "passed"
	if !run.Passed {
		verdict = "**failed**"
	}
	fmt.Fprintf(&b, "## Conformance gate %s (exit code %d, %s)\n\n", verdict, run.ExitCode, run.Mode)
	for _, h := range run.Hosts {
		fmt.Fprintf(&b, "### %s\n\n%s\n\n", h.Name, describeHost(h))
		prov := provisioning(h)
		b.WriteString("| provisioning | verdict |\n|---|---|\n")
		for _, v := range prov {
			fmt.Fprintf(&b, "| `%s` | %s |\n", v.Claim, markdownCell(v, true))
		}
		groups, kinds := layout(h)
		b.WriteString("\n| row | " + strings.Join(kinds, " | ") + " |\n|---" + strings.Repeat("|---", len(kinds)) + "|\n")
		for _, g := range groups {
			fmt.Fprintf(&b, "| `%s` |", g)
			for _, k := range kinds {
				v, ok := find(h, g+"/"+k)
				fmt.Fprintf(&b, " %s |", markdownCell(v, ok))
			}
			b.WriteString("\n")
		}
		for _, v := range refusals(h) {
			fmt.Fprintf(&b, "| `%s` | %s |%s\n", v.Claim, markdownCell(v, true), strings.Repeat(" |", len(kinds)-1))
		}
		if fails := rootFailures(h); len(fails) > 0 {
			b.WriteString("\n")
			for _, v := range fails {
				fmt.Fprintf(&b, "- ❌ `%s`: %s", v.Claim, markdownEscape(v.Message))
				if v.Fix != "" {
					fmt.Fprintf(&b, "<br>fix: %s", markdownEscape(v.Fix))
				}
				b.WriteString("\n")
			}
		}
		for _, w := range warnings(h) {
			fmt.Fprintf(&b, "- ⚠️ `%s` warning: %s\n", w.claim, markdownEscape(w.text))
		}
		for _, p := range notJudged(h) {
			fmt.Fprintf(&b, "- ⚠️ `%s` required but not judged: %s<br>required because: %s\n", p.Claim, markdownEscape(p.Reason), markdownEscape(p.Why))
		}
		fmt.Fprintf(&b, "\n%s<br>\n**%s**\n\n", CountsLine(h), h.Required.Line)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// markdownEscape keeps daemon messages from breaking the summary's Markdown.
func markdownEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "\n", " ").Replace(s)
}
