package anomaly

import (
	"math/rand/v2"
	"testing"
)

// get counts one event of key h at second now and returns its count.
func get(tb *table[int], h uint64, now, idle uint32) int {
	mu, s := tb.acquire(h, now, idle)
	defer mu.Unlock()
	*s++
	return *s
}

func TestTableCapacity(t *testing.T) {
	for _, tc := range []struct{ ask, want int }{{1, 8}, {8, 8}, {100, 128}, {1 << 16, 1 << 16}, {100_000, 1 << 17}} {
		tb := newTable[int](tc.ask)
		if tb.capacity != tc.want {
			t.Errorf("newTable(%d).capacity = %d, want %d", tc.ask, tb.capacity, tc.want)
		}
	}
	tb := newTable[int](128)
	for i := range 100_000 {
		get(tb, rand.Uint64(), uint32(i), 60)
	}
	if n := tb.count(); n != 128 {
		t.Fatalf("%d keys held, want 128", n)
	}
}

// In a bucket full of one-shot keys, a key with a burst in progress is
// never the one replaced.
func TestTableKeepsActiveKeys(t *testing.T) {
	tb := newTable[int](bucketSlots) // one bucket: every key competes
	const hot = 0xdead
	for range 5 {
		get(tb, hot, 0, 60)
	}
	for i := range 1000 {
		get(tb, uint64(i+1)<<8, 1, 60)
	}
	if n := get(tb, hot, 2, 60); n != 6 {
		t.Fatalf("hot key count %d, want 6 (it was evicted)", n)
	}
}

// Idle keys go first, and their replacement is not counted as eviction.
func TestTableReplacesIdleFirst(t *testing.T) {
	tb := newTable[int](bucketSlots)
	for k := range uint64(bucketSlots) {
		for range 3 {
			get(tb, (k+1)<<8, 0, 150)
		}
	}
	for k := uint64(1); k < bucketSlots; k++ {
		get(tb, (k+1)<<8, 100, 150) // all but key 1 seen again
	}
	get(tb, 0xbeef<<8, 200, 150)
	if tb.evicted.Load() != 0 {
		t.Fatal("an idle key's replacement counted as eviction")
	}
	if n := get(tb, 1<<8, 200, 150); n != 1 {
		t.Fatalf("idle key 1 kept (count %d) while an active key was replaced", n)
	}
	if tb.evicted.Load() != 1 {
		t.Fatalf("evicted %d, want 1", tb.evicted.Load())
	}
}
