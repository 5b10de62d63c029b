package config

import (
	"strings"
	"testing"
)

// head is a valid prefix: an upstream and API-key identities, auth by default.
const head = `upstreams: {orders: {url: "http://127.0.0.1:9001"}}
identities: {api_key: {}}
defaults: {auth: [api_key]}
`

// route returns a routes section with one route made of r0's fields plus extra.
func route(extra string) string {
	if extra != "" {
		extra = ", " + extra
	}
	return "routes:\n  - {name: r0, methods: [GET], path: /v1/x, upstream: orders" + extra + "}\n"
}

// jwtIssuer is a valid identities.jwt entry with extra fields.
func jwtIssuer(extra string) string {
	return `upstreams: {orders: {url: "http://127.0.0.1:9001"}}
identities:
  jwt:
    - {issuer: "https://idp/", audiences: [api], jwks_url: "https://idp/jwks", algorithms: [RS256]` + extra + `}
defaults: {auth: [jwt]}
` + route("")
}

var validationCases = []struct{ name, src, want string }{
	// server
	{"listen not host:port", head + route("") + `server: {listen: localhost}`, `server.listen: "localhost" is not host:port`},
	{"listen bad port", head + route("") + `server: {listen: "127.0.0.1:99999"}`, `server.listen: "127.0.0.1:99999": port must be a number from 0 to 65535`},
	{"listen bad host", head + route("") + `server: {listen: "bad_host!:80"}`, `server.listen: "bad_host!:80": "bad_host!" is not an IP address or host name`},
	{"admin same as listen", head + route("") + `server: {admin: "127.0.0.1:8443"}`, "server.admin: same address as server.listen"},
	{"redirect without tls", head + route("") + `server: {redirect_http: "127.0.0.1:8080"}`, "server.redirect_http: requires server.tls (it redirects to https)"},
	{"tls 1.0", head + route("") + `server: {tls: {cert_file: c, key_file: k, min_version: "1.0"}}`, "server.tls.min_version: TLS below 1.2 is refused"},
	{"tls 1.1", head + route("") + `server: {tls: {cert_file: c, key_file: k, min_version: "1.1"}}`, "server.tls.min_version: TLS below 1.2 is refused"},
	{"tls 2.0", head + route("") + `server: {tls: {cert_file: c, key_file: k, min_version: "2.0"}}`, `server.tls.min_version: must be "1.2" or "1.3"`},
	{"tls cert required", head + route("") + `server: {tls: {key_file: k}}`, "server.tls.cert_file: required"},
	{"tls key required", head + route("") + `server: {tls: {cert_file: c}}`, "server.tls.key_file: required"},
	{"hsts without max-age", head + route("") + `server: {hsts: "includeSubDomains", tls: {cert_file: c, key_file: k}}`, `server.hsts: must contain max-age=SECONDS (e.g. "max-age=63072000; includeSubDomains")`},
	{"trusted proxy", head + route("") + `server: {trusted_proxies: [10.0.0.0/8, 10.0.0.300]}`, `server.trusted_proxies[1]: "10.0.0.300" is not an IP address or CIDR`},
	{"limits zero", head + route("") + `server: {limits: {read_header_timeout: 0s}}`, "server.limits.read_header_timeout: must be greater than 0"},
	// store
	{"store scheme", head + route("") + `store: postgres://db/x`, "store: must be sqlite:PATH, redis://HOST:PORT/DB or rediss://HOST:PORT/DB"},
	{"store sqlite no path", head + route("") + `store: "sqlite:"`, "store: sqlite: needs a path (sqlite:data/apiguard.db)"},
	{"store redis no host", head + route("") + `store: redis:///0`, "store: a redis URL needs a host (redis://HOST:PORT/DB)"},
	{"store redis db", head + route("") + `store: redis://h:6379/x`, "store: the redis database (the path) must be a number"},
	// audit
	{"audit redact empty", head + route("") + `audit: {redact: [authorization, ""]}`, "audit.redact[1]: must not be empty"},
	{"audit sync", head + route("") + `audit: {sync: always}`, "audit.sync: must be interval, every or never"},
	{"audit sync interval", head + route("") + `audit: {sync_interval: 0s}`, "audit.sync_interval: must be positive"},
	{"audit max size tiny", head + route("") + `audit: {max_size: 1KiB}`, "audit.max_size: must be 0 (never rotate by size) or at least 64KiB"},
	{"audit max age tiny", head + route("") + `audit: {max_age: 1s}`, "audit.max_age: must be 0 (never rotate by age) or at least 1m"},
	{"audit queue size", head + route("") + `audit: {queue_size: 0}`, "audit.queue_size: must be between 1 and 1048576"},
	{"audit ship no url", head + route("") + `audit: {ship: {}}`, "audit.ship.url: required"},
	{"audit ship plain http", head + route("") + `audit: {ship: {url: "http://siem.example.test/in"}}`, "audit.ship.url: must be https:// (plain http:// only to a loopback address)"},
	{"audit ship credentials", head + route("") + `audit: {ship: {url: "https://u:p@siem.example.test/in"}}`, "audit.ship.url: must not contain credentials (use a token file)"},
	{"audit ship token inline", head + route("") + `audit: {ship: {url: "https://siem.example.test/in", token: abc}}`, "audit.ship.token: inline secrets are not allowed; use token_file or ${ENV}"},
	{"tracing endpoint", head + route("") + `tracing: {sample_ratio: 0.5}`, "tracing.otlp_endpoint: required"},
	{"tracing ratio", head + route("") + `tracing: {otlp_endpoint: "http://127.0.0.1:4318", sample_ratio: 2}`, "tracing.sample_ratio: must be between 0 and 1"},
	{"tracing plain remote", head + route("") + `tracing: {otlp_endpoint: "http://otel.example.test:4318"}`, "tracing.otlp_endpoint: must be https:// (plain http:// only to a loopback address)"},
	{"alerts action", head + route("") + `alerts: {auth_failures: {action: ban}}`, "alerts.auth_failures.action: must be alert or block"},
	{"alerts negative window", head + route("") + `alerts: {enumeration: {window: -1s}}`, `alerts.enumeration.window: "-1s": must not be negative`},
	{"alerts webhook secret", head + route("") + `alerts: {webhook: {url: "https://hooks.example.test/a"}}`, "alerts.webhook.secret_file: required: the HMAC key that signs the alerts"},
	{"alerts webhook http", head + route("") + `alerts: {webhook: {url: "http://hooks.example.test/a", secret: "${HOOK}"}}`, "alerts.webhook.url: must be https:// (plain http:// only to a loopback address)"},
	{"alerts unknown detector", head + route("") + `alerts: {port_scan: {}}`, "alerts.port_scan: unknown field"},
	{"audit block timeout", head + route("") + `audit: {block_timeout: 1m}`, "audit.block_timeout: must be between 0s and 10s"},
	// jwt
	{"jwt issuer", strings.Replace(jwtIssuer(""), `issuer: "https://idp/", `, "", 1), "identities.jwt[0].issuer: required"},
	{"jwt audiences", strings.Replace(jwtIssuer(""), `audiences: [api], `, "", 1), "identities.jwt[0].audiences: required: at least one audience"},
	{"jwt both jwks", jwtIssuer(", jwks_file: k.json"), "identities.jwt[0]: set only one of jwks_url and jwks_file"},
	{"jwt no jwks", strings.Replace(jwtIssuer(""), `jwks_url: "https://idp/jwks", `, "", 1), "identities.jwt[0]: set one of jwks_url and jwks_file"},
	{"jwt jwks url scheme", strings.Replace(jwtIssuer(""), `https://idp/jwks`, "file:///etc/jwks", 1), "identities.jwt[0].jwks_url: must be an http:// or https:// URL"},
	{"jwt algorithms", strings.Replace(jwtIssuer(""), `, algorithms: [RS256]`, "", 1), "identities.jwt[0].algorithms: required: list the signing algorithms the issuer uses (e.g. [RS256])"},
	{"jwt alg none", strings.Replace(jwtIssuer(""), `[RS256]`, "[RS256, none]", 1), `identities.jwt[0].algorithms[1]: "none" is refused: unsigned tokens prove nothing`},
	{"jwt alg HS256", strings.Replace(jwtIssuer(""), `[RS256]`, "[HS256]", 1), `identities.jwt[0].algorithms[0]: "HS256" is refused: HMAC algorithms would let anyone holding the public key forge tokens`},
	{"jwt alg unknown", strings.Replace(jwtIssuer(""), `[RS256]`, "[RS1]", 1), `identities.jwt[0].algorithms[0]: unknown algorithm "RS1" (use one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)`},
	{"jwt leeway", jwtIssuer(", leeway: 10m"), "identities.jwt[0].leeway: must be at most 5m"},
	{"jwt max_ttl", jwtIssuer(", max_ttl: 0s"), "identities.jwt[0].max_ttl: must be greater than 0"},
	{"jwt duplicate issuer", strings.Replace(jwtIssuer(""), "    - {", "    - {issuer: \"https://idp/\", audiences: [a], jwks_url: \"https://idp/j\", algorithms: [ES256]}\n    - {", 1), "identities.jwt[1].issuer: duplicate issuer (also identities.jwt[0])"},
	// introspection
	{"introspection required", `upstreams: {orders: {url: "http://127.0.0.1:9001"}}
identities: {introspection: {cache_ttl: 5s}}
defaults: {auth: [introspection]}
` + route(""), "identities.introspection.url: required"},
	{"introspection client_id", `identities: {introspection: {url: "https://idp/i"}}`, "identities.introspection.client_id: required"},
	{"introspection secret", `identities: {introspection: {url: "https://idp/i"}}`, "identities.introspection.client_secret_file: required"},
	// mtls
	{"mtls without client ca", `identities: {mtls: {}}`, "identities.mtls: requires server.tls.client_ca_file (the CA that signs client certificates)"},
	{"mtls subject_from", `identities: {mtls: {subject_from: dn}}`, "identities.mtls.subject_from: must be cn, san_dns, san_email or san_uri"},
	// auth methods must be configured
	{"defaults auth not configured", strings.Replace(head, "[api_key]", "[api_key, jwt]", 1) + route(""), "defaults.auth: jwt is not configured: add identities.jwt"},
	{"route auth not configured", head + route("auth: [mtls]"), "routes[0].auth: mtls is not configured: add identities.mtls"},
	// upstreams
	{"upstream query", `upstreams: {orders: {url: "http://h/x?a=1"}}`, "upstreams.orders.url: must not have a ?query"},
	{"upstream fragment", `upstreams: {orders: {url: "http://h/x#a"}}`, "upstreams.orders.url: must not have a #fragment"},
	{"upstream no host", `upstreams: {orders: {url: "http:/x"}}`, "upstreams.orders.url: must be an absolute URL with a host"},
	{"upstream url required", `upstreams: {orders: {timeout: 5s}}`, "upstreams.orders.url: required"},
	{"upstream name", `upstreams: {Orders: {url: "http://h"}}`, "upstreams.Orders: an upstream name must match [a-z0-9][a-z0-9._-]*"},
	{"upstream ca with http", `upstreams: {orders: {url: "http://h", ca_file: ca.pem}}`, "upstreams.orders.ca_file: requires an https:// url"},
	{"upstream cert without key", `upstreams: {orders: {url: "https://h", cert_file: c.pem}}`, "upstreams.orders: cert_file and key_file go together"},
	{"upstream max_in_flight", `upstreams: {orders: {url: "https://h", max_in_flight: -1}}`, "upstreams.orders.max_in_flight: must not be negative (0 is unlimited)"},
	// routes
	{"route name required", head + "routes: [{methods: [GET], path: /a, upstream: orders}]", "routes[0].name: required"},
	{"route name syntax", head + "routes: [{name: Orders, methods: [GET], path: /a, upstream: orders}]", "routes[0].name: must match [a-z0-9][a-z0-9._-]*"},
	{"route name duplicate", head + route("") + "  - {name: r0, methods: [GET], path: /y, upstream: orders}\n", `routes[1].name: duplicate route name "r0" (also routes[0])`},
	{"methods required", head + "routes: [{name: a, path: /a, upstream: orders}]", "routes[0].methods: required: at least one method"},
	{"methods empty", head + "routes: [{name: a, methods: [], path: /a, upstream: orders}]", "routes[0].methods: required: at least one method"},
	{"method TRACE", head + "routes: [{name: a, methods: [GET, trace], path: /a, upstream: orders}]", "routes[0].methods[1]: TRACE is refused: it echoes requests, credentials included (cross-site tracing)"},
	{"method CONNECT", head + "routes: [{name: a, methods: [CONNECT], path: /a, upstream: orders}]", "routes[0].methods[0]: CONNECT is refused: the gateway does not open tunnels"},
	{"method unknown", head + "routes: [{name: a, methods: [FETCH], path: /a, upstream: orders}]", `routes[0].methods[0]: unknown method "FETCH" (use GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS)`},
	{"method twice", head + "routes: [{name: a, methods: [GET, get], path: /a, upstream: orders}]", "routes[0].methods[1]: GET is listed twice"},
	{"path required", head + "routes: [{name: a, methods: [GET], upstream: orders}]", "routes[0].path: required"},
	{"path relative", head + "routes: [{name: a, methods: [GET], path: v1/a, upstream: orders}]", "routes[0].path: must start with /"},
	{"path query", head + `routes: [{name: a, methods: [GET], path: "/a?x=1", upstream: orders}]`, "routes[0].path: must not contain ? or #: a route matches paths, not queries"},
	{"path empty segment", head + "routes: [{name: a, methods: [GET], path: /a//b, upstream: orders}]", "routes[0].path: must not contain an empty segment (//)"},
	{"path dot segment", head + "routes: [{name: a, methods: [GET], path: /a/../b, upstream: orders}]", "routes[0].path: must not contain . or .. segments"},
	{"path param partial", head + `routes: [{name: a, methods: [GET], path: "/a/{id", upstream: orders}]`, `routes[0].path: segment "{id": a parameter must be a whole segment, {name}`},
	{"path param in segment", head + `routes: [{name: a, methods: [GET], path: "/a/x{id}", upstream: orders}]`, `routes[0].path: segment "x{id}": a parameter must be a whole segment, {name}`},
	{"path param name", head + `routes: [{name: a, methods: [GET], path: "/a/{1d}", upstream: orders}]`, `routes[0].path: segment "{1d}": "1d" is not a valid parameter name`},
	{"path param twice", head + `routes: [{name: a, methods: [GET], path: "/a/{id}/b/{id}", upstream: orders}]`, "routes[0].path: parameter {id} appears twice"},
	{"path wildcard not last", head + `routes: [{name: a, methods: [GET], path: "/a/{rest...}/b", upstream: orders}]`, `routes[0].path: segment "{rest...}": {name...} may only be the last segment`},
	{"route overlap", head + route("") + `  - {name: r1, methods: [POST, GET], path: /v1/x, upstream: orders}` + "\n", "routes[1].path: GET /v1/x is already routed by routes[0] (r0)"},
	{"route overlap params", head + `routes:
  - {name: a, methods: [GET], path: "/v1/{id}", upstream: orders}
  - {name: b, methods: [GET], path: "/v1/{name}", upstream: orders}
`, "routes[1].path: GET /v1/{name} is already routed by routes[0] (a)"},
	{"upstream required", head + "routes: [{name: a, methods: [GET], path: /a}]", "routes[0].upstream: required"},
	{"upstream unknown", head + "routes:\n  - {name: a, methods: [GET], path: /a, upstream: orders}\n  - {name: b, methods: [GET], path: /b, upstream: orders}\n  - {name: c, methods: [GET], path: /c, upstream: billing}\n", `routes[2].upstream: unknown upstream "billing"`},
	{"auth required", `upstreams: {orders: {url: "http://127.0.0.1:9001"}}` + "\n" + route(""), "routes[0].auth: required (public routes must say auth: none)"},
	{"scope with space", head + route(`scopes: ["orders read"]`), "routes[0].scopes[0]: must be a non-empty scope without spaces"},
	{"scope empty", head + route(`scopes: [""]`), "routes[0].scopes[0]: must be a non-empty scope without spaces"},
	{"public with scopes", head + route(`auth: none, scopes: [a], rate_limit: {rate: 1, per: 1s, key: ip}`), "routes[0].scopes: a public route (auth: none) cannot require scopes"},
	// rate limits
	{"rate zero", head + route(`rate_limit: {rate: 0, per: 1s}`), "routes[0].rate_limit.rate: must be greater than 0"},
	{"rate absent", head + route(`rate_limit: {per: 1s}`), "routes[0].rate_limit.rate: required"},
	{"per absent", head + route(`rate_limit: {rate: 5}`), "routes[0].rate_limit.per: required"},
	{"burst zero", head + route(`rate_limit: {rate: 5, per: 1s, burst: 0}`), "routes[0].rate_limit.burst: must be at least 1"},
	{"rate key", head + route(`rate_limit: {rate: 5, per: 1s, key: user}`), "routes[0].rate_limit.key: must be identity, ip or route"},
	{"on_store_error", head + route(`rate_limit: {rate: 5, per: 1s, on_store_error: ignore}`), "routes[0].rate_limit.on_store_error: must be deny or allow"},
	{"defaults rate", strings.Replace(head, "auth: [api_key]", "auth: [api_key], rate_limit: {rate: -1, per: 1s}", 1) + route(""), "defaults.rate_limit.rate: must be greater than 0"},
	{"public identity key", head + route(`auth: none, rate_limit: {rate: 5, per: 1s}`), "routes[0].rate_limit.key: identity needs an authenticated route; this route is auth: none (use ip or route)"},
	{"public inherits identity key", strings.Replace(head, "auth: [api_key]", "auth: [api_key], rate_limit: {rate: 5, per: 1s}", 1) + route("") + "  - {name: pub, methods: [GET], path: /pub, upstream: orders, auth: none}\n",
		"routes[1].rate_limit: the defaults' rate_limit has key identity, which needs an authenticated route; give this public route its own rate_limit with key ip or route"},
	// quotas
	{"quota limit", head + route(`quota: {limit: 0, per: day}`), "routes[0].quota.limit: must be greater than 0"},
	{"quota per", head + route(`quota: {limit: 5, per: week}`), "routes[0].quota.per: must be day or month"},
	{"quota per absent", head + route(`quota: {limit: 5}`), "routes[0].quota.per: required: day or month"},
	{"quota public", head + route(`auth: none, rate_limit: {rate: 1, per: 1s, key: ip}, quota: {limit: 5, per: day}`), "routes[0].quota: a quota counts per identity; this route is auth: none"},
	// policies
	{"waf", strings.Replace(head, "auth: [api_key]", "auth: [api_key], waf: on", 1) + route(""), "defaults.waf: must be block, report or off"},
	{"waf empty", head + route(`waf: ""`), "routes[0].waf: must be block, report or off"},
	{"mask", strings.Replace(head, "auth: [api_key]", "auth: [api_key], response: {mask: [pan, iban]}", 1) + route(""), "defaults.response.mask[1]: must be pan, ssn or secrets"},
	{"strip header", head + route(`response: {strip_headers: ["x bad"]}`), "routes[0].response.strip_headers[0]: must be a header name"},
	{"response_validation", head + route(`response_validation: strict`), "routes[0].response_validation: must be report, block or off"},
	// step-up
	{"step_up max_age zero", head + route(`step_up: {max_age: 0s}`), "routes[0].step_up.max_age: must be greater than 0"},
	{"step_up max_age absent", head + route(`step_up: {}`), "routes[0].step_up.max_age: required"},
	{"step_up public", head + route(`auth: none, rate_limit: {rate: 1, per: 1s, key: ip}, step_up: {max_age: 5m}`), "routes[0].step_up: requires authentication; this route is auth: none"},
	{"step_up introspection only", `upstreams: {orders: {url: "http://127.0.0.1:9001"}}
identities: {introspection: {url: "https://idp/i", client_id: a, client_secret: "${T}"}}
defaults: {auth: [introspection]}
` + route(`step_up: {max_age: 5m}`), "routes[0].step_up: needs jwt or api_key in auth (fresh MFA is proven by a JWT or an API key's TOTP) (inherited from defaults)"},
	// deprecation
	{"deprecation since", head + route(`deprecation: {sunset: 2028-01-01}`), "routes[0].deprecation.since: required"},
	{"deprecation order", head + route(`deprecation: {since: 2028-01-01, sunset: 2026-01-01}`), "routes[0].deprecation.sunset: must be after since"},
	{"deprecation link", head + route(`deprecation: {since: 2026-01-01, link: "docs/migrate"}`), "routes[0].deprecation.link: must be an http:// or https:// URL"},
	// strip_prefix
	{"strip_prefix", head + route(`strip_prefix: /v2`), "routes[0].strip_prefix: must be a literal prefix of path, starting with /"},
}

