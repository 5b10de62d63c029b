package problem

import (
	"net/http"
	"strconv"
)

// Stable codes of BEHAVIOUR.md. Clients and tests rely on them.
const (
	CodeInvalidRequest   = "invalid-request"
	CodeSecretInURL      = "secret-in-url"
	CodeUnauthenticated  = "unauthenticated"
	CodeStepUpRequired   = "step-up-required"
	CodeForbidden        = "forbidden"
	CodeBlocked          = "blocked"
	CodeNotFound         = "not-found"
	CodeMethodNotAllowed = "method-not-allowed"
	CodeSunset           = "sunset"
	CodePayloadTooLarge  = "payload-too-large"
	CodeHeaderTooLarge   = "header-too-large"
	CodeUnsupportedMedia = "unsupported-media-type"
	CodeRateLimited      = "rate-limited"
	// CodeClientBlocked: the client IP or identity is blocked by an
	// anomaly detector or an operator (403 with Retry-After; extension).
	CodeClientBlocked   = "client-blocked"
	CodeUpstreamError   = "upstream-error"
	CodeUpstreamTimeout = "upstream-timeout"
	CodeUnavailable     = "unavailable"
	CodeInternal        = "internal"
)

// Realm is the realm of every WWW-Authenticate challenge.
const Realm = `realm="apiguard"`

// BadRequest is a 400 invalid-request.
func BadRequest(detail string) *Error {
	return New(http.StatusBadRequest, CodeInvalidRequest, detail)
}

// Unauthenticated is a 401 with a Bearer challenge. invalidToken adds
// error="invalid_token" (RFC 6750 §3.1) for a token that was presented but
// is bad, expired or revoked.
func Unauthenticated(detail string, invalidToken bool) *Error {
	challenge := "Bearer " + Realm
	if invalidToken {
		challenge += `, error="invalid_token"`
	}
	return New(http.StatusUnauthorized, CodeUnauthenticated, detail).WithHeader("WWW-Authenticate", challenge)
}

// Forbidden is a 403: authenticated, but not granted.
func Forbidden(detail string) *Error {
	return New(http.StatusForbidden, CodeForbidden, detail)
}

// NotFound is a 404: no route matches.
func NotFound() *Error {
	return New(http.StatusNotFound, CodeNotFound, "no route matches this path")
}

// MethodNotAllowed is a 405 with the Allow header.
func MethodNotAllowed(allow string) *Error {
	return New(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "this path does not accept this method").
		WithHeader("Allow", allow)
}

// PayloadTooLarge is a 413: the request body exceeds max_body.
func PayloadTooLarge(limit int64) *Error {
	return New(http.StatusRequestEntityTooLarge, CodePayloadTooLarge,
		"request body exceeds "+strconv.FormatInt(limit, 10)+" bytes")
}

// HeaderTooLarge is a 431: the request headers exceed max_header.
func HeaderTooLarge() *Error {
	return New(http.StatusRequestHeaderFieldsTooLarge, CodeHeaderTooLarge, "request headers are too large")
}

// UpstreamError is a 502: the upstream failed or answered 5xx.
func UpstreamError(cause error) *Error {
	return New(http.StatusBadGateway, CodeUpstreamError, "the upstream service failed").WithCause(cause)
}

// UpstreamTimeout is a 504: the upstream exceeded its timeout.
func UpstreamTimeout(cause error) *Error {
	return New(http.StatusGatewayTimeout, CodeUpstreamTimeout, "the upstream service did not answer in time").WithCause(cause)
}

// Unavailable is a 503: draining, or a store needed to decide is down.
func Unavailable(detail string, cause error) *Error {
	return New(http.StatusServiceUnavailable, CodeUnavailable, detail).WithCause(cause).WithHeader("Retry-After", "1")
}

// Internal is a 500 that shows nothing of cause to the client.
func Internal(cause error) *Error {
	return New(http.StatusInternalServerError, CodeInternal, "the gateway could not process this request").WithCause(cause)
}
