package introspect

import (
	"net/http"
	"strings"

	"github.com/apiguard/apiguard/internal/authn/apikey"
	"github.com/apiguard/apiguard/internal/pipeline"
)

// MaxTokenSize is the largest token sent to the endpoint, in bytes;
// larger ones are refused (401) without a call.
const MaxTokenSize = 4 << 10

// jwsScanLimit is how much of a token the JWS shape test reads: it must
// equal jwt.MaxTokenSize, so that the jwt authenticator and this one
// agree on every token (a test pins it).
const jwsScanLimit = 8 << 10

// bearerToken returns the request's bearer token if it is ours (see the
// package doc), ErrNoCredential if there is none, or a 401 problem for
// one of ours that is refused from its shape alone.
func bearerToken(r *http.Request) (string, error) {
	if r == nil {
		return "", pipeline.ErrNoCredential
	}
	vals := r.Header["Authorization"]
	tok, found := "", false
	for _, v := range vals {
		scheme, rest, ok := strings.Cut(v, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			continue
		}
		if t := strings.TrimLeft(rest, " "); ours(t) {
			tok, found = t, true
		}
	}
	switch {
	case !found:
		return "", pipeline.ErrNoCredential
	case len(vals) > 1:
		return "", deny(ErrAmbiguous)
	case len(tok) > MaxTokenSize:
		return "", deny(ErrTooLarge)
	case !isB64Token(tok):
		return "", deny(ErrMalformed)
	}
	return tok, nil
}

// ours reports whether a bearer token is for introspection: neither a
// JWT (the jwt authenticator's) nor an apiguard API key (never sent to
// an identity provider, whatever the case of its prefix).
func ours(tok string) bool {
	if len(tok) >= len(apikey.Prefix) && strings.EqualFold(tok[:len(apikey.Prefix)], apikey.Prefix) {
		return false
	}
	return !looksLikeJWS(tok)
}

// b64url marks the bytes of the base64url alphabet.
var b64url = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
		t[c] = true
	}
	return t
}()

// looksLikeJWS is the jwt authenticator's test, byte for byte: "ey", then
// base64url and exactly two dots with a non-empty payload segment; of a
// token over jwsScanLimit bytes only that prefix is read, and one dot in
// it is enough.
func looksLikeJWS(tok string) bool {
	s, whole := tok, true
	if len(s) > jwsScanLimit {
		s, whole = s[:jwsScanLimit], false
	}
	if !strings.HasPrefix(s, "ey") {
		return false
	}
	dots := [2]int{-1, -1}
	n := 0
	for i := 0; i < len(s); i++ {
		if b64url[s[i]] {
			continue
		}
		if s[i] != '.' || n == 2 {
			return false
		}
		dots[n] = i
		n++
	}
	if !whole {
		return n >= 1
	}
	return n == 2 && dots[1] > dots[0]+1
}

// isB64Token reports whether s is RFC 6750 §2.1 b64token:
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	i := 0
	for i < len(s) {
		c := s[i]
		if !b64url[c] && c != '.' && c != '~' && c != '+' && c != '/' {
			break
		}
		i++
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}
