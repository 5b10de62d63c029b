package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// minimal is the smallest useful valid configuration; tests append to it
// or replace parts of it.
const minimal = `
upstreams:
  orders: {url: "http://127.0.0.1:9001"}
identities:
  api_key: {}
defaults:
  auth: [api_key]
routes:
  - {name: r0, methods: [GET], path: /v1/x, upstream: orders}
`

// parseEnv parses src in a fresh directory with the given environment.
func parseEnv(t *testing.T, src string, env map[string]string) (*Config, error) {
	t.Helper()
	return parse([]byte(src), t.TempDir(), envMap(env))
}

// fieldErrors returns the lines of a load error; it fails on a non-*Error.
func fieldErrors(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %T is not *Error: %v", err, err)
	}
	return strings.Split(ce.Error(), "\n")
}

// wantError asserts that loading src fails with want among the error lines.
func wantError(t *testing.T, src, want string, env map[string]string) {
	t.Helper()
	_, err := parseEnv(t, src, env)
	lines := fieldErrors(t, err)
	for _, l := range lines {
		if l == want {
			return
		}
	}
	t.Errorf("want error line\n  %s\ngot\n  %s", want, strings.Join(lines, "\n  "))
}

var unknownFieldCases = []struct{ name, src, want string }{
	{"top", minimal + "colour: red\n", "colour: unknown field"},
	{"server", minimal + "server: {colour: red}\n", "server.colour: unknown field"},
	{"server.tls", minimal + "server:\n  tls:\n    cert_file: a\n    colour: red\n", "server.tls.colour: unknown field"},
	{"server.limits", minimal + "server: {limits: {max_bdy: 1MiB}}\n", "server.limits.max_bdy: unknown field"},
	{"route", `
upstreams: {orders: {url: "http://127.0.0.1:9001"}}
defaults: {auth: none}
routes:
  - {name: r0, methods: [GET], path: /a, upstream: orders}
  - {name: r1, methods: [GET], path: /b, upstream: orders, colour: red}
`, "routes[1].colour: unknown field"},
	{"route rate_limit", `
upstreams: {orders: {url: "http://127.0.0.1:9001"}}
routes:
  - name: r0
    methods: [GET]
    path: /a
    upstream: orders
    auth: none
    rate_limit: {rate: 1, per: 1s, key: ip, burts: 3}
`, "routes[0].rate_limit.burts: unknown field"},
	{"upstream", `
upstreams:
  orders: {url: "http://127.0.0.1:9001", colour: red}
`, "upstreams.orders.colour: unknown field"},
	{"upstream odd name", `
upstreams:
  "my api": {url: "http://127.0.0.1:9001", colour: red}
`, `upstreams["my api"].colour: unknown field`},
	{"jwt issuer", `
identities:
  jwt:
    - issuer: a
      audiences: [b]
      jwks_file: x
      algorithms: [RS256]
      colour: red
`, "identities.jwt[0].colour: unknown field"},
	{"defaults response", "defaults: {response: {colour: red}}\n", "defaults.response.colour: unknown field"},
	{"deprecation", `
upstreams: {orders: {url: "http://127.0.0.1:9001"}}
routes:
  - name: r0
    methods: [GET]
    path: /a
    upstream: orders
    auth: none
    deprecation: {since: 2026-01-01, colour: red}
`, "routes[0].deprecation.colour: unknown field"},
}

func TestUnknownFieldPaths(t *testing.T) {
	for _, tc := range unknownFieldCases {
		t.Run(tc.name, func(t *testing.T) { wantError(t, tc.src, tc.want, nil) })
	}
}

