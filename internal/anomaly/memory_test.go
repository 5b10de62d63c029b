package anomaly

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// floodIP is the i-th address of a flood: IPv4 and IPv6 /64s.
func floodIP(i int) netip.Addr {
	if i%2 == 0 {
		return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
	}
	return netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i), 15: 1})
}

// A million distinct client IPs, each failing once, at 10,000 a second:
// the tables never grow past their capacity, the heap does not grow, and
// an attacker failing 20 times a second within the flood is still found.
func TestMemoryBoundedUnderMillionIPs(t *testing.T) {
	if testing.Short() {
		t.Skip("a million events")
	}
	e := newEngine(t, Defaults())
	r := &recorder{e: e}
	before := heapAlloc()
	attacker := netip.MustParseAddr("203.0.113.7")
	var firstAttack time.Time
	for i := range 1_000_000 {
		at := t0.Add(time.Duration(i) * 100 * time.Microsecond)
		r.feed(Event{Time: at, ClientIP: floodIP(i), Status: 401, Code: "unauthenticated", CredentialFingerprint: uint64(i) + 1})
		if i%500 == 0 && i >= 500_000 {
			if firstAttack.IsZero() {
				firstAttack = at
			}
			r.feed(Event{Time: at, ClientIP: attacker, Status: 401, Code: "unauthenticated"})
		}
	}
	after := heapAlloc()
	s := e.Stats()
	growth := int64(after) - int64(before)
	t.Logf("1e6 IPs: heap %.1f MiB before, %.1f MiB after (growth %+d bytes); IPs %d of %d, evicted %d",
		float64(before)/(1<<20), float64(after)/(1<<20), growth, s.IPs, s.IPCapacity, s.IPEvicted)
	if s.IPs > s.IPCapacity || growth > 1<<20 {
		t.Errorf("memory grew: %+d bytes, %d IPs", growth, s.IPs)
	}
	got := r.of(DetectorAuthFailures, store.BlockIP)
	if len(got) != 1 || got[0].ClientIP != attacker || got[0].Time.Sub(firstAttack) > 3*time.Second {
		t.Errorf("attacker within the flood: %+v", got)
	}
}
