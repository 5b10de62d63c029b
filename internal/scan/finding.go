package scan

import (
	"cmp"
	"slices"
	"time"
)

// Severity is how bad a finding is: high, medium or low.
type Severity string

// Severities, highest first.
const (
	High   Severity = "high"
	Medium Severity = "medium"
	Low    Severity = "low"
)

// Rank orders severities: high 3, medium 2, low 1, anything else 0.
func (s Severity) Rank() int {
	switch s {
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	}
	return 0
}

// ParseSeverity accepts low, medium or high.
func ParseSeverity(s string) (Severity, bool) {
	v := Severity(s)
	return v, v.Rank() > 0
}

// Finding is one problem the scan proved, in the contract's JSON shape.
// Path is the spec's path template when there is a spec, else the concrete
// path; target-wide findings use "/" and an empty Method.
type Finding struct {
	Check       string   `json:"check"`
	Severity    Severity `json:"severity"`
	OWASP       string   `json:"owasp"`
	Method      string   `json:"method"`
	Path        string   `json:"path"`
	Title       string   `json:"title"`
	Evidence    string   `json:"evidence"`
	Remediation string   `json:"remediation"`
}

// Summary counts findings per severity.
type Summary struct {
	High   int `json:"high"`
	Medium int `json:"medium"`
	Low    int `json:"low"`
}

// CheckStat is what one check (or phase) cost.
type CheckStat struct {
	Check    string
	Requests int
	Duration time.Duration
	Findings int
	Skipped  string // why it did not run ("" = it ran)
}

// Result is a finished (or interrupted) scan.
type Result struct {
	Target   string    `json:"target"`
	Started  time.Time `json:"started"`
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`

	// Not part of the JSON contract: shown by the text report.
	Stats       []CheckStat   `json:"-"`
	Requests    int           `json:"-"`
	Duration    time.Duration `json:"-"`
	Interrupted bool          `json:"-"` // context cancelled: findings so far
	Exhausted   bool          `json:"-"` // the request budget ran out
	Operations  int           `json:"-"`
	Rules       []Meta        `json:"-"` // the checks that ran, for SARIF rules
	Notes       []string      `json:"-"` // remarks: what could not be tested and why
	Source      string        `json:"-"` // where the operations came from
}

// Finish sorts and de-duplicates the findings and computes the summary.
func (r *Result) Finish() {
	seen := map[[3]string]bool{}
	out := r.Findings[:0]
	for _, f := range r.Findings {
		k := [3]string{f.Check, f.Method, f.Path}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(b.Severity.Rank()-a.Severity.Rank(), cmp.Compare(a.Check, b.Check),
			cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
	r.Findings = out
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	r.Summary = Summary{}
	for _, f := range r.Findings {
		switch f.Severity {
		case High:
			r.Summary.High++
		case Medium:
			r.Summary.Medium++
		case Low:
			r.Summary.Low++
		}
	}
}

// AtOrAbove reports whether any finding is at least min.
func (r *Result) AtOrAbove(min Severity) bool {
	for _, f := range r.Findings {
		if f.Severity.Rank() >= min.Rank() {
			return true
		}
	}
	return false
}