func TestStrictYAML(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"duplicate top key", minimal + "store: sqlite:a.db\nstore: sqlite:b.db\n", "store: duplicate key"},
		{"duplicate nested key", "server:\n  listen: 127.0.0.1:1\n  listen: 127.0.0.1:2\n", "server.listen: duplicate key"},
		{"duplicate upstream", "upstreams:\n  a: {url: http://h}\n  a: {url: http://h}\n", "upstreams.a: duplicate key"},
		{"two documents", minimal + "---\nstore: sqlite:x.db\n", "found 2 YAML documents; a configuration is a single document"},
		{"empty", "", "the configuration is empty"},
		{"only comments", "# nothing\n", "the configuration is empty"},
		{"null document", "~\n", "the configuration is empty"},
		{"not a mapping", "- a\n- b\n", "the configuration must be a mapping, not a list"},
		{"merge key", "x: &x {listen: 127.0.0.1:1}\nserver:\n  <<: *x\n", "colour"},
		{"tag", minimal + "store: !!binary c3FsaXRl\n", "store: YAML tag !!binary is not supported"},
		{"unknown alias", minimal + "store: *nope\n", "store: unknown alias *nope"},
		{"anchor twice", "server:\n  listen: &a 127.0.0.1:1\n  admin: &a 127.0.0.1:2\n", "line 3, column 10: anchor &a is defined twice"},
		{"syntax", "server:\n  listen: [\n", ""},
		{"wrong kind: list for string", minimal + "store: [a]\n", "store: must be a string, not a list"},
		{"wrong kind: string for list", minimal + "server: {trusted_proxies: 10.0.0.0/8}\n", "server.trusted_proxies: must be a list, not a string"},
		{"wrong kind: string for mapping", minimal + "server: yes\n", "server: must be a mapping, not a string"},
		{"wrong kind: float for int", strings.Replace(minimal, "auth: [api_key]", "auth: [api_key]\n  rate_limit: {rate: 1.5, per: 1s}", 1), "defaults.rate_limit.rate: must be a whole number"},
		{"wrong kind: string for bool", minimal + "  - {name: r1, methods: [GET], path: /y, upstream: orders, forward_token: yes}\n", "routes[1].forward_token: must be true or false"},
		{"not utf-8", "store: \xff\n", "the file is not UTF-8 text"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			switch tc.name {
			case "merge key":
				_, err := parseEnv(t, tc.src, nil)
				lines := fieldErrors(t, err)
				if !strings.Contains(strings.Join(lines, "\n"), "server: merge keys (<<) are not supported") {
					t.Errorf("got %q", lines)
				}
			case "syntax":
				_, err := parseEnv(t, tc.src, nil)
				lines := fieldErrors(t, err)
				if len(lines) != 1 || !strings.HasPrefix(lines[0], "line ") {
					t.Errorf("want one line-numbered syntax error, got %q", lines)
				}
			default:
				wantError(t, tc.src, tc.want, nil)
			}
		})
	}
}

func TestSizeAndNestingBounds(t *testing.T) {
	big := minimal + "# " + strings.Repeat("x", MaxFileSize) + "\n"
	wantError(t, big, fmt.Sprintf("the file is larger than %d bytes", MaxFileSize), nil)

	deepFlow := "store: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n"
	_, err := parseEnv(t, deepFlow, nil)
	if lines := fieldErrors(t, err); !strings.Contains(lines[0], "nested more than") {
		t.Errorf("deep flow nesting: %q", lines)
	}
	deepSeq := "store: " + strings.Repeat("- ", 100_000) + "x\n"
	_, err = parseEnv(t, deepSeq, nil)
	if lines := fieldErrors(t, err); !strings.Contains(lines[0], "nested more than") && !strings.HasPrefix(lines[0], "line ") {
		t.Errorf("deep sequence nesting: %q", lines)
	}
	var deepBlock strings.Builder
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&deepBlock, "%sk:\n", strings.Repeat(" ", i))
	}
	_, err = parseEnv(t, deepBlock.String(), nil)
	if lines := fieldErrors(t, err); !strings.Contains(lines[0], "nested more than 256 columns") {
		t.Errorf("deep block nesting: %q", lines)
	}
}

func TestAliasBomb(t *testing.T) {
	// Each level doubles the scopes list's expansions: 2^20 values.
	var b strings.Builder
	b.WriteString("x0: &a0 [s, s]\n")
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&b, "x%d: &a%d [*a%d, *a%d]\n", i, i, i-1, i-1)
	}
	_, err := parseEnv(t, b.String(), nil)
	fieldErrors(t, err) // unknown fields, but it must not hang

	// The same shape under a known field: routes[].scopes cannot nest, so
	// the bomb must be of routes.
	b.Reset()
	b.WriteString("upstreams: {orders: {url: \"http://127.0.0.1:9001\"}}\n")
	b.WriteString("defaults: {auth: none, rate_limit: {rate: 1, per: 1s, key: ip}}\n")
	b.WriteString("x: &r0 {name: r, methods: [GET], path: /a, upstream: orders, scopes: [&s0 a, *s0, *s0, *s0, *s0, *s0, *s0, *s0, *s0, *s0, *s0, *s0, *s0, *s0, *s0, *s0]}\n")
	b.WriteString("routes: [")
	for i := 0; i < 10000; i++ {
		b.WriteString("*r0,")
	}
	b.WriteString("*r0]\n")
	_, err = parseEnv(t, b.String(), nil)
	lines := fieldErrors(t, err)
	if !strings.Contains(strings.Join(lines, "\n"), "alias bomb") {
		t.Errorf("want the alias-expansion bound to trip, got %q", lines[:min(len(lines), 3)])
	}
}

