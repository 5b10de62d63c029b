package scan

import (
	"errors"
	"net/http"
	"strings"
)

// Credential is one header that authenticates a request, as given to
// --auth or --auth-b ("Header: value").
type Credential struct {
	Header string
	Value  string
}

// ParseCredential parses "Header: value".
func ParseCredential(s string) (Credential, error) {
	name, value, ok := strings.Cut(s, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || value == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
		return Credential{}, errors.New(`want "Header: value"`)
	}
	return Credential{Header: http.CanonicalHeaderKey(name), Value: value}, nil
}

// Set reports whether the credential was given.
func (c Credential) Set() bool { return c.Header != "" }

// Apply sets the credential on h (a no-op when unset).
func (c Credential) Apply(h http.Header) {
	if c.Set() {
		h.Set(c.Header, c.Value)
	}
}

// Secret is the value without an authorization scheme ("Bearer ").
func (c Credential) Secret() string {
	if scheme, rest, ok := strings.Cut(c.Value, " "); ok && len(scheme) < 10 && !strings.Contains(scheme, ".") {
		return strings.TrimSpace(rest)
	}
	return c.Value
}

// WithSecret returns c carrying secret in place of its own, keeping the
// scheme ("Bearer ").
func (c Credential) WithSecret(secret string) Credential {
	if scheme, _, ok := strings.Cut(c.Value, " "); ok && len(scheme) < 10 && !strings.Contains(scheme, ".") {
		return Credential{Header: c.Header, Value: scheme + " " + secret}
	}
	return Credential{Header: c.Header, Value: secret}
}
