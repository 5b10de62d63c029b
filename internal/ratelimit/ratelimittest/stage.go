package ratelimittest

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/ratelimit"
)

// Result is what one Check produced, as a client would see it.
type Result struct {
	Status                        int // 200 when allowed
	Code                          string
	Policy, RateLimit, RetryAfter string
}

// Check runs s on a copy of x with fresh response headers. On a 429 it
// also verifies that the problem carries the same rate-limit headers as
// x.ResponseHeader.
func Check(t testing.TB, s pipeline.Stage, x pipeline.Exchange) Result {
	t.Helper()
	x.ResponseHeader = nil
	err := s.Check(context.Background(), &x)
	h := x.ResponseHeader
	res := Result{Status: http.StatusOK, Policy: h.Get(ratelimit.HeaderPolicy),
		RateLimit: h.Get(ratelimit.HeaderRateLimit), RetryAfter: h.Get(ratelimit.HeaderRetryAfter)}
	if len(h.Values(ratelimit.HeaderPolicy)) > 1 || len(h.Values(ratelimit.HeaderRateLimit)) > 1 {
		t.Errorf("repeated rate-limit header fields: %v", h)
	}
	if err != nil {
		var p *problem.Error
		if !errors.As(err, &p) {
			t.Fatalf("Check returned a non-problem error: %v", err)
		}
		res.Status, res.Code = p.Status, p.Code
		if p.Status == http.StatusTooManyRequests {
			for _, k := range []string{ratelimit.HeaderPolicy, ratelimit.HeaderRateLimit, ratelimit.HeaderRetryAfter} {
				if p.Header.Get(k) != h.Get(k) {
					t.Errorf("problem header %s = %q, response header %q", k, p.Header.Get(k), h.Get(k))
				}
			}
		}
		if v := p.Header.Get(ratelimit.HeaderRetryAfter); v != "" { // problem.Write sets it last
			res.RetryAfter = v
		}
	}
	return res
}

// Exchange returns a request from ip with principal p (nil: anonymous).
func Exchange(ip string, p *pipeline.Principal) pipeline.Exchange {
	return pipeline.Exchange{ClientIP: netip.MustParseAddr(ip), Principal: p, Route: "orders"}
}

func apiKey(id string) *pipeline.Principal {
	return &pipeline.Principal{Method: "api_key", KeyID: id, Subject: id}
}

func jwtSub(sub string) *pipeline.Principal {
	return &pipeline.Principal{Method: "jwt", Subject: sub}
}

// Route "orders": 10 per minute, burst 3 (T = 6s, τ = 12s).
const policy = `"orders";q=10;w=60`

func allowed(r, t string) Result {
	return Result{Status: 200, Policy: policy, RateLimit: `"orders";r=` + r + `;t=` + t}
}

var limited = Result{Status: 429, Code: problem.CodeRateLimited, Policy: policy,
	RateLimit: `"orders";r=0;t=18`, RetryAfter: "6"}

// TestStage runs the stage cases (every key kind, exact headers) against
// a fresh backend each.
func TestStage(t *testing.T, f Factory) {
	cases := []struct {
		name, key string
		a, b      pipeline.Exchange // two callers
		shared    bool              // b draws from a's budget
	}{
		{"identity by key id", "identity",
			Exchange("192.0.2.1", apiKey("k1")), Exchange("192.0.2.1", apiKey("k2")), false},
		{"identity by subject", "identity",
			Exchange("192.0.2.1", jwtSub("alice")), Exchange("192.0.2.1", jwtSub("bob")), false},
		{"identity is per method", "identity",
			Exchange("192.0.2.1", jwtSub("k1")), Exchange("192.0.2.1", apiKey("k1")), false},
		{"identity without principal falls back to ip", "identity",
			Exchange("192.0.2.1", nil), Exchange("192.0.2.2", nil), false},
		{"identity without principal, same ip", "identity",
			Exchange("192.0.2.1", nil), Exchange("192.0.2.1", nil), true},
		{"ip", "ip",
			Exchange("192.0.2.1", jwtSub("alice")), Exchange("192.0.2.2", jwtSub("alice")), false},
		{"ip ignores identity", "ip",
			Exchange("192.0.2.1", jwtSub("alice")), Exchange("192.0.2.1", jwtSub("bob")), true},
		{"ip v4-mapped is the v4 address", "ip",
			Exchange("192.0.2.1", nil), Exchange("::ffff:192.0.2.1", nil), true},
		{"ipv6 counts per /64", "ip",
			Exchange("2001:db8:1:2::1", nil), Exchange("2001:db8:1:2:ffff::9", nil), true},
		{"ipv6 other /64", "ip",
			Exchange("2001:db8:1:2::1", nil), Exchange("2001:db8:1:3::1", nil), false},
		{"route", "route",
			Exchange("192.0.2.1", jwtSub("alice")), Exchange("198.51.100.7", jwtSub("bob")), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := NewClock(Start)
			b := f(t, clock)
			cfg := config.RateLimit{Rate: 10, Per: config.Duration(time.Minute), Burst: 3, Key: tc.key, OnStoreError: "deny"}
			s, err := ratelimit.NewStage("orders", cfg, b)
			if err != nil {
				t.Fatal(err)
			}
			if s.Name() != "rate_limit" {
				t.Errorf("Name = %q", s.Name())
			}
			want := []Result{allowed("2", "6"), allowed("1", "12"), allowed("0", "18"), limited, limited}
			for i, w := range want {
				if got := Check(t, s, tc.a); got != w {
					t.Fatalf("a, request %d:\n got %+v\nwant %+v", i+1, got, w)
				}
			}
			wantB := allowed("2", "6")
			if tc.shared {
				wantB = limited
			}
			if got := Check(t, s, tc.b); got != wantB {
				t.Fatalf("b:\n got %+v\nwant %+v", got, wantB)
			}
			// Another route has its own budget for the same caller.
			other, err := ratelimit.NewStage("payments", cfg, b)
			if err != nil {
				t.Fatal(err)
			}
			if got := Check(t, other, tc.a); got.Status != 200 || got.RateLimit != `"payments";r=2;t=6` {
				t.Fatalf("other route: %+v", got)
			}
			// One emission interval later exactly one more passes.
			clock.Advance(6 * time.Second)
			if got := Check(t, s, tc.a); got != allowed("0", "18") {
				t.Fatalf("after T: %+v", got)
			}
			if got := Check(t, s, tc.a); got != limited {
				t.Fatalf("after T, again: %+v", got)
			}
			// After τ+T of silence the whole burst is back.
			clock.Advance(18 * time.Second)
			if got := Check(t, s, tc.a); got != allowed("2", "6") {
				t.Fatalf("after idle: %+v", got)
			}
		})
	}
	t.Run("quota", func(t *testing.T) { testStageQuota(t, f) })
}