func TestAliasesWork(t *testing.T) {
	src := `
upstreams: {orders: {url: "http://127.0.0.1:9001"}}
identities: {api_key: {}}
defaults: {auth: [api_key]}
routes:
  - {name: a, methods: [GET], path: /a, upstream: orders, rate_limit: &rl {rate: 5, per: 1s, burst: 2}}
  - {name: b, methods: [GET], path: /b, upstream: orders, rate_limit: *rl}
`
	c, err := parseEnv(t, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rl := c.Routes[1].RateLimit; rl == nil || rl.Rate != 5 || rl.Burst != 2 || rl.Key != "identity" {
		t.Errorf("alias rate limit = %+v", rl)
	}
}

func TestErrorsAreCollected(t *testing.T) {
	src := `
upstreams: {orders: {url: "ftp://127.0.0.1:9001"}}
colour: red
server: {listen: "${NOPE}", limits: {max_body: lots}}
routes:
  - {name: Bad Name, methods: [TRACE], path: v1, upstream: billing}
`
	_, err := parseEnv(t, src, nil)
	got := fieldErrors(t, err)
	want := []string{
		"colour: unknown field",
		"server.listen: environment variable NOPE is not set",
		`server.limits.max_body: "lots": must be a size such as 1MiB, 16KiB or 512`,
		"upstreams.orders.url: must be an http:// or https:// URL",
		"routes[0].name: must match [a-z0-9][a-z0-9._-]*",
		"routes[0].methods[0]: TRACE is refused: it echoes requests, credentials included (cross-site tracing)",
		"routes[0].path: must start with /",
		`routes[0].upstream: unknown upstream "billing"`,
		"routes[0].auth: required (public routes must say auth: none)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var fe FieldError
	if !errors.As(err, &fe) || fe.Path != "colour" {
		t.Errorf("errors.As FieldError = %+v", fe)
	}
}

func TestTooManyErrors(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "k%d: x\n", i)
	}
	_, err := parseEnv(t, b.String(), nil)
	lines := fieldErrors(t, err)
	if len(lines) != maxErrors+1 || !strings.HasPrefix(lines[maxErrors], "too many errors") {
		t.Errorf("got %d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

func TestScalarsKeepTheirText(t *testing.T) {
	// min_version: 1.0 (a YAML float) must be seen as "1.0", not "1".
	dir := t.TempDir()
	writeFile(t, dir, "c.crt", "x", 0o600)
	writeFile(t, dir, "c.key", "x", 0o600)
	src := minimal + "server:\n  tls: {cert_file: c.crt, key_file: c.key, min_version: 1.0}\n"
	_, err := parse([]byte(src), dir, noEnv)
	lines := fieldErrors(t, err)
	if lines[0] != "server.tls.min_version: TLS below 1.2 is refused" {
		t.Errorf("got %q", lines)
	}
	src = minimal + "server:\n  tls: {cert_file: c.crt, key_file: c.key, min_version: 1.3}\n"
	c, err := parse([]byte(src), dir, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.TLS.MinVersion != "1.3" {
		t.Errorf("min_version = %q", c.Server.TLS.MinVersion)
	}
}

func TestLoadErrors(t *testing.T) {
	_, err := Load("/nonexistent/apiguard.yaml")
	var ce *Error
	if err == nil || errors.As(err, &ce) {
		t.Errorf("a missing file must be a plain error, got %v", err)
	}
	_, err = Load(t.TempDir())
	if err == nil || errors.As(err, &ce) {
		t.Errorf("a directory must be a plain error, got %v", err)
	}
}

func TestNumbersDecodeFromIntegersDecimalsAndEnv(t *testing.T) {
	for src, want := range map[string]float64{
		`tracing: {otlp_endpoint: "http://127.0.0.1:4318", sample_ratio: 1}`:          1,
		`tracing: {otlp_endpoint: "http://127.0.0.1:4318", sample_ratio: 0.25}`:       0.25,
		`tracing: {otlp_endpoint: "http://127.0.0.1:4318", sample_ratio: "${RATIO}"}`: 0.5,
		`tracing: {otlp_endpoint: "http://127.0.0.1:4318"}`:                           DefaultTraceSampleRatio,
	} {
		c, err := parseEnv(t, minimal+src+"\n", map[string]string{"RATIO": "0.5"})
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if c.Tracing.SampleRatio != want {
			t.Errorf("%s: %v, want %v", src, c.Tracing.SampleRatio, want)
		}
	}
	for _, v := range []string{`"abc"`, `.inf`, `[1]`} {
		_, err := parseEnv(t, minimal+`tracing: {otlp_endpoint: "http://127.0.0.1:4318", sample_ratio: `+v+"}\n", nil)
		if lines := fieldErrors(t, err); !strings.HasPrefix(lines[0], "tracing.sample_ratio: must be a number") {
			t.Errorf("%s: %q", v, lines)
		}
	}
}
