package config

import (
	"strings"
	"testing"
)

func TestExpandEnv(t *testing.T) {
	env := envMap(map[string]string{"A": "x", "EMPTY": "", "B_2": "y"})
	cases := []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"${A}", "x", ""},
		{"pre-${A}-${B_2}-post", "pre-x-y-post", ""},
		{"${EMPTY}", "", ""},
		{"$$", "$", ""},
		{"$${A}", "${A}", ""},
		{"cost: $5", "cost: $5", ""},
		{"end$", "end$", ""},
		{"${UNSET}", "", "environment variable UNSET is not set"},
		{"${A", "", "unterminated ${ (write $$ for a literal $)"},
		{"${}", "", `invalid variable name "" in ${...}`},
		{"${1A}", "", `invalid variable name "1A" in ${...}`},
		{"${A:-d}", "", `invalid variable name "A:-d" in ${...}`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := expandEnv(tc.in, env)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("= %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestEnvInConfig(t *testing.T) {
	src := `
server:
  listen: "${HOST}:${PORT}"
  limits: {max_body: "${MAX_BODY}"}
store: sqlite:${DATA}/x.db
upstreams: {orders: {url: "${ORDERS_URL}", max_in_flight: "${INFLIGHT}"}}
identities: {api_key: {header: X-Key-$$}}
defaults:
  auth: [api_key]
  block_secrets_in_url: ${BLOCK}
routes:
  - {name: r0, methods: [GET], path: /v1/x, upstream: orders, scopes: ["${SCOPE}"]}
`
	env := map[string]string{
		"HOST": "127.0.0.1", "PORT": "8444", "MAX_BODY": "2MiB", "DATA": "/var/lib/ag",
		"ORDERS_URL": "http://10.0.0.1:8080", "INFLIGHT": "7", "BLOCK": "false",
		"SCOPE": "orders:read",
	}
	c, err := parseEnv(t, src, env)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"listen", c.Server.Listen, "127.0.0.1:8444"},
		{"max_body", c.Server.Limits.MaxBody.String(), "2MiB"},
		{"store", c.Store, "sqlite:/var/lib/ag/x.db"},
		{"url", c.Upstreams["orders"].URL, "http://10.0.0.1:8080"},
		{"header", c.Identities.APIKey.Header, "X-Key-$"},
		{"scope", c.Routes[0].Scopes[0], "orders:read"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %q, want %q", ck.name, ck.got, ck.want)
		}
	}
	if c.Upstreams["orders"].MaxInFlight != 7 {
		t.Errorf("max_in_flight = %d", c.Upstreams["orders"].MaxInFlight)
	}
	if *c.Defaults.BlockSecretsInURL {
		t.Error("block_secrets_in_url from env should be false")
	}
}

func TestEnvErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"unset", minimal + "server: {listen: \"${NOPE}\"}\n", "server.listen: environment variable NOPE is not set"},
		{"unset in list", minimal + "server: {trusted_proxies: [10.0.0.0/8, \"${NOPE}\"]}\n", "server.trusted_proxies[1]: environment variable NOPE is not set"},
		{"unset in route", strings.Replace(minimal, "path: /v1/x", `path: "/v1/${NOPE}"`, 1), "routes[0].path: environment variable NOPE is not set"},
		{"int from env not a number", strings.Replace(minimal, `{url: "http://127.0.0.1:9001"}`, `{url: "http://127.0.0.1:9001", max_in_flight: "${N}"}`, 1), "upstreams.orders.max_in_flight: must be an integer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantError(t, tc.src, tc.want, map[string]string{"N": "many"}) })
	}
}

// TestNoYAMLInjection: a variable's value is data, never YAML.
func TestNoYAMLInjection(t *testing.T) {
	evil := "127.0.0.1:8443\nadmin: 0.0.0.0:9090"
	src := minimal + "server: {listen: \"${LISTEN}\"}\n"
	_, err := parseEnv(t, src, map[string]string{"LISTEN": evil})
	lines := fieldErrors(t, err)
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "server.listen: ") {
		t.Errorf("got %q", lines)
	}
	evil2 := "[jwt, none]"
	src = strings.Replace(minimal, "auth: [api_key]", "auth: ${AUTH}", 1)
	_, err = parseEnv(t, src, map[string]string{"AUTH": evil2})
	lines = fieldErrors(t, err)
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "defaults.auth: unknown method") {
		t.Errorf("got %q", lines)
	}
}

func TestEnvNotInKeys(t *testing.T) {
	src := minimal + "${KEY}: x\n"
	wantError(t, src, "${KEY}: unknown field", map[string]string{"KEY": "store"})
}
