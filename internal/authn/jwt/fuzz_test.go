package jwt

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	gojwt "github.com/golang-jwt/jwt/v5"
)

// seedTokens are valid tokens and the attack table's shapes, for the
// fuzzers' corpora.
func seedTokens(t testing.TB, e *env) (valid, attacks []string) {
	k := e.k
	c := e.claims()
	valid = []string{
		e.rs256(c), e.es256(c),
		sign(t, gojwt.SigningMethodES256, k.ec256, "", map[string]any{"typ": "at+jwt"}, c),
	}
	cj, _ := json.Marshal(c)
	attacks = []string{
		raw(`{"alg":"none"}`, string(cj), nil),
		raw(`{"alg":"NONE","kid":"rsa1"}`, string(cj), []byte("x")),
		sign(t, gojwt.SigningMethodHS256, []byte("secret"), "rsa1", nil, c),
		sign(t, gojwt.SigningMethodRS256, k.attacker, "rsa1", map[string]any{"jwk": jwk("rsa1", "RS256", &k.attacker.PublicKey)}, c),
		sign(t, gojwt.SigningMethodRS256, k.attacker, "rsa1", map[string]any{"jku": "https://evil.test"}, c),
		sign(t, gojwt.SigningMethodRS256, k.rsa1, "rsa1", map[string]any{"crit": []string{"exp"}}, c),
		sign(t, gojwt.SigningMethodES256, k.ec256, "rsa1", nil, c),
		sign(t, gojwt.SigningMethodRS256, k.rsa2, "rs512-only", nil, c),
		raw(`{"alg":"RS256","alg":"none"}`, string(cj), []byte("x")),
		raw(`{"alg":"RS256","kid":"rsa1"}`, `{"iss":"`+testIssuer+`","ISS":"x","sub":"a"}`, []byte("x")),
		"eyJhbGciOiJSUzI1NiJ9.e30.",
		"eyJ.e30.",
		"...",
		"",
		strings.Split(valid[0], ".")[0] + "." + strings.Split(valid[1], ".")[1] + "." + strings.Split(valid[0], ".")[2],
	}
	return valid, attacks
}

// FuzzPreparse: the pre-parser never panics, refuses with one of our
// reasons, and agrees with golang-jwt on whatever it accepts.
func FuzzPreparse(f *testing.F) {
	e := &env{t: f, k: testKeys(), clock: newClock()}
	valid, attacks := seedTokens(f, e)
	for _, s := range append(valid, attacks...) {
		f.Add(s)
	}
	lib := gojwt.NewParser(gojwt.WithStrictDecoding())
	f.Fuzz(func(t *testing.T, tok string) {
		_ = LooksLikeJWS(tok)
		p, err := preparse(tok)
		if err != nil {
			for _, r := range []error{ErrTooLarge, ErrMalformed, ErrAlgorithm, ErrHeader, ErrSignature} {
				if errors.Is(err, r) {
					return
				}
			}
			t.Fatalf("unclassified error %v", err)
		}
		if len(tok) > MaxTokenSize || strings.Count(tok, ".") != 2 || p.payload == "" || strings.HasSuffix(tok, ".") {
			t.Fatalf("accepted a malformed token %q", tok)
		}
		if checkAlgName(p.alg) != nil {
			t.Fatalf("accepted alg %q", p.alg)
		}
		_, _ = peekIssuer(p.payload)
		lt, _, lerr := lib.ParseUnverified(tok, gojwt.MapClaims{})
		if lerr != nil || lt == nil {
			return // e.g. a payload that is not a JSON object
		}
		if alg, _ := lt.Header["alg"].(string); alg != p.alg {
			t.Fatalf("alg: ours %q, golang-jwt %q", p.alg, alg)
		}
		kid, has := lt.Header["kid"].(string)
		if has != p.hasKid || kid != p.kid {
			t.Fatalf("kid: ours %q %v, golang-jwt %q %v", p.kid, p.hasKid, kid, has)
		}
	})
}

// FuzzAuthenticate: whatever the bearer token, no panic, and nothing but
// the genuinely signed seeds is ever accepted.
func FuzzAuthenticate(f *testing.F) {
	e := newEnv(f)
	valid, attacks := seedTokens(f, e)
	for _, s := range append(valid, attacks...) {
		f.Add(s)
	}
	ok := map[string]bool{}
	for _, v := range valid {
		ok[v] = true
	}
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := e.a.Authenticate(context.Background(), exchange("Bearer "+tok))
		if err == nil && !ok[strings.TrimLeft(tok, " ")] {
			t.Fatalf("accepted %q as %+v", tok, p)
		}
		if _, err := e.a.Verify(context.Background(), tok); err == nil && !ok[tok] {
			t.Fatalf("verified %q", tok)
		}
	})
}
