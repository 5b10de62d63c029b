package introspect

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/apiguard/apiguard/internal/pipeline"
)

const (
	// nbfLeeway tolerates an authorization server whose clock is ahead.
	nbfLeeway  = 30 * time.Second
	maxSubject = 1024
	maxScopes  = 256
	maxScope   = 256
)

// judge decides on a well-formed answer at now. On success it returns
// the Principal; otherwise a reason (a refusal: never ErrUnavailable).
// until is when the decision may stop holding (zero: not before the
// cache TTL): the token's exp for an acceptance, its nbf for a refusal
// as not yet valid.
func judge(a *answer, now time.Time) (p *pipeline.Principal, until time.Time, err error) {
	if !a.active {
		return nil, time.Time{}, ErrInactive
	}
	if strings.EqualFold(a.tokenType, "refresh_token") {
		return nil, time.Time{}, ErrTokenType
	}
	if !a.exp.IsZero() && !now.Before(a.exp) {
		return nil, time.Time{}, ErrExpired
	}
	if !a.nbf.IsZero() && a.nbf.After(now.Add(nbfLeeway)) {
		return nil, a.nbf.Add(-nbfLeeway), ErrNotYetValid
	}
	subject := firstNonEmpty(a.sub, a.username, a.clientID)
	if subject == "" {
		return nil, time.Time{}, ErrNoIdentity
	}
	if len(subject) > maxSubject || !printable(subject) {
		return nil, time.Time{}, fmt.Errorf("%w: the identity is not a printable string of at most %d bytes", ErrInvalidClaim, maxSubject)
	}
	scopes, err := parseScopes(a.scope)
	if err != nil {
		return nil, time.Time{}, err
	}
	p = &pipeline.Principal{Subject: subject, Method: Method, Scopes: scopes, ExpiresAt: a.exp}
	return p, a.exp, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// parseScopes splits an RFC 6749 §3.3 scope string; every element must
// be a scope-token. Repeated spaces are tolerated.
func parseScopes(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	for f := range strings.SplitSeq(s, " ") {
		if f == "" {
			continue
		}
		if !isScopeToken(f) {
			return nil, fmt.Errorf("%w: a scope is not an RFC 6749 scope-token", ErrInvalidClaim)
		}
		if len(out) == maxScopes {
			return nil, fmt.Errorf("%w: more than %d scopes", ErrInvalidClaim, maxScopes)
		}
		out = append(out, f)
	}
	return out, nil
}

// isScopeToken reports whether s is 1*( %x21 / %x23-5B / %x5D-7E ), of
// at most maxScope bytes.
func isScopeToken(s string) bool {
	if s == "" || len(s) > maxScope {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// printable reports whether s is valid UTF-8 without control characters:
// the subject ends up in upstream headers, logs and audit records.
func printable(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return false
		}
	}
	return true
}
