package checks

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"

	"github.com/apiguard/apiguard/internal/scan"
)

// authMissing sends each operation once without credentials (shared with
// the other checks that need it) and reports those that answer 2xx
// although the spec or gateway configuration says they need credentials.
// Without a spec it reports GETs that return JSON data without
// credentials, except paths that are public by convention (health, docs,
// login). DELETE, and PUT/PATCH on objects the scan did not create, are
// not sent.
type authMissing struct{}

var authMissingMeta = scan.Meta{
	ID: "auth.missing", Severity: scan.High, OWASP: "API2:2023",
	Title:       "Operation answers without credentials",
	Remediation: "Require credentials on every non-public operation; apiguard denies by default: list identities under defaults.auth and mark only truly public routes auth: none.",
}

var publicPath = regexp.MustCompile(`(?i)^/?$|health|status|ping|ready|live|version|docs?\b|openapi|swagger|api-docs|\.well-known|login|signin|signup|register|token|auth|favicon|robots\.txt`)

func (authMissing) Info() scan.Meta { return authMissingMeta }

func (authMissing) Estimate(env *scan.Env) int { return len(env.Target.Ops) }

func (authMissing) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	var out []scan.Finding
	for _, op := range env.Probeable() {
		switch {
		case op.Auth == scan.AuthNone:
			continue
		case op.Auth == scan.AuthUnknown && (op.Method != http.MethodGet || publicPath.MatchString(op.Path)):
			continue
		}
		x, err := env.Unauth(ctx, op)
		if err != nil {
			if fatal(ctx, err) {
				break
			}
			continue
		}
		if !x.OK() {
			continue
		}
		if op.Auth == scan.AuthUnknown {
			if !dataBody(x.Body) {
				continue
			}
			f := authMissingMeta.Finding(op.Method, opPath(op), "no credentials sent; data returned (no spec says this operation is public):\n"+x.Evidence(""))
			f.Severity = scan.Medium
			out = append(out, f)
			continue
		}
		out = append(out, authMissingMeta.Finding(op.Method, opPath(op), "no credentials sent; documented as requiring them:\n"+x.Evidence("")))
	}
	return out
}

// dataBody reports a JSON body with content: a non-empty array or an
// object with at least two fields.
func dataBody(b []byte) bool {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return false
	}
	switch t := v.(type) {
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) >= 2
	}
	return false
}
