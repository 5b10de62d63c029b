package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	c, err := parseEnv(t, minimal, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Server
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"listen", s.Listen, "127.0.0.1:8443"},
		{"admin", s.Admin, "127.0.0.1:9090"},
		{"tls", s.TLS == nil, true},
		{"hsts without tls", s.HSTSValue, ""},
		{"store", c.Store, "sqlite:" + c.Dir + "/data/apiguard.db"},
		{"audit.file", c.Audit.File, c.Dir + "/data/audit.jsonl"},
		{"audit.redact", strings.Join(c.Audit.Redact, ","), "authorization,cookie,set-cookie,x-api-key,password,token,secret,card_number"},
		{"max_body", s.Limits.MaxBody, Size(1 << 20)},
		{"max_header", s.Limits.MaxHeader, Size(16 << 10)},
		{"read_header_timeout", s.Limits.ReadHeaderTimeout.Duration(), 5 * time.Second},
		{"read_timeout", s.Limits.ReadTimeout.Duration(), 30 * time.Second},
		{"write_timeout", s.Limits.WriteTimeout.Duration(), time.Duration(0)},
		{"idle_timeout", s.Limits.IdleTimeout.Duration(), 60 * time.Second},
		{"shutdown_timeout", s.Limits.ShutdownTimeout.Duration(), 15 * time.Second},
		{"api_key.header", c.Identities.APIKey.Header, "X-API-Key"},
		{"upstream timeout", c.Upstreams["orders"].Timeout.Duration(), 30 * time.Second},
		{"defaults.waf", c.Defaults.WAF, "block"},
		{"defaults.block_secrets_in_url", *c.Defaults.BlockSecretsInURL, true},
		{"defaults.response.mask", strings.Join(c.Defaults.Response.Mask, ","), "pan,ssn,secrets"},
		{"defaults.response.strip_headers", strings.Join(c.Defaults.Response.StripHeaders, ","), "Server,X-Powered-By,X-Aspnet-Version,X-Aspnetmvc-Version"},
		{"defaults.rate_limit", c.Defaults.RateLimit == nil, true},
		{"route waf", c.Routes[0].WAF, "block"},
		{"route auth", c.Routes[0].Auth.String(), "api_key"},
		{"route response_validation", c.Routes[0].ResponseValidation, "report"},
		{"route block_secrets_in_url", *c.Routes[0].BlockSecretsInURL, true},
		{"route mask", strings.Join(c.Routes[0].Response.Mask, ","), "pan,ssn,secrets"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
}

func TestIdentityDefaults(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"c.crt", "c.key", "ca.crt", "cs"} {
		writeFile(t, dir, f, "x\n", 0o600)
	}
	src := `
server: {tls: {cert_file: c.crt, key_file: c.key, client_ca_file: ca.crt}}
identities:
  jwt: [{issuer: i, audiences: [a], jwks_url: "https://idp/jwks", algorithms: [RS256]}]
  introspection: {url: "https://idp/introspect", client_id: ag, client_secret_file: cs}
  mtls: {}
upstreams: {orders: {url: "http://127.0.0.1:9001"}}
defaults: {auth: [jwt, introspection, mtls]}
routes: [{name: a, methods: [GET], path: /a, upstream: orders, rate_limit: {rate: 5, per: 1s}}]
`
	c, err := parse([]byte(src), dir, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	j := c.Identities.JWT[0]
	if j.MaxTTL.Duration() != time.Hour || j.Leeway.Duration() != 30*time.Second || j.ScopeClaim != "scope" {
		t.Errorf("jwt %+v", j)
	}
	in := c.Identities.Introspection
	if in.CacheTTL.Duration() != 30*time.Second || in.Timeout.Duration() != 2*time.Second {
		t.Errorf("introspection %+v", in)
	}
	if c.Identities.MTLS.SubjectFrom != "cn" {
		t.Errorf("mtls %+v", c.Identities.MTLS)
	}
	if c.Server.TLS.MinVersion != "1.2" || c.Server.HSTSValue != DefaultHSTS {
		t.Errorf("tls %q hsts %q", c.Server.TLS.MinVersion, c.Server.HSTSValue)
	}
	rl := c.Routes[0].RateLimit
	if rl.Key != "identity" || rl.Burst != 1 || rl.OnStoreError != "deny" {
		t.Errorf("rate limit %+v", rl)
	}
}

