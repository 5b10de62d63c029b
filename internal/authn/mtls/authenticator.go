package mtls

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
)

// Method is the name of this authentication method.
const Method = "mtls"

// Authenticator turns a verified TLS client certificate into a
// Principal. It is safe for concurrent use and holds no resources.
type Authenticator struct {
	identity identityFunc
	now      func() time.Time
	cas      []*x509.Certificate
}

var _ pipeline.Authenticator = (*Authenticator)(nil)

// New checks identities.mtls and returns its authenticator. An empty
// subject_from means cn.
func New(cfg config.MTLSIdentity, opts ...Option) (*Authenticator, error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	id, ok := identities[cfg.SubjectFrom]
	if !ok {
		return nil, fmt.Errorf("mtls: subject_from %q: must be cn, san_dns, san_email or san_uri", cfg.SubjectFrom)
	}
	if slices.Contains(o.cas, nil) {
		return nil, errors.New("mtls: nil trusted CA")
	}
	return &Authenticator{identity: id, now: o.now, cas: o.cas}, nil
}

// Method returns "mtls".
func (a *Authenticator) Method() string { return Method }

// Authenticate returns the Principal of the request's verified client
// certificate, pipeline.ErrNoCredential when there is none, or a 401
// *problem.Error for one it refuses.
func (a *Authenticator) Authenticate(_ context.Context, x *pipeline.Exchange) (*pipeline.Principal, error) {
	if x == nil || x.In == nil || x.In.TLS == nil {
		return nil, pipeline.ErrNoCredential
	}
	chains := x.In.TLS.VerifiedChains
	if len(chains) == 0 || len(chains[0]) == 0 || chains[0][0] == nil {
		return nil, pipeline.ErrNoCredential
	}
	leaf := chains[0][0]
	if len(a.cas) > 0 && !a.pinned(chains) {
		return nil, deny("client certificate not issued by a trusted CA", ErrUntrusted)
	}
	now := a.now()
	if now.Before(leaf.NotBefore) {
		return nil, deny("client certificate not valid yet", ErrNotYetValid)
	}
	if now.After(leaf.NotAfter) {
		return nil, deny("client certificate expired", ErrExpired)
	}
	if err := checkUsage(leaf); err != nil {
		return nil, deny("client certificate is not for client authentication", err)
	}
	subject, err := a.identity(leaf)
	if err != nil {
		return nil, deny(identityDetail(err), err)
	}
	return &pipeline.Principal{Subject: subject, Method: Method, ExpiresAt: leaf.NotAfter}, nil
}

// pinned reports whether some verified chain ends at a trusted CA.
func (a *Authenticator) pinned(chains [][]*x509.Certificate) bool {
	for _, ch := range chains {
		if len(ch) == 0 {
			continue
		}
		root := ch[len(ch)-1]
		for _, ca := range a.cas {
			if root.Equal(ca) {
				return true
			}
		}
	}
	return false
}

// checkUsage refuses a CA certificate, and one whose extended key usage
// does not explicitly allow client authentication.
func checkUsage(leaf *x509.Certificate) error {
	if leaf.BasicConstraintsValid && leaf.IsCA {
		return fmt.Errorf("%w: a CA certificate", ErrUsage)
	}
	for _, u := range leaf.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth || u == x509.ExtKeyUsageAny {
			return nil
		}
	}
	return fmt.Errorf("%w: no clientAuth extended key usage", ErrUsage)
}
