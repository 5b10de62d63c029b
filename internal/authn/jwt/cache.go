package jwt

import (
	"sync"
	"time"
)

const (
	// DefaultCacheSize is the default capacity of the verified-token cache.
	DefaultCacheSize = 10000
	cacheShards      = 16
	// evictScan bounds the entries looked at to find expired ones when a
	// shard is full; failing that, an arbitrary entry goes.
	evictScan = 8
)

// tokenCache remembers verified tokens by the SHA-256 of the token, so
// that a repeated token skips the signature check. It never holds a token
// that failed verification (an attacker cannot fill it with garbage).
type tokenCache struct {
	shards   [cacheShards]cacheShard
	perShard int
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[[32]byte]*cacheEntry
}

type cacheEntry struct {
	v        *Verified // immutable; callers get copies
	deadline time.Time // exp + leeway: unusable from then on
	src      *source
	ks       *keySet // the key set that verified it
}

func newTokenCache(size int) *tokenCache {
	if size <= 0 {
		return nil
	}
	c := &tokenCache{perShard: max(1, (size+cacheShards-1)/cacheShards)}
	for i := range c.shards {
		c.shards[i].m = make(map[[32]byte]*cacheEntry)
	}
	return c
}

func (c *tokenCache) shard(h *[32]byte) *cacheShard { return &c.shards[h[0]%cacheShards] }

// get returns the verified token of hash h if it is still valid at now:
// unexpired, and verified by the issuer's current key set.
func (c *tokenCache) get(h *[32]byte, now time.Time) (*Verified, bool) {
	sh := c.shard(h)
	sh.mu.RLock()
	e := sh.m[*h]
	sh.mu.RUnlock()
	if e == nil {
		return nil, false
	}
	if !now.Before(e.deadline) || e.src.current() != e.ks {
		sh.mu.Lock()
		if sh.m[*h] == e {
			delete(sh.m, *h)
		}
		sh.mu.Unlock()
		return nil, false
	}
	return e.v, true
}

func (c *tokenCache) put(h *[32]byte, e *cacheEntry, now time.Time) {
	sh := c.shard(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.m[*h]; !ok && len(sh.m) >= c.perShard {
		n, evicted := 0, false
		for k, old := range sh.m {
			if !now.Before(old.deadline) || old.src.current() != old.ks {
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
func (c *tokenCache) len() int {
	n := 0
	for i := range c.shards {
		c.shards[i].mu.RLock()
		n += len(c.shards[i].m)
		c.shards[i].mu.RUnlock()
	}
	return n
}
