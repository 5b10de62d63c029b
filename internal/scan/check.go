package scan

import "context"

// Check is one kind of probe. Run sends the fewest requests that prove its
// finding (through env.Client) and returns what it proved; it stops early
// when ctx is cancelled or the budget runs out, returning what it has.
type Check interface {
	Info() Meta
	Run(ctx context.Context, env *Env) []Finding
}

// Estimator is implemented by checks that can say, before sending
// anything, at most how many requests they will send (for --dry-run).
type Estimator interface {
	Estimate(env *Env) int
}

// Meta describes a check: its stable id, default severity, OWASP API
// Security Top 10 2023 id, title and remediation. Checks embed it.
type Meta struct {
	ID          string
	Severity    Severity
	OWASP       string
	Title       string
	Remediation string
}

// Info returns m; embedding Meta gives a check its Info method.
func (m Meta) Info() Meta { return m }

// Finding builds a finding of this check at method and path.
func (m Meta) Finding(method, path, evidence string) Finding {
	return Finding{Check: m.ID, Severity: m.Severity, OWASP: m.OWASP, Method: method, Path: path,
		Title: m.Title, Evidence: evidence, Remediation: m.Remediation}
}

// Wide builds a target-wide finding (path "/", no method).
func (m Meta) Wide(evidence string) Finding { return m.Finding("", "/", evidence) }
