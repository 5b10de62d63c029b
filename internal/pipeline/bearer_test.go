package pipeline

import (
	"net/http"
	"strings"
	"testing"
)

func TestBearerToken(t *testing.T) {
	jwtLike := func(s string) bool { return strings.HasPrefix(s, "ey") }
	for _, tc := range []struct {
		name             string
		values           []string
		tok              string
		found, ambiguous bool
	}{
		{"none", nil, "", false, false},
		{"ours", []string{"Bearer eyX"}, "eyX", true, false},
		{"scheme is case-insensitive", []string{"bearer  eyX"}, "eyX", true, false},
		{"not ours", []string{"Bearer opaque"}, "", false, false},
		{"other scheme", []string{"Basic eyX"}, "", false, false},
		{"no space", []string{"BearereyX"}, "", false, false},
		{"two headers, one ours", []string{"Bearer opaque", "Bearer eyX"}, "eyX", true, true},
		{"two headers, none ours", []string{"Bearer a", "Basic b"}, "", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tc.values {
				h.Add("Authorization", v)
			}
			tok, found, ambiguous := BearerToken(h, jwtLike)
			if tok != tc.tok || found != tc.found || ambiguous != tc.ambiguous {
				t.Fatalf("got %q %v %v", tok, found, ambiguous)
			}
		})
	}
}
