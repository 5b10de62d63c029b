package ratelimittest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/ratelimit"
)

// TestKeyQuota runs the per-key quota cases (ratelimit.KeyQuotaStage)
// against fresh backends: daily and monthly windows with their rollover,
// one count per key across routes, and the headers after a route stage.
func TestKeyQuota(t *testing.T, f Factory) {
	t.Run("daily", func(t *testing.T) { testKeyQuotaDaily(t, f) })
	t.Run("monthly", func(t *testing.T) { testKeyQuotaMonthly(t, f) })
	t.Run("after route stage", func(t *testing.T) { testKeyQuotaAfterRouteStage(t, f) })
}

// QuotaKey is an API-key principal with its own quota.
func QuotaKey(id string, limit int64, per string) *pipeline.Principal {
	return &pipeline.Principal{Method: "api_key", KeyID: id, Subject: "key:" + id,
		Quota: &pipeline.Quota{Limit: limit, Per: per}}
}

func newKeyQuota(t testing.TB, qc ratelimit.QuotaCounter, clock *Clock) *ratelimit.KeyQuotaStage {
	t.Helper()
	s, err := ratelimit.NewKeyQuotaStage("", qc, ratelimit.WithNow(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A key's quota is counted per key across routes, with its window's
// headers, and rolls over at 00:00 UTC.
func testKeyQuotaDaily(t *testing.T, f Factory) {
	clock := NewClock(time.Date(2026, 11, 27, 23, 59, 0, 0, time.UTC))
	s := newKeyQuota(t, f(t, clock), clock)
	k := QuotaKey("k7Qx2mPa", 2, "day")
	x := Exchange("192.0.2.1", k)
	other := x
	other.Route = "payments" // the counter does not depend on the route
	const pol = `"key-quota";q=2;w=86400`
	want := []Result{
		{Status: 200, Policy: pol, RateLimit: `"key-quota";r=1;t=60`},
		{Status: 200, Policy: pol, RateLimit: `"key-quota";r=0;t=60`},
		{Status: 429, Code: problem.CodeRateLimited, Policy: pol, RateLimit: `"key-quota";r=0;t=60`, RetryAfter: "60"},
	}
	for i, ex := range []pipeline.Exchange{x, other, x} {
		if got := Check(t, s, ex); got != want[i] {
			t.Fatalf("request %d: %+v, want %+v", i+1, got, want[i])
		}
	}
	// Another key is unaffected.
	if got := Check(t, s, Exchange("192.0.2.1", QuotaKey("Zz9Yy8Xx", 2, "day"))); got.Status != 200 {
		t.Fatalf("another key: %+v", got)
	}
	clock.Advance(time.Minute) // 2026-11-28 00:00:00
	got := Check(t, s, x)
	if w := (Result{Status: 200, Policy: pol, RateLimit: `"key-quota";r=1;t=86400`}); got != w {
		t.Fatalf("after rollover: %+v, want %+v", got, w)
	}
}

func testKeyQuotaMonthly(t *testing.T, f Factory) {
	clock := NewClock(time.Date(2026, 2, 28, 23, 59, 59, 0, time.UTC))
	s := newKeyQuota(t, f(t, clock), clock)
	x := Exchange("192.0.2.1", QuotaKey("k7Qx2mPa", 1, "month"))
	if got := Check(t, s, x); got.Status != 200 || got.Policy != `"key-quota";q=1;w=2419200` ||
		got.RateLimit != `"key-quota";r=0;t=1` {
		t.Fatalf("%+v", got)
	}
	if got := Check(t, s, x); got.Status != 429 || got.RetryAfter != "1" {
		t.Fatalf("%+v", got)
	}
	clock.Advance(time.Second) // March: 31 days
	if got := Check(t, s, x); got.Status != 200 || got.Policy != `"key-quota";q=1;w=2678400` {
		t.Fatalf("after rollover: %+v", got)
	}
}

// After the route's stage, the key quota is the last member of both
// headers; a principal without a quota leaves them untouched.
func testKeyQuotaAfterRouteStage(t *testing.T, f Factory) {
	clock := NewClock(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	m := f(t, clock)
	route, err := ratelimit.NewStage("orders", config.RateLimit{Rate: 10, Per: config.Duration(time.Minute), Burst: 3},
		m, ratelimit.WithQuota(config.Quota{Limit: 100, Per: "day"}, m), ratelimit.WithNow(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	kq := newKeyQuota(t, m, clock)
	run := func(p *pipeline.Principal) (http.Header, error) {
		x := Exchange("192.0.2.1", p)
		if err := route.Check(context.Background(), &x); err != nil {
			return x.ResponseHeader, err
		}
		return x.ResponseHeader, kq.Check(context.Background(), &x)
	}
	h, err := run(QuotaKey("k7Qx2mPa", 5, "day"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.Get(ratelimit.HeaderPolicy), `"orders";q=10;w=60, "orders-quota";q=100;w=86400, "key-quota";q=5;w=86400`; got != want {
		t.Fatalf("policy %q, want %q", got, want)
	}
	if got, want := h.Get(ratelimit.HeaderRateLimit), `"orders";r=2;t=6, "orders-quota";r=99;t=43200, "key-quota";r=4;t=43200`; got != want {
		t.Fatalf("ratelimit %q, want %q", got, want)
	}
	h, err = run(&pipeline.Principal{Method: "api_key", KeyID: "noquota1"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.Get(ratelimit.HeaderPolicy), `"orders";q=10;w=60, "orders-quota";q=100;w=86400`; got != want {
		t.Fatalf("without a key quota: policy %q, want %q", got, want)
	}
}
