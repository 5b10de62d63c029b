package config

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var lintNow = time.Date(2027, 12, 15, 0, 0, 0, 0, time.UTC)

func findingStrings(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

func TestLintContractIsClean(t *testing.T) {
	dir := contractDir(t)
	c, err := Load(filepath.Join(dir, "apiguard.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if fs := Lint(c, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)); len(fs) != 0 {
		t.Errorf("contract findings:\n%s", strings.Join(findingStrings(fs), "\n"))
	}
	// Near the contract's sunset (2028-01-01) it is worth a warning.
	fs := findingStrings(Lint(c, lintNow))
	want := "routes[4].deprecation.sunset: 2028-01-01 is in 17 days"
	if !slices.Contains(fs, want) {
		t.Errorf("want %q in %q", want, fs)
	}
	fs = findingStrings(Lint(c, time.Date(2028, 1, 2, 0, 0, 0, 0, time.UTC)))
	want = "routes[4].deprecation.sunset: 2028-01-01 has passed: the route answers 410"
	if !slices.Contains(fs, want) {
		t.Errorf("want %q in %q", want, fs)
	}
}

func TestLintFindings(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "admin.token", "tok\n", 0o644)
	src := `
server:
  listen: "0.0.0.0:8080"
  admin: "0.0.0.0:9090"
  admin_token_file: admin.token
  hsts: "max-age=10"
  trusted_proxies: [10.0.0.0/8, 0.0.0.0/0, "::/0"]
audit: {redact: [cookie]}
identities:
  api_key: {}
  jwt: [{issuer: i, audiences: [a], jwks_url: "http://idp.example/jwks", algorithms: [RS256]}]
upstreams:
  orders: {url: "http://10.0.0.5:9001"}
  unused: {url: "https://unused.internal"}
defaults:
  auth: [api_key]
  waf: off
  block_secrets_in_url: false
  rate_limit: {rate: 10, per: 1s, on_store_error: allow}
routes:
  - {name: open, methods: [GET], path: /open, upstream: orders, auth: none}
  - {name: any-identity, methods: [GET], path: /any, upstream: orders, forward_token: true}
  - {name: scoped, methods: [GET], path: /s, upstream: orders, scopes: [s], waf: block, block_secrets_in_url: true}
  - name: reverts
    methods: [GET]
    path: /r
    upstream: orders
    scopes: [s]
    deprecation: {since: 2027-01-01, sunset: 2027-12-20}
`
	_, err := parse([]byte(src), dir, noEnv)
	// The public route inherits a rate limit keyed by identity: an error.
	if err == nil || !strings.Contains(err.Error(), "routes[0].rate_limit: the defaults' rate_limit has key identity") {
		t.Fatalf("err = %v", err)
	}
	src = strings.Replace(src, "auth: none}", "auth: none, rate_limit: {rate: 1, per: 1s, key: ip}}", 1)
	c, err := parse([]byte(src), dir, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	got := findingStrings(Lint(c, lintNow))
	want := []string{
		"server.listen: plain HTTP on a non-loopback address: credentials cross the network in clear; set server.tls",
		"server.hsts: has no effect without server.tls",
		"server.admin: the admin listener is reachable from other hosts (/metrics needs no token); bind it to loopback",
		"server.trusted_proxies[1]: 0.0.0.0/0 trusts every address: any client can choose its IP with X-Forwarded-For",
		"server.trusted_proxies[2]: ::/0 trusts every address: any client can choose its IP with X-Forwarded-For",
		"server.admin_token_file: " + filepath.Join(dir, "admin.token") + " is readable by group or others (mode 0644); chmod 600 it",
		"audit.redact: does not list authorization",
		"identities.jwt[0].jwks_url: keys fetched over plain HTTP from another host can be replaced in transit; use https",
		"upstreams.orders.url: plain HTTP to another host: requests and identities cross the network in clear",
		"upstreams.unused: not used by any route",
		"defaults.waf: off: injection attacks reach the upstream",
		"defaults.block_secrets_in_url: false: credentials sent in query strings are accepted (and end up in logs)",
		"defaults.rate_limit.on_store_error: allow: the limit is not enforced while the store is down",
		"routes[1].scopes: none: any authenticated identity is admitted",
		"routes[1].forward_token: the client's credential is sent to the upstream",
		"routes[3].deprecation.sunset: 2027-12-20 is in 5 days",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLintMore(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "c.crt", "x", 0o600)
	writeFile(t, dir, "c.key", "x", 0o640)
	src := head + `server: {admin: "127.0.0.1:9090", hsts: "", tls: {cert_file: c.crt, key_file: c.key}}
routes:
  - {name: a, methods: [GET], path: /a, upstream: orders, scopes: [x], waf: off}
  - {name: pub, methods: [GET], path: /p, upstream: orders, auth: none}
`
	c, err := parse([]byte(src), dir, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	got := findingStrings(Lint(c, lintNow))
	want := []string{
		"server.hsts: Strict-Transport-Security is off on a TLS listener: clients may be downgraded to plain HTTP",
		"server.admin_token_file: not set: the admin API answers 401 to every request",
		"server.tls.key_file: " + filepath.Join(dir, "c.key") + " is readable by group or others (mode 0640); chmod 600 it",
		"routes[0].waf: off: injection attacks reach the upstream",
		"routes[1].rate_limit: a public route (auth: none) without a rate limit",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	c.Routes = nil
	if got := findingStrings(Lint(c, lintNow)); !slices.Contains(got, "routes: no routes: every request is answered 404") {
		t.Errorf("no routes: %q", got)
	}
}

func TestUnenforced(t *testing.T) {
	dir := contractDir(t)
	c, err := Load(filepath.Join(dir, "apiguard.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// Every feature of the contract is enforced by this version.
	if got := c.Unenforced(); len(got) != 0 {
		t.Errorf("the contract uses unenforced features: %q", got)
	}

	// The list is data: a feature that lands is no longer reported.
	saved := notEnforced
	t.Cleanup(func() { notEnforced = saved })
	notEnforced = map[string]bool{"openapi": true, "response_validation": true}
	want := []string{"openapi (routes[2].openapi)", "response_validation (routes[2].response_validation)"}
	if got := c.Unenforced(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("a feature marked unenforced: %q", got)
	}
	notEnforced = map[string]bool{}
	if got := c.Unenforced(); len(got) != 0 {
		t.Errorf("empty map: %q", got)
	}
}
