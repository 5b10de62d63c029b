package config

import (
	"fmt"
	"strings"
)

// notEnforced lists the features the configuration accepts but the gateway
// does not enforce yet. Delete a name when its feature lands; Unenforced
// then stops reporting it.
var notEnforced = map[string]bool{}

// maxUnenforcedPaths bounds the paths listed for one feature.
const maxUnenforcedPaths = 3

// Unenforced returns the features this configuration uses whose behaviour
// is not built yet, one line each: "rate_limit (defaults.rate_limit,
// routes[5].rate_limit)". serve prints them at start so nobody believes a
// protection is on when it is not.
func (c *Config) Unenforced() []string {
	var order []string
	uses := map[string][]string{}
	use := func(feature, path string) {
		if !notEnforced[feature] {
			return
		}
		if _, seen := uses[feature]; !seen {
			order = append(order, feature)
		}
		uses[feature] = append(uses[feature], path)
	}

	if c.Server.RedirectHTTP != "" {
		use("redirect_http", "server.redirect_http")
	}
	if len(c.Server.TrustedProxies) > 0 {
		use("trusted_proxies", "server.trusted_proxies")
	}
	if c.Audit.File != "" {
		use("audit", "audit.file")
	}
	id := &c.Identities
	if id.APIKey != nil {
		use("identities.api_key", "identities.api_key")
	}
	if len(id.JWT) > 0 {
		use("identities.jwt", "identities.jwt")
	}
	if id.Introspection != nil {
		use("identities.introspection", "identities.introspection")
	}
	if id.MTLS != nil {
		use("identities.mtls", "identities.mtls")
	}
	for _, name := range sortedKeys(c.Upstreams) {
		u := c.Upstreams[name]
		p := mapKeyPath("upstreams", name)
		if u.MaxInFlight > 0 {
			use("max_in_flight", p+".max_in_flight")
		}
		if u.CAFile != "" || u.CertFile != "" {
			use("upstream_tls", p)
		}
	}
	policy := func(p *Policy, path string, def *Policy) {
		// A route is listed when it sets the feature itself or differs
		// from the defaults; the defaults' entry covers the others.
		if p.RateLimit != nil && (def == nil || def.RateLimit == nil || *p.RateLimit != *def.RateLimit) {
			use("rate_limit", path+".rate_limit")
		}
		if p.Quota != nil && (def == nil || def.Quota == nil || *p.Quota != *def.Quota) {
			use("quota", path+".quota")
		}
		if p.WAF != "" && p.WAF != "off" && (def == nil || def.WAF == "off") {
			use("waf", path+".waf")
		}
		if p.BlockSecretsInURL != nil && *p.BlockSecretsInURL && (def == nil || def.BlockSecretsInURL == nil || !*def.BlockSecretsInURL) {
			use("block_secrets_in_url", path+".block_secrets_in_url")
		}
		if r := p.Response; r != nil {
			if len(r.Mask) > 0 && (def == nil || def.Response == nil || len(def.Response.Mask) == 0) {
				use("response.mask", path+".response.mask")
			}
			if len(r.StripHeaders) > 0 && (def == nil || def.Response == nil || len(def.Response.StripHeaders) == 0) {
				use("response.strip_headers", path+".response.strip_headers")
			}
		}
	}
	policy(&c.Defaults, "defaults", nil)
	for i := range c.Routes {
		r := &c.Routes[i]
		p := indexPath("routes", i)
		policy(&r.Policy, p, &c.Defaults)
		if r.OpenAPI != "" {
			use("openapi", p+".openapi")
			if r.ResponseValidation != "off" {
				use("response_validation", p+".response_validation")
			}
		}
		if r.StepUp != nil {
			use("step_up", p+".step_up")
		}
		if r.Deprecation != nil {
			use("deprecation", p+".deprecation")
		}
		if r.StripPrefix != "" {
			use("strip_prefix", p+".strip_prefix")
		}
		if r.ForwardToken {
			use("forward_token", p+".forward_token")
		}
	}

	out := make([]string, 0, len(order))
	for _, f := range order {
		paths := uses[f]
		list := strings.Join(paths[:min(len(paths), maxUnenforcedPaths)], ", ")
		if n := len(paths) - maxUnenforcedPaths; n > 0 {
			list += fmt.Sprintf(" and %d more", n)
		}
		out = append(out, fmt.Sprintf("%s (%s)", f, list))
	}
	return out
}