func TestValidationErrors(t *testing.T) {
	for _, tc := range validationCases {
		t.Run(tc.name, func(t *testing.T) { wantError(t, tc.src, tc.want, map[string]string{"T": "t"}) })
	}
}

func TestFileErrors(t *testing.T) {
	cases := []struct{ name, src, path, file string }{
		{"tls cert", head + route("") + `server: {tls: {cert_file: tls/c.crt, key_file: k}}`, "server.tls.cert_file", "tls/c.crt"},
		{"client ca", head + route("") + `server: {tls: {cert_file: c, key_file: k, client_ca_file: ca.crt}}`, "server.tls.client_ca_file", "ca.crt"},
		{"jwks file", strings.Replace(jwtIssuer(""), `jwks_url: "https://idp/jwks"`, "jwks_file: jwks.json", 1), "identities.jwt[0].jwks_file", "jwks.json"},
		{"openapi", head + route(`openapi: specs/o.yaml`), "routes[0].openapi", "specs/o.yaml"},
		{"introspection secret", `identities: {introspection: {url: "https://idp/i", client_id: a, client_secret_file: s.txt}}`, "identities.introspection.client_secret_file", "s.txt"},
		{"upstream ca", `upstreams: {orders: {url: "https://h", ca_file: ca.pem}}`, "upstreams.orders.ca_file", "ca.pem"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := parse([]byte(tc.src), dir, noEnv)
			want := tc.path + ": file not found: " + dir + "/" + tc.file
			for _, l := range fieldErrors(t, err) {
				if l == want {
					return
				}
			}
			t.Errorf("want %q in %v", want, err)
		})
	}
	// A directory is not a file.
	dir := t.TempDir()
	writeFile(t, dir, "specs/x", "", 0o600)
	_, err := parse([]byte(head+route(`openapi: specs`)), dir, noEnv)
	if lines := fieldErrors(t, err); lines[0] != "routes[0].openapi: "+dir+"/specs is not a regular file" {
		t.Errorf("got %q", lines)
	}
}

func TestValidVariants(t *testing.T) {
	cases := []struct{ name, src string }{
		{"public route", `upstreams: {orders: {url: "http://127.0.0.1:9001"}}
routes: [{name: a, methods: [GET], path: /a, upstream: orders, auth: none}]`},
		{"redis store", head + route("") + "store: rediss://cache.internal:6380/2"},
		{"sqlite memory", head + route("") + `store: "sqlite::memory:"`},
		{"admin disabled", head + route("") + `server: {admin: ""}`},
		{"ipv6 listen", head + route("") + `server: {listen: "[::1]:8443", trusted_proxies: ["::1", "fd00::/8", 10.1.2.3]}`},
		{"all methods", head + `routes: [{name: a, methods: [GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS], path: "/a/{id}/{rest...}", upstream: orders}]`},
		{"same path different methods", head + route("") + "  - {name: r1, methods: [POST], path: /v1/x, upstream: orders}\n"},
		{"strip prefix", head + route(`strip_prefix: /v1`)},
		{"public rate limit by route", head + route(`auth: none, rate_limit: {rate: 1, per: 1s, key: route}`)},
		{"no routes", head},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parseEnv(t, tc.src, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}
