package config

import (
	"slices"
	"strings"
)

// validatePolicy checks the values a policy sets itself (defaults, or a
// route before inheritance), at the path where they are written.
func (l *loader) validatePolicy(p *Policy, path string) {
	e := l.errs
	if a := p.Auth; a != nil {
		for _, m := range a.Methods {
			if !l.configured(m) {
				e.add(path+".auth", "%s is not configured: add identities.%s", m, m)
			}
		}
	}
	if rl := p.RateLimit; rl != nil {
		rp := path + ".rate_limit"
		if rl.Rate <= 0 {
			e.add(rp+".rate", "%s", l.requiredOr(rp+".rate", "must be greater than 0"))
		}
		if rl.Per <= 0 {
			e.add(rp+".per", "%s", l.requiredOr(rp+".per", "must be greater than 0"))
		}
		if rl.Burst < 1 {
			e.add(rp+".burst", "must be at least 1")
		}
		switch rl.Key {
		case "identity", "ip", "route":
		default:
			e.add(rp+".key", "must be identity, ip or route")
		}
		switch rl.OnStoreError {
		case "deny", "allow":
		default:
			e.add(rp+".on_store_error", "must be deny or allow")
		}
	}
	if q := p.Quota; q != nil {
		qp := path + ".quota"
		if q.Limit <= 0 {
			e.add(qp+".limit", "%s", l.requiredOr(qp+".limit", "must be greater than 0"))
		}
		switch q.Per {
		case "day", "month":
		case "":
			e.add(qp+".per", "required: day or month")
		default:
			e.add(qp+".per", "must be day or month")
		}
	}
	if p.WAF != "" || l.set(path+".waf") {
		switch p.WAF {
		case "block", "report", "off":
		default:
			e.add(path+".waf", "must be block, report or off")
		}
	}
	if r := p.Response; r != nil {
		for i, m := range r.Mask {
			switch m {
			case "pan", "ssn", "secrets":
			default:
				e.add(indexPath(path+".response.mask", i), "must be pan, ssn or secrets")
			}
		}
		for i, h := range r.StripHeaders {
			if !isToken(h) {
				e.add(indexPath(path+".response.strip_headers", i), "must be a header name")
			}
		}
	}
}

// requiredOr says "required" for an absent field, else msg.
func (l *loader) requiredOr(path, msg string) string {
	if !l.set(path) {
		return "required"
	}
	return msg
}

// allowedMethods are the methods a route may serve.
var allowedMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

