package ratelimit_test

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/ratelimit"
	"github.com/apiguard/apiguard/internal/ratelimit/ratelimittest"
)

// One existing key, real monotonic clock.
func BenchmarkMemoryAllowOneKey(b *testing.B) {
	m := ratelimit.NewMemory()
	lim := ratelimittest.MustLimit(b, 600, time.Minute, 50)
	key := []byte("list-orders:ip:203.0.113.7")
	m.AllowBytes(key, lim)
	b.ReportAllocs()
	for b.Loop() {
		m.AllowBytes(key, lim)
	}
}

// The string API of the Limiter interface on one existing key.
func BenchmarkMemoryAllowInterface(b *testing.B) {
	var l ratelimit.Limiter = ratelimit.NewMemory()
	lim := ratelimittest.MustLimit(b, 600, time.Minute, 50)
	key := "list-orders:ip:203.0.113.7"
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = l.Allow(ctx, key, lim)
	}
}

// 1 M distinct client IPs (60/min each, so every key stays active for a
// second), all goroutines. cap=262144: the flood is four times the
// table, so nearly every request inserts and evicts an active key.
// cap=1048576 (DefaultCapacity) and cap=4194304: the keys fit.
func BenchmarkMemoryAllowParallel1MKeys(b *testing.B) {
	for _, c := range []int{1 << 18, ratelimit.DefaultCapacity, 1 << 22} {
		b.Run("cap="+strconv.Itoa(c), func(b *testing.B) { benchDistinct(b, c) })
	}
}

func benchDistinct(b *testing.B, capacity int) {
	const n = 1 << 20
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).AppendTo([]byte("list-orders:ip:"))
	}
	m := ratelimit.NewMemory(ratelimit.WithCapacity(capacity))
	lim := ratelimittest.MustLimit(b, 60, time.Minute, 10)
	for _, k := range keys { // steady state: the table is as full as it gets
		m.AllowBytes(k, lim)
	}
	var seq atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := seq.Add(1) * 7919
		for pb.Next() {
			i += 104729 // prime stride: walks all keys, different order per goroutine
			m.AllowBytes(keys[i%n], lim)
		}
	})
	b.StopTimer()
	st := m.Stats()
	b.ReportMetric(float64(st.Keys), "keys")
	b.ReportMetric(float64(st.Evicted), "live-evictions")
}

// The whole stage (key, decision, headers) on an existing identity key.
// header=nil is what the gateway does today (the stage creates
// x.ResponseHeader); header=reused measures the stage's own cost when the
// exchange already has the map.
func BenchmarkStageCheck(b *testing.B) {
	for _, quota := range []bool{false, true} {
		for _, reuse := range []bool{false, true} {
			name := "quota=" + strconv.FormatBool(quota) + "/header=nil"
			if reuse {
				name = "quota=" + strconv.FormatBool(quota) + "/header=reused"
			}
			b.Run(name, func(b *testing.B) {
				m := ratelimit.NewMemory()
				// T = 1µs and a burst no benchmark can spend.
				cfg := config.RateLimit{Rate: 1_000_000, Per: config.Duration(time.Second), Burst: 1 << 40, Key: "identity"}
				var opts []ratelimit.Option
				if quota {
					opts = append(opts, ratelimit.WithQuota(config.Quota{Limit: 2_000_000_000, Per: "day"}, m))
				}
				s, err := ratelimit.NewStage("list-orders", cfg, m, opts...)
				if err != nil {
					b.Fatal(err)
				}
				x := pipeline.Exchange{ClientIP: netip.MustParseAddr("203.0.113.7"), Start: time.Now(),
					Principal: &pipeline.Principal{Method: "api_key", KeyID: "k7Qx2mPa"}}
				h := make(http.Header, 4)
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					x.ResponseHeader = nil
					if reuse {
						clear(h)
						x.ResponseHeader = h
					}
					if err := s.Check(ctx, &x); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
