package mtls

import (
	"crypto/x509"
	"time"
)

// Option configures an Authenticator.
type Option func(*options)

type options struct {
	now func() time.Time
	cas []*x509.Certificate
}

// WithClock sets the clock that judges NotBefore and NotAfter (for
// tests).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithTrustedCAs pins the CAs: a verified chain counts only if it ends at
// one of these certificates (normally those of client_ca_file). Without
// it, any chain the listener verified counts.
func WithTrustedCAs(cas ...*x509.Certificate) Option {
	return func(o *options) { o.cas = append(o.cas, cas...) }
}
