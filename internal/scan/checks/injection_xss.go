package checks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// injectionXSS puts a unique HTML payload in each injection point (at most
// maxPoints per operation; for an HTML page without parameters, a q
// parameter) and reports it coming back unencoded in an HTML response:
// 1 request per point.
type injectionXSS struct{}

var injectionXSSMeta = scan.Meta{
	ID: "injection.xss", Severity: scan.High, OWASP: "API8:2023",
	Title:       "Input reflected unencoded in an HTML response (XSS)",
	Remediation: "HTML-encode all output in HTML responses and serve API data as application/json with X-Content-Type-Options: nosniff; in apiguard, waf: block answers 403 to XSS payloads.",
}

func (injectionXSS) Info() scan.Meta { return injectionXSSMeta }

func (injectionXSS) Estimate(env *scan.Env) int {
	n := 0
	for _, op := range injectable(env) {
		n += max(1, len(points(env, op)))
	}
	return n
}

func xssPayload() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return `"><svg onload=apg` + hex.EncodeToString(b) + `>`
}

func (injectionXSS) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	var out []scan.Finding
	for _, op := range injectable(env) {
		pts := points(env, op)
		if b := env.Baseline(op); len(pts) == 0 && op.Method == http.MethodGet && b != nil && strings.Contains(b.ContentType(), "html") {
			pts = []point{{in: "query", name: "q"}}
		}
		for _, p := range pts {
			payload := xssPayload()
			x, err := env.Send(ctx, op, env.Auth, inject(env, op, p, payload))
			if err != nil {
				if fatal(ctx, err) {
					return out
				}
				continue
			}
			ct := x.ContentType()
			if (strings.Contains(ct, "html") || ct == "") && strings.Contains(string(x.Body), payload) {
				out = append(out, injectionXSSMeta.Finding(op.Method, opPath(op),
					fmt.Sprintf("%s %q reflected unencoded in %s:\n%s", p.in, p.name, or(ct, "a response without Content-Type"), x.Evidence(payload))))
				break
			}
		}
	}
	return out
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
