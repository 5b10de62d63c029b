package jwt

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/apiguard/apiguard/internal/pipeline"
)

func TestAcceptsValidTokens(t *testing.T) {
	e := newEnv(t)
	k := e.k
	withAMR := e.claims()
	withAMR["amr"] = []string{"pwd", "otp"}
	withAMR["acr"] = "urn:example:loa:2"
	withAMR["auth_time"] = e.clock.now().Add(-time.Minute).Unix()
	scpArray := e.claims()
	delete(scpArray, "scope")
	scpArray["scp"] = []string{"orders:read"}
	arrayAud := e.claims()
	arrayAud["aud"] = []string{"other", testAudience}
	caseConfusion := e.claims()
	caseConfusion["SUB"] = "admin"
	caseConfusion["Scope"] = "admin:all"
	inLeeway := e.claims()
	inLeeway["exp"] = e.clock.now().Add(-20 * time.Second).Unix()
	inLeeway["iat"] = e.clock.now().Add(-10 * time.Minute).Unix()
	noIat := e.claims()
	delete(noIat, "iat")
	floatExp := e.claims()
	floatExp["exp"] = float64(e.clock.now().Unix()) + 600.5
	tests := []struct {
		name   string
		tok    string
		sub    string
		scopes []string
		check  func(t *testing.T, p *pipeline.Principal)
	}{
		{name: "RS256", tok: e.rs256(e.claims()), sub: "alice", scopes: []string{"orders:read", "orders:write"}},
		{name: "ES256", tok: e.es256(e.claims()), sub: "alice", scopes: []string{"orders:read", "orders:write"}},
		{name: "typ at+jwt", tok: sign(t, gojwt.SigningMethodRS256, k.rsa1, "rsa1", map[string]any{"typ": "at+JWT"}, e.claims()), sub: "alice"},
		{name: "typ application/jwt", tok: sign(t, gojwt.SigningMethodRS256, k.rsa1, "rsa1", map[string]any{"typ": "application/jwt"}, e.claims()), sub: "alice"},
		{name: "no typ", tok: sign(t, gojwt.SigningMethodRS256, k.rsa1, "rsa1", map[string]any{"typ": nil}, e.claims()), sub: "alice"},
		{name: "no kid, one fitting key", tok: sign(t, gojwt.SigningMethodES256, k.ec256, "", nil, e.claims()), sub: "alice"},
		{name: "scp array", tok: e.rs256(scpArray), sub: "alice", scopes: []string{"orders:read"}},
		{name: "aud array", tok: e.rs256(arrayAud), sub: "alice"},
		{name: "exact claim names", tok: e.rs256(caseConfusion), sub: "alice", scopes: []string{"orders:read", "orders:write"}},
		{name: "expired within leeway", tok: e.rs256(inLeeway), sub: "alice"},
		{name: "no iat, exp within max_ttl", tok: e.rs256(noIat), sub: "alice"},
		{name: "fractional exp", tok: e.rs256(floatExp), sub: "alice"},
		{name: "amr acr auth_time", tok: e.rs256(withAMR), sub: "alice", check: func(t *testing.T, p *pipeline.Principal) {
			if strings.Join(p.AMR, ",") != "pwd,otp" || p.ACR != "urn:example:loa:2" {
				t.Errorf("amr/acr = %v %q", p.AMR, p.ACR)
			}
			if want := e.clock.now().Add(-time.Minute).Truncate(time.Second); !p.AuthTime.Equal(want) {
				t.Errorf("auth_time = %v, want %v", p.AuthTime, want)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := e.auth(tc.tok)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if p.Subject != tc.sub || p.Method != Method {
				t.Errorf("principal = %+v", p)
			}
			if tc.scopes != nil && strings.Join(p.Scopes, " ") != strings.Join(tc.scopes, " ") {
				t.Errorf("scopes = %v, want %v", p.Scopes, tc.scopes)
			}
			if tc.check != nil {
				tc.check(t, p)
			}
		})
	}
}

func TestVerifyResult(t *testing.T) {
	e := newEnv(t)
	c := e.claims()
	c["amr"] = []string{"pwd", "hwk"}
	v, err := e.a.Verify(context.Background(), e.es256(c))
	if err != nil {
		t.Fatal(err)
	}
	if v.Issuer != testIssuer || v.ID != "t-1" || !v.MFA || !v.ExpiresAt.Equal(e.clock.now().Add(600*time.Second)) {
		t.Errorf("verified = %+v", v)
	}
	c = e.claims()
	c["acr"] = "urn:example:loa:3" // listed in step_up_acr
	if v, err := e.a.Verify(context.Background(), e.rs256(c)); err != nil || !v.MFA {
		t.Errorf("acr step-up: %+v %v", v, err)
	}
	if v, err := e.a.Verify(context.Background(), e.rs256(e.claims())); err != nil || v.MFA {
		t.Errorf("no mfa: %+v %v", v, err)
	}
}

// TestAttacks is the attacker's side: every token here must be refused
// with a 401 invalid_token whose cause names the reason.
func TestAttacks(t *testing.T) {
	e := newEnv(t, WithCacheSize(0))
	k := e.k
	now := e.clock.now()
	valid := e.rs256(e.claims())
	parts := strings.Split(valid, ".")
	payload := func(c gojwt.MapClaims) string {
		b, _ := json.Marshal(c)
		return enc(b)
	}
	mod := func(f func(c gojwt.MapClaims)) gojwt.MapClaims {
		c := e.claims()
		f(c)
		return c
	}
	rsaPubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&k.rsa1.PublicKey))})
	attackerJWK := jwk("rsa1", "RS256", &k.attacker.PublicKey)
	tamperedSig := []byte(parts[2])
	if tamperedSig[10] = 'A'; parts[2][10] == 'A' {
		tamperedSig[10] = 'B'
	}
	admin := e.claims()
	admin["sub"] = "admin"
	admin["scope"] = "orders:read orders:write orders:refund"

	tests := []struct {
		name string
		tok  string
		want error
	}{
		{"alg none", raw(`{"alg":"none","typ":"JWT"}`, string(must(json.Marshal(e.claims()))), nil), ErrAlgNone},
		{"alg None", raw(`{"alg":"None"}`, string(must(json.Marshal(e.claims()))), nil), ErrAlgNone},
		{"alg NONE with a signature", raw(`{"alg":"NONE","kid":"rsa1"}`, string(must(json.Marshal(e.claims()))), []byte("sig")), ErrAlgNone},
		{"alg nOnE, library-signed", sign(t, gojwt.SigningMethodNone, gojwt.UnsafeAllowNoneSignatureType, "rsa1", map[string]any{"alg": "nOnE"}, e.claims()), ErrAlgNone},
		{"HS256 keyed with the RSA public key", sign(t, gojwt.SigningMethodHS256, rsaPubPEM, "rsa1", nil, e.claims()), ErrAlgorithm},
		{"HS256 keyed with the JWK n", sign(t, gojwt.SigningMethodHS256, []byte(jwk("", "", &k.rsa1.PublicKey)["n"].(string)), "rsa1", nil, e.claims()), ErrAlgorithm},
		{"hs512 lower case", sign(t, gojwt.SigningMethodHS512, []byte("secret"), "rsa1", map[string]any{"alg": "hs512"}, e.claims()), ErrAlgorithm},
		{"tampered payload", parts[0] + "." + payload(admin) + "." + parts[2], ErrSignature},
		{"tampered signature", parts[0] + "." + parts[1] + "." + string(tamperedSig), ErrSignature},
		{"signature of another token", parts[0] + "." + parts[1] + "." + strings.Split(e.rs256(admin), ".")[2], ErrSignature},
		{"attacker key under the real kid", sign(t, gojwt.SigningMethodRS256, k.attacker, "rsa1", nil, admin), ErrSignature},
		{"no signature", parts[0] + "." + parts[1] + ".", ErrSignature},
		{"embedded jwk", sign(t, gojwt.SigningMethodRS256, k.attacker, "", map[string]any{"jwk": attackerJWK}, admin), ErrEmbeddedKey},
		{"embedded jwk with a known kid", sign(t, gojwt.SigningMethodRS256, k.attacker, "rsa1", map[string]any{"jwk": attackerJWK}, admin), ErrEmbeddedKey},
		{"jku", sign(t, gojwt.SigningMethodRS256, k.attacker, "rsa1", map[string]any{"jku": "https://evil.test/jwks.json"}, admin), ErrEmbeddedKey},
		{"x5u", sign(t, gojwt.SigningMethodRS256, k.attacker, "rsa1", map[string]any{"x5u": "https://evil.test/cert.pem"}, admin), ErrEmbeddedKey},
		{"x5c", sign(t, gojwt.SigningMethodRS256, k.attacker, "rsa1", map[string]any{"x5c": []string{"MIIB"}}, admin), ErrEmbeddedKey},
		{"null jwk", sign(t, gojwt.SigningMethodRS256, k.rsa1, "rsa1", map[string]any{"jwk": json.RawMessage("null")}, e.claims()), ErrEmbeddedKey},
		{"crit", sign(t, gojwt.SigningMethodRS256, k.rsa1, "rsa1", map[string]any{"crit": []string{"exp"}, "exp": 1}, e.claims()), ErrCritical},
		{"b64 false", sign(t, gojwt.SigningMethodRS256, k.rsa1, "rsa1", map[string]any{"b64": false}, e.claims()), ErrHeader},
		{"typ JWE-ish", sign(t, gojwt.SigningMethodRS256, k.rsa1, "rsa1", map[string]any{"typ": "secevent+jwt"}, e.claims()), ErrType},
		{"nested JWT", sign(t, gojwt.SigningMethodRS256, k.rsa1, "rsa1", map[string]any{"cty": "JWT"}, e.claims()), ErrHeader},
		{"duplicate alg", hdrRaw(`{"alg":"RS256","kid":"rsa1","alg":"none"}`, parts[1], parts[2]), ErrMalformed},
		{"alg not a string", hdrRaw(`{"alg":["RS256"],"kid":"rsa1"}`, parts[1], parts[2]), ErrMalformed},
		{"no alg", hdrRaw(`{"kid":"rsa1"}`, parts[1], parts[2]), ErrAlgorithm},
		{"header not an object", hdrRaw(`["RS256"]`, parts[1], parts[2]), ErrMalformed},
		{"trailing header data", hdrRaw(`{"alg":"RS256","kid":"rsa1"}{}`, parts[1], parts[2]), ErrMalformed},
		{"non-canonical base64", parts[0] + "." + parts[1] + "." + noncanonical(parts[2]), ErrMalformed},
		{"four segments", valid + ".e30", ErrMalformed},
		{"expired", e.rs256(mod(func(c gojwt.MapClaims) {
			c["exp"] = now.Add(-time.Minute).Unix()
			c["iat"] = now.Add(-10 * time.Minute).Unix()
			c["nbf"] = c["iat"]
		})), ErrExpired},
		{"not yet valid", e.rs256(mod(func(c gojwt.MapClaims) { c["nbf"] = now.Add(2 * time.Minute).Unix() })), ErrNotYetValid},
		{"issued in the future", e.rs256(mod(func(c gojwt.MapClaims) {
			c["iat"] = now.Add(2 * time.Minute).Unix()
			c["exp"] = now.Add(30 * time.Minute).Unix()
		})), ErrIssuedInFuture},
		{"wrong iss", e.rs256(mod(func(c gojwt.MapClaims) { c["iss"] = "https://evil.test/" })), ErrUnknownIssuer},
		{"iss with trailing slash missing", e.rs256(mod(func(c gojwt.MapClaims) { c["iss"] = strings.TrimSuffix(testIssuer, "/") })), ErrUnknownIssuer},
		{"ISS only (case confusion)", e.rs256(mod(func(c gojwt.MapClaims) { delete(c, "iss"); c["ISS"] = testIssuer })), ErrMissingClaim},
		{"wrong aud", e.rs256(mod(func(c gojwt.MapClaims) { c["aud"] = []string{"billing-api"} })), ErrAudience},
		{"missing aud", e.rs256(mod(func(c gojwt.MapClaims) { delete(c, "aud") })), ErrMissingClaim},
		{"missing exp", e.rs256(mod(func(c gojwt.MapClaims) { delete(c, "exp") })), ErrMissingClaim},
		{"missing sub", e.rs256(mod(func(c gojwt.MapClaims) { delete(c, "sub") })), ErrMissingClaim},
		{"empty sub", e.rs256(mod(func(c gojwt.MapClaims) { c["sub"] = "" })), ErrMissingClaim},
		{"missing iss", e.rs256(mod(func(c gojwt.MapClaims) { delete(c, "iss") })), ErrMissingClaim},
		{"repeated sub claim, validly signed", signRaw(t, gojwt.SigningMethodRS256, k.rsa1, `{"alg":"RS256","kid":"rsa1"}`,
			strings.Replace(string(must(json.Marshal(e.claims()))), `"sub":"alice"`, `"sub":"alice","sub":"admin"`, 1)), ErrMalformed},
		{"repeated alg, validly signed", signRaw(t, gojwt.SigningMethodRS256, k.rsa1, `{"alg":"RS256","kid":"rsa1","alg":"RS256"}`,
			string(must(json.Marshal(e.claims())))), ErrMalformed},
		{"exp as a string", e.rs256(mod(func(c gojwt.MapClaims) { c["exp"] = "9999999999" })), ErrInvalidClaim},
		{"exp huge", e.rs256(mod(func(c gojwt.MapClaims) { c["exp"] = 1e300 })), ErrInvalidClaim},
		{"sub not a string", e.rs256(mod(func(c gojwt.MapClaims) { c["sub"] = 42 })), ErrInvalidClaim},
		{"sub with a newline", e.rs256(mod(func(c gojwt.MapClaims) { c["sub"] = "alice\r\nX-Apiguard-Subject: admin" })), ErrInvalidClaim},
		{"scope with a space in an array", e.rs256(mod(func(c gojwt.MapClaims) { c["scope"] = []string{"orders:read admin"} })), ErrInvalidClaim},
		{"lifetime over max_ttl", e.rs256(mod(func(c gojwt.MapClaims) { c["exp"] = now.Add(2 * time.Hour).Unix() })), ErrLifetime},
		{"no iat and exp beyond max_ttl", e.rs256(mod(func(c gojwt.MapClaims) { delete(c, "iat"); c["exp"] = now.Add(2 * time.Hour).Unix() })), ErrLifetime},
		{"exp before iat", e.rs256(mod(func(c gojwt.MapClaims) { c["iat"] = now.Unix(); c["exp"] = now.Add(-time.Second).Unix() })), ErrLifetime},
		{"ES256 with the RSA key's kid", sign(t, gojwt.SigningMethodES256, k.ec256, "rsa1", nil, e.claims()), ErrKeyMismatch},
		{"RS256 with the EC key's kid", sign(t, gojwt.SigningMethodRS256, k.rsa1, "ec1", nil, e.claims()), ErrKeyMismatch},
		{"alg not configured (RS384)", sign(t, gojwt.SigningMethodRS384, k.rsa1, "rsa1", nil, e.claims()), ErrAlgorithm},
		{"alg not configured (EdDSA)", sign(t, gojwt.SigningMethodEdDSA, k.ed, "ed1", nil, e.claims()), ErrAlgorithm},
		{"RS256 against a JWK restricted to RS512", sign(t, gojwt.SigningMethodRS256, k.rsa2, "rs512-only", nil, e.claims()), ErrKeyMismatch},
		{"1024-bit RSA key", sign(t, gojwt.SigningMethodRS256, k.rsaWeak, "weak", nil, e.claims()), ErrUnknownKey},
		{"ES256 with an attacker key and no kid", sign(t, gojwt.SigningMethodES256, k.ecAttacker, "", nil, admin), ErrSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !LooksLikeJWS(tc.tok) {
				// Not shaped like a JWS: not ours (introspection's), and
				// refused all the same when verified as a JWT.
				if _, err := e.auth(tc.tok); !errors.Is(err, pipeline.ErrNoCredential) {
					t.Errorf("Authenticate: %v, want ErrNoCredential", err)
				}
				v, err := e.a.Verify(context.Background(), tc.tok)
				if err == nil {
					t.Fatalf("accepted as %+v", v)
				}
				wantDenied(t, tc.tok, err, tc.want)
				return
			}
			p, err := e.auth(tc.tok)
			if err == nil {
				t.Fatalf("accepted as %+v", p)
			}
			wantDenied(t, tc.tok, err, tc.want)
		})
	}
}

