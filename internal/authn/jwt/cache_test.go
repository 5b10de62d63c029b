package jwt

import (
	"context"
	"fmt"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
)

func TestCachedTokenRejudgedOnEveryHit(t *testing.T) {
	e := newEnv(t)
	c := e.claims()
	c["exp"] = e.clock.now().Add(2 * time.Minute).Unix()
	tok := e.rs256(c)
	for range 3 {
		if _, err := e.auth(tok); err != nil {
			t.Fatal(err)
		}
	}
	if s := e.a.Stats(); s.CacheHits != 2 || s.CacheMisses != 1 {
		t.Fatalf("stats = %+v", s)
	}
	// Within leeway (30 s) after exp: still good.
	e.clock.advance(2*time.Minute + 20*time.Second)
	if _, err := e.auth(tok); err != nil {
		t.Fatalf("within leeway: %v", err)
	}
	// Past exp + leeway: refused although it sits in the cache.
	e.clock.advance(11 * time.Second)
	_, err := e.auth(tok)
	if p := wantDenied(t, tok, err, ErrExpired); p.Detail != "token expired" {
		t.Errorf("detail = %q", p.Detail)
	}
}

func TestCachedPrincipalIsNotShared(t *testing.T) {
	e := newEnv(t)
	tok := e.rs256(e.claims())
	p1, err := e.auth(tok)
	if err != nil {
		t.Fatal(err)
	}
	p1.Subject, p1.Scopes[0] = "mallory", "admin:all"
	p1.Scopes = append(p1.Scopes, "root")
	p2, err := e.auth(tok)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Subject != "alice" || len(p2.Scopes) != 2 || p2.Scopes[0] != "orders:read" {
		t.Fatalf("cache entry changed through a returned principal: %+v", p2)
	}
	v, _ := e.a.Verify(context.Background(), tok)
	v.Principal.Scopes[1] = "x"
	if p3, _ := e.auth(tok); p3.Scopes[1] != "orders:write" {
		t.Fatalf("cache entry changed through Verify: %+v", p3)
	}
}

func TestCacheIsBounded(t *testing.T) {
	e := newEnv(t, WithCacheSize(32))
	for i := range 200 {
		c := e.claims()
		c["jti"] = fmt.Sprint(i)
		if _, err := e.auth(e.es256(c)); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.a.cache.len(); n > 32 {
		t.Fatalf("cache holds %d entries, capacity 32", n)
	}
}

func TestCacheDisabled(t *testing.T) {
	e := newEnv(t, WithCacheSize(0))
	tok := e.rs256(e.claims())
	for range 2 {
		if _, err := e.auth(tok); err != nil {
			t.Fatal(err)
		}
	}
	if s := e.a.Stats(); s.CacheHits != 0 {
		t.Fatalf("stats = %+v", s)
	}
}

func TestFailedTokensAreNotCached(t *testing.T) {
	e := newEnv(t)
	bad := sign(t, gojwt.SigningMethodRS256, e.k.attacker, "rsa1", nil, e.claims())
	for range 3 {
		if _, err := e.auth(bad); err == nil {
			t.Fatal("accepted")
		}
	}
	if n := e.a.cache.len(); n != 0 {
		t.Fatalf("%d entries after refusals", n)
	}
}
