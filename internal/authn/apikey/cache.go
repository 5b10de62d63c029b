package apikey

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/store"
)

// maxMissing bounds the negative cache (ids that are not in the store),
// which keeps a flood of well-formed random keys off the store.
const maxMissing = 10000

// entry is a cached key record with its ready-made principal.
type entry struct {
	rec       store.Key
	principal pipeline.Principal
	// lastUsed is the Unix-nanosecond time of the latest use not yet
	// written to the store; 0 when there is none.
	lastUsed atomic.Int64
}

func newEntry(rec store.Key) *entry {
	scopes := rec.Scopes[:len(rec.Scopes):len(rec.Scopes)] // an append must copy
	e := &entry{rec: rec, principal: pipeline.Principal{
		Subject: SubjectPrefix + rec.ID, Method: Method, KeyID: rec.ID, Scopes: scopes, TOTP: rec.TOTP,
		ExpiresAt: rec.NotAfter(), // expiry or end of a rotation's grace; zero: never
	}}
	if !rec.Quota.IsZero() {
		e.principal.Quota = &pipeline.Quota{Limit: rec.Quota.Limit, Per: rec.Quota.Per}
	}
	return e
}

var errWrongSecret = errors.New("wrong secret")

// check verifies k against the record (constant time) and then its state.
func (e *entry) check(h *store.Hasher, k Key, now time.Time) error {
	if !h.Verify(k.Plaintext(), e.rec.Hash) {
		return &keyError{id: e.rec.ID, err: errWrongSecret}
	}
	switch e.rec.Status(now) {
	case store.StatusRevoked:
		return &keyError{id: e.rec.ID, err: store.ErrRevoked}
	case store.StatusExpired:
		return &keyError{id: e.rec.ID, err: store.ErrExpired}
	case store.StatusRotated:
		return &keyError{id: e.rec.ID, err: store.ErrRotated}
	}
	return nil
}

// keyError names the key id (public) and why it was refused.
type keyError struct {
	id  string
	err error
}

func (e *keyError) Error() string { return "api key " + e.id + ": " + e.err.Error() }
func (e *keyError) Unwrap() error { return e.err }

// cache holds verified-shape records by id. Entries are dropped whenever
// the store revision changes; gen makes sure a record read before such a
// change is never inserted after it.
type cache struct {
	mu      sync.RWMutex
	entries map[string]*entry
	missing map[string]struct{}
	gen     uint64
	// pending holds last-used times of dropped entries until the flush.
	pending []store.Usage

	// base and polled measure, on the monotonic clock, when the revision
	// was last read successfully (polled < 0: never).
	base   time.Time
	polled atomic.Int64
}

func (c *cache) init() {
	c.entries = map[string]*entry{}
	c.missing = map[string]struct{}{}
	c.base = time.Now()
	c.polled.Store(-1)
}

// fresh reports whether the revision was read within maxStale.
func (c *cache) fresh(maxStale time.Duration) bool {
	p := c.polled.Load()
	return p >= 0 && time.Since(c.base)-time.Duration(p) <= maxStale
}

func (c *cache) markPolled() { c.polled.Store(int64(time.Since(c.base))) }

// get returns the entry of id, or known=true for an id known missing.
func (c *cache) get(id string) (e *entry, known bool) {
	c.mu.RLock()
	e = c.entries[id]
	if e == nil {
		_, known = c.missing[id]
	}
	c.mu.RUnlock()
	return e, known
}

func (c *cache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

func (c *cache) put(gen uint64, id string, e *entry) {
	c.mu.Lock()
	if c.gen == gen {
		if old := c.entries[id]; old != nil { // re-read while stale
			c.pending = appendUsage(c.pending, map[string]*entry{id: old})
		}
		c.entries[id] = e
	}
	c.mu.Unlock()
}

func (c *cache) putMissing(gen uint64, id string) {
	c.mu.Lock()
	if c.gen == gen {
		if len(c.missing) >= maxMissing {
			clear(c.missing)
		}
		c.missing[id] = struct{}{}
	}
	c.mu.Unlock()
}

// invalidate drops every entry, keeping their unwritten last-used times.
func (c *cache) invalidate() {
	c.mu.Lock()
	c.pending = appendUsage(c.pending, c.entries)
	clear(c.entries)
	clear(c.missing)
	c.gen++
	c.mu.Unlock()
}

// takeUsage returns, and forgets, every unwritten last-used time.
func (c *cache) takeUsage() []store.Usage {
	c.mu.Lock()
	out := appendUsage(c.pending, c.entries)
	c.pending = nil
	c.mu.Unlock()
	return out
}

func appendUsage(dst []store.Usage, entries map[string]*entry) []store.Usage {
	for id, e := range entries {
		if t := e.lastUsed.Swap(0); t != 0 {
			dst = append(dst, store.Usage{ID: id, At: time.Unix(0, t).UTC()})
		}
	}
	return dst
}
