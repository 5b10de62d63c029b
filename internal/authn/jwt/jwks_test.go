package jwt

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/problem"
)

func TestUnknownKidRefetchIsRateLimited(t *testing.T) {
	e := newEnv(t)
	if got := e.srv.hits.Load(); got != 1 {
		t.Fatalf("start fetched %d times", got)
	}
	newKid := sign(t, gojwt.SigningMethodRS256, e.k.rsa2, "new", nil, e.claims())
	_, err := e.auth(newKid)
	wantDenied(t, newKid, err, ErrUnknownKey)
	if got := e.srv.hits.Load(); got != 2 {
		t.Fatalf("unknown kid: %d fetches, want one more", got)
	}
	// A second unknown kid within 10 s: no refetch (an attacker cannot
	// make us hammer the issuer).
	e.clock.advance(9 * time.Second)
	for i := range 5 {
		other := sign(t, gojwt.SigningMethodRS256, e.k.rsa2, "other-"+string(rune('a'+i)), nil, e.claims())
		_, err = e.auth(other)
		wantDenied(t, other, err, ErrUnknownKey)
	}
	if got := e.srv.hits.Load(); got != 2 {
		t.Fatalf("second unknown kid within 10s refetched (%d fetches)", got)
	}
	// After 10 s, the key published meanwhile is found.
	e.srv.set(jwksDoc(jwk("rsa1", "RS256", &e.k.rsa1.PublicKey), jwk("new", "RS256", &e.k.rsa2.PublicKey)))
	e.clock.advance(2 * time.Second)
	if _, err := e.auth(sign(t, gojwt.SigningMethodRS256, e.k.rsa2, "new", nil, e.claims())); err != nil {
		t.Fatalf("new key after the rate limit: %v", err)
	}
	if got := e.srv.hits.Load(); got != 3 {
		t.Fatalf("%d fetches, want 3", got)
	}
	if s := e.a.Stats(); s.Refreshes != 3 || s.RefreshFailures != 0 {
		t.Errorf("stats = %+v", s)
	}
}

func TestKeyRotationWithoutRestart(t *testing.T) {
	e := newEnv(t)
	old := e.rs256(e.claims())
	for range 2 { // the second time from the cache
		if _, err := e.auth(old); err != nil {
			t.Fatal(err)
		}
	}
	if s := e.a.Stats(); s.CacheHits != 1 {
		t.Fatalf("stats = %+v", s)
	}
	// The issuer rotates: rsa1 is gone, rsa-new (rsa2) signs.
	e.srv.set(jwksDoc(jwk("rsa-new", "RS256", &e.k.rsa2.PublicKey), jwk("ec1", "ES256", &e.k.ec256.PublicKey)))
	fresh := sign(t, gojwt.SigningMethodRS256, e.k.rsa2, "rsa-new", nil, e.claims())
	if p, err := e.auth(fresh); err != nil || p.Subject != "alice" {
		t.Fatalf("rotated key: %v", err)
	}
	// The cached token signed by the withdrawn key dies with its key set.
	_, err := e.auth(old)
	wantDenied(t, old, err, ErrUnknownKey)
}

func TestJWKSDownKeepsLastGoodKeys(t *testing.T) {
	var hookErrs atomic.Int64
	e := newEnv(t, WithCacheSize(0), WithRefreshHook(func(iss string, err error) {
		if iss != testIssuer {
			t.Errorf("hook issuer %q", iss)
		}
		if err != nil {
			hookErrs.Add(1)
		}
	}))
	tok := e.es256(e.claims())
	e.srv.status.Store(http.StatusServiceUnavailable)
	e.clock.advance(11 * time.Second)
	unknown := sign(t, gojwt.SigningMethodRS256, e.k.rsa2, "new", nil, e.claims())
	_, err := e.auth(unknown)
	wantDenied(t, unknown, err, ErrUnknownKey)
	if _, err := e.auth(tok); err != nil {
		t.Fatalf("last good keys dropped on a 503: %v", err)
	}
	e.srv.Close() // connection refused from now on
	e.clock.advance(11 * time.Second)
	_, _ = e.auth(unknown)
	if _, err := e.auth(tok); err != nil {
		t.Fatalf("last good keys dropped when the endpoint is gone: %v", err)
	}
	if !e.a.Ready() {
		t.Error("not ready any more")
	}
	if s := e.a.Stats(); s.RefreshFailures != 2 || hookErrs.Load() != 2 {
		t.Errorf("stats = %+v, hook errors %d", s, hookErrs.Load())
	}
}

