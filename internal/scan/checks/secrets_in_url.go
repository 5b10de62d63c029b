package checks

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// secretsInURL moves the --auth credential from its header into the query
// string (the parameter the spec documents, else access_token, api_key,
// token...) on an operation that refuses anonymous requests, stopping at
// the first accepted: 1-3 requests.
type secretsInURL struct{}

var secretsInURLMeta = scan.Meta{
	ID: "secrets.in-url", Severity: scan.Medium, OWASP: "API2:2023",
	Title:       "Credentials accepted in the query string",
	Remediation: "Accept credentials only in headers: URLs end up in logs, browser history and Referer headers. In apiguard, block_secrets_in_url: true (the default) answers 400 to credential-named or token-shaped query parameters.",
}

func (secretsInURL) Info() scan.Meta { return secretsInURLMeta }

func (secretsInURL) Estimate(env *scan.Env) int {
	if !env.Auth.Set() {
		return 0
	}
	return 3
}

// queryNames lists the query parameter names to try for cred.
func queryNames(env *scan.Env) []string {
	var names []string
	if s := env.Target.Spec; s != nil {
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range s.Components.SecuritySchemes {
				if !yield(k) {
					return
				}
			}
		}) {
			if ss := s.Components.SecuritySchemes[k]; ss.Type == "apiKey" && ss.In == "query" && ss.Name != "" {
				names = append(names, ss.Name)
			}
		}
	}
	if env.Auth.Header == "Authorization" {
		names = append(names, "access_token", "token", "api_key")
	} else {
		names = append(names, "api_key", strings.ToLower(env.Auth.Header), "apikey", "token")
	}
	return slices.Compact(names)
}

func (secretsInURL) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	ops, _ := protected(ctx, env, true, 1)
	if len(ops) == 0 {
		return nil
	}
	op := ops[0]
	names := queryNames(env)
	for _, name := range names[:min(3, len(names))] {
		x, err := env.Send(ctx, op, scan.Credential{}, func(r *scan.Request) {
			sep := "?"
			if strings.Contains(r.Path, "?") {
				sep = "&"
			}
			r.Path += sep + url.QueryEscape(name) + "=" + url.QueryEscape(env.Auth.Secret())
		})
		if err != nil {
			return nil
		}
		if x.OK() {
			return []scan.Finding{secretsInURLMeta.Finding(op.Method, opPath(op),
				"no credential header; the credential was sent as ?"+name+"= and accepted:\n"+x.Evidence(""))}
		}
		if x.Status == http.StatusBadRequest {
			break // the API screens credentials in URLs
		}
	}
	return nil
}
