package ratelimit_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/ratelimit"
	"github.com/apiguard/apiguard/internal/ratelimit/ratelimittest"
)

func memoryFactory(opts ...ratelimit.MemoryOption) ratelimittest.Factory {
	return func(_ *testing.T, c *ratelimittest.Clock) ratelimittest.Backend {
		return ratelimit.NewMemory(append(opts, ratelimit.WithClock(c.Nanos))...)
	}
}

func TestMemoryLimiter(t *testing.T) { ratelimittest.TestLimiter(t, memoryFactory()) }
func TestMemoryQuota(t *testing.T)   { ratelimittest.TestQuota(t, memoryFactory()) }
func TestMemoryStage(t *testing.T)   { ratelimittest.TestStage(t, memoryFactory()) }

// A table of one bucket (8 keys) still decides exactly for every key it
// holds, and a flood of new keys neither grows it nor drops a key whose
// budget is not restored while idle keys are there to evict.
func TestMemoryBounded(t *testing.T) {
	clock := ratelimittest.NewClock(ratelimittest.Start)
	m := ratelimit.NewMemory(ratelimit.WithClock(clock.Nanos), ratelimit.WithCapacity(8))
	lim := ratelimittest.MustLimit(t, 1, time.Minute, 1)
	ctx := context.Background()
	for i := range 4 { // four live keys
		if d, _ := m.Allow(ctx, fmt.Sprint("live", i), lim); !d.Allowed {
			t.Fatal("first request denied")
		}
	}
	clock.Advance(30 * time.Second)
	for i := range 10_000 { // idle-after-one-request keys churn through the other slots
		if d, _ := m.Allow(ctx, fmt.Sprint("flood", i), lim); !d.Allowed {
			t.Fatal("new key denied")
		}
		clock.Advance(time.Minute + time.Nanosecond) // each flood key is idle before the next
	}
	st := m.Stats()
	if st.Capacity != 8 || st.Keys > 8 {
		t.Fatalf("stats %+v", st)
	}
	// The live keys are long idle now too, so nothing live was lost.
	if st.Evicted != 0 {
		t.Fatalf("evicted %d live keys", st.Evicted)
	}

	// Now a full table of live keys: a newcomer evicts the one closest to
	// restoration (the smallest TAT) and counts it.
	clock.Advance(time.Hour)
	for i := range 8 {
		m.Allow(ctx, fmt.Sprint("busy", i), lim)
		clock.Advance(time.Second)
	}
	m.Allow(ctx, "newcomer", lim)
	if st := m.Stats(); st.Evicted != 1 || st.Keys != 8 {
		t.Fatalf("after a live eviction: %+v", st)
	}
	if d, _ := m.Allow(ctx, "busy7", lim); d.Allowed {
		t.Fatal("busy7 (most recent) was evicted instead of busy0")
	}
	if d, _ := m.Allow(ctx, "busy0", lim); !d.Allowed {
		t.Fatal("busy0 should have been evicted (fresh budget)")
	}
}

// Many goroutines on one key admit exactly the burst, and the tables stay
// consistent under -race.
func TestMemoryConcurrentExact(t *testing.T) {
	clock := ratelimittest.NewClock(ratelimittest.Start)
	m := ratelimit.NewMemory(ratelimit.WithClock(clock.Nanos), ratelimit.WithCapacity(64))
	lim := ratelimittest.MustLimit(t, 1, time.Hour, 100)
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				if d := m.AllowBytes([]byte("shared"), lim); d.Allowed {
					admitted.Add(1)
				}
				m.AllowBytes(fmt.Appendf(nil, "g%d-%d", g, i%200), lim) // churn other keys
			}
		})
	}
	wg.Wait()
	if n := admitted.Load(); n != 100 {
		t.Fatalf("admitted %d, want exactly the burst (100)", n)
	}
}

