package introspect

import (
	"errors"

	"github.com/apiguard/apiguard/internal/problem"
)

// Reasons a token is refused. They are wrapped in the Cause of the
// problem (never shown to the client) and can be tested with errors.Is.
var (
	// ErrTooLarge: the token is over MaxTokenSize bytes.
	ErrTooLarge = errors.New("introspection: token too large")
	// ErrMalformed: the token is not RFC 6750 b64token syntax.
	ErrMalformed = errors.New("introspection: malformed token")
	// ErrAmbiguous: several Authorization headers, one of them ours.
	ErrAmbiguous = errors.New("introspection: several Authorization headers")
	// ErrInactive: the authorization server says "active": false.
	ErrInactive = errors.New("introspection: token not active")
	// ErrExpired: "exp" is past.
	ErrExpired = errors.New("introspection: token expired")
	// ErrNotYetValid: "nbf" is in the future.
	ErrNotYetValid = errors.New("introspection: token not valid yet")
	// ErrNoIdentity: an active token without sub, username or client_id.
	ErrNoIdentity = errors.New("introspection: active token without sub, username or client_id")
	// ErrInvalidClaim: an identity or scope the gateway cannot use.
	ErrInvalidClaim = errors.New("introspection: invalid member")
	// ErrTokenType: the token is a refresh token, not an access token.
	ErrTokenType = errors.New("introspection: not an access token")
)

// Reasons a token could not be verified: answered 503, never cached.
var (
	// ErrUnavailable: the endpoint could not be reached, timed out or
	// answered other than 200.
	ErrUnavailable = errors.New("introspection: endpoint unavailable")
	// ErrBadResponse: the answer is not a valid introspection response.
	ErrBadResponse = errors.New("introspection: invalid response")
	// ErrClosed: the authenticator was closed.
	ErrClosed = errors.New("introspection: authenticator closed")
)

// Client-facing details: short, generic, stable.
const (
	detailInvalid     = "invalid token"
	detailExpired     = "token expired"
	detailUnavailable = "the token could not be verified"
)

// deny turns a reason into the problem the client sees.
func deny(cause error) *problem.Error {
	if unverified(cause) {
		return problem.Unavailable(detailUnavailable, cause)
	}
	detail := detailInvalid
	if errors.Is(cause, ErrExpired) {
		detail = detailExpired
	}
	return problem.Unauthenticated(detail, true).WithCause(cause)
}

// unverified reports whether cause means "could not decide" (503) rather
// than "refused" (401).
func unverified(cause error) bool {
	return errors.Is(cause, ErrUnavailable) || errors.Is(cause, ErrBadResponse) || errors.Is(cause, ErrClosed)
}
