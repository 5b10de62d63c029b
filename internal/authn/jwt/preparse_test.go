package jwt

import (
	"errors"
	"strings"
	"testing"
)

func TestPreparse(t *testing.T) {
	claims := enc([]byte(`{"iss":"x"}`))
	for _, tc := range []struct {
		name   string
		header string
		want   error // nil: accepted
		alg    string
		kid    string
		hasKid bool
	}{
		{"minimal", `{"alg":"RS256"}`, nil, "RS256", "", false},
		{"kid typ", `{"alg":"ES256","kid":"k1","typ":"JWT"}`, nil, "ES256", "k1", true},
		{"empty kid", `{"alg":"ES256","kid":""}`, nil, "ES256", "", true},
		{"unicode escapes", `{"alg":"RS\u0032\u00356","kid":"\u006b"}`, nil, "RS256", "k", true},
		{"whitespace", " {\n\"alg\" : \"EdDSA\" } \n", nil, "EdDSA", "", false},
		{"unknown members", `{"alg":"PS256","x5t":"abc","foo":{"jwk":1}}`, nil, "PS256", "", false},
		{"typ at+jwt", `{"alg":"RS256","typ":"application/AT+JWT"}`, nil, "RS256", "", false},
		{"cty other", `{"alg":"RS256","cty":"json"}`, nil, "RS256", "", false},
		{"none", `{"alg":"none"}`, ErrAlgNone, "", "", false},
		{"nOnE", `{"alg":"nOnE"}`, ErrAlgNone, "", "", false},
		{"HS256", `{"alg":"HS256"}`, ErrAlgorithm, "", "", false},
		{"Hs384", `{"alg":"Hs384"}`, ErrAlgorithm, "", "", false},
		{"rs256", `{"alg":"rs256"}`, ErrAlgorithm, "", "", false},
		{"empty alg", `{"alg":""}`, ErrAlgorithm, "", "", false},
		{"null alg", `{"alg":null}`, ErrMalformed, "", "", false},
		{"no alg", `{"kid":"a"}`, ErrAlgorithm, "", "", false},
		{"kid number", `{"alg":"RS256","kid":1}`, ErrMalformed, "", "", false},
		{"duplicate kid", `{"alg":"RS256","kid":"a","kid":"b"}`, ErrMalformed, "", "", false},
		{"duplicate via escape", `{"alg":"RS256","al\u0067":"none"}`, ErrMalformed, "", "", false},
		{"jwk", `{"alg":"RS256","jwk":{}}`, ErrEmbeddedKey, "", "", false},
		{"jku", `{"alg":"RS256","jku":"https://x"}`, ErrEmbeddedKey, "", "", false},
		{"x5u", `{"alg":"RS256","x5u":"https://x"}`, ErrEmbeddedKey, "", "", false},
		{"x5c", `{"alg":"RS256","x5c":[]}`, ErrEmbeddedKey, "", "", false},
		{"crit", `{"alg":"RS256","crit":["b64"],"b64":false}`, ErrCritical, "", "", false},
		{"crit empty", `{"alg":"RS256","crit":[]}`, ErrCritical, "", "", false},
		{"zip", `{"alg":"RS256","zip":"DEF"}`, ErrHeader, "", "", false},
		{"enc", `{"alg":"RS256","enc":"A128GCM"}`, ErrHeader, "", "", false},
		{"typ JOSE", `{"alg":"RS256","typ":"JOSE"}`, ErrType, "", "", false},
		{"typ number", `{"alg":"RS256","typ":1}`, ErrMalformed, "", "", false},
		{"cty JWT", `{"alg":"RS256","cty":"application/jwt"}`, ErrHeader, "", "", false},
		{"array", `["alg","RS256"]`, ErrMalformed, "", "", false},
		{"string", `"RS256"`, ErrMalformed, "", "", false},
		{"trailing object", `{"alg":"RS256"}{"alg":"none"}`, ErrMalformed, "", "", false},
		{"trailing garbage", `{"alg":"RS256"}x`, ErrMalformed, "", "", false},
		{"unterminated", `{"alg":"RS256"`, ErrMalformed, "", "", false},
		{"bad json", `{"alg":RS256}`, ErrMalformed, "", "", false},
		{"empty", ``, ErrMalformed, "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := enc([]byte(tc.header)) + "." + claims + ".c2ln"
			p, err := preparse(tok)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.alg != tc.alg || p.kid != tc.kid || p.hasKid != tc.hasKid || p.payload != claims {
				t.Fatalf("preparsed = %+v", p)
			}
		})
	}
}

