package jwt

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/apiguard/apiguard/internal/config"
)

// TestSignatureBeforeClaims: a badly signed token is refused for its
// signature whatever its claims, valid or not.
func TestSignatureBeforeClaims(t *testing.T) {
	e := newEnv(t, WithCacheSize(0))
	now := e.clock.now()
	for name, f := range map[string]func(c gojwt.MapClaims){
		"exp as a string":  func(c gojwt.MapClaims) { c["exp"] = "9999999999" },
		"sub not a string": func(c gojwt.MapClaims) { c["sub"] = 42 },
		"wrong aud":        func(c gojwt.MapClaims) { c["aud"] = "billing-api" },
		"expired": func(c gojwt.MapClaims) {
			c["exp"] = now.Add(-time.Hour).Unix()
			c["iat"] = now.Add(-2 * time.Hour).Unix()
		},
		"missing exp":      func(c gojwt.MapClaims) { delete(c, "exp") },
		"scope with space": func(c gojwt.MapClaims) { c["scope"] = []string{"a b"} },
	} {
		t.Run(name, func(t *testing.T) {
			c := e.claims()
			f(c)
			_, err := e.auth(sign(t, gojwt.SigningMethodRS256, e.k.attacker, "rsa1", nil, c))
			wantDenied(t, "", err, ErrSignature)
		})
	}
}

// TestClaimErrorPrecedence: of several claim failures, the most serious
// is reported (as golang-jwt's validation did): an expired token for a
// foreign audience is "invalid token", not "token expired".
func TestClaimErrorPrecedence(t *testing.T) {
	e := newEnv(t, WithCacheSize(0))
	now := e.clock.now()
	expired := func(c gojwt.MapClaims) {
		c["exp"] = now.Add(-time.Hour).Unix()
		c["iat"] = now.Add(-2 * time.Hour).Unix()
		c["nbf"] = c["iat"]
	}
	for _, tc := range []struct {
		name string
		f    func(c gojwt.MapClaims)
		want error
	}{
		{"expired, wrong aud", func(c gojwt.MapClaims) { expired(c); c["aud"] = "billing-api" }, ErrAudience},
		{"expired, no aud", func(c gojwt.MapClaims) { expired(c); delete(c, "aud") }, ErrMissingClaim},
		{"no exp, wrong aud", func(c gojwt.MapClaims) { delete(c, "exp"); c["aud"] = "billing-api" }, ErrAudience},
		{"not yet valid, expired", func(c gojwt.MapClaims) {
			expired(c)
			c["nbf"] = now.Add(time.Hour).Unix()
		}, ErrNotYetValid},
		{"expired, bad sub", func(c gojwt.MapClaims) { expired(c); c["sub"] = "a\nb" }, ErrExpired},
		{"empty-string aud", func(c gojwt.MapClaims) { c["aud"] = "" }, nil},
		{"null aud", func(c gojwt.MapClaims) { c["aud"] = nil }, ErrInvalidClaim},
		{"exp exactly at the leeway", func(c gojwt.MapClaims) {
			c["iat"] = now.Add(-10 * time.Minute).Unix()
			c["exp"] = now.Add(-30 * time.Second).Unix()
		}, ErrExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.claims()
			tc.f(c)
			_, err := e.auth(e.rs256(c))
			p := wantDenied(t, "", err, tc.want)
			if tc.want != nil && tc.want != ErrExpired && p.Detail != detailInvalid {
				t.Errorf("detail = %q", p.Detail)
			}
		})
	}
}

// TestScopeClaimPerIssuer: the scope claim is the token's issuer's, even
// when "iss" comes after the scope members in the payload.
func TestScopeClaimPerIssuer(t *testing.T) {
	e := newEnv(t)
	other := baseIssuer(e.srv.URL + "/jwks.json")
	other.Issuer = "https://other.example.test/"
	other.ScopeClaim = "permissions"
	third := baseIssuer(e.srv.URL + "/jwks.json")
	third.Issuer = "https://third.example.test/"
	third.ScopeClaim = "scp"
	a, err := New([]config.JWTIssuer{baseIssuer(e.srv.URL + "/jwks.json"), other, third}, WithClock(e.clock.now), WithCacheSize(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	now := e.clock.now().Unix()
	payload := func(iss string) string {
		return `{"scope":"s:one","permissions":"p:one p:two","scp":["c:one"],"aud":"orders-api","sub":"alice",` +
			`"iat":` + strconv.FormatInt(now, 10) + `,"exp":` + strconv.FormatInt(now+600, 10) + `,"iss":"` + iss + `"}`
	}
	for _, tc := range []struct{ iss, want string }{
		{testIssuer, "s:one"},
		{other.Issuer, "p:one p:two"},
		{third.Issuer, "c:one"},
	} {
		tok := signRaw(t, gojwt.SigningMethodRS256, e.k.rsa1, `{"alg":"RS256","kid":"rsa1"}`, payload(tc.iss))
		v, err := a.Verify(context.Background(), tok)
		if err != nil {
			t.Fatalf("%s: %v", tc.iss, err)
		}
		if got := strings.Join(v.Principal.Scopes, " "); got != tc.want || v.Issuer != tc.iss {
			t.Errorf("%s: scopes %q, issuer %q", tc.iss, got, v.Issuer)
		}
	}
	// Without the issuer's own scope claim, scp counts; a bad scp does
	// not matter when the scope claim is there.
	tok := signRaw(t, gojwt.SigningMethodRS256, e.k.rsa1, `{"alg":"RS256","kid":"rsa1"}`,
		`{"iss":"`+other.Issuer+`","scope":"s:one","scp":"c:two","aud":"orders-api","sub":"alice","exp":`+strconv.FormatInt(now+600, 10)+`}`)
	if v, err := a.Verify(context.Background(), tok); err != nil || strings.Join(v.Principal.Scopes, " ") != "c:two" {
		t.Errorf("scp fallback: %+v %v", v, err)
	}
	tok = signRaw(t, gojwt.SigningMethodRS256, e.k.rsa1, `{"alg":"RS256","kid":"rsa1"}`,
		`{"iss":"`+testIssuer+`","scope":"s:one","scp":42,"aud":"orders-api","sub":"alice","exp":`+strconv.FormatInt(now+600, 10)+`}`)
	if v, err := a.Verify(context.Background(), tok); err != nil || strings.Join(v.Principal.Scopes, " ") != "s:one" {
		t.Errorf("scope over a bad scp: %+v %v", v, err)
	}
	tok = signRaw(t, gojwt.SigningMethodRS256, e.k.rsa1, `{"alg":"RS256","kid":"rsa1"}`,
		`{"iss":"`+other.Issuer+`","permissions":42,"aud":"orders-api","sub":"alice","exp":`+strconv.FormatInt(now+600, 10)+`}`)
	_, err = a.Verify(context.Background(), tok)
	wantDenied(t, "", err, ErrInvalidClaim)
}