func TestNotReadyUntilKeysLoad(t *testing.T) {
	k := testKeys()
	srv := newJWKSServer(t, defaultJWKS(k))
	srv.status.Store(http.StatusInternalServerError)
	c := newClock()
	a, err := New([]config.JWTIssuer{baseIssuer(srv.URL)}, WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Start(context.Background()); !errors.Is(err, ErrJWKSFetch) {
		t.Fatalf("Start = %v", err)
	}
	if a.Ready() {
		t.Fatal("ready without keys")
	}
	e := &env{t: t, k: k, clock: c}
	tok := e.rs256(e.claims())
	_, err = a.Authenticate(context.Background(), exchange("Bearer "+tok))
	var p *problem.Error
	if !errors.As(err, &p) || p.Status != http.StatusServiceUnavailable || !errors.Is(p.Cause, ErrKeysUnavailable) {
		t.Fatalf("without keys: %v", err)
	}
	// The background loop retries (after 1 s) and readiness follows.
	srv.status.Store(0)
	deadline := time.Now().Add(5 * time.Second)
	for !a.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("never became ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := a.Authenticate(context.Background(), exchange("Bearer "+tok)); err != nil {
		t.Fatal(err)
	}
}

func TestRefreshIsSingleFlight(t *testing.T) {
	e := newEnv(t)
	e.srv.set(jwksDoc(jwk("rsa1", "RS256", &e.k.rsa1.PublicKey), jwk("new", "RS256", &e.k.rsa2.PublicKey)))
	e.srv.delay.Store(int64(200 * time.Millisecond))
	tok := sign(t, gojwt.SigningMethodRS256, e.k.rsa2, "new", nil, e.claims())
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 20 {
		wg.Go(func() {
			if _, err := e.auth(tok); err != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if got := e.srv.hits.Load(); got != 2 {
		t.Errorf("%d fetches, want 2 (start + one refresh)", got)
	}
	if failed.Load() != 0 {
		t.Errorf("%d requests did not wait for the refresh in flight", failed.Load())
	}
}

func TestRefreshWaitIsBounded(t *testing.T) {
	e := newEnv(t, WithFetchTimeout(300*time.Millisecond))
	e.srv.delay.Store(int64(5 * time.Second))
	tok := sign(t, gojwt.SigningMethodRS256, e.k.rsa2, "new", nil, e.claims())
	start := time.Now()
	_, err := e.auth(tok)
	if d := time.Since(start); d > time.Second {
		t.Errorf("a request waited %v for a hanging JWKS endpoint", d)
	}
	wantDenied(t, tok, err, ErrUnknownKey)

	// The request's own context is honoured too.
	e.clock.advance(11 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = e.a.Authenticate(ctx, exchange("Bearer "+tok))
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("waited %v past the request's deadline", d)
	}
	wantDenied(t, tok, err, ErrUnknownKey)
	// Valid tokens are not held up by a hanging refresh.
	if _, err := e.auth(e.rs256(e.claims())); err != nil {
		t.Fatal(err)
	}
}

func TestBackgroundRefresh(t *testing.T) {
	e := newEnv(t, WithRefreshInterval(100*time.Millisecond))
	e.srv.set(jwksDoc(jwk("k2", "ES256", &e.k.ec256.PublicKey)))
	deadline := time.Now().Add(3 * time.Second)
	for {
		if ks := e.a.issuers[0].src.current(); ks != nil && len(ks.byKid["k2"]) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("background refresh never picked up the new key set")
		}
		time.Sleep(20 * time.Millisecond)
	}
	before := e.srv.hits.Load()
	if _, err := e.auth(sign(t, gojwt.SigningMethodES256, e.k.ec256, "k2", nil, e.claims())); err != nil {
		t.Fatal(err)
	}
	_ = before
	if err := e.a.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond) // let a fetch in flight finish
	after := e.srv.hits.Load()
	time.Sleep(300 * time.Millisecond)
	if e.srv.hits.Load() != after {
		t.Error("refreshing after Close")
	}
	_ = e.a.Close() // idempotent
}

func TestBadJWKSResponses(t *testing.T) {
	k := testKeys()
	big := `{"keys":[],"pad":"` + strings.Repeat("x", maxJWKSSize) + `"}`
	for _, tc := range []struct {
		name   string
		status int
		ctype  string
		doc    string
		want   error
	}{
		{"HTTP 404", http.StatusNotFound, "", string(defaultJWKS(k)), ErrJWKSFetch},
		{"HTML", 0, "text/html", string(defaultJWKS(k)), ErrJWKSFetch},
		{"no content type", 0, "", string(defaultJWKS(k)), ErrJWKSFetch},
		{"over 1 MiB", 0, "", big, ErrJWKSFetch},
		{"not JSON", 0, "", "<html>", ErrJWKSInvalid},
		{"no keys", 0, "", `{"keys":[]}`, ErrJWKSInvalid},
		{"only a weak key", 0, "", string(jwksDoc(jwk("weak", "RS256", &k.rsaWeak.PublicKey))), ErrJWKSInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newJWKSServer(t, []byte(tc.doc))
			srv.status.Store(int64(tc.status))
			ct := tc.ctype
			if ct == "" && tc.name != "no content type" {
				ct = "application/jwk-set+json; charset=utf-8"
			}
			srv.ctype.Store(&ct)
			a, err := New([]config.JWTIssuer{baseIssuer(srv.URL)})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if err := a.Start(context.Background()); !errors.Is(err, tc.want) {
				t.Errorf("Start = %v, want %v", err, tc.want)
			}
			if a.Ready() {
				t.Error("ready")
			}
		})
	}
}

func TestJWKSFile(t *testing.T) {
	k := testKeys()
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, jwksDoc(jwk("rsa1", "", &k.rsa1.PublicKey)), 0o600); err != nil {
		t.Fatal(err)
	}
	is := baseIssuer("")
	is.JWKSURL, is.JWKSFile = "", path
	e := &env{t: t, k: k, clock: newClock()}
	e.a = e.newAuth(is)
	if err := e.a.Start(context.Background()); err != nil || !e.a.Ready() {
		t.Fatalf("Start = %v", err)
	}
	if _, err := e.auth(e.rs256(e.claims())); err != nil {
		t.Fatal(err)
	}
	// Rotation by rewriting the file.
	if err := os.WriteFile(path, jwksDoc(jwk("ec-new", "", &k.ec256.PublicKey)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := e.auth(sign(t, gojwt.SigningMethodES256, k.ec256, "ec-new", nil, e.claims())); err != nil {
		t.Fatal(err)
	}
}

func TestRefreshSchedule(t *testing.T) {
	for _, tc := range []struct {
		cc   string
		want time.Duration
	}{
		{"", -1}, {"public, max-age=60", 60 * time.Second}, {`max-age="120"`, 120 * time.Second},
		{"no-store", 0}, {"max-age=-5", -1}, {"max-age=x", -1}, {"max-age=99999999999", 24 * time.Hour},
	} {
		if got := maxAge(tc.cc); got != tc.want {
			t.Errorf("maxAge(%q) = %v, want %v", tc.cc, got, tc.want)
		}
	}
	s := &source{period: defaultRefresh, maxAge: -1}
	s.keys.Store(&keySet{})
	check := func(name string, lo, hi time.Duration) {
		t.Helper()
		for range 20 {
			if d := s.nextDelay(); d < lo || d > hi {
				t.Errorf("%s: delay %v not in [%v, %v]", name, d, lo, hi)
			}
		}
	}
	check("default", 270*time.Second, 5*time.Minute)
	s.maxAge = 60 * time.Second
	check("max-age 60", 54*time.Second, 60*time.Second)
	s.maxAge = 0
	check("no-store", 27*time.Second, 30*time.Second)
	s.maxAge = time.Hour
	check("max-age 1h", 270*time.Second, 5*time.Minute)
	s.failures = 3
	check("after 3 failures", 4*time.Second, 4*time.Second)
	s.failures = 50
	check("after many failures", 256*time.Second, 256*time.Second)
}

func TestStartFetchesEveryIssuer(t *testing.T) {
	k := testKeys()
	a1 := newJWKSServer(t, jwksDoc(jwk("a", "RS256", &k.rsa1.PublicKey)))
	b1 := newJWKSServer(t, jwksDoc(jwk("b", "ES256", &k.ec256.PublicKey)))
	ia, ib := baseIssuer(a1.URL), baseIssuer(b1.URL)
	ib.Issuer, ib.Audiences, ib.Algorithms = "https://b.example.test", []string{"b-api"}, []string{"ES256"}
	c := newClock()
	a, err := New([]config.JWTIssuer{ia, ib}, WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Start(context.Background()); err != nil || !a.Ready() {
		t.Fatalf("Start = %v", err)
	}
	e := &env{t: t, k: k, clock: c, a: a}
	cl := e.claims()
	cl["iss"], cl["aud"] = "https://b.example.test", "b-api"
	if p, err := e.auth(sign(t, gojwt.SigningMethodES256, k.ec256, "b", nil, cl)); err != nil || p.Subject != "alice" {
		t.Fatalf("issuer b: %v", err)
	}
	// Issuer b's token with issuer a's audience, and signed by a's key
	// under b's iss: each issuer's keys verify its own tokens only.
	cl["aud"] = testAudience
	tok := sign(t, gojwt.SigningMethodES256, k.ec256, "b", nil, cl)
	_, err = e.auth(tok)
	wantDenied(t, tok, err, ErrAudience)
	cl["aud"] = "b-api"
	tok = sign(t, gojwt.SigningMethodRS256, k.rsa1, "a", nil, cl)
	_, err = e.auth(tok)
	wantDenied(t, tok, err, ErrAlgorithm)
	tok = sign(t, gojwt.SigningMethodES256, k.ec256, "a", nil, cl)
	_, err = e.auth(tok)
	wantDenied(t, tok, err, ErrUnknownKey)
}
