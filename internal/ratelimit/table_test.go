package ratelimit

import (
	"encoding/binary"
	"testing"
)

// Random keys fill most of the table before buckets overflow, and
// whatever happens the table holds no more than its capacity.
func TestTableOccupancy(t *testing.T) {
	for _, capacity := range []int{8, 64, 4096, 8192} {
		tb := newTable(capacity)
		if tb.capacity != capacity {
			t.Fatalf("capacity %d, want %d", tb.capacity, capacity)
		}
		var key [8]byte
		for i := range 4 * capacity {
			binary.LittleEndian.PutUint64(key[:], uint64(i))
			tb.insert(tb.id(key[:]), 1000+int64(i), 0) // all live
		}
		n := tb.len()
		if n != capacity {
			t.Errorf("capacity %d: %d keys after a flood of 4×", capacity, n)
		}
		tb = newTable(capacity)
		for i := range capacity {
			binary.LittleEndian.PutUint64(key[:], uint64(i))
			tb.insert(tb.id(key[:]), 1000, 0)
		}
		if n := tb.len(); capacity >= 4096 && n < capacity*3/4 {
			t.Errorf("capacity %d: only %d keys held after %d inserts", capacity, n, capacity)
		}
	}
}

func TestTableFindsWhatItHolds(t *testing.T) {
	tb := newTable(1 << 12)
	var key [8]byte
	for i := range 1000 {
		binary.LittleEndian.PutUint64(key[:], uint64(i))
		if !tb.insert(tb.id(key[:]), int64(i), 0) {
			t.Fatal("duplicate")
		}
	}
	for i := range 1000 {
		binary.LittleEndian.PutUint64(key[:], uint64(i))
		s, ok := tb.lookup(tb.id(key[:]))
		if !ok {
			continue // evicted by an overfull bucket: allowed, rare
		}
		if v, ok := s.load(); !ok || v != int64(i) {
			t.Fatalf("key %d: value %d %v", i, v, ok)
		}
		if tb.insert(tb.id(key[:]), 0, 0) {
			t.Fatal("inserted a key that is present")
		}
	}
}
