package policy

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/scan"
)

// upstreamCheck (with --upstream-direct) sends, for each upstream, one
// request straight to it on the path of a non-public route it serves
// (reachable around the gateway?), and when that is refused, the same
// request with forged X-Apiguard-* identity headers (does the upstream
// trust them?): 1-2 requests per upstream.
type upstreamCheck struct{ st *state }

var upstreamMeta = meta("upstream-direct", scan.High, "API8:2023", "Upstream reachable around the gateway, or trusting forgeable identity headers",
	"Bind upstreams to loopback or a private network only the gateway reaches (or require mTLS from the gateway: upstreams.*.cert_file), and trust X-Apiguard-Subject/Scopes/Auth only on connections from the gateway.")

func (upstreamCheck) Info() scan.Meta { return upstreamMeta }

func (c upstreamCheck) Estimate(*scan.Env) int { return 2 * len(c.st.cfg.Upstreams) }

func (c upstreamCheck) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	var out []scan.Finding
	names := make([]string, 0, len(c.st.cfg.Upstreams))
	for n := range c.st.cfg.Upstreams {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		u := c.st.cfg.Upstreams[name]
		r := c.routeFor(name)
		if r == nil {
			continue
		}
		m := probeMethod(r, env.AllowDestructive)
		if m == "" {
			continue
		}
		base := request(env, r, m, scan.Credential{})
		p := strings.TrimPrefix(base.Path, env.Target.Prefix)
		if r.StripPrefix != "" {
			p = strings.TrimPrefix(p, r.StripPrefix)
		}
		direct := strings.TrimSuffix(u.URL, "/") + p
		base.URL = direct
		x, err := env.Client.Do(ctx, base)
		if err != nil {
			if fatal(ctx, err) {
				break
			}
			continue // not reachable from here: as it should be
		}
		if x.OK() {
			out = append(out, upstreamMeta.Finding(m, r.Path, fmt.Sprintf("upstream %s answered a request for route %s sent around the gateway, without credentials:\n%s", name, r.Name, x.Evidence(""))))
			continue
		}
		forged := base
		forged.Header = base.Header.Clone()
		forged.Header.Set("X-Apiguard-Subject", "apiguard-scan-forged")
		forged.Header.Set("X-Apiguard-Scopes", strings.Join(r.Scopes, " "))
		forged.Header.Set("X-Apiguard-Auth", "api_key")
		y, err := env.Client.Do(ctx, forged)
		if err != nil {
			continue
		}
		if y.OK() {
			out = append(out, upstreamMeta.Finding(m, r.Path, fmt.Sprintf("upstream %s refused the direct request (%d) but accepted it with forged X-Apiguard-* identity headers:\n%s", name, x.Status, y.Evidence(""))))
			continue
		}
		f := upstreamMeta.Finding(m, r.Path, fmt.Sprintf("upstream %s is reachable around the gateway (it answered %d; it does refuse anonymous and forged-identity requests):\n%s", name, x.Status, x.Evidence("")))
		f.Severity = scan.Low
		out = append(out, f)
	}
	return out
}

// routeFor picks a route of the upstream to probe: a non-public one with a
// safe method first.
func (c upstreamCheck) routeFor(upstream string) *config.Route {
	var fallback *config.Route
	for i := range c.st.cfg.Routes {
		r := &c.st.cfg.Routes[i]
		if r.Upstream != upstream {
			continue
		}
		if !r.Auth.Public() && (slices.Contains(r.Methods, http.MethodGet) || slices.Contains(r.Methods, http.MethodHead)) {
			return r
		}
		if fallback == nil {
			fallback = r
		}
	}
	return fallback
}
