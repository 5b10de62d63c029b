package config

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Defaults. A field absent from the file (or null) takes the value below;
// a field present with an empty value keeps it where that means something
// (admin: "" disables the admin listener, hsts: "" disables HSTS, leeway: 0s
// allows no clock skew, mask: [] masks nothing).
//
//	server.listen                         127.0.0.1:8443
//	server.admin                          127.0.0.1:9090 ("" disables it)
//	server.hsts                           max-age=63072000; includeSubDomains, when tls is set
//	server.tls.min_version                1.2
//	server.limits.max_body                1MiB
//	server.limits.max_header              16KiB
//	server.limits.read_header_timeout     5s
//	server.limits.read_timeout            30s
//	server.limits.write_timeout           0 (none: each upstream's timeout governs)
//	server.limits.idle_timeout            60s
//	server.limits.shutdown_timeout        15s
//	server.limits.max_validated_body      256KiB
//	store                                 sqlite:data/apiguard.db
//	audit.file                            data/audit.jsonl
//	audit.redact                          DefaultRedact
//	audit.sync                            interval
//	audit.sync_interval                   1s
//	audit.max_size                        100MiB
//	audit.max_age                         24h
//	audit.queue_size                      4096
//	audit.block_timeout                   100ms
//	tracing.sample_ratio                  0.1
//	tracing.service_name                  apiguard
//	identities.api_key.header             X-API-Key
//	identities.jwt[].max_ttl              1h
//	identities.jwt[].leeway               30s
//	identities.jwt[].scope_claim          scope
//	identities.introspection.cache_ttl    30s
//	identities.introspection.timeout      2s
//	identities.mtls.subject_from          cn
//	upstreams.*.timeout                   30s
//	rate_limit.key                        identity
//	rate_limit.burst                      1
//	rate_limit.on_store_error             deny
//	waf                                   block
//	block_secrets_in_url                  true
//	response.mask                         [pan, ssn, secrets]
//	response.strip_headers                [Server, X-Powered-By, X-Aspnet-Version, X-Aspnetmvc-Version]
//	routes[].response_validation          report
//
// There is no default auth and no default rate limit: a route without auth
// (and no defaults.auth) is an error, a route without a rate limit has none.
// Each route's policy field that the route does not set is the one of
// defaults (response.mask and response.strip_headers separately).
const (
	DefaultListen             = "127.0.0.1:8443"
	DefaultAdmin              = "127.0.0.1:9090"
	DefaultHSTS               = "max-age=63072000; includeSubDomains"
	DefaultTLSMinVersion      = "1.2"
	DefaultStore              = "sqlite:data/apiguard.db"
	DefaultAuditFile          = "data/audit.jsonl"
	DefaultMaxValidatedBody   = Size(256 << 10)
	DefaultAuditSync          = "interval"
	DefaultTraceSampleRatio   = 0.1
	DefaultAuditSyncInterval  = Duration(time.Second)
	DefaultAuditMaxSize       = Size(100 << 20)
	DefaultAuditMaxAge        = Duration(24 * time.Hour)
	DefaultAuditQueueSize     = 4096
	DefaultAuditBlockTimeout  = Duration(100 * time.Millisecond)
	DefaultAPIKeyHeader       = "X-API-Key"
	DefaultScopeClaim         = "scope"
	DefaultSubjectFrom        = "cn"
	DefaultRateLimitKey       = "identity"
	DefaultOnStoreError       = "deny"
	DefaultWAF                = "block"
	DefaultResponseValidation = "report"

	DefaultMaxBody              Size     = 1 << 20
	DefaultMaxHeader            Size     = 16 << 10
	DefaultReadHeaderTimeout    Duration = Duration(5 * time.Second)
	DefaultReadTimeout          Duration = Duration(30 * time.Second)
	DefaultIdleTimeout          Duration = Duration(60 * time.Second)
	DefaultShutdownTimeout      Duration = Duration(15 * time.Second)
	DefaultJWTMaxTTL            Duration = Duration(3600 * time.Second)
	DefaultJWTLeeway            Duration = Duration(30 * time.Second)
	DefaultIntrospectionTTL     Duration = Duration(30 * time.Second)
	DefaultIntrospectionTimeout Duration = Duration(2 * time.Second)
	DefaultUpstreamTimeout      Duration = Duration(30 * time.Second)
	DefaultRateLimitBurst                = 1
)

