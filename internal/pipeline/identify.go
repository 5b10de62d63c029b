package pipeline

import (
	"context"
	"errors"

	"github.com/apiguard/apiguard/internal/problem"
)

// Identify returns the identify stage for a protected route: the
// authenticators are tried in order and the first that finds a credential
// of its kind decides (its denial is final: no fall-through to a weaker
// method). With no credential at all the request is denied 401.
func Identify(auths []Authenticator) Stage { return identify(auths) }

type identify []Authenticator

func (identify) Name() string { return "identify" }

func (a identify) Check(ctx context.Context, x *Exchange) error {
	for _, au := range a {
		p, err := au.Authenticate(ctx, x)
		if errors.Is(err, ErrNoCredential) {
			continue
		}
		if err != nil {
			return err
		}
		if p == nil || p.Subject == "" || p.Method != au.Method() { // an authenticator bug must not admit
			return problem.Internal(errors.New(au.Method() + ": authenticated without a subject or method"))
		}
		x.Principal = p
		return nil
	}
	return problem.Unauthenticated("credentials are required", false)
}
