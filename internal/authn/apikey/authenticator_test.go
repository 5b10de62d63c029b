package apikey

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/store"
)

func TestAuthenticateValidKey(t *testing.T) {
	st, _ := openStore(t)
	c := newClock()
	iss := issue(t, st, c, Spec{Name: "ci", Scopes: []string{"orders:write", "orders:read"}, TOTP: true})
	a := newAuth(t, st, c)
	key := iss.Key.Plaintext()
	for _, x := range []*pipeline.Exchange{
		exchange("X-API-Key", key), exchange("x-api-key", " "+key+" "),
		exchange("Authorization", "ApiKey "+key), exchange("Authorization", "apikey "+key),
		exchange("X-API-Key", key, "Authorization", "ApiKey "+key),
	} {
		p, err := a.Authenticate(context.Background(), x)
		if err != nil {
			t.Fatal(err)
		}
		want := pipeline.Principal{Subject: "key:" + iss.Record.ID, Method: Method, KeyID: iss.Record.ID,
			Scopes: []string{"orders:read", "orders:write"}, TOTP: true}
		if p.Subject != want.Subject || p.KeyID != want.KeyID || p.Method != want.Method ||
			!slices.Equal(p.Scopes, want.Scopes) || !p.TOTP {
			t.Fatalf("Principal = %+v, want %+v", p, want)
		}
	}
	if a.Method() != "api_key" || a.Header() != "X-Api-Key" {
		t.Fatalf("Method %q Header %q", a.Method(), a.Header())
	}
}

func TestPrincipalsAreNotShared(t *testing.T) {
	st, _ := openStore(t)
	c := newClock()
	iss := issue(t, st, c, Spec{Name: "ci", Scopes: []string{"a"}})
	a := newAuth(t, st, c)
	p1, _ := a.Authenticate(context.Background(), exchange("X-API-Key", iss.Key.Plaintext()))
	p1.Method, p1.Subject = "tampered", "tampered"
	_ = append(p1.Scopes, "admin")
	p2, err := a.Authenticate(context.Background(), exchange("X-API-Key", iss.Key.Plaintext()))
	if err != nil || p2.Subject != "key:"+iss.Record.ID || p2.Method != Method || !slices.Equal(p2.Scopes, []string{"a"}) {
		t.Fatalf("a request's changes leaked into the next: %+v %v", p2, err)
	}
}

func TestNoCredential(t *testing.T) {
	st, _ := openStore(t)
	a := newAuth(t, st, newClock())
	for _, x := range []*pipeline.Exchange{
		exchange(), exchange("Authorization", "Bearer eyJhbGciOi.x.y"), exchange("Authorization", "Basic dXNlcjpwYXNz"),
		exchange("X-Api-Keys", "agk_x"),
	} {
		if _, err := a.Authenticate(context.Background(), x); !errors.Is(err, pipeline.ErrNoCredential) {
			t.Fatalf("%v: err = %v, want ErrNoCredential", x.In.Header, err)
		}
	}
}

func TestBadKeysAreDeniedGenerically(t *testing.T) {
	st, _ := openStore(t)
	c := newClock()
	iss := issue(t, st, c, Spec{Name: "ci"})
	a := newAuth(t, st, c)
	key := iss.Key.Plaintext()
	other, _ := Generate()
	sameID := Prefix + key[4:12] + other.Plaintext()[12:36]
	sum := checksum(sameID[4:36])
	sameID += string(sum[:])
	cases := map[string]*pipeline.Exchange{
		"truncated":       exchange("X-API-Key", key[:Len-1]),
		"typo":            exchange("X-API-Key", key[:20]+flipCase(key[20])+key[21:]),
		"empty":           exchange("X-API-Key", ""),
		"unknown id":      exchange("X-API-Key", other.Plaintext()),
		"wrong secret":    exchange("X-API-Key", sameID),
		"two headers":     exchange("X-API-Key", key, "X-API-Key", key),
		"header and auth": exchange("X-API-Key", key, "Authorization", "ApiKey "+other.Plaintext()),
		"bearer api key":  exchange("Authorization", "ApiKey Bearer "+key),
	}
	for name, x := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := a.Authenticate(context.Background(), x)
			p := denial(t, err, http.StatusUnauthorized)
			if p.Detail != "invalid API key" || p.Code != "unauthenticated" ||
				!strings.Contains(p.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Fatalf("denial %+v", p)
			}
			for _, secret := range []string{key[12:], other.Plaintext()[12:], sameID[12:]} {
				if strings.Contains(p.Error(), secret) || strings.Contains(p.Detail, secret) {
					t.Fatal("the denial quotes a key's secret")
				}
			}
		})
	}
}