// DefaultRedact is the default of audit.redact: the contract's list.
func DefaultRedact() []string {
	return []string{"authorization", "cookie", "set-cookie", "x-api-key", "password", "token", "secret", "card_number"}
}

// DefaultMask is the default of response.mask.
func DefaultMask() []string { return []string{"pan", "ssn", "secrets"} }

// DefaultStripHeaders is the default of response.strip_headers, canonical.
func DefaultStripHeaders() []string {
	return []string{"Server", "X-Powered-By", "X-Aspnet-Version", "X-Aspnetmvc-Version"}
}

// applyDefaults fills every absent field of c. set reports whether the file
// set the field at a path.
func applyDefaults(c *Config, set func(string) bool) {
	s := &c.Server
	if !set("server.listen") {
		s.Listen = DefaultListen
	}
	if !set("server.admin") {
		s.Admin = DefaultAdmin
	}
	if s.TLS != nil && !set("server.tls.min_version") {
		s.TLS.MinVersion = DefaultTLSMinVersion
	}
	switch {
	case s.TLS == nil:
		s.HSTSValue = ""
	case s.HSTS == nil:
		s.HSTSValue = DefaultHSTS
	default:
		s.HSTSValue = strings.TrimSpace(*s.HSTS)
	}
	l := &s.Limits
	defaultSize(&l.MaxBody, DefaultMaxBody, set("server.limits.max_body"))
	defaultSize(&l.MaxHeader, DefaultMaxHeader, set("server.limits.max_header"))
	defaultDuration(&l.ReadHeaderTimeout, DefaultReadHeaderTimeout, set("server.limits.read_header_timeout"))
	defaultDuration(&l.ReadTimeout, DefaultReadTimeout, set("server.limits.read_timeout"))
	defaultDuration(&l.IdleTimeout, DefaultIdleTimeout, set("server.limits.idle_timeout"))
	defaultDuration(&l.ShutdownTimeout, DefaultShutdownTimeout, set("server.limits.shutdown_timeout"))
	defaultSize(&l.MaxValidatedBody, DefaultMaxValidatedBody, set("server.limits.max_validated_body"))

	if !set("store") {
		c.Store = DefaultStore
	}
	if !set("audit.file") {
		c.Audit.File = DefaultAuditFile
	}
	if !set("audit.redact") {
		c.Audit.Redact = DefaultRedact()
	}
	if tr := c.Tracing; tr != nil {
		if !set("tracing.sample_ratio") {
			tr.SampleRatio = DefaultTraceSampleRatio
		}
		if !set("tracing.service_name") {
			tr.ServiceName = "apiguard"
		}
	}
	a := &c.Audit
	if !set("audit.sync") {
		a.Sync = DefaultAuditSync
	}
	defaultDuration(&a.SyncInterval, DefaultAuditSyncInterval, set("audit.sync_interval"))
	defaultSize(&a.MaxSize, DefaultAuditMaxSize, set("audit.max_size"))
	defaultDuration(&a.MaxAge, DefaultAuditMaxAge, set("audit.max_age"))
	if !set("audit.queue_size") {
		a.QueueSize = DefaultAuditQueueSize
	}
	defaultDuration(&a.BlockTimeout, DefaultAuditBlockTimeout, set("audit.block_timeout"))

	id := &c.Identities
	if id.APIKey != nil && !set("identities.api_key.header") {
		id.APIKey.Header = DefaultAPIKeyHeader
	}
	for i := range id.JWT {
		p := indexPath("identities.jwt", i)
		j := &id.JWT[i]
		defaultDuration(&j.MaxTTL, DefaultJWTMaxTTL, set(p+".max_ttl"))
		defaultDuration(&j.Leeway, DefaultJWTLeeway, set(p+".leeway"))
		if !set(p + ".scope_claim") {
			j.ScopeClaim = DefaultScopeClaim
		}
	}
	if in := id.Introspection; in != nil {
		defaultDuration(&in.CacheTTL, DefaultIntrospectionTTL, set("identities.introspection.cache_ttl"))
		defaultDuration(&in.Timeout, DefaultIntrospectionTimeout, set("identities.introspection.timeout"))
	}
	if m := id.MTLS; m != nil && !set("identities.mtls.subject_from") {
		m.SubjectFrom = DefaultSubjectFrom
	}

	for name, u := range c.Upstreams {
		defaultDuration(&u.Timeout, DefaultUpstreamTimeout, set(mapKeyPath("upstreams", name)+".timeout"))
		c.Upstreams[name] = u
	}

	// The defaults policy is complete after this; routes inherit from it.
	d := &c.Defaults
	policyFieldDefaults(d, "defaults", set)
	if !set("defaults.waf") {
		d.WAF = DefaultWAF
	}
	if d.BlockSecretsInURL == nil {
		t := true
		d.BlockSecretsInURL = &t
	}
	if d.Response == nil {
		d.Response = &ResponsePolicy{}
	}
	if !set("defaults.response.mask") {
		d.Response.Mask = DefaultMask()
	}
	if !set("defaults.response.strip_headers") {
		d.Response.StripHeaders = DefaultStripHeaders()
	}
	for i := range c.Routes {
		r := &c.Routes[i]
		p := indexPath("routes", i)
		policyFieldDefaults(&r.Policy, p, set)
		if !set(p + ".response_validation") {
			r.ResponseValidation = DefaultResponseValidation
		}
	}
}

