package config

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"time"
)

// Finding is a security warning about a valid configuration: `apiguard
// check` prints it and fails only with --strict.
type Finding struct {
	Path string
	Msg  string
}

// String returns "path: message".
func (f Finding) String() string { return f.Path + ": " + f.Msg }

// sunsetSoon is how close a sunset date must be to be worth a warning.
const sunsetSoon = 30 * 24 * time.Hour

// Lint returns the insecure or suspicious settings of a loaded
// configuration, in file order. now dates the deprecation checks.
func Lint(c *Config, now time.Time) []Finding {
	var fs []Finding
	add := func(path, format string, args ...any) {
		fs = append(fs, Finding{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	s := &c.Server
	if s.TLS == nil && !isLoopbackAddr(s.Listen) {
		add("server.listen", "plain HTTP on a non-loopback address: credentials cross the network in clear; set server.tls")
	}
	if s.TLS == nil && s.HSTS != nil && *s.HSTS != "" {
		add("server.hsts", "has no effect without server.tls")
	}
	if s.TLS != nil && s.HSTSValue == "" {
		add("server.hsts", "Strict-Transport-Security is off on a TLS listener: clients may be downgraded to plain HTTP")
	}
	if s.Admin != "" {
		if !isLoopbackAddr(s.Admin) {
			add("server.admin", "the admin listener is reachable from other hosts (/metrics needs no token); bind it to loopback")
		}
		if s.AdminToken == "" {
			add("server.admin_token_file", "not set: the admin API answers 401 to every request")
		}
	}
	for i, p := range s.TrustedProxies {
		if pr, err := parsePrefix(p); err == nil && pr.Bits() == 0 {
			add(indexPath("server.trusted_proxies", i), "%s trusts every address: any client can choose its IP with X-Forwarded-For", p)
		}
	}
	fs = append(fs, lintSecretFiles(c)...)
	if len(c.Audit.Redact) > 0 && !slices.Contains(c.Audit.Redact, "authorization") {
		add("audit.redact", "does not list authorization")
	}

	for i, j := range c.Identities.JWT {
		if plainRemote(j.JWKSURL) {
			add(indexPath("identities.jwt", i)+".jwks_url", "keys fetched over plain HTTP from another host can be replaced in transit; use https")
		}
	}
	if in := c.Identities.Introspection; in != nil && plainRemote(in.URL) {
		add("identities.introspection.url", "tokens and the client secret cross the network in clear; use https")
	}
	used := map[string]bool{}
	for _, r := range c.Routes {
		used[r.Upstream] = true
	}
	for _, name := range sortedKeys(c.Upstreams) {
		u := c.Upstreams[name]
		p := mapKeyPath("upstreams", name)
		if plainRemote(u.URL) {
			add(p+".url", "plain HTTP to another host: requests and identities cross the network in clear")
		}
		if !used[name] {
			add(p, "not used by any route")
		}
	}

	lintPolicy(&c.Defaults, "defaults", nil, add)
	if len(c.Routes) == 0 {
		add("routes", "no routes: every request is answered 404")
	}
	for i := range c.Routes {
		r := &c.Routes[i]
		p := indexPath("routes", i)
		lintPolicy(&r.Policy, p, &c.Defaults, add)
		public := r.Auth.Public()
		if public && r.RateLimit == nil {
			add(p+".rate_limit", "a public route (auth: none) without a rate limit")
		}
		if !public && r.Auth != nil && len(r.Scopes) == 0 {
			add(p+".scopes", "none: any authenticated identity is admitted")
		}
		if r.ForwardToken {
			add(p+".forward_token", "the client's credential is sent to the upstream")
		}
		if d := r.Deprecation; d != nil && !d.Sunset.IsZero() {
			switch left := d.Sunset.Sub(now); {
			case left <= 0:
				add(p+".deprecation.sunset", "%s has passed: the route answers 410", d.Sunset)
			case left <= sunsetSoon:
				add(p+".deprecation.sunset", "%s is in %d days", d.Sunset, int((left+24*time.Hour-1)/(24*time.Hour)))
			}
		}
	}
	return fs
}

// lintPolicy reports a policy's weakened protections. For a route (def
// non-nil), only what differs from the defaults is reported: the defaults'
// own findings cover what routes inherit.
func lintPolicy(p *Policy, path string, def *Policy, add func(string, string, ...any)) {
	if p.WAF == "off" && (def == nil || def.WAF != "off") {
		add(path+".waf", "off: injection attacks reach the upstream")
	}
	if p.BlockSecretsInURL != nil && !*p.BlockSecretsInURL && (def == nil || def.BlockSecretsInURL == nil || *def.BlockSecretsInURL) {
		add(path+".block_secrets_in_url", "false: credentials sent in query strings are accepted (and end up in logs)")
	}
	if rl := p.RateLimit; rl != nil && rl.OnStoreError == "allow" && (def == nil || def.RateLimit == nil || def.RateLimit.OnStoreError != "allow") {
		add(path+".rate_limit.on_store_error", "allow: the limit is not enforced while the store is down")
	}
}

// plainRemote reports an http:// URL to a host other than loopback.
func plainRemote(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "http" && !isLoopbackURL(u)
}

// lintSecretFiles reports secret and key files readable by group or others.
func lintSecretFiles(c *Config) []Finding {
	type file struct{ path, name string }
	var files []file
	if c.Server.TLS != nil {
		files = append(files, file{"server.tls.key_file", c.Server.TLS.KeyFile})
	}
	files = append(files, file{"server.admin_token_file", c.Server.AdminTokenFile})
	if in := c.Identities.Introspection; in != nil {
		files = append(files, file{"identities.introspection.client_secret_file", in.ClientSecretFile})
	}
	for _, name := range sortedKeys(c.Upstreams) {
		files = append(files, file{mapKeyPath("upstreams", name) + ".key_file", c.Upstreams[name].KeyFile})
	}
	var fs []Finding
	for _, f := range files {
		if f.name == "" {
			continue
		}
		fi, err := os.Stat(f.name)
		if err != nil {
			continue
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			fs = append(fs, Finding{Path: f.path, Msg: fmt.Sprintf("%s is readable by group or others (mode %04o); chmod 600 it", f.name, perm)})
		}
	}
	return fs
}
