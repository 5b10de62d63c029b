package policy

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// authCheck sends each non-public route one request without credentials
// (its probe, shared with the header checks) and expects 401 with
// WWW-Authenticate: Bearer: 1 request per route.
type authCheck struct{ st *state }

var authMeta = meta("auth", scan.High, "API2:2023", "Gateway does not require the credentials its configuration demands",
	"The route's auth (defaults.auth or routes[].auth) says credentials are required: the gateway must answer 401 without them. Check that the live gateway runs this configuration (apiguard check -c, then reload).")

func (authCheck) Info() scan.Meta { return authMeta }

func (c authCheck) Estimate(*scan.Env) int { return len(c.st.cfg.Routes) }

func (c authCheck) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	var out []scan.Finding
	for i := range c.st.cfg.Routes {
		r := &c.st.cfg.Routes[i]
		x, err := c.st.probe(ctx, env, r)
		if fatal(ctx, err) {
			break
		}
		if x == nil || r.Auth.Public() {
			continue
		}
		if x.Status != http.StatusUnauthorized {
			out = append(out, finding(authMeta, r, x.Method, fmt.Sprintf("no credentials: want 401, got %d\n%s", x.Status, x.Evidence(""))))
		} else if !strings.HasPrefix(x.Header.Get("WWW-Authenticate"), "Bearer") {
			f := finding(authMeta, r, x.Method, "401 without WWW-Authenticate: Bearer realm=\"apiguard\"\n"+x.Evidence("", "WWW-Authenticate"))
			f.Severity = scan.Low
			out = append(out, f)
		}
	}
	return out
}
