package introspect

import (
	"strconv"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/config"
)

func TestCache(t *testing.T) {
	t.Run("positive hit skips the endpoint", func(t *testing.T) {
		e := newEnv(t, nil)
		e.idp.set("tok", e.active(""))
		for range 3 {
			if _, err := e.auth("tok"); err != nil {
				t.Fatal(err)
			}
		}
		if h := e.idp.hits.Load(); h != 1 {
			t.Fatalf("hits %d", h)
		}
		if st := e.a.Stats(); st.CacheHits != 2 || st.CacheMisses != 1 || st.Calls != 1 {
			t.Fatalf("stats %+v", st)
		}
	})
	t.Run("negative hit skips the endpoint", func(t *testing.T) {
		e := newEnv(t, nil)
		for range 3 {
			_, err := e.auth("revoked")
			wantProblem(t, err, 401, ErrInactive)
		}
		if h := e.idp.hits.Load(); h != 1 {
			t.Fatalf("hits %d", h)
		}
	})
	t.Run("entries expire after cache_ttl", func(t *testing.T) {
		e := newEnv(t, nil)
		e.idp.set("tok", e.active(""))
		if _, err := e.auth("tok"); err != nil {
			t.Fatal(err)
		}
		_, err := e.auth("bad")
		wantProblem(t, err, 401, ErrInactive)
		e.clock.add(29 * time.Second)
		e.auth("tok")
		e.auth("bad")
		if h := e.idp.hits.Load(); h != 2 {
			t.Fatalf("hits %d before the TTL", h)
		}
		e.clock.add(time.Second)
		// Revoked meanwhile: the next call sees it.
		e.idp.set("tok", `{"active":false}`)
		e.idp.set("bad", e.active(""))
		_, err = e.auth("tok")
		wantProblem(t, err, 401, ErrInactive)
		if _, err := e.auth("bad"); err != nil {
			t.Fatal(err)
		}
		if h := e.idp.hits.Load(); h != 4 {
			t.Fatalf("hits %d after the TTL", h)
		}
	})
	t.Run("a positive entry never outlives exp", func(t *testing.T) {
		e := newEnv(t, nil)
		exp := e.clock.now().Add(5 * time.Second).Unix()
		e.idp.set("tok", `{"active":true,"sub":"a","exp":`+itoa(exp)+`}`)
		if _, err := e.auth("tok"); err != nil {
			t.Fatal(err)
		}
		e.clock.add(4 * time.Second)
		if _, err := e.auth("tok"); err != nil || e.idp.hits.Load() != 1 {
			t.Fatalf("err %v, hits %d", err, e.idp.hits.Load())
		}
		e.clock.add(time.Second) // exp reached; a lax endpoint still says active
		_, err := e.auth("tok")
		wantProblem(t, err, 401, ErrExpired)
		if e.idp.hits.Load() != 2 {
			t.Fatalf("hits %d: the expired entry was used", e.idp.hits.Load())
		}
	})
	t.Run("not yet valid is cached until nbf only", func(t *testing.T) {
		e := newEnv(t, nil)
		nbf := e.clock.now().Add(40 * time.Second).Unix()
		e.idp.set("tok", `{"active":true,"sub":"a","nbf":`+itoa(nbf)+`}`)
		_, err := e.auth("tok")
		wantProblem(t, err, 401, ErrNotYetValid)
		e.clock.add(10 * time.Second) // nbf - leeway: valid now
		if _, err := e.auth("tok"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("cache_ttl 0 disables caching", func(t *testing.T) {
		e := newEnv(t, func(c *config.Introspection) { c.CacheTTL = 0 })
		e.idp.set("tok", e.active(""))
		for range 3 {
			if _, err := e.auth("tok"); err != nil {
				t.Fatal(err)
			}
			e.auth("bad")
		}
		if h := e.idp.hits.Load(); h != 6 {
			t.Fatalf("hits %d", h)
		}
	})
	t.Run("bounded, and garbage cannot evict good entries", func(t *testing.T) {
		e := newEnv(t, nil, WithCacheSize(64))
		e.idp.set("good", e.active(""))
		if _, err := e.auth("good"); err != nil {
			t.Fatal(err)
		}
		for i := range 1000 {
			e.auth("garbage-" + strconv.Itoa(i))
		}
		if n := e.a.neg.len(); n > 64+cacheShards {
			t.Fatalf("negative cache holds %d entries", n)
		}
		hits := e.idp.hits.Load()
		if _, err := e.auth("good"); err != nil || e.idp.hits.Load() != hits {
			t.Fatal("the good entry was evicted by garbage")
		}
	})
	t.Run("keys are hashes", func(t *testing.T) {
		e := newEnv(t, nil)
		e.idp.set("tok", e.active(""))
		e.auth("tok")
		h := tokenHash("tok")
		if _, ok := e.a.pos.get(&h, e.clock.now()); !ok {
			t.Fatal("not cached under SHA-256 of the token")
		}
	})
}

func TestCacheEviction(t *testing.T) {
	c := newCache(cacheShards) // one entry per shard
	now := time.Unix(1e9, 0)
	var a, b [32]byte
	b[1] = 1 // same shard as a (shard is h[0])
	c.put(&a, &entry{deadline: now.Add(time.Second)}, now)
	c.put(&b, &entry{deadline: now.Add(time.Second)}, now)
	if _, ok := c.get(&a, now); ok || c.len() != 1 {
		t.Fatal("the full shard was not evicted")
	}
	c.put(&a, &entry{deadline: now}, now) // already expired: not stored
	if _, ok := c.get(&a, now); ok {
		t.Fatal("stored an expired entry")
	}
	if _, ok := c.get(&b, now.Add(time.Second)); ok || c.len() != 0 {
		t.Fatal("an expired entry was served or kept")
	}
	if newCache(0) != nil {
		t.Fatal("size 0 should disable")
	}
}
