package authz

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/totp"
)

// OTPHeader carries the one-time TOTP code of an API key on step-up
// routes. The gateway never forwards it upstream.
const OTPHeader = "X-Otp"

// TOTPVerifier accepts a TOTP code for a key once (see internal/totp).
type TOTPVerifier interface {
	Verify(ctx context.Context, keyID, code string) error
}

// StepUp requires fresh multi-factor authentication (RFC 9470): a JWT
// must prove MFA (amr/acr) with an auth_time within MaxAge; an API key
// must be enrolled for TOTP and send a valid, never-used code in X-OTP.
// Other identities cannot step up and are refused.
type StepUp struct {
	maxAge    time.Duration
	totp      TOTPVerifier // nil: API keys cannot step up (fails closed)
	now       func() time.Time
	challenge string
}

// NewStepUp compiles a route's step-up requirement.
func NewStepUp(maxAge time.Duration, v TOTPVerifier, now func() time.Time) *StepUp {
	return &StepUp{
		maxAge: maxAge, totp: v, now: now,
		challenge: `Bearer ` + problem.Realm + `, error="insufficient_user_authentication", ` +
			`error_description="fresh multi-factor authentication is required", max_age=` +
			strconv.FormatInt(int64(maxAge/time.Second), 10),
	}
}

// Name implements pipeline.Stage.
func (*StepUp) Name() string { return "step_up" }

// Check implements pipeline.Stage.
func (s *StepUp) Check(ctx context.Context, x *pipeline.Exchange) error {
	p := x.Principal
	if p == nil {
		return problem.Internal(errors.New("step_up: no principal"))
	}
	switch p.Method {
	case "jwt":
		return s.checkJWT(p)
	case "api_key":
		return s.checkTOTP(ctx, x, p)
	}
	return s.required("this identity method cannot provide step-up authentication")
}

func (s *StepUp) checkJWT(p *pipeline.Principal) error {
	if !p.MFA {
		return s.required("multi-factor authentication is required")
	}
	if p.AuthTime.IsZero() || s.now().Sub(p.AuthTime) > s.maxAge {
		return s.required("a more recent authentication is required")
	}
	return nil
}

func (s *StepUp) checkTOTP(ctx context.Context, x *pipeline.Exchange, p *pipeline.Principal) error {
	if !p.TOTP || s.totp == nil {
		return s.required("this key is not enrolled for TOTP step-up")
	}
	code := x.In.Header.Get(OTPHeader)
	if code == "" {
		return s.required("a one-time code is required in X-OTP")
	}
	err := s.totp.Verify(ctx, p.KeyID, code)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, totp.ErrInvalid), errors.Is(err, totp.ErrReplayed), errors.Is(err, totp.ErrNotEnrolled):
		return s.required("the one-time code is invalid or was already used").WithCause(err)
	}
	return problem.Unavailable("step-up could not be verified", err)
}

func (s *StepUp) required(detail string) *problem.Error {
	return problem.New(http.StatusUnauthorized, problem.CodeStepUpRequired, detail).
		WithHeader("WWW-Authenticate", s.challenge)
}