func flipCase(c byte) string {
	if c >= 'a' && c <= 'z' {
		return string(c - 32)
	}
	if c >= 'A' && c <= 'Z' {
		return string(c + 32)
	}
	return string('0' + (c-'0'+1)%10)
}

func TestMalformedKeysNeverReachTheStore(t *testing.T) {
	st, _ := openStore(t)
	cs := &countingStore{Store: st}
	c := newClock()
	key := issue(t, st, c, Spec{Name: "ci"}).Key.Plaintext()
	a := newAuth(t, cs, c)
	for _, bad := range []string{key[:Len-1], key[:Len-1] + "!", "agk_" + strings.Repeat("a", 38), strings.ToUpper(key)} {
		a.Authenticate(context.Background(), exchange("X-API-Key", bad))
	}
	if n := cs.gets.Load(); n != 0 {
		t.Fatalf("%d store lookups for malformed keys", n)
	}
	unknown, _ := Generate()
	for range 5 {
		a.Authenticate(context.Background(), exchange("X-API-Key", unknown.Plaintext()))
	}
	if n := cs.gets.Load(); n != 1 {
		t.Fatalf("%d store lookups for one unknown id, want 1 (negative cache)", n)
	}
}

func TestExpiredKeyIsDenied(t *testing.T) {
	st, _ := openStore(t)
	c := newClock()
	iss := issue(t, st, c, Spec{Name: "ci", TTL: time.Second})
	a := newAuth(t, st, c)
	x := func() *pipeline.Exchange { return exchange("X-API-Key", iss.Key.Plaintext()) }
	p, err := a.Authenticate(context.Background(), x())
	if err != nil || !p.ExpiresAt.Equal(c.Now().Add(time.Second)) {
		t.Fatalf("Principal %+v, %v", p, err)
	}
	c.Advance(time.Second)
	_, err = a.Authenticate(context.Background(), x())
	if p := denial(t, err, http.StatusUnauthorized); !errors.Is(p, store.ErrExpired) {
		t.Fatalf("cause %v, want ErrExpired", p.Cause)
	}
}

func TestRevocationByAnotherProcessWithinOneSecond(t *testing.T) {
	st, path := openStore(t)
	c := newClock()
	iss := issue(t, st, c, Spec{Name: "ci"})
	a := newAuth(t, st, c)
	x := func() *pipeline.Exchange { return exchange("X-API-Key", iss.Key.Plaintext()) }
	for range 3 { // warm the cache
		if _, err := a.Authenticate(context.Background(), x()); err != nil {
			t.Fatal(err)
		}
	}
	cli := openStoreAt(t, path) // the CLI's own handle
	if err := cli.Keys().Revoke(context.Background(), iss.Record.ID, c.Now()); err != nil {
		t.Fatal(err)
	}
	took := eventually(t, time.Second, func() bool {
		_, err := a.Authenticate(context.Background(), x())
		return err != nil && errors.Is(err, store.ErrRevoked)
	})
	t.Logf("revocation seen after %v", took)
}

