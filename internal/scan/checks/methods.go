package checks

import (
	"context"
	"net/http"
	"slices"

	"github.com/apiguard/apiguard/internal/scan"
)

// methodsUnexpected sends TRACE to up to two documented paths (the root
// without a spec), and PUT (and, with --allow-destructive, DELETE) to an
// object the scan created when the spec does not document that method on
// it: at most 4 requests. A 2xx to an undocumented method is a finding.
type methodsUnexpected struct{}

var methodsUnexpectedMeta = scan.Meta{
	ID: "methods.unexpected", Severity: scan.Medium, OWASP: "API8:2023",
	Title:       "Undocumented HTTP method accepted",
	Remediation: "Answer 405 to methods an operation does not define; apiguard routes only the methods each route lists (405 with Allow for the rest).",
}

func (methodsUnexpected) Info() scan.Meta { return methodsUnexpectedMeta }

func (methodsUnexpected) Estimate(*scan.Env) int { return 4 }

// documentedMethods lists the methods documented on template.
func documentedMethods(env *scan.Env, template string) []string {
	var out []string
	for _, op := range env.Target.Ops {
		if op.Path == template && op.Documented {
			out = append(out, op.Method)
		}
	}
	return out
}

func (methodsUnexpected) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	var out []scan.Finding
	var traced []string
	for _, op := range env.Target.Ops {
		if len(traced) >= 2 || (!op.Documented && len(traced) > 0) || slices.Contains(traced, op.Path) {
			continue
		}
		if slices.Contains(documentedMethods(env, op.Path), http.MethodTrace) {
			continue
		}
		traced = append(traced, op.Path)
		x, err := env.Send(ctx, op, scan.Credential{}, func(r *scan.Request) {
			r.Method, r.Body = http.MethodTrace, nil
			r.Header.Del("Content-Type")
			r.Header.Set("X-Apiguard-Scan-Trace", "echo-check")
		})
		if err != nil {
			if fatal(ctx, err) {
				return out
			}
			continue
		}
		if x.OK() {
			out = append(out, methodsUnexpectedMeta.Finding(http.MethodTrace, opPath(op), "TRACE answered 2xx:\n"+x.Evidence("")))
		}
	}
	for _, op := range env.Target.Ops {
		if op.Method != http.MethodGet || !op.HasPathParams() || !op.Documented ||
			env.Target.OwnedID(scan.Collection(op.Path)) == "" {
			continue
		}
		docs := documentedMethods(env, op.Path)
		for _, m := range []string{http.MethodPut, http.MethodDelete} {
			if slices.Contains(docs, m) || (m == http.MethodDelete && !env.AllowDestructive) {
				continue
			}
			x, err := env.Client.Do(ctx, func() scan.Request {
				r := env.Request(op, env.Auth, true)
				r.Method = m
				if m == http.MethodPut {
					r.Body = []byte("{}")
					r.Header.Set("Content-Type", "application/json")
				}
				return r
			}())
			if err != nil {
				if fatal(ctx, err) {
					return out
				}
				continue
			}
			if x.OK() {
				out = append(out, methodsUnexpectedMeta.Finding(m, opPath(op), m+" is not documented on this path but answered 2xx (on an object the scan created):\n"+x.Evidence("")))
			}
		}
		break
	}
	return out
}
