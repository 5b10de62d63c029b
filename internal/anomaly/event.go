package anomaly

import (
	"hash/maphash"
	"net/netip"
	"time"

	"github.com/apiguard/apiguard/internal/problem"
)

// Problem codes the detectors read from Event.Code.
const (
	// CodeInjection is the code of a request the injection filter (waf:
	// block) refused: injection_repeat counts it.
	CodeInjection = "blocked"
	// CodeClientBlocked is the code of a request refused because its IP
	// or identity is blocked (Refusal). Observe ignores such events, so a
	// blocked client cannot extend or re-trigger its own block.
	CodeClientBlocked = problem.CodeClientBlocked
)

// keyIdentityPrefix is the Subject prefix of API-key principals
// (apikey.SubjectPrefix): an event with a KeyID and no Subject is
// counted for the identity "key:<KeyID>".
const keyIdentityPrefix = "key:"

// Event is one answered request, as the detectors see it. It holds no
// secret: credentials are represented by a keyed fingerprint only.
type Event struct {
	// Time is when the answer was sent; zero means the engine's clock.
	Time time.Time
	// ClientIP is the client IP (trusted_proxies applied); the zero Addr
	// skips the per-IP detectors.
	ClientIP netip.Addr
	// Subject is the authenticated identity (Principal.Subject), empty
	// when the request was not authenticated.
	Subject string
	// KeyID is the API key id: the id of the key presented, also when it
	// failed (revoked, expired) if it is known. Without a Subject the
	// identity is "key:<KeyID>".
	KeyID string
	// Route is the matched route's name ("" when none matched).
	Route string
	// Status is the HTTP status answered.
	Status int
	// Code is the problem code of an error answer ("" for upstream
	// answers).
	Code string
	// ObjectID identifies the object the request addressed: the value of
	// the route's last path parameter (or any stable hash of it); "" when
	// the route has none. enumeration counts distinct (Route, ObjectID).
	ObjectID string
	// CredentialFingerprint identifies the credential presented on a 401
	// (Fingerprint of it); 0 when none. credential_stuffing counts
	// distinct fingerprints. Never put the credential itself anywhere.
	CredentialFingerprint uint64
}

// fingerprintSeed is random per process: fingerprints cannot be compared
// across processes nor inverted by a dictionary computed elsewhere.
var fingerprintSeed = maphash.MakeSeed()

// Fingerprint is a 64-bit keyed hash of a presented credential, for
// Event.CredentialFingerprint. It is not reversible to the credential,
// changes with every process start and is never written anywhere.
func Fingerprint(credential string) uint64 {
	return maphash.String(fingerprintSeed, credential) | 1
}

// hasIdentity reports whether the event names an identity.
func (ev *Event) hasIdentity() bool { return ev.Subject != "" || ev.KeyID != "" }

// identity is the identity string of the event (it allocates for a key
// id without subject: call it off the request path).
func (ev *Event) identity() string {
	if ev.Subject != "" || ev.KeyID == "" {
		return ev.Subject
	}
	return keyIdentityPrefix + ev.KeyID
}

// authFailure reports a 401 (invalid, expired or revoked credential,
// failed step-up).
func (ev *Event) authFailure() bool { return ev.Status == 401 }

// injection reports a request refused by the injection filter.
func (ev *Event) injection() bool { return ev.Status == 403 && ev.Code == CodeInjection }

// probe reports a 403 or 404 answer about an object (enumeration).
func (ev *Event) probe() bool {
	return ev.ObjectID != "" && (ev.Status == 404 || ev.Status == 403 && ev.Code != CodeInjection)
}
