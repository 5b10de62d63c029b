package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("hunter2")
	for _, got := range []string{
		s.String(), fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q %x", s, s, s, s, s, s),
	} {
		if strings.Contains(got, "hunter2") || strings.Contains(got, fmt.Sprintf("%x", "hunter2")) {
			t.Errorf("leaked: %s", got)
		}
	}
	b, _ := json.Marshal(s)
	txt, _ := s.MarshalText()
	if string(b) != `"[REDACTED]"` || string(txt) != "[REDACTED]" {
		t.Errorf("json %s text %s", b, txt)
	}
	var sb strings.Builder
	slog.New(slog.NewTextHandler(&sb, nil)).Info("x", "secret", s)
	if strings.Contains(sb.String(), "hunter2") {
		t.Errorf("slog leaked: %s", sb.String())
	}
	if s.Reveal() != "hunter2" {
		t.Error("Reveal")
	}
	if Secret("").String() != "" {
		t.Error("an empty secret shows empty")
	}
}

// TestConfigNeverPrintsSecrets loads every kind of secret and checks that
// no formatting of the Config shows one.
func TestConfigNeverPrintsSecrets(t *testing.T) {
	dir := contractDir(t)
	src := strings.Replace(readContract(t), "store: sqlite:data/apiguard.db", "store: redis://:${REDIS_PW}@127.0.0.1:6379/0", 1)
	c, err := parse([]byte(src), dir, envMap(map[string]string{"REDIS_PW": "redis-pw-789"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.StorePassword.Reveal() != "redis-pw-789" || c.Store != "redis://127.0.0.1:6379/0" {
		t.Fatalf("store %q password %q", c.Store, c.StorePassword.Reveal())
	}
	if c.StoreDSN() != "redis://:redis-pw-789@127.0.0.1:6379/0" {
		t.Errorf("StoreDSN = %q", c.StoreDSN())
	}
	if c.Identities.Introspection.ClientSecret.Reveal() != introspectionValue {
		t.Errorf("client secret = %q", c.Identities.Introspection.ClientSecret.Reveal())
	}
	js, _ := json.Marshal(c)
	for _, out := range []string{
		fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c),
		fmt.Sprintf("%v", *c), fmt.Sprintf("%+v", c.Identities.Introspection), string(js),
	} {
		for _, secret := range []string{adminTokenValue, introspectionValue, "redis-pw-789"} {
			if strings.Contains(out, secret) {
				t.Errorf("secret %q printed in %s", secret, out)
			}
		}
	}
}

func readContract(t *testing.T) string {
	t.Helper()
	return readFile(t, "testdata/apiguard.yaml")
}

func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "crlf", "tok\r\n", 0o600)
	writeFile(t, dir, "empty", "", 0o600)
	writeFile(t, dir, "newline-only", "\n\n", 0o600)
	writeFile(t, dir, "inner", "a b\n", 0o600)

	load := func(file string) (*Config, error) {
		return parse([]byte(minimal+"server: {admin_token_file: "+file+"}\n"), dir, noEnv)
	}
	c, err := load("crlf")
	if err != nil || c.Server.AdminToken.Reveal() != "tok" {
		t.Errorf("crlf: %v %q", err, c.Server.AdminToken.Reveal())
	}
	c, err = load("inner")
	if err != nil || c.Server.AdminToken.Reveal() != "a b" {
		t.Errorf("inner: %v", err)
	}
	for _, f := range []string{"empty", "newline-only"} {
		_, err := load(f)
		lines := fieldErrors(t, err)
		want := "server.admin_token_file: " + filepath.Join(dir, f) + " is empty"
		if lines[0] != want {
			t.Errorf("%s: %q, want %q", f, lines[0], want)
		}
	}
	_, err = load("missing")
	lines := fieldErrors(t, err)
	if lines[0] != "server.admin_token_file: file not found: "+filepath.Join(dir, "missing") {
		t.Errorf("missing: %q", lines[0])
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("a missing secret file should wrap fs.ErrNotExist")
	}
}

