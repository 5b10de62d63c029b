package policy

import (
	"context"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// headersCheck reads every route's probe (no new request) for the headers
// the gateway promises on every response, and for headers it must strip.
type headersCheck struct{ st *state }

var headersMeta = meta("headers", scan.Low, "API8:2023", "Gateway response lacks a promised security header, or leaks a stripped one",
	"apiguard sets X-Content-Type-Options, X-Frame-Options, Content-Security-Policy, Referrer-Policy and Cache-Control on every response and removes response.strip_headers; a response without them did not come from this configuration.")

// promised are the headers on every gateway response and their values.
var promised = map[string]string{
	"X-Content-Type-Options":  "nosniff",
	"X-Frame-Options":         "DENY",
	"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
	"Referrer-Policy":         "no-referrer",
}

func (headersCheck) Info() scan.Meta { return headersMeta }

func (headersCheck) Estimate(*scan.Env) int { return 0 }

// problems lists what x lacks or leaks.
func problems(x *scan.Exchange, strip []string) []string {
	var out []string
	for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy"} {
		if got := x.Header.Get(h); got != promised[h] {
			out = append(out, h+" is "+quoteOr(got)+", want "+promised[h])
		}
	}
	if x.Status >= 400 && !strings.Contains(x.Header.Get("Cache-Control"), "no-store") {
		out = append(out, "Cache-Control lacks no-store")
	}
	for _, h := range append([]string{"Server"}, strip...) {
		if v := x.Header.Get(h); v != "" {
			out = append(out, h+" present ("+v+")")
		}
	}
	return out
}

func quoteOr(s string) string {
	if s == "" {
		return "missing"
	}
	return `"` + s + `"`
}

func (c headersCheck) Run(_ context.Context, env *scan.Env) []scan.Finding {
	var out []scan.Finding
	for i := range c.st.cfg.Routes {
		r := &c.st.cfg.Routes[i]
		c.st.mu.Lock()
		x := c.st.probes[r.Name]
		c.st.mu.Unlock()
		if x == nil || x.Status == 0 {
			continue
		}
		var strip []string
		if r.Response != nil {
			strip = r.Response.StripHeaders
		}
		if p := problems(x, strip); len(p) > 0 {
			out = append(out, finding(headersMeta, r, x.Method, strings.Join(p, "; ")+"\n"+
				x.Evidence("", "X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy", "Cache-Control", "Server")))
		}
	}
	return out
}
