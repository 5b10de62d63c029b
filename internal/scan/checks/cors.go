package checks

import (
	"context"
	"net/http"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// corsPermissive sends one credentialed GET with a foreign Origin to an
// operation that needs credentials (else the first GET that answered) and
// reports an Origin reflected with credentials allowed, or "*" on
// authenticated data: 1 request.
type corsPermissive struct{}

var corsPermissiveMeta = scan.Meta{
	ID: "cors.permissive", Severity: scan.High, OWASP: "API8:2023",
	Title:       "CORS lets any origin read responses",
	Remediation: "Allow only known origins, never reflect the Origin header with Access-Control-Allow-Credentials: true, and never send Access-Control-Allow-Origin: * on authenticated data.",
}

// evilOrigin is the origin the scan claims to come from.
const evilOrigin = "https://attacker.apiguard-scan.example"

func (corsPermissive) Info() scan.Meta { return corsPermissiveMeta }

func (corsPermissive) Estimate(*scan.Env) int { return 1 }

func (corsPermissive) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	ops, _ := protected(ctx, env, true, 1)
	authed := len(ops) > 0
	var op *scan.Operation
	if authed {
		op = ops[0]
	} else if op = firstSafe(env, true); op == nil {
		for _, o := range env.Target.Ops {
			if o.Method == http.MethodGet {
				op = o
				break
			}
		}
	}
	if op == nil {
		return nil
	}
	x, err := env.Send(ctx, op, env.Auth, func(r *scan.Request) { r.Header.Set("Origin", evilOrigin) })
	if err != nil || x.Status >= 400 {
		return nil
	}
	acao := strings.TrimSpace(x.Header.Get("Access-Control-Allow-Origin"))
	creds := strings.EqualFold(strings.TrimSpace(x.Header.Get("Access-Control-Allow-Credentials")), "true")
	ev := x.Evidence("", "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials")
	switch {
	case acao == evilOrigin && creds:
		return []scan.Finding{corsPermissiveMeta.Finding(op.Method, opPath(op), "a foreign Origin is reflected with credentials allowed:\n"+ev)}
	case acao == "*" && authed:
		f := corsPermissiveMeta.Finding(op.Method, opPath(op), "Access-Control-Allow-Origin: * on an operation that needs credentials:\n"+ev)
		f.Severity = scan.Medium
		return []scan.Finding{f}
	}
	return nil
}
