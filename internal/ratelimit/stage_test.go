package ratelimit_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/ratelimit"
	"github.com/apiguard/apiguard/internal/ratelimit/ratelimittest"
)

// broken is a backend whose store is down.
type broken struct{}

var errDown = errors.New("store down")

func (broken) Allow(context.Context, string, ratelimit.Limit) (ratelimit.Decision, error) {
	return ratelimit.Decision{}, errDown
}

func (broken) Take(context.Context, string, int64, ratelimit.Window) (ratelimit.QuotaDecision, error) {
	return ratelimit.QuotaDecision{}, errDown
}

func TestStageStoreError(t *testing.T) {
	cfg := config.RateLimit{Rate: 10, Per: config.Duration(time.Minute), Burst: 3, Key: "ip"}
	x := ratelimittest.Exchange("192.0.2.1", nil)
	for _, tc := range []struct {
		onStoreError string
		status       int
	}{{"deny", 503}, {"", 503}, {"allow", 200}} {
		t.Run("on_store_error="+tc.onStoreError, func(t *testing.T) {
			cfg.OnStoreError = tc.onStoreError
			var hooked atomic.Int64
			s, err := ratelimit.NewStage("orders", cfg, broken{}, ratelimit.WithStoreErrorHook(func(err error) {
				if errors.Is(err, errDown) {
					hooked.Add(1)
				}
			}))
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				got := ratelimittest.Check(t, s, x)
				want := ratelimittest.Result{Status: tc.status, Policy: `"orders";q=10;w=60`}
				if tc.status == 503 {
					want.Code, want.RetryAfter = problem.CodeUnavailable, "1"
				}
				if got != want {
					t.Fatalf("got %+v, want %+v", got, want)
				}
			}
			if s.StoreErrors() != 3 || hooked.Load() != 3 {
				t.Fatalf("StoreErrors %d, hook %d, want 3", s.StoreErrors(), hooked.Load())
			}
		})
	}
	t.Run("503 keeps the cause and says retry", func(t *testing.T) {
		cfg.OnStoreError = "deny"
		s, _ := ratelimit.NewStage("orders", cfg, broken{})
		err := s.Check(context.Background(), &x)
		p := problem.As(err)
		if p.Status != 503 || !errors.Is(err, errDown) || p.Header.Get("Retry-After") != "1" {
			t.Fatalf("%+v", p)
		}
	})
	t.Run("quota store down", func(t *testing.T) {
		s, err := ratelimit.NewQuotaStage("orders", config.Quota{Limit: 5, Per: "day"}, broken{})
		if err != nil {
			t.Fatal(err)
		}
		if got := ratelimittest.Check(t, s, ratelimittest.Exchange("192.0.2.1", nil)); got.Status != 503 {
			t.Fatalf("%+v", got)
		}
		// With a rate limit that fails open, the quota fails open too.
		cfg.OnStoreError = "allow"
		s, _ = ratelimit.NewStage("orders", cfg, ratelimit.NewMemory(), ratelimit.WithQuota(config.Quota{Limit: 5, Per: "day"}, broken{}))
		got := ratelimittest.Check(t, s, ratelimittest.Exchange("192.0.2.1", nil))
		if got.Status != 200 || got.RateLimit != `"orders";r=2;t=6` || !strings.HasSuffix(got.Policy, `"orders-quota";q=5;w=86400`) {
			t.Fatalf("%+v", got)
		}
	})
}

func TestNewStageRefuses(t *testing.T) {
	ok := config.RateLimit{Rate: 10, Per: config.Duration(time.Minute), Burst: 3, Key: "identity"}
	m := ratelimit.NewMemory()
	for name, f := range map[string]func() error{
		"rate 0":  func() error { c := ok; c.Rate = 0; _, err := ratelimit.NewStage("r", c, m); return err },
		"per 0":   func() error { c := ok; c.Per = 0; _, err := ratelimit.NewStage("r", c, m); return err },
		"burst 0": func() error { c := ok; c.Burst = 0; _, err := ratelimit.NewStage("r", c, m); return err },
		"too fast": func() error {
			c := ok
			c.Rate, c.Per = 2_000_000, config.Duration(time.Second)
			_, err := ratelimit.NewStage("r", c, m)
			return err
		},
		"overflow": func() error {
			c := ok
			c.Rate, c.Per, c.Burst = 1, config.Duration(1<<62), 8
			_, err := ratelimit.NewStage("r", c, m)
			return err
		},
		"key":            func() error { c := ok; c.Key = "user"; _, err := ratelimit.NewStage("r", c, m); return err },
		"on_store_error": func() error { c := ok; c.OnStoreError = "maybe"; _, err := ratelimit.NewStage("r", c, m); return err },
		"no limiter":     func() error { _, err := ratelimit.NewStage("r", ok, nil); return err },
		"empty route":    func() error { _, err := ratelimit.NewStage("", ok, m); return err },
		"colon route":    func() error { _, err := ratelimit.NewStage("a:b", ok, m); return err },
		"non-ascii":      func() error { _, err := ratelimit.NewStage("caf\u00e9", ok, m); return err },
		"quota per": func() error {
			_, err := ratelimit.NewQuotaStage("r", config.Quota{Limit: 1, Per: "week"}, m)
			return err
		},
		"quota limit": func() error {
			_, err := ratelimit.NewQuotaStage("r", config.Quota{Limit: 0, Per: "day"}, m)
			return err
		},
		"quota counter": func() error {
			_, err := ratelimit.NewQuotaStage("r", config.Quota{Limit: 1, Per: "day"}, nil)
			return err
		},
	} {
		if f() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The stage keeps headers the gateway already set and the values it
// shares between requests cannot be changed through a response.
func TestStageSharedHeaderValues(t *testing.T) {
	cfg := config.RateLimit{Rate: 10, Per: config.Duration(time.Minute), Burst: 3, Key: "route"}
	s, _ := ratelimit.NewStage("orders", cfg, ratelimit.NewMemory())
	x := ratelimittest.Exchange("192.0.2.1", nil)
	x.ResponseHeader = http.Header{"X-Other": {"1"}}
	if err := s.Check(context.Background(), &x); err != nil {
		t.Fatal(err)
	}
	if x.ResponseHeader.Get("X-Other") != "1" {
		t.Fatal("existing header dropped")
	}
	x.ResponseHeader.Add(ratelimit.HeaderPolicy, "changed") // appends must copy
	y := ratelimittest.Exchange("192.0.2.1", nil)
	if got := ratelimittest.Check(t, s, y); got.Policy != `"orders";q=10;w=60` {
		t.Fatalf("shared value changed: %q", got.Policy)
	}
}

func TestStageLongIdentity(t *testing.T) {
	cfg := config.RateLimit{Rate: 10, Per: config.Duration(time.Minute), Burst: 1, Key: "identity"}
	s, _ := ratelimit.NewStage("orders", cfg, ratelimit.NewMemory())
	long := strings.Repeat("x", 5000)
	a := ratelimittest.Exchange("192.0.2.1", &pipeline.Principal{Method: "jwt", Subject: long})
	b := ratelimittest.Exchange("192.0.2.1", &pipeline.Principal{Method: "jwt", Subject: long + "y"})
	if ratelimittest.Check(t, s, a).Status != 200 || ratelimittest.Check(t, s, a).Status != 429 {
		t.Fatal("long subject not limited")
	}
	if ratelimittest.Check(t, s, b).Status != 200 {
		t.Fatal("a different long subject shares the budget")
	}
}
