package authz

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/totp"
)

type fakeTOTP struct{ err error }

func (f fakeTOTP) Verify(context.Context, string, string) error { return f.err }

func exchange(p *pipeline.Principal, otp string) *pipeline.Exchange {
	r := httptest.NewRequest("POST", "/", nil)
	if otp != "" {
		r.Header.Set("X-OTP", otp)
	}
	return &pipeline.Exchange{In: r, Principal: p}
}

func status(err error) int {
	if err == nil {
		return 0
	}
	return problem.As(err).Status
}

func TestScopes(t *testing.T) {
	s := NewScopes([]string{"a", "b"})
	for _, tc := range []struct {
		name   string
		p      *pipeline.Principal
		status int
	}{
		{"all granted", &pipeline.Principal{Subject: "x", Method: "jwt", Scopes: []string{"b", "a", "c"}}, 0},
		{"one missing", &pipeline.Principal{Subject: "x", Method: "jwt", Scopes: []string{"a"}}, 403},
		{"prefix is not a grant", &pipeline.Principal{Subject: "x", Method: "api_key", Scopes: []string{"a", "bb"}}, 403},
		{"no principal fails closed", nil, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := status(s.Check(context.Background(), exchange(tc.p, ""))); got != tc.status {
				t.Fatalf("status %d, want %d", got, tc.status)
			}
		})
	}
	if status(NewScopes(nil).Check(context.Background(), exchange(&pipeline.Principal{Subject: "x", Method: "mtls"}, ""))) != 0 {
		t.Fatal("a route without scopes admits any authenticated identity")
	}
}

func TestStepUp(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	key := &pipeline.Principal{Subject: "key:a", Method: "api_key", KeyID: "a", TOTP: true}
	for _, tc := range []struct {
		name   string
		v      TOTPVerifier
		p      *pipeline.Principal
		otp    string
		status int
	}{
		{"jwt fresh mfa", nil, &pipeline.Principal{Subject: "s", Method: "jwt", MFA: true, AuthTime: now.Add(-time.Minute)}, "", 0},
		{"jwt at the limit", nil, &pipeline.Principal{Subject: "s", Method: "jwt", MFA: true, AuthTime: now.Add(-5 * time.Minute)}, "", 0},
		{"jwt stale", nil, &pipeline.Principal{Subject: "s", Method: "jwt", MFA: true, AuthTime: now.Add(-5*time.Minute - time.Second)}, "", 401},
		{"jwt no mfa", nil, &pipeline.Principal{Subject: "s", Method: "jwt", AuthTime: now}, "", 401},
		{"introspection cannot step up", nil, &pipeline.Principal{Subject: "s", Method: "introspection"}, "", 401},
		{"mtls cannot step up", nil, &pipeline.Principal{Subject: "s", Method: "mtls"}, "", 401},
		{"key valid code", fakeTOTP{nil}, key, "123456", 0},
		{"key no code", fakeTOTP{nil}, key, "", 401},
		{"key replayed", fakeTOTP{totp.ErrReplayed}, key, "123456", 401},
		{"key store down fails closed", fakeTOTP{errors.New("disk I/O error")}, key, "123456", 503},
		{"key without verifier fails closed", nil, key, "123456", 401},
		{"key not enrolled", fakeTOTP{nil}, &pipeline.Principal{Subject: "key:b", Method: "api_key", KeyID: "b"}, "123456", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStepUp(5*time.Minute, tc.v, clock)
			err := s.Check(context.Background(), exchange(tc.p, tc.otp))
			if got := status(err); got != tc.status {
				t.Fatalf("status %d, want %d (%v)", got, tc.status, err)
			}
			if tc.status == 401 && problem.As(err).Code != problem.CodeStepUpRequired {
				t.Fatalf("code %s", problem.As(err).Code)
			}
		})
	}
}