func TestExpiredDetail(t *testing.T) {
	e := newEnv(t)
	c := e.claims()
	c["iat"] = e.clock.now().Add(-20 * time.Minute).Unix()
	c["exp"] = e.clock.now().Add(-time.Minute).Unix()
	_, err := e.auth(e.rs256(c))
	if p := wantDenied(t, "", err, ErrExpired); p.Detail != "token expired" {
		t.Errorf("detail = %q", p.Detail)
	}
	// A badly signed expired token is only "invalid".
	_, err = e.auth(sign(t, gojwt.SigningMethodRS256, e.k.attacker, "rsa1", nil, c))
	if p := wantDenied(t, "", err, ErrSignature); p.Detail != "invalid token" {
		t.Errorf("detail = %q", p.Detail)
	}
}

func TestHugeTokenRefusedCheaply(t *testing.T) {
	e := newEnv(t)
	valid := e.rs256(e.claims())
	parts := strings.Split(valid, ".")
	huge := parts[0] + "." + strings.Repeat("A", 1<<20) + "." + parts[2]
	x := exchange("Bearer " + huge)
	start := time.Now()
	_, err := e.a.Authenticate(context.Background(), x)
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("took %v", d)
	}
	wantDenied(t, huge, err, ErrTooLarge)
	allocs := testing.AllocsPerRun(20, func() { _, _ = e.a.Authenticate(context.Background(), x) })
	if allocs > 12 { // the problem and its cause only: nothing proportional to the token
		t.Errorf("%v allocations per refusal", allocs)
	}
	// Just over the limit, too.
	over := parts[0] + "." + strings.Repeat("A", MaxTokenSize) + "." + parts[2]
	_, err = e.auth(over)
	wantDenied(t, over, err, ErrTooLarge)
}

