package policy

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// secretsCheck sends, to every route with block_secrets_in_url (at most
// maxSecretRoutes), its probe method with a JWT-shaped access_token in
// the query and expects 400: 1 request per route. The screen runs before
// authentication, so no credentials are needed.
type secretsCheck struct{ st *state }

const maxSecretRoutes = 10

// fakeJWT is JWT-shaped and signed by nobody.
const fakeJWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcGlndWFyZC1zY2FuIn0.c2Nhbi1vbmx5LW5vdC1hLXJlYWwtc2lnbmF0dXJl"

var secretsMeta = meta("secret-in-url", scan.Medium, "API2:2023", "Gateway lets a credential through in the query string",
	"block_secrets_in_url: true (the default) makes apiguard answer 400 secret-in-url to credential-named or token-shaped query parameters.")

func (secretsCheck) Info() scan.Meta { return secretsMeta }

func (c secretsCheck) Estimate(*scan.Env) int { return min(maxSecretRoutes, len(c.st.cfg.Routes)) }

func (c secretsCheck) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	var out []scan.Finding
	n := 0
	for i := range c.st.cfg.Routes {
		r := &c.st.cfg.Routes[i]
		if r.BlockSecretsInURL != nil && !*r.BlockSecretsInURL || n >= maxSecretRoutes {
			continue
		}
		m := probeMethod(r, env.AllowDestructive)
		if m == "" {
			continue
		}
		n++
		req := request(env, r, m, scan.Credential{})
		sep := "?"
		if strings.Contains(req.Path, "?") {
			sep = "&"
		}
		req.Path += sep + "access_token=" + fakeJWT
		x, err := env.Client.Do(ctx, req)
		if err != nil {
			if fatal(ctx, err) {
				break
			}
			continue
		}
		if x.Status != http.StatusBadRequest {
			out = append(out, finding(secretsMeta, r, m, fmt.Sprintf("token in the query string: want 400, got %d\n%s", x.Status, x.Evidence(""))))
		}
	}
	return out
}
