package ratelimittest

import (
	"context"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/ratelimit"
)

// Backend is what the suites exercise: a Limiter and a QuotaCounter.
type Backend interface {
	ratelimit.Limiter
	ratelimit.QuotaCounter
}

// Factory returns a backend with no state that decides with clock.Nanos
// (GCRA); quota windows come from clock.Now.
type Factory func(t *testing.T, clock *Clock) Backend

// Start is where every suite's clock starts (a whole second).
var Start = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// MustLimit compiles a limit or fails the test.
func MustLimit(t testing.TB, rate int, per time.Duration, burst int) ratelimit.Limit {
	t.Helper()
	l, err := ratelimit.NewLimit(rate, per, burst)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

type step struct {
	advance time.Duration
	key     string
	allowed bool
	r       int64
	reset   time.Duration
	retry   time.Duration // RetryAfter when denied
	times   int           // repeat, advancing each time (default 1)
}

// TestLimiter runs the GCRA cases against a fresh backend each.
// Limit: 10 per second, burst 3 (T = 100ms, τ = 200ms).
func TestLimiter(t *testing.T, f Factory) {
	const ms = time.Millisecond
	burst := []step{
		{key: "a", allowed: true, r: 2, reset: 100 * ms},
		{key: "a", allowed: true, r: 1, reset: 200 * ms},
		{key: "a", allowed: true, r: 0, reset: 300 * ms},
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"burst passes at once then denies", append(burst[:3:3],
			step{key: "a", reset: 300 * ms, retry: 100 * ms})},
		{"rejected requests are not counted", append(burst[:3:3],
			step{key: "a", reset: 300 * ms, retry: 100 * ms, times: 50},
			step{advance: 100 * ms, key: "a", allowed: true, r: 0, reset: 300 * ms},
			step{key: "a", reset: 300 * ms, retry: 100 * ms})},
		{"one more per emission interval", append(burst[:3:3],
			step{advance: 150 * ms, key: "a", allowed: true, r: 0, reset: 250 * ms},
			step{key: "a", reset: 250 * ms, retry: 50 * ms},
			step{advance: 50 * ms, key: "a", allowed: true, r: 0, reset: 300 * ms})},
		{"full burst again after idle", append(burst[:3:3],
			step{advance: 300 * ms, key: "a", allowed: true, r: 2, reset: 100 * ms},
			step{key: "a", allowed: true, r: 1, reset: 200 * ms},
			step{key: "a", allowed: true, r: 0, reset: 300 * ms},
			step{key: "a", reset: 300 * ms, retry: 100 * ms})},
		{"long idle restores no more than the burst", append(burst[:3:3],
			step{advance: time.Hour, key: "a", allowed: true, r: 2, reset: 100 * ms},
			step{key: "a", allowed: true, r: 1, reset: 200 * ms},
			step{key: "a", allowed: true, r: 0, reset: 300 * ms},
			step{key: "a", reset: 300 * ms, retry: 100 * ms})},
		{"steady rate passes", append(burst[:3:3],
			step{advance: 100 * ms, key: "a", allowed: true, r: 0, reset: 300 * ms, times: 20})},
		{"keys are independent", append(burst[:3:3],
			step{key: "b", allowed: true, r: 2, reset: 100 * ms},
			step{key: "a", reset: 300 * ms, retry: 100 * ms})},
	}
	lim := MustLimit(t, 10, time.Second, 3)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := NewClock(Start)
			b := f(t, clock)
			for i, s := range tc.steps {
				for range max(s.times, 1) {
					clock.Advance(s.advance)
					d, err := b.Allow(context.Background(), s.key, lim)
					if err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
					want := ratelimit.Decision{Allowed: s.allowed, Remaining: s.r, Reset: s.reset}
					if !s.allowed {
						want.RetryAfter = s.retry
					}
					if d != want {
						t.Fatalf("step %d (%s): got %+v, want %+v", i, s.key, d, want)
					}
				}
			}
		})
	}

	t.Run("long period", func(t *testing.T) {
		clock := NewClock(Start)
		b := f(t, clock)
		l := MustLimit(t, 2, time.Hour, 1) // T = 30 min
		d, _ := b.Allow(context.Background(), "slow", l)
		if !d.Allowed || d.Remaining != 0 || d.ResetSeconds() != 1800 {
			t.Fatalf("first: %+v", d)
		}
		clock.Advance(10 * time.Minute)
		d, _ = b.Allow(context.Background(), "slow", l)
		if d.Allowed || d.RetryAfterSeconds() != 1200 || d.ResetSeconds() != 1200 {
			t.Fatalf("second: %+v (retry %ds)", d, d.RetryAfterSeconds())
		}
	})
}

// TestQuota runs the quota counter cases against a fresh backend each.
func TestQuota(t *testing.T, f Factory) {
	ctx := context.Background()
	for _, per := range []string{"day", "month"} {
		t.Run(per, func(t *testing.T) {
			clock := NewClock(Start)
			b := f(t, clock)
			q, err := ratelimit.NewQuota(config.Quota{Limit: 3, Per: per})
			if err != nil {
				t.Fatal(err)
			}
			w := q.Window(clock.Now())
			for i := range 3 {
				d, err := b.Take(ctx, "k", q.Limit, w)
				if err != nil || !d.Allowed || d.Remaining != int64(2-i) {
					t.Fatalf("take %d: %+v %v", i, d, err)
				}
			}
			for range 5 {
				if d, _ := b.Take(ctx, "k", q.Limit, w); d.Allowed || d.Remaining != 0 {
					t.Fatalf("over the quota: %+v", d)
				}
			}
			if d, _ := b.Take(ctx, "other", q.Limit, w); !d.Allowed || d.Remaining != 2 {
				t.Fatalf("another key: %+v", d)
			}
			next := q.Window(w.End)
			if next.ID != w.ID+1 || !next.Start.Equal(w.End) {
				t.Fatalf("next window %+v after %+v", next, w)
			}
			if d, _ := b.Take(ctx, "k", q.Limit, next); !d.Allowed || d.Remaining != 2 {
				t.Fatalf("next window: %+v", d)
			}
		})
	}
}
