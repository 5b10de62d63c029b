// Package report writes a scan.Result as text (for a terminal), JSON (the
// contract's shape), SARIF 2.1.0 or one self-contained HTML page.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/apiguard/apiguard/internal/scan"
)

// Formats lists the supported formats; the first is the default.
var Formats = []string{"text", "json", "sarif", "html"}

// Write renders res in format to w.
func Write(w io.Writer, format string, res *scan.Result) error {
	var err error
	switch format {
	case "text", "":
		err = Text(w, res)
	case "json":
		err = JSON(w, res)
	case "sarif":
		err = SARIF(w, res)
	case "html":
		err = HTML(w, res)
	default:
		return fmt.Errorf("unknown format %q (want one of %v)", format, Formats)
	}
	if err != nil {
		return fmt.Errorf("write %s report: %w", format, err)
	}
	return nil
}

// JSON writes the contract's JSON document.
func JSON(w io.Writer, res *scan.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// rules returns the metadata of every check that ran or found something.
func rules(res *scan.Result) []scan.Meta {
	out := slices.Clone(res.Rules)
	for _, f := range res.Findings {
		if !slices.ContainsFunc(out, func(m scan.Meta) bool { return m.ID == f.Check }) {
			out = append(out, scan.Meta{ID: f.Check, Severity: f.Severity, OWASP: f.OWASP, Title: f.Title, Remediation: f.Remediation})
		}
	}
	return out
}

var severities = []scan.Severity{scan.High, scan.Medium, scan.Low}
