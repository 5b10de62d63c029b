package pipeline

import (
	"net/http"
	"strings"
)

// BearerToken finds the bearer token (RFC 6750 §2.1) that an
// authenticator claims with ours. found is false when no Authorization
// header carries a Bearer token ours accepts; ambiguous is true when such
// a token comes with other Authorization headers: which one another
// component would read is a guess, so callers refuse the request. The
// bearer authenticators (jwt, introspection) share it so that they split
// tokens between them in exactly the same way.
func BearerToken(h http.Header, ours func(string) bool) (tok string, found, ambiguous bool) {
	vals := h["Authorization"]
	for _, v := range vals {
		scheme, rest, ok := strings.Cut(v, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			continue
		}
		if t := strings.TrimLeft(rest, " "); ours(t) {
			tok, found = t, true
		}
	}
	return tok, found, found && len(vals) > 1
}
