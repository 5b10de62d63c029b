package policy

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// wafCheck sends an SQL injection in the query string to every route with
// waf: block that the scan can get past authentication on (public routes,
// or any with --auth), and expects 403: 1 request per route.
type wafCheck struct{ st *state }

var wafMeta = meta("waf", scan.High, "API8:2023", "Gateway lets an injection payload through despite waf: block",
	"waf: block (the default) makes apiguard answer 403 blocked to SQL/NoSQL/command injection, XSS and traversal payloads.")

const sqlPayload = "' OR '1'='1' --"

func (wafCheck) Info() scan.Meta { return wafMeta }

func (c wafCheck) Estimate(*scan.Env) int { return len(c.st.cfg.Routes) }

func (c wafCheck) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	var out []scan.Finding
	for i := range c.st.cfg.Routes {
		r := &c.st.cfg.Routes[i]
		if r.WAF != "block" && r.WAF != "" {
			continue
		}
		cred := scan.Credential{}
		if !r.Auth.Public() {
			if !env.Auth.Set() {
				env.Note("policy.waf: route " + r.Name + " needs --auth to be tested")
				continue
			}
			cred = env.Auth
		}
		m := probeMethod(r, env.AllowDestructive)
		if m == "" {
			continue
		}
		req := request(env, r, m, cred)
		sep := "?"
		if strings.Contains(req.Path, "?") {
			sep = "&"
		}
		req.Path += sep + "q=" + url.QueryEscape(sqlPayload)
		x, err := env.Client.Do(ctx, req)
		if err != nil {
			if fatal(ctx, err) {
				break
			}
			continue
		}
		if x.Status == http.StatusUnauthorized || x.Status == http.StatusTooManyRequests {
			continue // not past authentication or the limit: not tested
		}
		if x.Status != http.StatusForbidden {
			out = append(out, finding(wafMeta, r, m, fmt.Sprintf("SQL injection in ?q=: want 403, got %d\n%s", x.Status, x.Evidence(""))))
		}
	}
	return out
}
