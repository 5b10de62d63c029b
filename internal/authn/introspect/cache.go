package introspect

import (
	"sync"
	"time"

	"github.com/apiguard/apiguard/internal/pipeline"
)

const (
	// DefaultCacheSize is the default capacity of each of the positive
	// and negative caches.
	DefaultCacheSize = 10000
	cacheShards      = 16
	// evictScan bounds the entries looked at to find expired ones when a
	// shard is full; failing that, an arbitrary entry goes.
	evictScan = 8
)

// entry is one cached answer: a Principal (shared, never modified) or
// the reason of a refusal.
type entry struct {
	p        *pipeline.Principal
	cause    error
	deadline time.Time // unusable from then on
}

// cache maps the SHA-256 of a token to an entry: bounded, sharded.
type cache struct {
	shards   [cacheShards]cacheShard
	perShard int
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[[32]byte]*entry
}

// newCache returns a cache of about size entries, or nil when size is 0.
func newCache(size int) *cache {
	if size <= 0 {
		return nil
	}
	c := &cache{perShard: max(1, (size+cacheShards-1)/cacheShards)}
	for i := range c.shards {
		c.shards[i].m = make(map[[32]byte]*entry)
	}
	return c
}

func (c *cache) shard(h *[32]byte) *cacheShard { return &c.shards[h[0]%cacheShards] }

// get returns the entry of h if it is still usable at now.
func (c *cache) get(h *[32]byte, now time.Time) (*entry, bool) {
	if c == nil {
		return nil, false
	}
	sh := c.shard(h)
	sh.mu.RLock()
	e := sh.m[*h]
	sh.mu.RUnlock()
	if e == nil {
		return nil, false
	}
	if !now.Before(e.deadline) {
		sh.mu.Lock()
		if sh.m[*h] == e {
			delete(sh.m, *h)
		}
		sh.mu.Unlock()
		return nil, false
	}
	return e, true
}

// put stores e under h, evicting an entry when the shard is full.
func (c *cache) put(h *[32]byte, e *entry, now time.Time) {
	if c == nil || !now.Before(e.deadline) {
		return
	}
	sh := c.shard(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.m[*h]; !ok && len(sh.m) >= c.perShard {
		n, evicted := 0, false
		for k, old := range sh.m {
			if !now.Before(old.deadline) {
				delete(sh.m, k)
				evicted = true
			}
			if n++; n >= evictScan {
				break
			}
		}
		if !evicted {
			for k := range sh.m { // map order is unspecified: a cheap random victim
				delete(sh.m, k)
				break
			}
		}
	}
	sh.m[*h] = e
}

// len is the number of entries, for tests.
func (c *cache) len() int {
	if c == nil {
		return 0
	}
	n := 0
	for i := range c.shards {
		c.shards[i].mu.RLock()
		n += len(c.shards[i].m)
		c.shards[i].mu.RUnlock()
	}
	return n
}