func TestExplicitEmptyValues(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "c.crt", "x", 0o600)
	writeFile(t, dir, "c.key", "x", 0o600)
	src := `
server:
  admin: ""
  hsts: ""
  tls: {cert_file: c.crt, key_file: c.key}
identities:
  jwt: [{issuer: i, audiences: [a], jwks_url: "https://idp/jwks", algorithms: [RS256], leeway: 0s}]
upstreams: {orders: {url: "http://127.0.0.1:9001"}}
defaults:
  auth: [jwt]
  response: {mask: []}
routes:
  - {name: a, methods: [GET], path: /a, upstream: orders, response: {strip_headers: [x-custom, SERVER, x-custom]}}
`
	c, err := parse([]byte(src), dir, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Admin != "" {
		t.Errorf(`admin: "" must disable the admin listener, got %q`, c.Server.Admin)
	}
	if c.Server.HSTSValue != "" {
		t.Errorf(`hsts: "" must disable HSTS, got %q`, c.Server.HSTSValue)
	}
	if c.Identities.JWT[0].Leeway != 0 {
		t.Errorf("leeway: 0s must stay 0, got %v", c.Identities.JWT[0].Leeway)
	}
	r := c.Routes[0]
	if len(r.Response.Mask) != 0 || r.Response.Mask == nil {
		t.Errorf("mask: [] in defaults must inherit as empty, got %#v", r.Response.Mask)
	}
	if got := strings.Join(r.Response.StripHeaders, ","); got != "X-Custom,Server" {
		t.Errorf("strip_headers = %q", got)
	}
	if got := strings.Join(c.Defaults.Response.StripHeaders, ","); got != strings.Join(DefaultStripHeaders(), ",") {
		t.Errorf("defaults strip_headers = %q", got)
	}
}

func TestPolicyInheritance(t *testing.T) {
	src := `
identities: {api_key: {}, jwt: [{issuer: i, audiences: [a], jwks_url: "https://idp/jwks", algorithms: [RS256]}]}
upstreams: {orders: {url: "http://127.0.0.1:9001"}}
defaults:
  auth: [jwt]
  rate_limit: {rate: 100, per: 1m, burst: 10}
  quota: {limit: 1000, per: day}
  waf: report
  block_secrets_in_url: false
  response: {mask: [pan], strip_headers: [x-powered-by]}
routes:
  - {name: inherit, methods: [GET], path: /a, upstream: orders}
  - name: override
    methods: [GET]
    path: /b
    upstream: orders
    auth: [api_key]
    rate_limit: {rate: 5, per: 1s, key: route}
    quota: {limit: 10, per: month}
    waf: block
    block_secrets_in_url: true
    response: {mask: [ssn, secrets]}
`
	c, err := parseEnv(t, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	in, ov := c.Routes[0], c.Routes[1]
	if in.Auth.String() != "jwt" || in.RateLimit.Rate != 100 || in.Quota.Limit != 1000 || in.WAF != "report" || *in.BlockSecretsInURL {
		t.Errorf("inherited %+v", in.Policy)
	}
	if !slices.Equal(in.Response.Mask, []string{"pan"}) || !slices.Equal(in.Response.StripHeaders, []string{"X-Powered-By"}) {
		t.Errorf("inherited response %+v", in.Response)
	}
	if ov.Auth.String() != "api_key" || ov.RateLimit.Rate != 5 || ov.RateLimit.Key != "route" || ov.RateLimit.Burst != 1 ||
		ov.Quota.Per != "month" || ov.WAF != "block" || !*ov.BlockSecretsInURL {
		t.Errorf("override %+v", ov.Policy)
	}
	// response merges per field: mask from the route, strip_headers from defaults.
	if !slices.Equal(ov.Response.Mask, []string{"ssn", "secrets"}) || !slices.Equal(ov.Response.StripHeaders, []string{"X-Powered-By"}) {
		t.Errorf("override response %+v", ov.Response)
	}
	// Routes do not share state with the defaults or each other.
	in.RateLimit.Rate = 1
	in.Response.Mask[0] = "changed"
	if c.Defaults.RateLimit.Rate != 100 || c.Defaults.Response.Mask[0] != "pan" {
		t.Error("a route's effective policy aliases the defaults")
	}
}
