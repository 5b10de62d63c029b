package introspect

import (
	"net/http"
	"strings"

	"github.com/apiguard/apiguard/internal/authn/apikey"
	"github.com/apiguard/apiguard/internal/authn/jwt"
	"github.com/apiguard/apiguard/internal/pipeline"
)

// MaxTokenSize is the largest token sent to the endpoint, in bytes;
// larger ones are refused (401) without a call.
const MaxTokenSize = 4 << 10

// bearerToken returns the request's bearer token if it is ours (see the
// package doc), ErrNoCredential if there is none, or a 401 problem for
// one of ours that is refused from its shape alone.
func bearerToken(r *http.Request) (string, error) {
	if r == nil {
		return "", pipeline.ErrNoCredential
	}
	tok, found, ambiguous := pipeline.BearerToken(r.Header, ours)
	switch {
	case !found:
		return "", pipeline.ErrNoCredential
	case ambiguous:
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
	return !jwt.LooksLikeJWS(tok) // one classifier, so the two never disagree
}

// isB64Token reports whether s is RFC 6750 §2.1 b64token:
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	i := 0
	for i < len(s) {
		c := s[i]
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' && c != '~' && c != '+' && c != '/' {
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

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