func TestInlineSecrets(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"admin_token", minimal + "server: {admin_token: s3cret}\n", "server.admin_token: inline secrets are not allowed; use admin_token_file or ${ENV}"},
		{"admin_token partly env", minimal + "server: {admin_token: \"x${T}\"}\n", "server.admin_token: inline secrets are not allowed; use admin_token_file or ${ENV}"},
		{"admin_token env unset", minimal + "server: {admin_token: \"${NOPE}\"}\n", "server.admin_token: environment variable NOPE is not set"},
		{"admin_token env empty", minimal + "server: {admin_token: \"${EMPTY}\"}\n", "server.admin_token: environment variable EMPTY is empty"},
		{"client_secret", `
upstreams: {orders: {url: "http://127.0.0.1:9001"}}
identities:
  introspection: {url: "http://127.0.0.1:9400/i", client_id: ag, client_secret: s3cret}
`, "identities.introspection.client_secret: inline secrets are not allowed; use client_secret_file or ${ENV}"},
		{"password anywhere", minimal + "  - {name: r1, methods: [GET], path: /y, upstream: orders, password: x}\n", "routes[1].password: inline secrets are not allowed; secrets come from a *_file field or ${ENV}"},
		{"token in upstream", `upstreams: {orders: {url: "http://127.0.0.1:9001", token: abc}}`, "upstreams.orders.token: inline secrets are not allowed; secrets come from a *_file field or ${ENV}"},
		{"upstream url password", `upstreams: {orders: {url: "http://u:pw@127.0.0.1:9001"}}`, "upstreams.orders.url: inline secrets are not allowed: remove the password from the URL"},
		{"upstream url user", `upstreams: {orders: {url: "http://u@127.0.0.1:9001"}}`, "upstreams.orders.url: must not contain credentials (user@)"},
		{"jwks url password", `
identities:
  jwt: [{issuer: a, audiences: [b], jwks_url: "https://u:pw@idp/jwks", algorithms: [RS256]}]
`, "identities.jwt[0].jwks_url: inline secrets are not allowed: remove the password from the URL"},
		{"introspection url password", `
identities:
  introspection: {url: "https://u:pw@idp/i", client_id: ag, client_secret: "${T}"}
`, "identities.introspection.url: inline secrets are not allowed: remove the password from the URL"},
		{"store password", minimal + "store: redis://:pw@127.0.0.1:6379/0\n", "store: inline secrets are not allowed: write the password as ${ENV} (redis://:${REDIS_PASSWORD}@host:6379/0)"},
		{"store password partly env", minimal + "store: redis://:pw${T}@127.0.0.1:6379/0\n", "store: inline secrets are not allowed: write the password as ${ENV} (redis://:${REDIS_PASSWORD}@host:6379/0)"},
		{"both admin token forms", minimal + "server: {admin_token: \"${T}\", admin_token_file: f}\n", "server.admin_token: set only one of admin_token and admin_token_file"},
	}
	env := map[string]string{"T": "tok", "EMPTY": ""}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantError(t, tc.src, tc.want, env) })
	}
}

func TestEnvSecrets(t *testing.T) {
	src := minimal + `server: {admin_token: "${ADMIN}"}
identities:
  api_key: {}
  introspection: {url: "http://127.0.0.1:9400/i", client_id: ag, client_secret: "${CS}"}
`
	src = strings.Replace(src, "identities:\n  api_key: {}\ndefaults", "defaults", 1)
	c, err := parseEnv(t, src, map[string]string{"ADMIN": "adm", "CS": "cs"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.AdminToken.Reveal() != "adm" || c.Identities.Introspection.ClientSecret.Reveal() != "cs" {
		t.Errorf("secrets %q %q", c.Server.AdminToken.Reveal(), c.Identities.Introspection.ClientSecret.Reveal())
	}
}

func TestURLPassword(t *testing.T) {
	cases := []struct {
		in, pw string
		ok     bool
	}{
		{"redis://:${P}@h:6379/0", "${P}", true},
		{"redis://user:pw@h", "pw", true},
		{"redis://user@h", "", false},
		{"redis://h/0?x=a@b", "", false},
		{"h:1", "", false},
	}
	for _, tc := range cases {
		pw, ok := urlPassword(tc.in)
		if pw != tc.pw || ok != tc.ok {
			t.Errorf("urlPassword(%q) = %q %v", tc.in, pw, ok)
		}
	}
}
