package gateway

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
)

// jwtFixture is a real JWKS endpoint and a key that signs tokens for it.
type jwtFixture struct {
	key  *ecdsa.PrivateKey
	jwks *httptest.Server
}

func newJWTFixture(t *testing.T) *jwtFixture {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b64 := func(n *big.Int) string { return base64.RawURLEncoding.EncodeToString(n.FillBytes(make([]byte, 32))) }
	set, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "EC", "crv": "P-256", "kid": "k1", "alg": "ES256", "use": "sig",
		"x": b64(key.X), "y": b64(key.Y),
	}}})
	f := &jwtFixture{key: key}
	f.jwks = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(set)
	}))
	t.Cleanup(f.jwks.Close)
	return f
}

func (f *jwtFixture) token(t *testing.T, mutate func(gojwt.MapClaims)) string {
	t.Helper()
	return f.tokenWith(t, mutate, nil)
}

// tokenWith signs with ES256 after letting header change the JOSE header.
func (f *jwtFixture) tokenWith(t *testing.T, mutate func(gojwt.MapClaims), header func(map[string]any)) string {
	t.Helper()
	now := time.Now()
	c := gojwt.MapClaims{
		"iss": "https://login.example.test/", "aud": "orders-api", "sub": "alice",
		"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "scope": "orders:read",
	}
	if mutate != nil {
		mutate(c)
	}
	tok := gojwt.NewWithClaims(gojwt.SigningMethodES256, c)
	tok.Header["kid"] = "k1"
	if header != nil {
		header(tok.Header)
	}
	s, err := tok.SignedString(f.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *jwtFixture) yaml(y string) string {
	y = strings.Replace(y, "upstreams:\n", `identities:
  jwt:
    - issuer: https://login.example.test/
      audiences: [orders-api]
      jwks_url: `+f.jwks.URL+`
      algorithms: [ES256]
upstreams:
`, 1)
	return y + `  - {name: jwt-read, methods: [GET], path: /j/orders, upstream: app, auth: [jwt], scopes: ['orders:read']}
  - {name: jwt-write, methods: [POST], path: /j/orders, upstream: app, auth: [jwt], scopes: ['orders:write']}
  - {name: jwt-fwd, methods: [GET], path: /j/fwd, upstream: app, auth: [jwt], forward_token: true, response: {mask: []}}
  - {name: jwt-refund, methods: [POST], path: /j/refund, upstream: app, auth: [jwt], step_up: {max_age: 5m}}
`
}

func TestJWTEndToEnd(t *testing.T) {
	f := newJWTFixture(t)
	e := newEnv(t, echo(), f.yaml)
	good := f.token(t, nil)
	unsigned := func() string {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		parts := strings.Split(good, ".")
		return h + "." + parts[1] + "."
	}()
	tampered := func() string {
		parts := strings.Split(good, ".")
		claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
		claims = []byte(strings.Replace(string(claims), "alice", "admin", 1))
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(claims) + "." + parts[2]
	}()
	cases := []struct {
		name, method, path, auth string
		status                   int
		code, challenge          string
	}{
		{"valid", "GET", "/j/orders", "Bearer " + good, 200, "", ""},
		{"no credentials", "GET", "/j/orders", "", 401, "unauthenticated", `Bearer realm="apiguard"`},
		{"alg none", "GET", "/j/orders", "Bearer " + unsigned, 401, "unauthenticated", `error="invalid_token"`},
		{"tampered payload", "GET", "/j/orders", "Bearer " + tampered, 401, "unauthenticated", `error="invalid_token"`},
		{"expired", "GET", "/j/orders", "Bearer " + f.token(t, func(c gojwt.MapClaims) {
			c["iat"], c["exp"] = time.Now().Add(-2*time.Hour).Unix(), time.Now().Add(-time.Hour).Unix()
		}), 401, "unauthenticated", `error="invalid_token"`},
		{"wrong audience", "GET", "/j/orders", "Bearer " + f.token(t, func(c gojwt.MapClaims) { c["aud"] = "billing" }), 401, "unauthenticated", ""},
		{"missing scope", "POST", "/j/orders", "Bearer " + good, 403, "forbidden", `error="insufficient_scope", scope="orders:write"`},
		{"wrong issuer", "GET", "/j/orders", "Bearer " + f.token(t, func(c gojwt.MapClaims) { c["iss"] = "https://evil.test/" }), 401, "unauthenticated", ""},
		{"missing exp", "GET", "/j/orders", "Bearer " + f.token(t, func(c gojwt.MapClaims) { delete(c, "exp") }), 401, "unauthenticated", ""},
		{"not yet valid", "GET", "/j/orders", "Bearer " + f.token(t, func(c gojwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() }), 401, "unauthenticated", ""},
		{"lifetime over max_ttl", "GET", "/j/orders", "Bearer " + f.token(t, func(c gojwt.MapClaims) { c["exp"] = time.Now().Add(48 * time.Hour).Unix() }), 401, "unauthenticated", ""},
		{"unknown kid", "GET", "/j/orders", "Bearer " + f.tokenWith(t, nil, func(h map[string]any) { h["kid"] = "attacker" }), 401, "unauthenticated", ""},
		{"jku injection", "GET", "/j/orders", "Bearer " + f.tokenWith(t, nil, func(h map[string]any) { h["jku"] = "https://evil.test/jwks" }), 401, "unauthenticated", ""},
		{"embedded jwk", "GET", "/j/orders", "Bearer " + f.tokenWith(t, nil, func(h map[string]any) { h["jwk"] = map[string]string{"kty": "EC"} }), 401, "unauthenticated", ""},
		{"crit header", "GET", "/j/orders", "Bearer " + f.tokenWith(t, nil, func(h map[string]any) { h["crit"] = []string{"exp"} }), 401, "unauthenticated", ""},
		{"HS256 signed with the public key", "GET", "/j/orders", "Bearer " + hs256WithPublicKey(t, f), 401, "unauthenticated", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.auth != "" {
				hdr = []string{"Authorization", tc.auth}
			}
			resp, body := e.do(tc.method, tc.path, nil, hdr...)
			if tc.code == "" {
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d: %s", resp.StatusCode, body)
				}
				return
			}
			mustProblem(t, resp, body, tc.status, tc.code)
			if !strings.Contains(resp.Header.Get("WWW-Authenticate"), tc.challenge) {
				t.Fatalf("WWW-Authenticate = %q, want it to contain %q", resp.Header.Get("WWW-Authenticate"), tc.challenge)
			}
		})
	}
}

