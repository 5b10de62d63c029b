package checks

import (
	"context"

	"github.com/apiguard/apiguard/internal/scan"
)

// jwtAlgNone re-sends the token's claims unsigned (alg "none", then the
// case variants "None" and "NONE") to an operation that refuses anonymous
// requests, stopping at the first accepted: 1-3 requests (plus the shared
// unauthenticated probe).
type jwtAlgNone struct{}

var jwtAlgNoneMeta = scan.Meta{
	ID: "jwt.alg-none", Severity: scan.High, OWASP: "API2:2023",
	Title:       "Unsigned JWT (alg none) accepted",
	Remediation: "Verify every token's signature with an allow-list of algorithms that excludes none; apiguard's identities.jwt[].algorithms refuses none at load.",
}

func (jwtAlgNone) Info() scan.Meta { return jwtAlgNoneMeta }

func (jwtAlgNone) Estimate(env *scan.Env) int {
	if env.JWT.Token == "" {
		return 0
	}
	return 4
}

func (jwtAlgNone) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	op, t := jwtProbe(ctx, env)
	if op == nil {
		return nil
	}
	for _, alg := range []string{"none", "None", "NONE"} {
		h := clone(t.header)
		h["alg"] = alg
		forged := segment(h) + "." + t.parts[1] + "."
		x, err := tryToken(ctx, env, op, forged)
		if err != nil {
			return nil
		}
		if x.OK() {
			env.JWT.Accepts = "none"
			return []scan.Finding{jwtAlgNoneMeta.Finding(op.Method, opPath(op),
				"token re-sent with alg \""+alg+"\" and no signature was accepted:\n"+x.Evidence(""))}
		}
	}
	return nil
}