func TestRotationGrace(t *testing.T) {
	st, path := openStore(t)
	c := newClock()
	old := issue(t, st, c, Spec{Name: "ci", Scopes: []string{"a"}, TTL: 48 * time.Hour})
	a := newAuth(t, st, c)
	use := func(k Key) error {
		_, err := a.Authenticate(context.Background(), exchange("X-API-Key", k.Plaintext()))
		return err
	}
	if err := use(old.Key); err != nil {
		t.Fatal(err)
	}
	cli := openStoreAt(t, path)
	g0 := a.cache.generation()
	next, err := Rotate(context.Background(), cli, old.Record.ID, time.Hour, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	if next.Record.Name != "ci" || !slices.Equal(next.Record.Scopes, []string{"a"}) ||
		next.Record.Expires.Sub(next.Record.Created) != 48*time.Hour {
		t.Fatalf("successor %+v", next.Record)
	}
	eventually(t, time.Second, func() bool { return a.cache.generation() > g0 }) // the rotation is seen
	if err := use(next.Key); err != nil {
		t.Fatal(err)
	}
	if err := use(old.Key); err != nil {
		t.Fatalf("old key during grace: %v", err)
	}
	c.Advance(time.Hour)
	if err := use(old.Key); !errors.Is(err, store.ErrRotated) {
		t.Fatalf("old key after grace: %v", err)
	}
	// Grace 0: the old key stops at once.
	third, err := Rotate(context.Background(), cli, next.Record.ID, 0, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, func() bool { return errors.Is(use(next.Key), store.ErrRotated) })
	if err := use(third.Key); err != nil {
		t.Fatal(err)
	}
}

func TestLastUsedIsBatched(t *testing.T) {
	st, _ := openStore(t)
	cs := &countingStore{Store: st}
	c := newClock()
	iss := issue(t, st, c, Spec{Name: "ci"})
	a := New(cs, "", WithClock(c.Now), WithFlushInterval(time.Hour), WithLogger(discard))
	for range 1000 {
		if _, err := a.Authenticate(context.Background(), exchange("X-API-Key", iss.Key.Plaintext())); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Millisecond)
	}
	last := c.Now().Add(-time.Millisecond)
	if n := cs.touches.Load(); n != 0 {
		t.Fatalf("%d last-used writes during 1000 requests, want 0 before the flush", n)
	}
	if got, _ := st.Keys().Get(context.Background(), iss.Record.ID); !got.LastUsed.IsZero() {
		t.Fatal("last_used written before the flush")
	}
	a.Close()
	if cs.touches.Load() != 1 || cs.touched.Load() != 1 {
		t.Fatalf("Close wrote %d batches of %d usages, want 1 of 1", cs.touches.Load(), cs.touched.Load())
	}
	got, _ := st.Keys().Get(context.Background(), iss.Record.ID)
	if !got.LastUsed.Equal(last) {
		t.Fatalf("last_used = %v, want %v", got.LastUsed, last)
	}
}

func TestLastUsedFlushedPeriodically(t *testing.T) {
	st, _ := openStore(t)
	c := newClock()
	iss := issue(t, st, c, Spec{Name: "ci"})
	a := newAuth(t, st, c, WithFlushInterval(20*time.Millisecond))
	if _, err := a.Authenticate(context.Background(), exchange("X-API-Key", iss.Key.Plaintext())); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Second, func() bool {
		k, _ := st.Keys().Get(context.Background(), iss.Record.ID)
		return k.LastUsed.Equal(c.Now())
	})
}

func TestStoreDownFailsClosed(t *testing.T) {
	st, path := openStore(t)
	c := newClock()
	iss := issue(t, st, c, Spec{Name: "ci"})
	gw := openStoreAt(t, path)
	a := newAuth(t, gw, c)
	x := func() *pipeline.Exchange { return exchange("X-API-Key", iss.Key.Plaintext()) }
	if _, err := a.Authenticate(context.Background(), x()); err != nil {
		t.Fatal(err)
	}
	gw.Close() // the gateway loses its store
	eventually(t, 2*time.Second, func() bool {
		_, err := a.Authenticate(context.Background(), x())
		return err != nil && denial(t, err, http.StatusServiceUnavailable) != nil
	})
}

func TestStaleReadIsNotCachedAcrossARevisionChange(t *testing.T) {
	var c cache
	c.init()
	gen := c.generation()
	c.invalidate() // a revision change while a store read was in flight
	c.put(gen, "id", &entry{})
	c.putMissing(gen, "gone")
	if e, known := c.get("id"); e != nil || known {
		t.Fatal("a record read before the change was cached after it")
	}
	if _, known := c.get("gone"); known {
		t.Fatal("a miss read before the change was cached after it")
	}
}

