package redis_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/ratelimit/ratelimittest"
	rlredis "github.com/apiguard/apiguard/internal/ratelimit/redis"
	"github.com/apiguard/apiguard/internal/testutil/redistest"
)

// One decision per round trip over loopback, one caller at a time: the
// latency a request pays. Reports p50/p99/max of the decisions timed.
func BenchmarkRedisAllow(b *testing.B) {
	srv := redistest.Start(b)
	be := rlredis.New(newClient(b, srv), rlredis.WithPrefix("bench:"), rlredis.WithTimeout(5*time.Second))
	lim := ratelimittest.MustLimit(b, 1_000_000, time.Second, 1000)
	ctx := context.Background()
	if _, err := be.Allow(ctx, "list-orders:ip:203.0.113.7", lim); err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, 1<<16)
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		if _, err := be.Allow(ctx, "list-orders:ip:203.0.113.7", lim); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	reportPercentiles(b, lat)
}

// Many callers at once (what a busy gateway does): throughput per
// decision and the latency each caller sees.
func BenchmarkRedisAllowParallel(b *testing.B) {
	srv := redistest.Start(b)
	be := rlredis.New(newClient(b, srv), rlredis.WithPrefix("benchp:"), rlredis.WithTimeout(5*time.Second))
	lim := ratelimittest.MustLimit(b, 1_000_000, time.Second, 1000)
	var mu sync.Mutex
	var all []time.Duration
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		lat := make([]time.Duration, 0, 1<<14)
		i := 0
		for pb.Next() {
			i++
			t0 := time.Now()
			if _, err := be.Allow(context.Background(), "list-orders:ip:10.0.0."+strconv.Itoa(i%256), lim); err != nil {
				b.Error(err)
				return
			}
			lat = append(lat, time.Since(t0))
		}
		mu.Lock()
		all = append(all, lat...)
		mu.Unlock()
	})
	reportPercentiles(b, all)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
}
