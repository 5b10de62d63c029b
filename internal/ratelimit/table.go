package ratelimit

import (
	"hash/maphash"
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
)

// table is a fixed-capacity concurrent map from a key to one int64.
//
// Keys are not stored. A key is identified by two maphash values under
// independent random seeds: h1 picks the shard (top bits) and the bucket
// of bucketSlots slots (low bits above bit 0) and, with bit 0 set, is the
// slot's tag; h2 is the slot's fingerprint. Two keys are confused only when both
// 64-bit values collide (well under 2^-100 per lookup with the per-process
// seeds nobody outside can see), and then merely share one budget. So a
// slot is 24 bytes, the table holds no pointers (the garbage collector
// never scans it) and an insert allocates nothing.
//
// Readers take no lock: they match the tag and fingerprint and update the
// value with compare-and-swap. Only an insert takes its shard's mutex.
// The table never grows: a new key takes a free slot of its bucket, else
// the slot with the smallest value (for GCRA the earliest TAT, for quotas
// the oldest window and lowest count). A replaced value below the
// caller's idle threshold carried no information (a TAT in the past, a
// finished window) and is dropped losslessly; otherwise the replacement is
// counted in evicted.
//
// Reusing a slot is safe for concurrent updaters: the insert swaps the
// value to dead (an updater's CAS of the old value then fails), clears the
// tag, writes the fingerprint and value, and publishes the tag last. An
// updater re-reads the tag and fingerprint after reading the value and
// looks the key up again when they changed, so it never updates a slot
// that now belongs to another key.
type table struct {
	seed1, seed2 maphash.Seed
	shards       []shard
	shardShift   uint
	bucketMask   uint64
	capacity     int
	evicted      atomic.Uint64
}

const (
	bucketSlots = 8
	maxShards   = 256
	// dead is the value of a slot being reused.
	dead = math.MinInt64
)

type bucket struct {
	tags  [bucketSlots]atomic.Uint64 // h1|1; 0 when free
	slots [bucketSlots]cell
}

type cell struct {
	fp atomic.Uint64 // h2
	v  atomic.Int64
}

type shard struct {
	mu      sync.Mutex
	buckets []bucket
	_       [64 - 8 - 24]byte // one cache line per shard: no false sharing of mu
}

// newTable holds at least capacity keys (rounded up to a power of two,
// at least one bucket).
func newTable(capacity int) *table {
	total := 1 // buckets
	for total*bucketSlots < capacity {
		total <<= 1
	}
	n := min(total, maxShards)
	t := &table{
		seed1:      maphash.MakeSeed(),
		seed2:      maphash.MakeSeed(),
		shards:     make([]shard, n),
		shardShift: uint(64 - bits.TrailingZeros(uint(n))),
		bucketMask: uint64(total/n - 1),
		capacity:   total * bucketSlots,
	}
	for i := range t.shards {
		t.shards[i].buckets = make([]bucket, total/n)
	}
	return t
}

// id identifies a key in the table.
type id struct{ h1, h2 uint64 }

func (t *table) id(key []byte) id {
	return id{maphash.Bytes(t.seed1, key) | 1, maphash.Bytes(t.seed2, key)}
}

func (t *table) idString(key string) id {
	return id{maphash.String(t.seed1, key) | 1, maphash.String(t.seed2, key)}
}

func (t *table) locate(k id) (*shard, *bucket) {
	// Top bits pick the shard (a shift of 64, one shard, yields 0); the
	// bits above bit 0 (always 1 in a tag) pick the bucket.
	sh := &t.shards[k.h1>>t.shardShift]
	return sh, &sh.buckets[(k.h1>>1)&t.bucketMask]
}

// slot is a key's place in the table, valid while the key keeps it.
type slot struct {
	b *bucket
	i int
	k id
}

// lookup finds k without locking; ok is false when it is not in the table.
func (t *table) lookup(k id) (slot, bool) {
	_, b := t.locate(k)
	return b.find(k)
}

func (b *bucket) find(k id) (slot, bool) {
	for i := range b.tags {
		if b.tags[i].Load() == k.h1 && b.slots[i].fp.Load() == k.h2 {
			return slot{b, i, k}, true
		}
	}
	return slot{}, false
}

// load returns the slot's value, or false when the slot was taken by
// another key since it was found (the caller looks the key up again).
func (s slot) load() (int64, bool) {
	c := &s.b.slots[s.i]
	v := c.v.Load()
	return v, v != dead && s.b.tags[s.i].Load() == s.k.h1 && c.fp.Load() == s.k.h2
}

// cas replaces the slot's value old (from load) with v.
func (s slot) cas(old, v int64) bool { return s.b.slots[s.i].v.CompareAndSwap(old, v) }

// insert adds k with value v and returns true; when k is already present
// it returns false and the caller updates the existing slot. Values below
// idleBelow count as idle for eviction.
func (t *table) insert(k id, v, idleBelow int64) bool {
	sh, b := t.locate(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := b.find(k); ok {
		return false
	}
	for {
		i, old := b.victim()
		c := &b.slots[i]
		if b.tags[i].Load() != 0 {
			if !c.v.CompareAndSwap(old, dead) {
				continue // updated meanwhile: choose again
			}
			if old >= idleBelow {
				t.evicted.Add(1)
			}
			b.tags[i].Store(0)
		}
		c.fp.Store(k.h2)
		c.v.Store(v)
		b.tags[i].Store(k.h1)
		return true
	}
}

// victim returns a free slot, or the slot with the smallest value and
// that value. Called with the shard locked (no value is dead then).
func (b *bucket) victim() (int, int64) {
	best, bestV := 0, int64(math.MaxInt64)
	for i := range b.tags {
		if b.tags[i].Load() == 0 {
			return i, 0
		}
		if v := b.slots[i].v.Load(); v < bestV {
			best, bestV = i, v
		}
	}
	return best, bestV
}

// len counts occupied slots (O(capacity); for stats and tests).
func (t *table) len() int {
	n := 0
	for i := range t.shards {
		for j := range t.shards[i].buckets {
			for k := range t.shards[i].buckets[j].tags {
				if t.shards[i].buckets[j].tags[k].Load() != 0 {
					n++
				}
			}
		}
	}
	return n
}
