package checks

import (
	"context"
	"fmt"

	"github.com/apiguard/apiguard/internal/scan"
)

// jwtSignature sends the token with a tampered payload (an added claim,
// original signature), then with a corrupted signature, to an operation
// that refuses anonymous requests: 1-2 requests.
type jwtSignature struct{}

var jwtSignatureMeta = scan.Meta{
	ID: "jwt.signature-not-verified", Severity: scan.High, OWASP: "API2:2023",
	Title:       "JWT accepted with a tampered payload or signature",
	Remediation: "Verify the signature of every token before trusting any claim; let apiguard verify JWTs against the issuer's JWKS (identities.jwt) and route with auth: [jwt].",
}

func (jwtSignature) Info() scan.Meta { return jwtSignatureMeta }

func (jwtSignature) Estimate(env *scan.Env) int {
	if env.JWT.Token == "" {
		return 0
	}
	return 2
}

func (jwtSignature) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	op, t := jwtProbe(ctx, env)
	if op == nil {
		return nil
	}
	claims := clone(t.claims)
	claims["scan_tampered"] = true
	if sub, ok := claims["sub"].(string); ok {
		claims["sub"] = sub + "-tampered"
	}
	sig := []byte(t.parts[2])
	if len(sig) > 2 {
		// Change a character in the middle: the last one may only carry
		// padding bits and decode to the same signature.
		i := len(sig) / 2
		if sig[i] == 'A' {
			sig[i] = 'B'
		} else {
			sig[i] = 'A'
		}
	}
	cases := []struct{ what, tok string }{
		{"payload changed (claims added, sub altered), signature kept", t.parts[0] + "." + segment(claims) + "." + t.parts[2]},
		{"signature corrupted", t.parts[0] + "." + t.parts[1] + "." + string(sig)},
	}
	for _, c := range cases {
		x, err := tryToken(ctx, env, op, c.tok)
		if err != nil {
			return nil
		}
		if x.OK() {
			if env.JWT.Accepts == "" {
				env.JWT.Accepts = "unverified"
			}
			return []scan.Finding{jwtSignatureMeta.Finding(op.Method, opPath(op), fmt.Sprintf("token with %s was accepted:\n%s", c.what, x.Evidence("")))}
		}
	}
	return nil
}
