// Package problem is the one writer of error bodies in apiguard.
//
// Every error the gateway produces on its own behalf is an RFC 9457
// application/problem+json document with a stable machine-readable code
// and the request id. Stages never write responses: they return a *Error
// (a deliberate denial) or any other error, which Write answers as a
// generic 500 so that nothing internal (stack traces, upstream addresses,
// library names) ever reaches a client. The full cause stays available to
// the log and the audit record through Cause.
package problem

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a denial with a status, a stable code and a client-safe detail.
// Header carries response headers that belong to the denial
// (WWW-Authenticate, Allow, Retry-After). Cause is never shown to clients.
type Error struct {
	Status int
	Code   string
	Title  string
	Detail string
	Header http.Header
	// Errors lists individual violations (e.g. OpenAPI), client-safe.
	Errors []FieldError
	// Cause is the internal reason, for logs and audit only.
	Cause error
}

// FieldError is one violation named by its location.
type FieldError struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// Error describes the denial for logs: code, detail and internal cause.
func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Detail, e.Cause)
	}
	return e.Code + ": " + e.Detail
}

// Unwrap exposes the internal cause to errors.Is/As.
func (e *Error) Unwrap() error { return e.Cause }

// WithHeader returns e with one more response header set.
func (e *Error) WithHeader(name, value string) *Error {
	if e.Header == nil {
		e.Header = make(http.Header, 1)
	}
	e.Header.Set(name, value)
	return e
}

// WithCause records the internal reason (never sent to the client).
func (e *Error) WithCause(err error) *Error {
	e.Cause = err
	return e
}

// New returns a denial with the standard title of its status.
func New(status int, code, detail string) *Error {
	return &Error{Status: status, Code: code, Title: http.StatusText(status), Detail: detail}
}

// As reports whether err is (or wraps) a *Error and returns it. Any other
// non-nil error is converted into a generic 500 internal error that keeps
// err as its Cause: this is the fail-closed rule in one place.
func As(err error) *Error {
	var p *Error
	if errors.As(err, &p) {
		return p
	}
	return Internal(err)
}
