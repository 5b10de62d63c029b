package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/apiguard/apiguard/internal/scan"
)

// Text writes a report for a terminal: findings grouped by severity, each
// with its evidence and remediation, then the cost of each check.
func Text(w io.Writer, res *scan.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "apiguard scan of %s\nstarted %s · %d operations (%s) · %d requests in %s\n",
		res.Target, res.Started.Format(time.RFC3339), res.Operations, or(res.Source, "none"), res.Requests, res.Duration.Round(time.Millisecond))
	if res.Interrupted {
		b.WriteString("INTERRUPTED: findings so far only\n")
	}
	if res.Exhausted {
		b.WriteString("request budget exhausted: some checks did not run in full\n")
	}
	for _, sev := range severities {
		var group []scan.Finding
		for _, f := range res.Findings {
			if f.Severity == sev {
				group = append(group, f)
			}
		}
		if len(group) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n== %s (%d) ==\n", strings.ToUpper(string(sev)), len(group))
		for _, f := range group {
			fmt.Fprintf(&b, "\n[%s] %s  %s  (%s)\n  %s\n", f.Severity, f.Check, strings.TrimSpace(f.Method+" "+f.Path), f.OWASP, f.Title)
			b.WriteString("  evidence:\n")
			for _, l := range strings.Split(f.Evidence, "\n") {
				b.WriteString("    " + l + "\n")
			}
			fmt.Fprintf(&b, "  fix: %s\n", f.Remediation)
		}
	}
	if len(res.Findings) == 0 {
		b.WriteString("\nno findings\n")
	}
	if len(res.Stats) > 0 {
		b.WriteString("\ncheck                          requests      time  findings\n")
		for _, s := range res.Stats {
			fmt.Fprintf(&b, "%-30s %8d %9s %9d", s.Check, s.Requests, s.Duration.Round(time.Millisecond), s.Findings)
			if s.Skipped != "" {
				b.WriteString("  (" + s.Skipped + ")")
			}
			b.WriteString("\n")
		}
	}
	for _, n := range res.Notes {
		b.WriteString("note: " + n + "\n")
	}
	fmt.Fprintf(&b, "\nsummary: %d high, %d medium, %d low\n", res.Summary.High, res.Summary.Medium, res.Summary.Low)
	_, err := io.WriteString(w, b.String())
	return err
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
