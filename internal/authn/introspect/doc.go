// Package introspect authenticates requests that carry an opaque OAuth 2.0
// bearer token by asking the authorization server about it (RFC 7662
// token introspection), as a pipeline.Authenticator whose Method is
// "introspection".
//
// # Which requests are ours
//
// A request is ours when its Authorization header is "Bearer <token>" and
// the token is neither shaped like a JWS compact serialisation (three
// base64url segments, the first starting with "ey": those belong to the
// jwt authenticator, which applies the very same test) nor an apiguard
// API key (prefix "agk_", in any case: our keys are never sent to an
// identity provider). Anything else is pipeline.ErrNoCredential. Several
// Authorization headers, one of which carries a token of ours, are
// refused (which one other components read would be a guess).
//
// A token of ours that is refused is a 401 problem with
// error="invalid_token" and a short generic detail ("invalid token" or
// "token expired"); the internal reason is the problem's Cause, which
// wraps one of this package's sentinel errors (errors.Is). Refused
// without asking anyone: a token over MaxTokenSize bytes, and one that is
// not RFC 6750 b64token syntax (ALPHA / DIGIT / "-._~+/", then "=").
//
// # The introspection call
//
// The token is POSTed as token=<token>&token_type_hint=access_token
// (application/x-www-form-urlencoded) to the configured url, with HTTP
// Basic client authentication: client_id and client secret each
// form-url-encoded as RFC 6749 §2.3.1 requires, and Accept:
// application/json. The call is bounded by the configured timeout (which
// covers waiting for one of the connection slots, DefaultMaxInFlight
// unless WithMaxInFlight says otherwise), redirects
// are never followed (not even with a caller's client: the token and the
// secret go nowhere else), and the answer must be a 200 whose JSON body
// is at most MaxResponseSize bytes.
//
// The answer is decoded with exact (case-sensitive) member names; a
// repeated member that we read, "active" not a JSON boolean, or a member
// of the wrong type makes the whole answer invalid (null counts as
// absent for the optional members). A token is accepted only if:
//
//   - "active" is true;
//   - "exp", if present, is not past (no leeway: the cache relies on it),
//     and "nbf", if present, is not in the future by more than 30 s;
//   - "token_type", if present, is not "refresh_token";
//   - an identity is present: "sub", else "username", else "client_id"
//     (the first non-empty one), a printable string of at most 1024
//     bytes. Note that the three share one namespace in Principal.Subject;
//   - "scope", if present, is a string of space-separated RFC 6749
//     scope-tokens (at most 256 of them).
//
// "aud" and "iss" are not checked: the configuration has no field for
// them, and the authorization server answering our client credentials is
// the one trusted for every opaque token. "active": false is "invalid
// token".
//
// # Failing closed
//
// The gateway never admits a token it could not verify: an endpoint that
// is down, slow (timeout), answers anything but 200 (including 401/403
// for our own credentials, and redirects), sends something other than
// JSON, or too much of it, is a 503 unavailable problem ("the token could
// not be verified", Retry-After: 1). Such failures are logged (never the
// token, never the secret) and never cached. So is a new token while 16 ×
// MaxInFlight distinct tokens are already pending: an unauthenticated
// flood (the rate limits run after the identify phase) cannot queue
// unbounded work.
//
// # Cache and single flight
//
// Answers are cached under the SHA-256 of the token (the token itself is
// never a key, nor kept): positive ones until cache_ttl or the token's
// exp, whichever comes first, negative ones (a definitive refusal from a
// well-formed answer) for cache_ttl, in two separate bounded maps, so
// that a flood of garbage tokens cannot evict good entries. A cache_ttl of
// 0 disables caching. Concurrent requests with the same token share one
// introspection call (single flight); a request that gives up (its
// context ends) does not cancel the call for the others.
//
// A cached positive answer means a revoked token keeps working for at
// most cache_ttl: that is the trade-off cache_ttl configures.
package introspect
