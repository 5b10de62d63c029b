package policy

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/scan"
)

// ratelimitCheck verifies each route's rate limit. Headers: the
// RateLimit-Policy of every probe that got past authentication must name
// the route with the configured q and w (no request). Enforcement: for routes the scan can pass
// authentication on (public, or with --auth) and a GET or HEAD to send,
// it sends up to what the limit should admit while the burst runs (burst
// plus what refills meanwhile, plus a margin) and expects a 429 with
// Retry-After; it skips routes that would need more than maxBurstProbe.
type ratelimitCheck struct{ st *state }

const maxBurstProbe = 120

var ratelimitMeta = meta("ratelimit", scan.Medium, "API4:2023", "Gateway does not enforce or announce the configured rate limit",
	"rate_limit: { rate, per, burst, key } (defaults or per route) makes apiguard answer 429 with Retry-After past the burst, and send RateLimit and RateLimit-Policy on every routed response.")

func (ratelimitCheck) Info() scan.Meta { return ratelimitMeta }

func (c ratelimitCheck) Estimate(env *scan.Env) int {
	n := 0
	for i := range c.st.cfg.Routes {
		if want := needed(&c.st.cfg.Routes[i], env.Client.Options().Rate); want > 0 {
			n += want
		}
	}
	return n
}

// needed is how many requests at scanRate must meet a 429 on r (0: r has
// no limit, or it would take more than maxBurstProbe).
func needed(r *config.Route, scanRate float64) int {
	rl := r.RateLimit
	if rl == nil || rl.Rate <= 0 || rl.Per <= 0 {
		return 0
	}
	refill := float64(rl.Rate) / rl.Per.Duration().Seconds() // per second
	if refill >= scanRate {
		return 0
	}
	// n requests take n/scanRate seconds and refill n*refill/scanRate.
	n := int(float64(rl.Burst+1)/(1-refill/scanRate)) + 3
	if n > maxBurstProbe {
		return 0
	}
	return n
}

var policyRE = regexp.MustCompile(`"([^"]+)"\s*;\s*q=(\d+)\s*;\s*w=(\d+)`)

func (c ratelimitCheck) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	var out []scan.Finding
	for i := range c.st.cfg.Routes {
		r := &c.st.cfg.Routes[i]
		if r.RateLimit == nil {
			continue
		}
		c.st.mu.Lock()
		x := c.st.probes[r.Name]
		c.st.mu.Unlock()
		// Limits apply after authentication: a 401 need not carry them.
		if x != nil && x.Status != 0 && x.Status != http.StatusUnauthorized && x.Status != http.StatusForbidden {
			if msg := checkPolicyHeader(x, r); msg != "" {
				f := finding(ratelimitMeta, r, x.Method, msg+"\n"+x.Evidence("", "RateLimit-Policy", "RateLimit"))
				f.Severity = scan.Low
				out = append(out, f)
			}
		}
		if f, ok := c.enforce(ctx, env, r); ok {
			out = append(out, f)
		}
		if ctx.Err() != nil || env.Client.Remaining() == 0 {
			break
		}
	}
	return out
}

func checkPolicyHeader(x *scan.Exchange, r *config.Route) string {
	h := x.Header.Get("RateLimit-Policy")
	m := policyRE.FindStringSubmatch(h)
	want := fmt.Sprintf(`"%s";q=%d;w=%d`, r.Name, r.RateLimit.Rate, int(r.RateLimit.Per.Duration().Seconds()))
	switch {
	case h == "":
		return "RateLimit-Policy missing, want " + want
	case m == nil || m[1] != r.Name || m[2] != strconv.Itoa(r.RateLimit.Rate) || m[3] != strconv.Itoa(int(r.RateLimit.Per.Duration().Seconds())):
		return "RateLimit-Policy is " + h + ", want " + want
	}
	return ""
}

// enforce sends the burst to r and reports when no 429 came.
func (c ratelimitCheck) enforce(ctx context.Context, env *scan.Env, r *config.Route) (scan.Finding, bool) {
	n := needed(r, env.Client.Options().Rate)
	m := ""
	for _, cand := range []string{http.MethodGet, http.MethodHead} {
		if slices.Contains(r.Methods, cand) {
			m = cand
			break
		}
	}
	if n == 0 || m == "" || n > env.Client.Remaining() {
		return scan.Finding{}, false
	}
	cred := scan.Credential{}
	if !r.Auth.Public() {
		if !env.Auth.Set() {
			env.Note("policy.ratelimit: route " + r.Name + " needs --auth for its limit to be tested")
			return scan.Finding{}, false
		}
		cred = env.Auth
	}
	req := request(env, r, m, cred)
	req.Retry429 = false
	start := time.Now()
	var last *scan.Exchange
	statuses := map[int]int{}
	for range n {
		x, err := env.Client.Do(ctx, req)
		if err != nil {
			return scan.Finding{}, false
		}
		last = x
		statuses[x.Status]++
		if x.Status == http.StatusUnauthorized || x.Status == http.StatusForbidden {
			return scan.Finding{}, false // not past authentication: not tested
		}
		if x.Status == http.StatusTooManyRequests {
			if x.Header.Get("Retry-After") == "" || !strings.Contains(x.Header.Get("RateLimit"), "r=0") {
				f := finding(ratelimitMeta, r, m, "429 without Retry-After or RateLimit r=0\n"+x.Evidence("", "Retry-After", "RateLimit", "RateLimit-Policy"))
				f.Severity = scan.Low
				return f, true
			}
			return scan.Finding{}, false
		}
	}
	return finding(ratelimitMeta, r, m, fmt.Sprintf("configured %d per %s, burst %d: %d requests in %.1fs got no 429 (statuses %v)\n%s",
		r.RateLimit.Rate, r.RateLimit.Per, r.RateLimit.Burst, n, time.Since(start).Seconds(), statuses, last.Evidence("", "RateLimit", "RateLimit-Policy"))), true
}
