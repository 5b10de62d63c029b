// Package authz holds the authorize-phase stages: least-privilege scopes
// and step-up authentication. They run after identify and deny with 403
// (or 401 step-up-required); they never grant more than the credential
// carries.
package authz

import (
	"context"
	"errors"
	"strings"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

// Scopes requires every listed scope. A route without scopes admits any
// authenticated identity, so Scopes with an empty list only checks that the
// request was authenticated at all.
type Scopes struct {
	required  []string
	challenge string // precomputed WWW-Authenticate for bearer tokens
}

// NewScopes compiles the route's required scopes.
func NewScopes(required []string) *Scopes {
	return &Scopes{
		required: required,
		challenge: "Bearer " + problem.Realm + `, error="insufficient_scope", scope="` +
			strings.Join(required, " ") + `"`,
	}
}

// Name implements pipeline.Stage.
func (*Scopes) Name() string { return "scopes" }

// Check implements pipeline.Stage.
func (s *Scopes) Check(_ context.Context, x *pipeline.Exchange) error {
	p := x.Principal
	if p == nil { // identify did not run or admitted nobody: fail closed
		return problem.Internal(errors.New("scopes: no principal"))
	}
	for _, want := range s.required {
		if !p.HasScope(want) {
			e := problem.Forbidden("the credential does not grant the scopes this route requires")
			if p.Method == "jwt" || p.Method == "introspection" {
				e.WithHeader("WWW-Authenticate", s.challenge)
			}
			return e
		}
	}
	return nil
}