func TestCustomHeader(t *testing.T) {
	st, _ := openStore(t)
	c := newClock()
	iss := issue(t, st, c, Spec{Name: "ci"})
	a := New(st, "x-gateway-token", WithClock(c.Now), WithLogger(discard))
	defer a.Close()
	if a.Header() != "X-Gateway-Token" {
		t.Fatalf("Header = %q", a.Header())
	}
	if _, err := a.Authenticate(context.Background(), exchange("X-Gateway-Token", iss.Key.Plaintext())); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(context.Background(), exchange("X-API-Key", iss.Key.Plaintext())); !errors.Is(err, pipeline.ErrNoCredential) {
		t.Fatalf("default header still read: %v", err)
	}
}

func BenchmarkAuthenticate(b *testing.B) {
	st, _ := openStore(b)
	c := newClock()
	iss := issue(b, st, c, Spec{Name: "bench", Scopes: []string{"orders:read"}})
	a := newAuth(b, st, c)
	x := exchange("X-API-Key", iss.Key.Plaintext())
	ctx := context.Background()
	eventually(b, time.Second, func() bool { return a.cache.fresh(a.stale) })
	if _, err := a.Authenticate(ctx, x); err != nil { // warm
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Authenticate(ctx, x); err != nil {
			b.Fatal(err)
		}
	}
}

func TestConcurrentRequestsWhileTheCLIWrites(t *testing.T) {
	st, path := openStore(t)
	c := newClock()
	keys := make([]Issued, 4)
	for i := range keys {
		keys[i] = issue(t, st, c, Spec{Name: "k"})
	}
	a := newAuth(t, st, c, WithPollInterval(10*time.Millisecond), WithFlushInterval(15*time.Millisecond))
	cli := openStoreAt(t, path)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := keys[(w+i)%len(keys)]
				_, err := a.Authenticate(context.Background(), exchange("X-API-Key", k.Key.Plaintext()))
				if err != nil && !errors.Is(err, store.ErrRevoked) {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 10 { // the CLI creates keys meanwhile, changing the revision
		issue(t, cli, c, Spec{Name: "other"})
	}
	if err := cli.Keys().Revoke(context.Background(), keys[0].Record.ID, c.Now()); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, func() bool {
		_, err := a.Authenticate(context.Background(), exchange("X-API-Key", keys[0].Key.Plaintext()))
		return errors.Is(err, store.ErrRevoked)
	})
	close(stop)
	wg.Wait()
	for _, k := range keys[1:] {
		if _, err := a.Authenticate(context.Background(), exchange("X-API-Key", k.Key.Plaintext())); err != nil {
			t.Fatal(err)
		}
	}
}

// A key's quota reaches its principal (shared, read only); a key without
// one has a nil Quota. A rotation's successor keeps the quota.
func TestPrincipalQuota(t *testing.T) {
	st, _ := openStore(t)
	c := newClock()
	q := issue(t, st, c, Spec{Name: "q", Quota: store.Quota{Limit: 3, Per: "month"}})
	plain := issue(t, st, c, Spec{Name: "plain"})
	a := newAuth(t, st, c)
	p, err := a.Authenticate(context.Background(), exchange("X-API-Key", q.Key.Plaintext()))
	if err != nil || p.Quota == nil || *p.Quota != (pipeline.Quota{Limit: 3, Per: "month"}) {
		t.Fatalf("principal quota %+v, %v", p, err)
	}
	p, err = a.Authenticate(context.Background(), exchange("X-API-Key", plain.Key.Plaintext()))
	if err != nil || p.Quota != nil {
		t.Fatalf("principal without a quota: %+v, %v", p, err)
	}
	next, err := Rotate(context.Background(), st, q.Record.ID, 0, c.Now())
	if err != nil || next.Record.Quota != q.Record.Quota {
		t.Fatalf("rotated: %+v, %v", next.Record, err)
	}
}
