package jwt

import (
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/config"
)

func TestNewRefusesInsecureConfig(t *testing.T) {
	ok := baseIssuer("https://login.example.test/jwks.json")
	mod := func(f func(*config.JWTIssuer)) []config.JWTIssuer {
		c := ok
		f(&c)
		return []config.JWTIssuer{c}
	}
	for _, tc := range []struct {
		name    string
		issuers []config.JWTIssuer
		opts    []Option
		want    string
	}{
		{"no issuer", nil, nil, "no issuer"},
		{"no algorithms", mod(func(c *config.JWTIssuer) { c.Algorithms = nil }), nil, "algorithms"},
		{"none", mod(func(c *config.JWTIssuer) { c.Algorithms = []string{"RS256", "none"} }), nil, "unsigned"},
		{"None", mod(func(c *config.JWTIssuer) { c.Algorithms = []string{"None"} }), nil, "unsigned"},
		{"HS256", mod(func(c *config.JWTIssuer) { c.Algorithms = []string{"HS256"} }), nil, "symmetric"},
		{"unknown alg", mod(func(c *config.JWTIssuer) { c.Algorithms = []string{"RS1"} }), nil, "unsupported"},
		{"no audience", mod(func(c *config.JWTIssuer) { c.Audiences = nil }), nil, "audiences"},
		{"empty audience", mod(func(c *config.JWTIssuer) { c.Audiences = []string{""} }), nil, "audiences"},
		{"no issuer name", mod(func(c *config.JWTIssuer) { c.Issuer = "" }), nil, "issuer"},
		{"no jwks", mod(func(c *config.JWTIssuer) { c.JWKSURL = "" }), nil, "required"},
		{"url and file", mod(func(c *config.JWTIssuer) { c.JWKSFile = "/etc/jwks.json" }), nil, "exclusive"},
		{"file scheme", mod(func(c *config.JWTIssuer) { c.JWKSURL = "file:///etc/jwks.json" }), nil, "jwks_url"},
		{"credentials in URL", mod(func(c *config.JWTIssuer) { c.JWKSURL = "https://u:p@idp.test/jwks" }), nil, "jwks_url"},
		{"leeway over 5m", mod(func(c *config.JWTIssuer) { c.Leeway = config.Duration(10 * time.Minute) }), nil, "leeway"},
		{"negative leeway", mod(func(c *config.JWTIssuer) { c.Leeway = -1 }), nil, "leeway"},
		{"duplicate issuer", append(mod(func(*config.JWTIssuer) {}), ok), nil, "twice"},
		{"fetch timeout", mod(func(*config.JWTIssuer) {}), []Option{WithFetchTimeout(time.Minute)}, "timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.issuers, tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, want an error about %q", err, tc.want)
			}
		})
	}
	a, err := New(mod(func(c *config.JWTIssuer) { c.MaxTTL, c.ScopeClaim = 0, "" }))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if is := a.issuers[0]; is.maxTTL != time.Hour || is.scopeClaim != "scope" {
		t.Errorf("defaults: %v %q", is.maxTTL, is.scopeClaim)
	}
}

func TestCustomScopeClaim(t *testing.T) {
	k := testKeys()
	e := &env{t: t, k: k, clock: newClock(), srv: newJWKSServer(t, defaultJWKS(k))}
	is := baseIssuer(e.srv.URL)
	is.ScopeClaim = "permissions"
	e.a = e.newAuth(is)
	c := e.claims()
	c["permissions"] = []string{"orders:refund"}
	p, err := e.auth(e.rs256(c))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Scopes) != 1 || p.Scopes[0] != "orders:refund" {
		t.Errorf("scopes = %v", p.Scopes)
	}
}
