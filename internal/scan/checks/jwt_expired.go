package checks

import (
	"context"
	"time"

	"github.com/apiguard/apiguard/internal/scan"
)

// jwtExpired proves that expired tokens are accepted. If the supplied
// token is itself expired and the baseline accepted it, no request is
// needed. Otherwise it re-signs the claims with exp two hours ago, using a
// forgery the API is already known to accept (the cracked HMAC secret, alg
// none, or an unverified signature): 1 request. Without such a forgery it
// cannot prove anything and sends nothing.
type jwtExpired struct{}

var jwtExpiredMeta = scan.Meta{
	ID: "jwt.expired-accepted", Severity: scan.High, OWASP: "API2:2023",
	Title:       "Expired JWT accepted",
	Remediation: "Reject tokens whose exp has passed (with a small leeway); apiguard requires exp and judges it with identities.jwt[].leeway, and caps lifetimes with max_ttl.",
}

func (jwtExpired) Info() scan.Meta { return jwtExpiredMeta }

func (jwtExpired) Estimate(env *scan.Env) int {
	if env.JWT.Token == "" {
		return 0
	}
	return 1
}

func (jwtExpired) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	op, t := jwtProbe(ctx, env)
	if op == nil {
		return nil
	}
	now := time.Now()
	if exp, ok := t.claims["exp"].(float64); ok && time.Unix(int64(exp), 0).Before(now.Add(-time.Minute)) {
		if x := env.Baseline(op); x.OK() {
			return []scan.Finding{jwtExpiredMeta.Finding(op.Method, opPath(op),
				"the supplied token expired at "+time.Unix(int64(exp), 0).UTC().Format(time.RFC3339)+" and was accepted:\n"+x.Evidence(""))}
		}
	}
	claims := clone(t.claims)
	claims["exp"] = now.Add(-2 * time.Hour).Unix()
	claims["iat"] = now.Add(-3 * time.Hour).Unix()
	if _, ok := claims["nbf"]; ok {
		claims["nbf"] = now.Add(-3 * time.Hour).Unix()
	}
	forged, ok := signer(env, t, claims)
	if !ok {
		env.Note("jwt.expired-accepted: no accepted way to sign a token was found; not proven either way")
		return nil
	}
	x, err := tryToken(ctx, env, op, forged)
	if err != nil || !x.OK() {
		return nil
	}
	return []scan.Finding{jwtExpiredMeta.Finding(op.Method, opPath(op),
		"token with exp two hours in the past ("+signedWith(env)+") was accepted:\n"+x.Evidence(""))}
}

func signedWith(env *scan.Env) string {
	switch {
	case env.JWT.Secret != "":
		return "validly signed with the cracked secret"
	case env.JWT.Accepts == "none":
		return "unsigned, alg none"
	}
	return "original signature kept"
}