func TestJWTUpstreamIdentity(t *testing.T) {
	f := newJWTFixture(t)
	e := newEnv(t, echo(), f.yaml)
	tok := f.token(t, nil)
	_, body := e.do("GET", "/j/orders", nil, "Authorization", "Bearer "+tok, "X-Apiguard-Subject", "root")
	got := decodeEcho(t, body).Header
	if got.Get("X-Apiguard-Subject") != "alice" || got.Get("X-Apiguard-Auth") != "jwt" || got.Get("X-Apiguard-Scopes") != "orders:read" {
		t.Fatalf("upstream identity headers: %v", got)
	}
	if len(got.Values("X-Apiguard-Subject")) != 1 {
		t.Fatalf("spoofed subject survived next to the real one: %v", got.Values("X-Apiguard-Subject"))
	}
	if got.Get("Authorization") != "" {
		t.Fatal("bearer token forwarded without forward_token")
	}
	_, body = e.do("GET", "/j/fwd", nil, "Authorization", "Bearer "+tok)
	if decodeEcho(t, body).Header.Get("Authorization") != "Bearer "+tok {
		t.Fatal("forward_token: true did not forward the token")
	}
}

func TestJWTStepUp(t *testing.T) {
	f := newJWTFixture(t)
	e := newEnv(t, echo(), f.yaml)
	now := time.Now()
	for _, tc := range []struct {
		name   string
		claims func(gojwt.MapClaims)
		status int
	}{
		{"fresh mfa", func(c gojwt.MapClaims) {
			c["amr"] = []string{"pwd", "mfa"}
			c["auth_time"] = now.Add(-time.Minute).Unix()
		}, 200},
		{"fresh otp", func(c gojwt.MapClaims) { c["amr"] = []string{"otp"}; c["auth_time"] = now.Unix() }, 200},
		{"no amr", func(c gojwt.MapClaims) { c["auth_time"] = now.Unix() }, 401},
		{"password only", func(c gojwt.MapClaims) { c["amr"] = []string{"pwd"}; c["auth_time"] = now.Unix() }, 401},
		{"stale mfa", func(c gojwt.MapClaims) {
			c["amr"] = []string{"mfa"}
			c["auth_time"] = now.Add(-10 * time.Minute).Unix()
		}, 401},
		{"mfa without auth_time", func(c gojwt.MapClaims) { c["amr"] = []string{"mfa"} }, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.do("POST", "/j/refund", nil, "Authorization", "Bearer "+f.token(t, tc.claims))
			if tc.status == 200 {
				if resp.StatusCode != 200 {
					t.Fatalf("%d %s", resp.StatusCode, body)
				}
				return
			}
			mustProblem(t, resp, body, 401, "step-up-required")
			if h := resp.Header.Get("WWW-Authenticate"); !strings.Contains(h, `error="insufficient_user_authentication"`) || !strings.Contains(h, "max_age=300") {
				t.Fatalf("WWW-Authenticate = %q", h)
			}
		})
	}
}

// hs256WithPublicKey forges a token "signed" with HS256 using the issuer's
// public key as the HMAC secret: the classic algorithm-confusion attack.
func hs256WithPublicKey(t *testing.T, f *jwtFixture) string {
	t.Helper()
	pub, err := x509.MarshalPKIXPublicKey(&f.key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	tok := gojwt.NewWithClaims(gojwt.SigningMethodHS256, gojwt.MapClaims{
		"iss": "https://login.example.test/", "aud": "orders-api", "sub": "mallory",
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix(), "scope": "orders:read",
	})
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
