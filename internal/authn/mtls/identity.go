package mtls

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"unicode"
)

// maxSubject bounds an identity, as for JWT subjects.
const maxSubject = 1024

// identityFunc extracts the identity of a verified leaf certificate.
type identityFunc func(*x509.Certificate) (string, error)

// identities maps subject_from to its extraction ("" is the default, cn).
var identities = map[string]identityFunc{
	"":          commonName,
	"cn":        commonName,
	"san_dns":   firstSAN("DNS name", func(c *x509.Certificate) []string { return c.DNSNames }),
	"san_email": firstSAN("email address", func(c *x509.Certificate) []string { return c.EmailAddresses }),
	"san_uri": firstSAN("URI", func(c *x509.Certificate) []string {
		if len(c.URIs) == 0 || c.URIs[0] == nil {
			return nil
		}
		return []string{c.URIs[0].String()}
	}),
}

var oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}

// commonName is the Subject CN; several CN attributes are ambiguous (Go
// keeps the last one, other software the first).
func commonName(c *x509.Certificate) (string, error) {
	n := 0
	for _, atv := range c.Subject.Names {
		if atv.Type.Equal(oidCommonName) {
			n++
		}
	}
	if n > 1 {
		return "", fmt.Errorf("%w: %d common names", ErrInvalidIdentity, n)
	}
	return usable("common name", c.Subject.CommonName)
}

func firstSAN(kind string, get func(*x509.Certificate) []string) identityFunc {
	return func(c *x509.Certificate) (string, error) {
		var v string
		if vs := get(c); len(vs) > 0 {
			v = vs[0]
		}
		return usable(kind, v)
	}
}

// usable checks an identity that will be the Principal's Subject, sent
// upstream in a header and written to logs.
func usable(kind, v string) (string, error) {
	if v == "" {
		return "", &missingError{kind: kind}
	}
	if len(v) > maxSubject {
		return "", fmt.Errorf("%w: %s over %d bytes", ErrInvalidIdentity, kind, maxSubject)
	}
	for _, r := range v {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return "", fmt.Errorf("%w: %s is not printable", ErrInvalidIdentity, kind)
		}
	}
	return v, nil
}

// missingError is ErrNoIdentity naming the kind that is missing.
type missingError struct{ kind string }

func (e *missingError) Error() string { return ErrNoIdentity.Error() + ": no " + e.kind }
func (e *missingError) Unwrap() error { return ErrNoIdentity }

// identityDetail is the client-facing detail of an identity refusal.
func identityDetail(err error) string {
	if m, ok := errors.AsType[*missingError](err); ok {
		return "client certificate has no " + m.kind
	}
	return "client certificate identity is not usable"
}