func TestResponsibility(t *testing.T) {
	e := newEnv(t)
	valid := e.rs256(e.claims())
	for _, tc := range []struct {
		name  string
		authz []string
		ours  bool
	}{
		{"no Authorization", nil, false},
		{"opaque bearer", []string{"Bearer 2YotnFZFEjr1zCsicMWpAA"}, false},
		{"opaque bearer with dots", []string{"Bearer abc.def.ghi"}, false},
		{"padded base64", []string{"Bearer eyJhbGciOiJSUzI1NiJ9.e30=.c2ln"}, false},
		{"basic", []string{"Basic YWxhZGRpbjpvcGVuc2VzYW1l"}, false},
		{"api key", []string{"ApiKey agk_0123456789abcdefghijklmnopqrstuv123456"}, false},
		{"bearer without token", []string{"Bearer "}, false},
		{"JWT under another scheme", []string{"Token " + valid}, false},
		{"two segments", []string{"Bearer eyJhbGciOiJSUzI1NiJ9.e30"}, false},
		{"lower-case scheme", []string{"bearer " + valid}, true},
		{"several spaces", []string{"Bearer   " + valid}, true},
		{"alg none shape", []string{"Bearer eyJhbGciOiJub25lIn0.e30."}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.a.Authenticate(context.Background(), exchange(tc.authz...))
			if got := !errors.Is(err, pipeline.ErrNoCredential); got != tc.ours {
				t.Errorf("ours = %v, want %v (err %v)", got, tc.ours, err)
			}
		})
	}
	t.Run("several Authorization headers", func(t *testing.T) {
		_, err := e.a.Authenticate(context.Background(), exchange("Bearer "+valid, "ApiKey x"))
		wantDenied(t, valid, err, ErrAmbiguous)
	})
	t.Run("nil request", func(t *testing.T) {
		if _, err := e.a.Authenticate(context.Background(), &pipeline.Exchange{}); !errors.Is(err, pipeline.ErrNoCredential) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestMethod(t *testing.T) {
	e := newEnv(t)
	if e.a.Method() != "jwt" {
		t.Fatal(e.a.Method())
	}
}

func hdrRaw(header, payload, sig string) string {
	return enc([]byte(header)) + "." + payload + "." + sig
}

// noncanonical changes the unused trailing bits of a base64url segment.
func noncanonical(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[last|1])
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// signRaw signs literal header and payload JSON.
func signRaw(t testing.TB, m gojwt.SigningMethod, key any, header, payload string) string {
	t.Helper()
	in := enc([]byte(header)) + "." + enc([]byte(payload))
	sig, err := m.Sign(in, key)
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + enc(sig)
}
