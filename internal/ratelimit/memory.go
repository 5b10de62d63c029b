package ratelimit

import "context"

// Default capacities of Memory (rounded up to a power of two).
const (
	DefaultCapacity      = 1 << 20 // rate-limit keys: 24 MiB (pages are touched as keys arrive)
	DefaultQuotaCapacity = 1 << 16 // quota keys (identity × route): 1.5 MiB
)

// Memory is the in-process backend: a Limiter and a QuotaCounter whose
// state lives in two bounded tables (see the package documentation). It
// needs no goroutine and no Close. Replicas using Memory each keep their
// own budget.
type Memory struct {
	clock Clock
	gcra  *table
	quota *table
}

var (
	_ Limiter      = (*Memory)(nil)
	_ QuotaCounter = (*Memory)(nil)
)

// MemoryOption configures NewMemory.
type MemoryOption func(*memoryConfig)

type memoryConfig struct {
	clock           Clock
	capacity, quota int
}

// WithClock sets the monotonic clock of GCRA decisions (tests).
func WithClock(c Clock) MemoryOption { return func(m *memoryConfig) { m.clock = c } }

// WithCapacity bounds the number of rate-limit keys kept (default
// DefaultCapacity).
func WithCapacity(n int) MemoryOption { return func(m *memoryConfig) { m.capacity = n } }

// WithQuotaCapacity bounds the number of quota keys kept (default
// DefaultQuotaCapacity).
func WithQuotaCapacity(n int) MemoryOption { return func(m *memoryConfig) { m.quota = n } }

// NewMemory returns an empty in-memory backend.
func NewMemory(opts ...MemoryOption) *Memory {
	c := memoryConfig{capacity: DefaultCapacity, quota: DefaultQuotaCapacity}
	for _, o := range opts {
		o(&c)
	}
	if c.clock == nil {
		c.clock = MonotonicClock()
	}
	return &Memory{clock: c.clock, gcra: newTable(c.capacity), quota: newTable(c.quota)}
}

// Allow runs one GCRA step for key. It never fails.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Decision, error) {
	return m.allow(m.gcra.idString(key), l), nil
}

// AllowBytes is Allow for a key held in the caller's buffer, which is
// neither modified nor retained. It does not allocate.
func (m *Memory) AllowBytes(key []byte, l Limit) Decision { return m.allow(m.gcra.id(key), l) }

func (m *Memory) allow(k id, l Limit) Decision {
	now := m.clock()
	for {
		sl, ok := m.gcra.lookup(k)
		if !ok {
			tat, d := l.Decide(0, now)
			if !d.Allowed { // only the zero Limit refuses a new key
				return d
			}
			if m.gcra.insert(k, tat, now+1) {
				return d
			}
			continue // inserted concurrently: update it
		}
		for {
			old, ok := sl.load()
			if !ok {
				break // evicted meanwhile: look up again
			}
			tat, d := l.Decide(old, now)
			if !d.Allowed || sl.cas(old, tat) {
				return d
			}
		}
	}
}

// Take counts one request under key in window w. It never fails.
func (m *Memory) Take(_ context.Context, key string, limit int64, w Window) (QuotaDecision, error) {
	return m.take(m.quota.idString(key), limit, w), nil
}

// TakeBytes is Take for a key held in the caller's buffer, which is
// neither modified nor retained.
//
// The entry packs the window ID (high 32 bits) and its count (low 32
// bits) in one int64. A request computed for a window older than the
// stored one counts against the stored (newer) window, so goroutines
// racing across a boundary cannot reset a count.
func (m *Memory) TakeBytes(key []byte, limit int64, w Window) QuotaDecision {
	return m.take(m.quota.id(key), limit, w)
}

func (m *Memory) take(k id, limit int64, w Window) QuotaDecision {
	if limit <= 0 {
		return QuotaDecision{}
	}
	cur := w.ID << 32
	for {
		sl, ok := m.quota.lookup(k)
		if !ok {
			if m.quota.insert(k, cur|1, cur) {
				return QuotaDecision{Allowed: true, Remaining: limit - 1}
			}
			continue
		}
		for {
			old, ok := sl.load()
			if !ok {
				break
			}
			win, n := cur, int64(0)
			switch {
			case old>>32 == w.ID:
				n = old & 0xffffffff
			case old>>32 > w.ID:
				win, n = old&^0xffffffff, old&0xffffffff
			}
			if n >= limit {
				return QuotaDecision{}
			}
			if sl.cas(old, win|(n+1)) {
				return QuotaDecision{Allowed: true, Remaining: limit - n - 1}
			}
		}
	}
}

// MemoryStats describes a Memory's tables.
type MemoryStats struct {
	// Keys and Capacity count rate-limit keys held and the bound.
	Keys, Capacity int
	// Evicted counts rate-limit keys dropped while their budget was not
	// fully restored (the table was full of recently active keys): each
	// such key starts again with a full burst.
	Evicted uint64
	// QuotaKeys, QuotaCapacity and QuotaEvicted are the same for quotas
	// (an evicted quota key restarts its window's count).
	QuotaKeys, QuotaCapacity int
	QuotaEvicted             uint64
}

// Stats counts the keys held (it scans the tables: not for the hot path).
func (m *Memory) Stats() MemoryStats {
	return MemoryStats{
		Keys: m.gcra.len(), Capacity: m.gcra.capacity, Evicted: m.gcra.evicted.Load(),
		QuotaKeys: m.quota.len(), QuotaCapacity: m.quota.capacity, QuotaEvicted: m.quota.evicted.Load(),
	}
}
