// Package policy tests a live apiguard gateway against its own
// configuration: for every route it derives what the policy promises
// (credentials required, rate limits and their headers, security headers,
// 404 for unrouted paths, 405 for other methods, deprecation headers and
// 410 after sunset, 400 for secrets in URLs, 403 for injection with waf:
// block) and reports, as policy.<aspect> findings (an extension of the
// scanner's check ids), every route where the gateway does otherwise.
// With UpstreamDirect it also probes the upstreams around the gateway.
package policy

import (
	"context"
	"net/http"
	"slices"
	"sync"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/scan"
)

// Options tune the policy checks.
type Options struct {
	// UpstreamDirect also probes each upstream directly.
	UpstreamDirect bool
}

// state is shared by one scan's policy checks: the configuration and the
// probe sent to each route (reused by the checks that only read headers).
type state struct {
	cfg    *config.Config
	mu     sync.Mutex
	probes map[string]*scan.Exchange // route name → anonymous probe
}

// Checks returns the policy checks for cfg, in the order they run.
func Checks(cfg *config.Config, opts Options) []scan.Check {
	st := &state{cfg: cfg, probes: map[string]*scan.Exchange{}}
	out := []scan.Check{
		authCheck{st}, headersCheck{st}, unroutedCheck{st}, methodsCheck{st}, deprecationCheck{st},
		secretsCheck{st}, wafCheck{st}, tlsCheck{st}, ratelimitCheck{st},
	}
	if opts.UpstreamDirect {
		out = append(out, upstreamCheck{st})
	}
	return out
}

// Operations lists each route's methods as documented operations, for a
// scan without a spec.
func Operations(cfg *config.Config) []*scan.Operation {
	var out []*scan.Operation
	for _, r := range cfg.Routes {
		for _, m := range r.Methods {
			op := &scan.Operation{Method: m, Path: r.Path, Documented: true, Route: r.Name, Auth: scan.AuthRequired}
			if r.Auth.Public() {
				op.Auth = scan.AuthNone
			}
			out = append(out, op)
		}
	}
	return out
}

// probeMethod is the method used to probe r without side effects: GET or
// HEAD when routed, else POST (refused before the upstream when the
// promise holds), else "" (only destructive methods: not probed).
func probeMethod(r *config.Route, allowDestructive bool) string {
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
		if slices.Contains(r.Methods, m) {
			return m
		}
	}
	if allowDestructive && len(r.Methods) > 0 {
		return r.Methods[0]
	}
	return ""
}

// request builds a request for route r with method m: path parameters
// filled from what the scan has seen (else examples or "1").
func request(env *scan.Env, r *config.Route, m string, cred scan.Credential) scan.Request {
	op := &scan.Operation{Method: m, Path: r.Path}
	req := scan.Request{Method: m, Path: env.Target.Fill(op, false), Header: http.Header{}, Retry429: true}
	if m == http.MethodPost || m == http.MethodPut || m == http.MethodPatch {
		req.Body = []byte("{}")
	}
	cred.Apply(req.Header)
	return req
}

// probe returns route r's anonymous probe, sending it once.
func (st *state) probe(ctx context.Context, env *scan.Env, r *config.Route) (*scan.Exchange, error) {
	st.mu.Lock()
	x, ok := st.probes[r.Name]
	st.mu.Unlock()
	if ok {
		return x, nil
	}
	m := probeMethod(r, env.AllowDestructive)
	if m == "" {
		return nil, nil
	}
	x, err := env.Client.Do(ctx, request(env, r, m, scan.Credential{}))
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	st.probes[r.Name] = x
	st.mu.Unlock()
	return x, nil
}

// routePath names a route in findings: its path template.
func meta(aspect string, sev scan.Severity, owasp, title, fix string) scan.Meta {
	return scan.Meta{ID: "policy." + aspect, Severity: sev, OWASP: owasp, Title: title, Remediation: fix}
}

// finding is a finding of m on route r (the probe's method).
func finding(m scan.Meta, r *config.Route, method, evidence string) scan.Finding {
	return m.Finding(method, r.Path, "route "+r.Name+": "+evidence)
}

func fatal(ctx context.Context, err error) bool {
	return err != nil && (ctx.Err() != nil || err == scan.ErrBudget || isBudget(err))
}

func isBudget(err error) bool {
	for e := err; e != nil; {
		if e == scan.ErrBudget {
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}
