package ratelimit_test

import (
	"context"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/ratelimit"
	"github.com/apiguard/apiguard/internal/ratelimit/ratelimittest"
)

func newKeyQuota(t testing.TB, onErr string, qc ratelimit.QuotaCounter, clock *ratelimittest.Clock) *ratelimit.KeyQuotaStage {
	t.Helper()
	s, err := ratelimit.NewKeyQuotaStage(onErr, qc, ratelimit.WithNow(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMemoryKeyQuota(t *testing.T) { ratelimittest.TestKeyQuota(t, memoryFactory()) }

func TestKeyQuotaStoreError(t *testing.T) {
	clock := ratelimittest.NewClock(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	x := ratelimittest.Exchange("192.0.2.1", ratelimittest.QuotaKey("k7Qx2mPa", 5, "day"))
	var hooked int
	closed, err := ratelimit.NewKeyQuotaStage("", broken{}, ratelimit.WithNow(clock.Now),
		ratelimit.WithStoreErrorHook(func(error) { hooked++ }))
	if err != nil {
		t.Fatal(err)
	}
	if got := ratelimittest.Check(t, closed, x); got.Status != 503 || got.Code != problem.CodeUnavailable {
		t.Fatalf("fail closed: %+v", got)
	}
	open := newKeyQuota(t, "allow", broken{}, clock)
	if got := ratelimittest.Check(t, open, x); got.Status != 200 || got.RateLimit != "" {
		t.Fatalf("fail open: %+v", got)
	}
	if hooked != 1 || closed.StoreErrors() != 1 || open.StoreErrors() != 1 {
		t.Fatalf("hook %d, errors %d/%d", hooked, closed.StoreErrors(), open.StoreErrors())
	}
	if _, err := ratelimit.NewKeyQuotaStage("maybe", ratelimit.NewMemory()); err == nil {
		t.Fatal("bad on_store_error accepted")
	}
	if _, err := ratelimit.NewKeyQuotaStage("", nil); err == nil {
		t.Fatal("nil counter accepted")
	}
	// A principal without a quota never reaches the store.
	x.Principal = &pipeline.Principal{Method: "api_key", KeyID: "k7Qx2mPa"}
	if got := ratelimittest.Check(t, closed, x); got != (ratelimittest.Result{Status: 200}) {
		t.Fatalf("no quota: %+v", got)
	}
}

// The key quota stage on a principal without a quota (every JWT, most
// keys) must cost nothing: no allocation. With a quota it builds its
// two header values.
func BenchmarkKeyQuotaCheck(b *testing.B) {
	for _, tc := range []struct {
		name  string
		quota *pipeline.Quota
	}{{"quota=none", nil}, {"quota=day", &pipeline.Quota{Limit: 2_000_000_000, Per: "day"}}} {
		b.Run(tc.name, func(b *testing.B) {
			m := ratelimit.NewMemory()
			s, err := ratelimit.NewKeyQuotaStage("", m)
			if err != nil {
				b.Fatal(err)
			}
			x := pipeline.Exchange{ClientIP: netip.MustParseAddr("203.0.113.7"), Start: time.Now(),
				Principal: &pipeline.Principal{Method: "api_key", KeyID: "k7Qx2mPa", Quota: tc.quota}}
			h := make(http.Header, 4)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				clear(h)
				x.ResponseHeader = h
				if err := s.Check(ctx, &x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestKeyQuotaNoQuotaAllocatesNothing(t *testing.T) {
	s, err := ratelimit.NewKeyQuotaStage("", ratelimit.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	x := pipeline.Exchange{Principal: &pipeline.Principal{Method: "api_key", KeyID: "k7Qx2mPa"}}
	ctx := context.Background()
	if n := testing.AllocsPerRun(100, func() {
		if err := s.Check(ctx, &x); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("%v allocations per request without a quota", n)
	}
}
