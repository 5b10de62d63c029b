package checks

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/apiguard/apiguard/internal/scan"
)

// ratelimitMissing sends a burst of up to BurstSize GETs (never more than
// the budget left) to one operation at the scan's rate, and stops at the
// first 429. If the scan already met a 429 it sends nothing. It runs last.
type ratelimitMissing struct{}

// BurstSize is the most requests ratelimit.missing sends. 100 at 50/s
// exceed a typical limit (burst 50 plus 10/s) within two seconds.
const BurstSize = 100

var ratelimitMissingMeta = scan.Meta{
	ID: "ratelimit.missing", Severity: scan.Medium, OWASP: "API4:2023",
	Title:       "No rate limit: a burst of requests is never answered 429",
	Remediation: "Limit requests per client and per identity and answer 429 with Retry-After; in apiguard, rate_limit: { rate, per, burst, key } (defaults and per route).",
}

func (ratelimitMissing) Info() scan.Meta { return ratelimitMissingMeta }

func (ratelimitMissing) Estimate(*scan.Env) int { return BurstSize }

func (ratelimitMissing) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	if env.Client.RateLimited() {
		return nil
	}
	op := firstSafe(env, true)
	var req scan.Request
	path := "/"
	if op != nil {
		req = env.Request(op, env.Auth, false)
		path = op.Path
	} else {
		req = scan.Request{Method: http.MethodGet, Path: "/", Header: authHeader(env)}
	}
	req.Retry429 = false
	n := min(BurstSize, env.Client.Remaining())
	if n < 20 {
		env.Note(fmt.Sprintf("ratelimit.missing: only %d requests left in the budget; not tested", n))
		return nil
	}
	start := time.Now()
	var last *scan.Exchange
	counts := map[int]int{}
	sent := 0
	for range n {
		x, err := env.Client.Do(ctx, req)
		if err != nil {
			if fatal(ctx, err) {
				return nil // an interrupted burst proves nothing
			}
			continue
		}
		sent++
		last = x
		counts[x.Status]++
		if x.Status == http.StatusTooManyRequests {
			return nil
		}
	}
	if last == nil || sent < n/2 {
		return nil
	}
	method := http.MethodGet
	if op == nil {
		method = ""
	}
	return []scan.Finding{ratelimitMissingMeta.Finding(method, path, fmt.Sprintf(
		"%d requests in %.1fs (%.0f/s), none answered 429; statuses %v. Last:\n%s",
		sent, time.Since(start).Seconds(), float64(sent)/time.Since(start).Seconds(), counts,
		last.Evidence("", "RateLimit", "RateLimit-Policy", "X-RateLimit-Limit", "X-RateLimit-Remaining")))}
}