func testStageQuota(t *testing.T, f Factory) {
	const quotaItem = `"orders-quota";`
	cases := []struct {
		per                string
		start              time.Time
		w, wNext           string
		firstT, afterRollT string
		rollover           time.Duration
	}{
		{"day", time.Date(2026, 3, 31, 23, 59, 30, 0, time.UTC), "86400", "86400", "30", "86400", 30 * time.Second},
		{"month", time.Date(2026, 2, 28, 23, 59, 30, 0, time.UTC), "2419200", "2678400", "30", "2678400", 30 * time.Second},
		{"month, leap year", time.Date(2028, 2, 29, 23, 59, 30, 0, time.UTC), "2505600", "2678400", "30", "2678400", 30 * time.Second},
		{"month, december", time.Date(2026, 12, 31, 23, 59, 30, 0, time.UTC), "2678400", "2678400", "30", "2678400", 30 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.per, func(t *testing.T) {
			clock := NewClock(tc.start)
			b := f(t, clock)
			per := "day"
			if tc.per != "day" {
				per = "month"
			}
			cfg := config.RateLimit{Rate: 10, Per: config.Duration(time.Minute), Burst: 3, Key: "identity"}
			s, err := ratelimit.NewStage("orders", cfg, b, ratelimit.WithNow(clock.Now),
				ratelimit.WithQuota(config.Quota{Limit: 2, Per: per}, b))
			if err != nil {
				t.Fatal(err)
			}
			pol := policy + `, ` + quotaItem + `q=2;w=` + tc.w
			alice, bob := Exchange("192.0.2.1", jwtSub("alice")), Exchange("192.0.2.1", jwtSub("bob"))
			want := []Result{
				{Status: 200, Policy: pol, RateLimit: `"orders";r=2;t=6, ` + quotaItem + `r=1;t=` + tc.firstT},
				{Status: 200, Policy: pol, RateLimit: `"orders";r=1;t=12, ` + quotaItem + `r=0;t=` + tc.firstT},
				{Status: 429, Code: problem.CodeRateLimited, Policy: pol,
					RateLimit: `"orders";r=0;t=18, ` + quotaItem + `r=0;t=` + tc.firstT, RetryAfter: tc.firstT},
				// The rate limit refuses first; the quota is then not consulted.
				{Status: 429, Code: problem.CodeRateLimited, Policy: pol,
					RateLimit: `"orders";r=0;t=18`, RetryAfter: "6"},
			}
			for i, w := range want {
				if got := Check(t, s, alice); got != w {
					t.Fatalf("request %d:\n got %+v\nwant %+v", i+1, got, w)
				}
			}
			if got := Check(t, s, bob); got.Status != 200 || got.RateLimit != `"orders";r=2;t=6, `+quotaItem+`r=1;t=`+tc.firstT {
				t.Fatalf("bob: %+v", got)
			}
			clock.Advance(tc.rollover)
			pol = policy + `, ` + quotaItem + `q=2;w=` + tc.wNext
			w := Result{Status: 200, Policy: pol, RateLimit: `"orders";r=2;t=6, ` + quotaItem + `r=1;t=` + tc.afterRollT}
			if got := Check(t, s, alice); got != w {
				t.Fatalf("after the rollover:\n got %+v\nwant %+v", got, w)
			}

			qs, err := ratelimit.NewQuotaStage("orders", config.Quota{Limit: 2, Per: per}, b, ratelimit.WithNow(clock.Now))
			if err != nil {
				t.Fatal(err)
			}
			if qs.Name() != "quota" {
				t.Errorf("Name = %q", qs.Name())
			}
			carol := Exchange("192.0.2.1", apiKey("carol"))
			qpol := quotaItem + `q=2;w=` + tc.wNext
			for i, w := range []Result{
				{Status: 200, Policy: qpol, RateLimit: quotaItem + `r=1;t=` + tc.afterRollT},
				{Status: 200, Policy: qpol, RateLimit: quotaItem + `r=0;t=` + tc.afterRollT},
				{Status: 429, Code: problem.CodeRateLimited, Policy: qpol, RateLimit: quotaItem + `r=0;t=` + tc.afterRollT, RetryAfter: tc.afterRollT},
			} {
				if got := Check(t, qs, carol); got != w {
					t.Fatalf("quota-only request %d:\n got %+v\nwant %+v", i+1, got, w)
				}
			}
		})
	}
}
