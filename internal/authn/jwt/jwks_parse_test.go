package jwt

import (
	"errors"
	"fmt"
	"testing"
)

func TestParseJWKS(t *testing.T) {
	k := testKeys()
	with := func(m map[string]any, kv ...any) map[string]any {
		c := map[string]any{}
		for a, b := range m {
			c[a] = b
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(c, kv[i].(string))
			} else {
				c[kv[i].(string)] = kv[i+1]
			}
		}
		return c
	}
	rsa := jwk("r", "RS256", &k.rsa1.PublicKey)
	ec := jwk("e", "ES256", &k.ec256.PublicKey)
	ed := jwk("o", "EdDSA", k.ed.Public())
	badPoint := with(ec, "y", ec["x"])
	many := make([]map[string]any, maxJWKSKeys+1)
	for i := range many {
		many[i] = with(ec, "kid", fmt.Sprint(i))
	}
	for _, tc := range []struct {
		name string
		keys []map[string]any
		want int // usable keys; -1: the set is refused
	}{
		{"rsa ec ed", []map[string]any{rsa, ec, ed}, 3},
		{"P-384", []map[string]any{jwk("p384", "ES384", &k.ec384.PublicKey)}, 1},
		{"no alg", []map[string]any{with(rsa, "alg", nil)}, 1},
		{"Ed25519 alg name", []map[string]any{with(ed, "alg", "Ed25519")}, 1},
		{"private RSA", []map[string]any{with(rsa, "d", "AQAB"), ec}, 1},
		{"private EC", []map[string]any{with(ec, "d", "AQAB")}, -1},
		{"symmetric", []map[string]any{{"kty": "oct", "kid": "h", "k": "c2VjcmV0"}}, -1},
		{"use enc", []map[string]any{with(rsa, "use", "enc"), ec}, 1},
		{"key_ops sign only", []map[string]any{with(rsa, "key_ops", []string{"sign"}), ec}, 1},
		{"key_ops verify", []map[string]any{with(rsa, "key_ops", []string{"verify"})}, 1},
		{"weak RSA", []map[string]any{jwk("w", "RS256", &k.rsaWeak.PublicKey)}, -1},
		{"even exponent", []map[string]any{with(rsa, "e", "Ag")}, -1},
		{"EC point off the curve", []map[string]any{badPoint}, -1},
		{"alg HS256 on an RSA key", []map[string]any{with(rsa, "alg", "HS256")}, -1},
		{"alg none", []map[string]any{with(rsa, "alg", "none")}, -1},
		{"alg ES256 on an RSA key", []map[string]any{with(rsa, "alg", "ES256")}, -1},
		{"curve and alg disagree", []map[string]any{with(ec, "alg", "ES384")}, -1},
		{"unknown curve", []map[string]any{with(ec, "crv", "secp256k1")}, -1},
		{"padded base64", []map[string]any{with(rsa, "e", "AQAB=")}, -1},
		{"n not a string", []map[string]any{with(rsa, "n", 5)}, -1},
		{"too many keys", many, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks, _, err := parseJWKS(jwksDoc(tc.keys...))
			if tc.want < 0 {
				if !errors.Is(err, ErrJWKSInvalid) {
					t.Fatalf("err = %v, want ErrJWKSInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ks.all) != tc.want {
				t.Fatalf("%d keys, want %d", len(ks.all), tc.want)
			}
		})
	}
	for _, doc := range []string{"", "null", "[]", `{"keys":{}}`, `{"keys":null}`} {
		if _, _, err := parseJWKS([]byte(doc)); !errors.Is(err, ErrJWKSInvalid) {
			t.Errorf("parseJWKS(%q) = %v", doc, err)
		}
	}
}

func TestKeySetFind(t *testing.T) {
	k := testKeys()
	ks, _, err := parseJWKS(jwksDoc(
		jwk("a", "RS256", &k.rsa1.PublicKey),
		jwk("a", "ES256", &k.ec256.PublicKey), // same kid, other kty: allowed
		jwk("b", "", &k.rsa2.PublicKey),
	))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		alg, kid string
		hasKid   bool
		n        int
		known    bool
	}{
		{"RS256", "a", true, 1, true},
		{"ES256", "a", true, 1, true},
		{"ES384", "a", true, 0, true},
		{"PS256", "a", true, 0, true}, // a's alg is RS256
		{"PS256", "b", true, 1, true}, // b has no alg
		{"RS256", "c", true, 0, false},
		{"RS256", "", false, 2, true},
		{"EdDSA", "", false, 0, false},
		{"RS256", "", true, 0, false}, // an empty kid is a kid
	} {
		keys, known := ks.find(tc.alg, tc.kid, tc.hasKid)
		if len(keys) != tc.n || known != tc.known {
			t.Errorf("find(%s, %q, %v) = %d keys, known %v", tc.alg, tc.kid, tc.hasKid, len(keys), known)
		}
	}
}