// Concurrent quota takes across a window boundary never reset a count:
// a take computed for an older window counts against the newer one.
func TestMemoryQuotaBoundaryRace(t *testing.T) {
	m := ratelimit.NewMemory()
	q, _ := ratelimit.NewQuota(config.Quota{Limit: 5, Per: "day"})
	now := time.Date(2026, 5, 1, 23, 59, 59, 0, time.UTC)
	old, cur := q.Window(now), q.Window(now.Add(time.Second))
	for range 5 {
		if d := m.TakeBytes([]byte("k"), q.Limit, cur); !d.Allowed {
			t.Fatal("denied within the quota")
		}
	}
	if d := m.TakeBytes([]byte("k"), q.Limit, old); d.Allowed {
		t.Fatal("a late take for the old window reset the new window's count")
	}
	if d := m.TakeBytes([]byte("k"), q.Limit, cur); d.Allowed {
		t.Fatal("over the quota")
	}
}

func TestMemoryZeroValuesFailClosed(t *testing.T) {
	m := ratelimit.NewMemory()
	if d, _ := m.Allow(context.Background(), "k", ratelimit.Limit{}); d.Allowed || d.RetryAfterSeconds() < 1 {
		t.Fatalf("zero Limit: %+v", d)
	}
	if d, _ := m.Take(context.Background(), "k", 0, ratelimit.Window{}); d.Allowed {
		t.Fatal("zero quota admitted")
	}
}

// Goroutines racing on a table far smaller than their keys: each key's
// one-per-hour budget is granted again only when the key was evicted
// while active, which Stats counts.
func TestMemoryEvictionRace(t *testing.T) {
	clock := ratelimittest.NewClock(ratelimittest.Start)
	m := ratelimit.NewMemory(ratelimit.WithClock(clock.Nanos), ratelimit.WithCapacity(16))
	lim := ratelimittest.MustLimit(t, 1, time.Hour, 1)
	const keys = 64
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 4000 {
				if m.AllowBytes(fmt.Appendf(nil, "k%d", (i*7+g)%keys), lim).Allowed {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	st := m.Stats()
	if st.Keys > 16 {
		t.Fatalf("%d keys in a table of 16", st.Keys)
	}
	if n := admitted.Load(); n > keys+int64(st.Evicted) {
		t.Fatalf("admitted %d > %d keys + %d live evictions", n, keys, st.Evicted)
	}
	t.Logf("admitted %d, live evictions %d", admitted.Load(), st.Evicted)
}

func TestMemoryStringAndBytesKeysAgree(t *testing.T) {
	m := ratelimit.NewMemory()
	lim := ratelimittest.MustLimit(t, 1, time.Hour, 2)
	if d, _ := m.Allow(context.Background(), "orders:ip:192.0.2.1", lim); d.Remaining != 1 {
		t.Fatalf("%+v", d)
	}
	if d := m.AllowBytes([]byte("orders:ip:192.0.2.1"), lim); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("bytes key is another key: %+v", d)
	}
	w := ratelimit.Quota{Limit: 2, Period: ratelimit.Day}.Window(time.Now())
	m.TakeBytes([]byte("q"), 2, w)
	if d, _ := m.Take(context.Background(), "q", 2, w); d.Remaining != 0 {
		t.Fatalf("quota: %+v", d)
	}
}

// The hot paths stay allocation-free: a decision on any key (existing or
// new), and the stage with an existing header map allocates only the
// RateLimit value.
func TestAllocations(t *testing.T) {
	m := ratelimit.NewMemory()
	lim := ratelimittest.MustLimit(t, 1_000_000, time.Second, 1<<30)
	key := []byte("orders:ip:192.0.2.1")
	if n := testing.AllocsPerRun(200, func() { m.AllowBytes(key, lim) }); n != 0 {
		t.Errorf("AllowBytes: %v allocations", n)
	}
	i := 0
	fresh := make([]byte, 0, 32)
	if n := testing.AllocsPerRun(200, func() { i++; m.AllowBytes(fmt.Appendf(fresh[:0], "new:%d", i), lim) }); n != 0 {
		t.Errorf("AllowBytes on new keys: %v allocations", n)
	}
	cfg := config.RateLimit{Rate: 1_000_000, Per: config.Duration(time.Second), Burst: 1 << 30, Key: "identity"}
	s, _ := ratelimit.NewStage("orders", cfg, m)
	x := ratelimittest.Exchange("192.0.2.1", &pipeline.Principal{Method: "api_key", KeyID: "k1"})
	x.ResponseHeader = http.Header{}
	if n := testing.AllocsPerRun(200, func() { _ = s.Check(context.Background(), &x) }); n > 1 {
		t.Errorf("Stage.Check: %v allocations, want 1", n)
	}
}
