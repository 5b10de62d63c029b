package report

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// SARIF 2.1.0 document types (the fields this report uses).
type (
	sarifLog struct {
		Version string     `json:"version"`
		Schema  string     `json:"$schema"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri,omitempty"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string         `json:"id"`
		Name                 string         `json:"name"`
		ShortDescription     sarifText      `json:"shortDescription"`
		Help                 sarifText      `json:"help"`
		DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
		Properties           map[string]any `json:"properties"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID     string          `json:"ruleId"`
		RuleIndex  int             `json:"ruleIndex"`
		Level      string          `json:"level"`
		Message    sarifText       `json:"message"`
		Locations  []sarifLocation `json:"locations"`
		Properties map[string]any  `json:"properties,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical  `json:"physicalLocation"`
		LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	}
	sarifPhysical struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
	}
	sarifLogical struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	}
)

// SARIFSchema is the schema URI written in $schema.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

func level(s scan.Severity) string {
	switch s {
	case scan.High:
		return "error"
	case scan.Medium:
		return "warning"
	}
	return "note"
}

// SARIF writes a SARIF 2.1.0 log with one run.
func SARIF(w io.Writer, res *scan.Result) error {
	rs := rules(res)
	index := map[string]int{}
	driver := sarifDriver{Name: "apiguard-scan", InformationURI: "https://github.com/apiguard/apiguard", Rules: []sarifRule{}}
	for i, m := range rs {
		index[m.ID] = i
		driver.Rules = append(driver.Rules, sarifRule{
			ID: m.ID, Name: m.ID, ShortDescription: sarifText{m.Title}, Help: sarifText{m.Remediation},
			DefaultConfiguration: sarifConfig{level(m.Severity)},
			Properties:           map[string]any{"tags": []string{"security", m.OWASP}, "security-severity": severityScore(m.Severity)},
		})
	}
	run := sarifRun{Tool: sarifTool{driver}, Results: []sarifResult{}}
	base := strings.TrimSuffix(res.Target, "/")
	for _, f := range res.Findings {
		loc := sarifLocation{}
		loc.PhysicalLocation.ArtifactLocation.URI = base + strings.NewReplacer("{", "%7B", "}", "%7D").Replace(f.Path)
		loc.LogicalLocations = []sarifLogical{{Name: strings.TrimSpace(f.Method + " " + f.Path), Kind: "member"}}
		run.Results = append(run.Results, sarifResult{
			RuleID: f.Check, RuleIndex: index[f.Check], Level: level(f.Severity),
			Message:    sarifText{f.Title + ": " + strings.TrimSpace(f.Method+" "+f.Path) + "\n" + f.Evidence + "\nFix: " + f.Remediation},
			Locations:  []sarifLocation{loc},
			Properties: map[string]any{"owasp": f.OWASP, "severity": string(f.Severity)},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Version: "2.1.0", Schema: SARIFSchema, Runs: []sarifRun{run}})
}

func severityScore(s scan.Severity) string {
	switch s {
	case scan.High:
		return "8.0"
	case scan.Medium:
		return "5.0"
	}
	return "2.0"
}
