package checks

import (
	"context"
	"net/http"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// headersMissing reports API responses without X-Content-Type-Options:
// nosniff, frame protection (X-Frame-Options or CSP frame-ancestors), or
// Cache-Control: no-store (on credentialed responses, or when no caching
// policy is given at all). It reads the baseline and sends nothing. When
// every response misses the same headers it is one target-wide finding.
type headersMissing struct{}

var headersMissingMeta = scan.Meta{
	ID: "headers.missing", Severity: scan.Low, OWASP: "API8:2023",
	Title:       "Security headers missing on API responses",
	Remediation: "Send X-Content-Type-Options: nosniff, X-Frame-Options: DENY (or CSP frame-ancestors 'none') and Cache-Control: no-store on API responses; apiguard adds them to every response it proxies.",
}

func (headersMissing) Info() scan.Meta { return headersMissingMeta }

func (headersMissing) Estimate(*scan.Env) int { return 0 }

// missingHeaders lists what x lacks.
func missingHeaders(x *scan.Exchange, authHeader string) []string {
	var miss []string
	if !strings.EqualFold(strings.TrimSpace(x.Header.Get("X-Content-Type-Options")), "nosniff") {
		miss = append(miss, "X-Content-Type-Options: nosniff")
	}
	if x.Header.Get("X-Frame-Options") == "" && !strings.Contains(strings.ToLower(x.Header.Get("Content-Security-Policy")), "frame-ancestors") {
		miss = append(miss, "X-Frame-Options (or CSP frame-ancestors)")
	}
	cc := strings.ToLower(x.Header.Get("Cache-Control"))
	credentialed := x.ReqHeader.Get("Authorization") != "" || x.ReqHeader.Get("Cookie") != "" ||
		(authHeader != "" && x.ReqHeader.Get(authHeader) != "")
	if !strings.Contains(cc, "no-store") && (cc == "" || credentialed) {
		miss = append(miss, "Cache-Control: no-store")
	}
	return miss
}

func (headersMissing) Run(_ context.Context, env *scan.Env) []scan.Finding {
	type hit struct {
		op   *scan.Operation
		x    *scan.Exchange
		miss string
	}
	var hits []hit
	inspected := 0
	for _, op := range env.Target.Ops {
		x := env.Baseline(op)
		if x == nil || x.Status >= 500 || x.Status == http.StatusNotFound {
			continue
		}
		inspected++
		if miss := missingHeaders(x, env.Auth.Header); len(miss) > 0 {
			hits = append(hits, hit{op, x, strings.Join(miss, ", ")})
		}
	}
	if len(hits) == 0 {
		return nil
	}
	same := len(hits) == inspected
	for _, h := range hits[1:] {
		same = same && h.miss == hits[0].miss
	}
	if same && inspected > 1 {
		return []scan.Finding{headersMissingMeta.Wide("every API response lacks: " + hits[0].miss + "\n" +
			hits[0].x.Evidence("", "X-Content-Type-Options", "X-Frame-Options", "Cache-Control"))}
	}
	var out []scan.Finding
	for _, h := range hits {
		out = append(out, headersMissingMeta.Finding(h.op.Method, opPath(h.op), "missing: "+h.miss+"\n"+
			h.x.Evidence("", "X-Content-Type-Options", "X-Frame-Options", "Cache-Control")))
	}
	return out
}
