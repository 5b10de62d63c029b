package anomaly

import (
	"fmt"
	"net/netip"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/apiguard/apiguard/internal/store"
)

// Event times advance 1 µs per request (1 M requests a second).

func BenchmarkObserve(b *testing.B) {
	subjects := make([]string, 10_000)
	for i := range subjects {
		subjects[i] = fmt.Sprintf("key:k%05d", i)
	}
	for _, bc := range []struct {
		name string
		ev   func(i int) Event
	}{
		{"authenticated-200", func(i int) Event {
			return Event{ClientIP: floodIP(i % 10_000), Subject: subjects[i%len(subjects)], Route: "get-order", Status: 200, ObjectID: "42"}
		}},
		{"authenticated-404", func(i int) Event {
			return Event{ClientIP: floodIP(i % 10_000), Subject: subjects[i%len(subjects)], Route: "get-order", Status: 404, ObjectID: subjects[i%977]}
		}},
		{"401-known-ip", func(i int) Event {
			return Event{ClientIP: floodIP(i % 1000), Status: 401, Code: "unauthenticated", CredentialFingerprint: uint64(i)}
		}},
		{"401-new-ip-each", func(i int) Event {
			return Event{ClientIP: floodIP(i), Status: 401, Code: "unauthenticated", CredentialFingerprint: uint64(i)}
		}},
		{"public-200", func(i int) Event { return Event{ClientIP: floodIP(i), Status: 200} }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := Defaults()
			cfg.AlertBurst, cfg.AlertRate = 1, 1 // alerts of the load are suppressed: measure Observe
			e := newEngine(b, cfg)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				ev := bc.ev(i)
				ev.Time = t0.Add(time.Duration(i) * time.Microsecond)
				e.Observe(ev)
				i++
			}
		})
	}
}

func BenchmarkObserveParallel(b *testing.B) {
	subjects := make([]string, 10_000)
	for i := range subjects {
		subjects[i] = fmt.Sprintf("key:k%05d", i)
	}
	cfg := Defaults()
	cfg.AlertBurst, cfg.AlertRate = 1, 1
	e := newEngine(b, cfg)
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1))
			status := 200
			if i%10 == 0 {
				status = 401
			}
			e.Observe(Event{Time: t0.Add(time.Duration(i) * time.Microsecond), ClientIP: floodIP(i % 100_000),
				Subject: subjects[i%len(subjects)], Route: "get-order", Status: status, ObjectID: "42"})
		}
	})
}

// BenchmarkMillionIPs feeds b.N distinct client IPs (each failing once)
// and reports the heap in use after, which must not depend on b.N.
func BenchmarkMillionIPs(b *testing.B) {
	e := newEngine(b, Defaults())
	before := heapAlloc()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.Observe(Event{Time: t0.Add(time.Duration(i) * time.Microsecond), ClientIP: floodIP(i), Status: 401,
			CredentialFingerprint: uint64(i) + 1})
		i++
		if i%1024 == 0 {
			drain(e)
		}
	}
	b.StopTimer()
	after := heapAlloc()
	b.ReportMetric(float64(after)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(int64(after)-int64(before))/(1<<10), "growth-KiB")
	b.ReportMetric(float64(unsafe.Sizeof(ipState{})+16), "B/ip-entry")
	b.ReportMetric(float64(unsafe.Sizeof(idState{})+16), "B/id-entry")
	runtime.KeepAlive(e)
}

func BenchmarkBlocked(b *testing.B) {
	clk := &testClock{t: t0}
	l := NewBlockList(nil, WithBlockClock(clk.now))
	set := &blockSet{ips: map[netip.Prefix]storeBlock{}, ids: map[string]storeBlock{}}
	for i := range 10_000 {
		a := floodIP(i)
		set.put(storeBlock{Kind: "ip", Value: ipValue(a), Until: t0.Add(time.Hour)})
	}
	l.snap.Store(set)
	miss, hit := netip.MustParseAddr("192.0.2.1"), floodIP(4242)
	b.Run("miss", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			l.Blocked(miss, "key:k1")
		}
	})
	b.Run("hit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := l.Blocked(hit, ""); !ok {
				b.Fatal("not blocked")
			}
		}
	})
}

type storeBlock = store.Block

var ipValue = store.IPBlockValue
