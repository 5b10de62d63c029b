package anomaly

import (
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
)

// table is a fixed-capacity map from a 64-bit key hash to a detector
// state S, split into shards (one mutex each) of buckets of bucketSlots
// entries. Keys are not stored: an entry holds the hash (under a
// per-process random seed, so nobody outside can aim collisions; two keys
// confused would only share counters) and S, which holds no pointers, so
// the garbage collector never scans the table and it never allocates
// after New.
//
// A new key takes a free entry of its bucket, else the entry carrying the
// least information: one idle for longer than the caller's horizon (its
// windows and cooldowns are over), else the one with the fewest events,
// the least recently seen among equals. A flood of one-shot keys thus
// replaces other one-shot keys, not a key with a burst in progress.
// Replacing a key that was not idle is counted in evicted.
type table[S any] struct {
	shards     []shard[S]
	shardShift uint
	bucketMask uint64
	capacity   int
	evicted    atomic.Uint64
}

const (
	bucketSlots = 8
	maxShards   = 256
)

// slotMeta is what eviction looks at.
type slotMeta struct {
	seen uint32 // Unix seconds of the last event
	hits uint16 // events since inserted (saturating)
}

// shard holds its buckets in three parallel arrays, so a lookup reads
// one cache line of hashes and then only the state it found.
type shard[S any] struct {
	mu     sync.Mutex
	hashes []uint64 // 0: free
	meta   []slotMeta
	states []S
	_      [128 - 8 - 3*24]byte // no false sharing of mu
}

// newTable holds at least capacity keys (rounded up to a power of two).
func newTable[S any](capacity int) *table[S] {
	buckets := 1
	for buckets*bucketSlots < capacity {
		buckets <<= 1
	}
	n := min(buckets, maxShards)
	t := &table[S]{
		shards:     make([]shard[S], n),
		shardShift: uint(64 - bits.TrailingZeros(uint(n))),
		bucketMask: uint64(buckets/n - 1),
		capacity:   buckets * bucketSlots,
	}
	per := buckets / n * bucketSlots
	for i := range t.shards {
		t.shards[i].hashes = make([]uint64, per)
		t.shards[i].meta = make([]slotMeta, per)
		t.shards[i].states = make([]S, per)
	}
	return t
}

// acquire locks the shard of h and returns its state, inserting a zero
// state when h is new. The caller unlocks the returned mutex. now is the
// event's Unix second; entries unseen for more than idle seconds are
// replaced first.
func (t *table[S]) acquire(h uint64, now, idle uint32) (*sync.Mutex, *S) {
	h |= 1
	sh := &t.shards[h>>t.shardShift] // a shift of 64 (one shard) yields 0
	i := int((h>>1)&t.bucketMask) * bucketSlots
	hs := sh.hashes[i : i+bucketSlots : i+bucketSlots]
	sh.mu.Lock()
	for j, v := range hs {
		if v == h {
			m := &sh.meta[i+j]
			m.seen, m.hits = max(m.seen, now), m.hits+min(1, math.MaxUint16-m.hits)
			return &sh.mu, &sh.states[i+j]
		}
	}
	j := i + victim(hs, sh.meta[i:i+bucketSlots], now, idle)
	if sh.hashes[j] != 0 && !sh.meta[j].idle(now, idle) {
		t.evicted.Add(1)
	}
	var zero S
	sh.hashes[j], sh.meta[j], sh.states[j] = h, slotMeta{seen: now, hits: 1}, zero
	return &sh.mu, &sh.states[j]
}

// victim picks the slot of a bucket a new key replaces (shard locked).
func victim(hs []uint64, ms []slotMeta, now, idle uint32) int {
	best, bestHits, bestSeen := 0, uint16(math.MaxUint16), uint32(math.MaxUint32)
	for j, h := range hs {
		if h == 0 {
			return j
		}
		m := &ms[j]
		hits := m.hits
		if m.idle(now, idle) {
			hits = 0
		}
		if hits < bestHits || hits == bestHits && m.seen < bestSeen {
			best, bestHits, bestSeen = j, hits, m.seen
		}
	}
	return best
}

// idle reports whether the slot was last seen more than idle seconds
// before now.
func (m *slotMeta) idle(now, idle uint32) bool { return now >= m.seen && now-m.seen > idle }

// count returns the entries in use (it locks every shard in turn: not
// for the request path).
func (t *table[S]) count() int {
	n := 0
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for _, h := range sh.hashes {
			if h != 0 {
				n++
			}
		}
		sh.mu.Unlock()
	}
	return n
}