func (l *loader) validateRoutes() {
	c := l.c
	e := l.errs
	names := map[string]int{}
	routed := map[string]int{} // "METHOD shape" → route index
	for i := range c.Routes {
		r := &c.Routes[i]
		p := indexPath("routes", i)

		switch {
		case r.Name == "":
			e.add(p+".name", "required")
		case !routeNameRE.MatchString(r.Name):
			e.add(p+".name", "must match [a-z0-9][a-z0-9._-]*")
		default:
			if first, dup := names[r.Name]; dup {
				e.add(p+".name", "duplicate route name %q (also %s)", r.Name, indexPath("routes", first))
			} else {
				names[r.Name] = i
			}
		}

		if len(r.Methods) == 0 {
			e.add(p+".methods", "required: at least one method")
		}
		for k, m := range r.Methods {
			mp := indexPath(p+".methods", k)
			switch {
			case slices.Contains(allowedMethods, m):
				if slices.Index(r.Methods, m) < k {
					e.add(mp, "%s is listed twice", m)
				}
			case m == "TRACE":
				e.add(mp, "TRACE is refused: it echoes requests, credentials included (cross-site tracing)")
			case m == "CONNECT":
				e.add(mp, "CONNECT is refused: the gateway does not open tunnels")
			default:
				e.add(mp, "unknown method %q (use %s)", m, strings.Join(allowedMethods, ", "))
			}
		}

		shape, err := checkRoutePath(r.Path)
		if err != nil {
			e.add(p+".path", "%s", err.Error())
		} else {
			for _, m := range r.Methods {
				key := m + " " + shape
				if first, dup := routed[key]; dup {
					e.add(p+".path", "%s %s is already routed by %s", m, r.Path, describe(first, c.Routes[first].Name))
					break
				}
				routed[key] = i
			}
		}

		if r.StripPrefix != "" {
			if !strings.HasPrefix(r.StripPrefix, "/") || !strings.HasPrefix(r.Path, r.StripPrefix) || strings.ContainsAny(r.StripPrefix, "{}") {
				e.add(p+".strip_prefix", "must be a literal prefix of path, starting with /")
			}
		}

		if r.Upstream == "" {
			e.add(p+".upstream", "required")
		} else if _, ok := c.Upstreams[r.Upstream]; !ok {
			e.add(p+".upstream", "unknown upstream %q", r.Upstream)
		}

		for k, s := range r.Scopes {
			if !isScopeToken(s) {
				e.add(indexPath(p+".scopes", k), "must be a non-empty scope without spaces")
			}
		}

		if r.OpenAPI != "" {
			l.readable(p+".openapi", r.OpenAPI)
		}
		switch r.ResponseValidation {
		case "report", "block", "off":
		default:
			e.add(p+".response_validation", "must be report, block or off")
		}
		if su := r.StepUp; su != nil && su.MaxAge <= 0 {
			e.add(p+".step_up.max_age", "%s", l.requiredOr(p+".step_up.max_age", "must be greater than 0"))
		}
		if dp := r.Deprecation; dp != nil {
			if dp.Since.IsZero() {
				e.add(p+".deprecation.since", "required")
			}
			if !dp.Sunset.IsZero() && !dp.Since.IsZero() && !dp.Since.Before(dp.Sunset.Time) {
				e.add(p+".deprecation.sunset", "must be after since")
			}
			if dp.Link != "" {
				if _, err := checkHTTPURL(dp.Link); err != nil {
					e.add(p+".deprecation.link", "%s", err.Error())
				}
			}
		}

		l.validatePolicy(&r.Policy, p)
		l.effectivePolicy(i)
	}
}

// effectivePolicy merges route i's policy over the defaults and checks
// what only the combination can tell.
func (l *loader) effectivePolicy(i int) {
	c := l.c
	e := l.errs
	r := &c.Routes[i]
	p := indexPath("routes", i)
	own := r.Policy
	r.Policy = mergePolicy(own, c.Defaults, p, l.set)

	if r.Auth == nil {
		if !l.set("defaults.auth") { // else defaults.auth failed to decode
			e.add(p+".auth", "required (public routes must say auth: none)")
		}
		return
	}
	public := r.Auth.None
	inherited := func(own bool) string {
		if own {
			return ""
		}
		return " (inherited from defaults)"
	}
	if public {
		if len(r.Scopes) > 0 {
			e.add(p+".scopes", "a public route (auth: none) cannot require scopes")
		}
		if rl := r.RateLimit; rl != nil && rl.Key == "identity" {
			if own.RateLimit != nil {
				e.add(p+".rate_limit.key", "identity needs an authenticated route; this route is auth: none (use ip or route)")
			} else {
				e.add(p+".rate_limit", "the defaults' rate_limit has key identity, which needs an authenticated route; give this public route its own rate_limit with key ip or route")
			}
		}
		if r.Quota != nil {
			e.add(p+".quota", "a quota counts per identity; this route is auth: none%s", inherited(own.Quota != nil))
		}
		if r.StepUp != nil {
			e.add(p+".step_up", "requires authentication; this route is auth: none")
		}
		return
	}
	if r.StepUp != nil && !r.Auth.Has(AuthJWT) && !r.Auth.Has(AuthAPIKey) {
		e.add(p+".step_up", "needs jwt or api_key in auth (fresh MFA is proven by a JWT or an API key's TOTP)%s", inherited(own.Auth != nil))
	}
}
