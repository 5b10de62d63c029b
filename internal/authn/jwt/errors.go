package jwt

import (
	"errors"
	"fmt"

	"github.com/apiguard/apiguard/internal/problem"
)

// Reasons a token is refused. They are wrapped in the Cause of the 401
// problem (never shown to the client) and can be tested with errors.Is.
var (
	ErrTooLarge        = errors.New("jwt: token too large")
	ErrMalformed       = errors.New("jwt: malformed token")
	ErrAlgorithm       = errors.New("jwt: algorithm not allowed")
	ErrAlgNone         = fmt.Errorf("%w: unsigned (none)", ErrAlgorithm)
	ErrHeader          = errors.New("jwt: header parameter not allowed")
	ErrEmbeddedKey     = fmt.Errorf("%w: embedded or referenced key", ErrHeader)
	ErrCritical        = fmt.Errorf("%w: crit", ErrHeader)
	ErrType            = fmt.Errorf("%w: typ", ErrHeader)
	ErrUnknownIssuer   = errors.New("jwt: unknown issuer")
	ErrUnknownKey      = errors.New("jwt: unknown key id")
	ErrKeyMismatch     = errors.New("jwt: key does not match the algorithm")
	ErrSignature       = errors.New("jwt: invalid signature")
	ErrExpired         = errors.New("jwt: token expired")
	ErrNotYetValid     = errors.New("jwt: token not valid yet")
	ErrIssuedInFuture  = errors.New("jwt: token issued in the future")
	ErrAudience        = errors.New("jwt: audience not accepted")
	ErrMissingClaim    = errors.New("jwt: required claim missing")
	ErrInvalidClaim    = errors.New("jwt: invalid claim")
	ErrLifetime        = errors.New("jwt: token lifetime exceeds max_ttl")
	ErrAmbiguous       = errors.New("jwt: several Authorization headers")
	ErrKeysUnavailable = errors.New("jwt: issuer keys unavailable")
)

// Reasons a JWKS could not be loaded (reported by Start and the refresh
// hook; the last good keys are kept).
var (
	ErrJWKSFetch   = errors.New("jwks: fetch failed")
	ErrJWKSInvalid = errors.New("jwks: invalid key set")
)

// Client-facing details: short, generic, stable.
const (
	detailInvalid = "invalid token"
	detailExpired = "token expired"
)

// deny turns a refusal reason into the problem the client sees.
func deny(cause error) *problem.Error {
	if errors.Is(cause, ErrKeysUnavailable) {
		return problem.Unavailable("the token issuer's keys are unavailable", cause)
	}
	detail := detailInvalid
	if errors.Is(cause, ErrExpired) {
		detail = detailExpired
	}
	return problem.Unauthenticated(detail, true).WithCause(cause)
}
