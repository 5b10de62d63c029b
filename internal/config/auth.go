package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The identity methods a route can accept.
const (
	AuthJWT           = "jwt"
	AuthIntrospection = "introspection"
	AuthAPIKey        = "api_key"
	AuthMTLS          = "mtls"
	// AuthNone is the word for a public route (auth: none).
	AuthNone = "none"
)

// authMethodNames is the accepted set, in documentation order.
var authMethodNames = []string{AuthJWT, AuthIntrospection, AuthAPIKey, AuthMTLS}

// ParseAuthMethods builds AuthMethods from a list of method names. ["none"]
// is a public route; none cannot be combined with another method; a method
// may not repeat and the list may not be empty.
func ParseAuthMethods(names []string) (AuthMethods, error) {
	if len(names) == 0 {
		return AuthMethods{}, errors.New("must list at least one method (jwt, introspection, api_key, mtls), or say none")
	}
	var a AuthMethods
	for _, n := range names {
		switch {
		case n == AuthNone:
			a.None = true
		case slices.Contains(authMethodNames, n):
			if slices.Contains(a.Methods, n) {
				return AuthMethods{}, fmt.Errorf("%s is listed twice", n)
			}
			a.Methods = append(a.Methods, n)
		default:
			return AuthMethods{}, fmt.Errorf("unknown method %q (use %s, or none)", n, strings.Join(authMethodNames, ", "))
		}
	}
	if a.None && len(a.Methods) > 0 {
		return AuthMethods{}, errors.New("none cannot be combined with other methods")
	}
	return a, nil
}

// Has reports whether m is one of the accepted methods.
func (a AuthMethods) Has(m string) bool { return slices.Contains(a.Methods, m) }

// Public reports whether the route needs no authentication (auth: none).
func (a *AuthMethods) Public() bool { return a != nil && a.None }

// String returns "none" or the comma-separated methods.
func (a AuthMethods) String() string {
	if a.None {
		return AuthNone
	}
	return strings.Join(a.Methods, ",")
}

// MarshalJSON writes "none" or the list of methods, as the file does.
func (a AuthMethods) MarshalJSON() ([]byte, error) {
	if a.None {
		return json.Marshal(AuthNone)
	}
	if a.Methods == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(a.Methods)
}

// UnmarshalYAML implements goccy/go-yaml's InterfaceUnmarshaler: a list of
// methods ([jwt, api_key]) or a single word (none, or one method).
func (a *AuthMethods) UnmarshalYAML(unmarshal func(any) error) error {
	var v any
	if err := unmarshal(&v); err != nil {
		return err
	}
	var names []string
	switch x := v.(type) {
	case string:
		names = []string{x}
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("must be a list of method names, found %v", e)
			}
			names = append(names, s)
		}
	default:
		return errors.New("must be a list of methods ([jwt, api_key]) or none")
	}
	m, err := ParseAuthMethods(names)
	if err != nil {
		return err
	}
	*a = m
	return nil
}
