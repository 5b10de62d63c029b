// Package pipeline defines the exchange that carries one request through
// the gateway and the stage contract, and owns the fixed phase order:
//
//	screen → identify → authorize → limit → inspect → proxy → filter response → audit
//
// Configuration chooses which stages run within a phase, never the order:
// in a security product a wrong order is a bypass. Stages are built once
// per route when a configuration is compiled; Check is the only thing that
// runs per request.
//
// A stage never writes a response. It returns nil to go on, a
// *problem.Error to deny, or any other error, which the gateway answers as
// a generic 500 (fail closed).
package pipeline

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"time"
)

// Principal is who a request proved to be. Its fields come from verified
// credentials only, never from request headers. Authenticators may return
// a shared (cached) Principal: stages must treat it as read-only.
type Principal struct {
	// Subject identifies the caller (key id, JWT sub, certificate CN...).
	Subject string
	// Method is how it authenticated: api_key, jwt, introspection, mtls.
	Method string
	// KeyID is the API key id when Method is api_key.
	KeyID string
	// Scopes are the granted scopes.
	Scopes []string
	// AuthTime is when the user last authenticated (JWT auth_time).
	AuthTime time.Time
	// AMR and ACR are the JWT authentication methods and context class.
	AMR []string
	ACR string
	// MFA is true when the credential proves a fresh multi-factor
	// authentication (a JWT whose amr has mfa/otp/hwk, or an acr the
	// issuer lists); AuthTime says how fresh.
	MFA bool
	// TOTP is set for API keys enrolled for TOTP step-up.
	TOTP bool
	// ExpiresAt is when the credential stops being valid (zero: unknown).
	ExpiresAt time.Time
	// Quota is the credential's own quota (API keys created with
	// --quota), enforced on every route in addition to the route's; nil
	// when it has none. It is shared between requests: read only.
	Quota *Quota
}

// Quota is a per-credential quota: Limit requests per calendar Per
// ("day" or "month", UTC windows), counted across all routes.
type Quota struct {
	Limit int64
	Per   string
}

// HasScope reports whether s is granted.
func (p *Principal) HasScope(s string) bool {
	for _, g := range p.Scopes {
		if g == s {
			return true
		}
	}
	return false
}

// Exchange carries one request through the pipeline. In is the request as
// received: stages read it but must not modify it; what goes to the
// upstream is expressed through UpstreamHeader.
type Exchange struct {
	In        *http.Request
	RequestID string
	ClientIP  netip.Addr
	Start     time.Time
	// Route is the matched route's name.
	Route string
	// Principal is set by the identify phase; nil on public routes.
	Principal *Principal
	// UpstreamHeader holds headers stages add to the upstream request.
	UpstreamHeader http.Header
	// ResponseHeader holds headers stages add to the client response
	// (on success and on denial alike).
	ResponseHeader http.Header
	// Findings are non-blocking observations (waf: report) for the log
	// and audit record.
	Findings []string
}

// Stage is one check before the request is proxied.
type Stage interface {
	// Name identifies the stage in logs, metrics and audit records.
	Name() string
	// Check returns nil to continue, a *problem.Error to deny, or another
	// error (an internal failure, answered 500).
	Check(ctx context.Context, x *Exchange) error
}

// ResponseFilter transforms or checks the upstream response before it is
// sent to the client (masking, response validation). It may replace
// resp.Body. Returning an error answers the client 502 (or the
// *problem.Error returned) instead of the upstream response.
type ResponseFilter interface {
	Name() string
	Filter(x *Exchange, resp *http.Response) error
}

// ErrNoCredential is returned by an Authenticator when the request carries
// no credential of its kind, so the next authenticator may try.
var ErrNoCredential = errors.New("no credential of this kind")

// Authenticator verifies one kind of credential. It returns the Principal,
// ErrNoCredential when the request carries no credential of its kind, a
// *problem.Error (401) for a bad credential, or another error when it
// could not decide (answered 500/503: fail closed).
type Authenticator interface {
	Method() string
	Authenticate(ctx context.Context, x *Exchange) (*Principal, error)
}