// policyFieldDefaults fills the defaults inside a policy's own blocks
// (rate_limit.key etc.), before any inheritance.
func policyFieldDefaults(pol *Policy, path string, set func(string) bool) {
	if rl := pol.RateLimit; rl != nil {
		if !set(path + ".rate_limit.key") {
			rl.Key = DefaultRateLimitKey
		}
		if !set(path + ".rate_limit.burst") {
			rl.Burst = DefaultRateLimitBurst
		}
		if !set(path + ".rate_limit.on_store_error") {
			rl.OnStoreError = DefaultOnStoreError
		}
	}
}

// mergePolicy returns the effective policy of a route: every field the
// route sets wins, the others come from def (already complete). Response
// is merged per field. The result shares no slices with def.
func mergePolicy(route Policy, def Policy, routePath string, set func(string) bool) Policy {
	eff := route
	if eff.Auth == nil && def.Auth != nil {
		a := *def.Auth
		a.Methods = slices.Clone(a.Methods)
		eff.Auth = &a
	}
	if eff.RateLimit == nil && def.RateLimit != nil {
		rl := *def.RateLimit
		eff.RateLimit = &rl
	}
	if eff.Quota == nil && def.Quota != nil {
		q := *def.Quota
		eff.Quota = &q
	}
	if eff.BlockSecretsInURL == nil {
		b := *def.BlockSecretsInURL
		eff.BlockSecretsInURL = &b
	}
	if eff.WAF == "" {
		eff.WAF = def.WAF
	}
	resp := ResponsePolicy{}
	if route.Response != nil {
		resp = *route.Response
	}
	if !set(routePath + ".response.mask") {
		resp.Mask = slices.Clone(def.Response.Mask)
	}
	if !set(routePath + ".response.strip_headers") {
		resp.StripHeaders = slices.Clone(def.Response.StripHeaders)
	}
	if resp.Mask == nil {
		resp.Mask = []string{}
	}
	if resp.StripHeaders == nil {
		resp.StripHeaders = []string{}
	}
	eff.Response = &resp
	return eff
}

func defaultSize(v *Size, def Size, set bool) {
	if !set {
		*v = def
	}
}

func defaultDuration(v *Duration, def Duration, set bool) {
	if !set {
		*v = def
	}
}

// canonicalHeaders canonicalises header names (http.CanonicalHeaderKey)
// and drops repeats.
func canonicalHeaders(hs []string) []string {
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		c := http.CanonicalHeaderKey(strings.TrimSpace(h))
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