func TestPreparseShape(t *testing.T) {
	h := enc([]byte(`{"alg":"RS256"}`))
	for _, tc := range []struct {
		tok  string
		want error
	}{
		{h + ".e30.c2ln", nil},
		{h + ".e30.", ErrSignature},
		{h + "..c2ln", ErrMalformed},
		{".e30.c2ln", ErrMalformed},
		{h + ".e30", ErrMalformed},
		{h + ".e30.c2ln.x", ErrMalformed},
		{h + "=.e30.c2ln", ErrMalformed},
		{h + "x.e30.c2ln", ErrMalformed}, // length 1 mod 4 is not base64
		{strings.Repeat("e", maxHeaderSegment+1) + ".e30.c2ln", ErrMalformed},
		{h + "." + strings.Repeat("A", MaxTokenSize) + ".c2ln", ErrTooLarge},
	} {
		if _, err := preparse(tc.tok); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("preparse(%.40q) = %v, want %v", tc.tok, err, tc.want)
		}
	}
}

func TestLooksLikeJWS(t *testing.T) {
	big := "eyJhbGciOiJSUzI1NiJ9." + strings.Repeat("A", 1<<20) + ".c2ln"
	for _, tc := range []struct {
		tok  string
		want bool
	}{
		{"eyJhbGciOiJSUzI1NiJ9.e30.c2ln", true},
		{"eyJhbGciOiJub25lIn0.e30.", true},
		{"eyJhbGciOiJSUzI1NiJ9..c2ln", false},
		{"eyJhbGciOiJSUzI1NiJ9.e30", false},
		{"eyJhbGciOiJSUzI1NiJ9.e30.c2ln.", false},
		{"eyJhbGciOiJSUzI1NiJ9.e30=.c2ln", false},
		{"eyJhbGci OiJSUzI1NiJ9.e30.c2ln", false},
		{"abc.def.ghi", false},
		{"", false},
		{"ey", false},
		{big, true},
		{"eyJ" + strings.Repeat("A", 1<<20), false}, // no dot in the prefix
		{"eyJ.e30." + strings.Repeat("A", MaxTokenSize) + "." + "x", true},
		{"eyJ.e30.x." + strings.Repeat("A", MaxTokenSize), false},
	} {
		if got := LooksLikeJWS(tc.tok); got != tc.want {
			t.Errorf("LooksLikeJWS(%.40q) = %v", tc.tok, got)
		}
	}
}

func TestPeekIssuer(t *testing.T) {
	for _, tc := range []struct {
		payload string
		want    string
		err     error
	}{
		{`{"iss":"a"}`, "a", nil},
		{`{"iss":""}`, "", ErrMissingClaim},
		{`{}`, "", ErrMissingClaim},
		{`{"iss":1}`, "", ErrMalformed},
		{`[]`, "", ErrMalformed},
		{`{"iss":"a"`, "", ErrMalformed},
	} {
		got, err := peekIssuer(enc([]byte(tc.payload)))
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("peekIssuer(%s) = %q, %v", tc.payload, got, err)
		}
	}
	if _, err := peekIssuer("e30="); !errors.Is(err, ErrMalformed) {
		t.Errorf("padded payload: %v", err)
	}
}
