package apikey

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/store"
	"github.com/apiguard/apiguard/internal/store/sqlite"
)

var discard = slog.New(slog.DiscardHandler)

// testClock is a settable clock.
type testClock struct{ ns atomic.Int64 }

func newClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *testClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *testClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// openStore opens a real SQLite store in a temporary directory.
func openStore(t testing.TB) (*sqlite.DB, string) {
	t.Helper()
	t.Setenv(store.MasterKeyEnv, "")
	path := filepath.Join(t.TempDir(), "apiguard.db")
	return openStoreAt(t, path), path
}

// openStoreAt opens another handle on path, like a second process.
func openStoreAt(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	d, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// countingStore is a real store that counts some calls.
type countingStore struct {
	store.Store
	gets, touches, touched atomic.Int64
}

func (c *countingStore) Keys() store.Keys { return countingKeys{c.Store.Keys(), c} }

type countingKeys struct {
	store.Keys
	c *countingStore
}

func (k countingKeys) Get(ctx context.Context, id string) (store.Key, error) {
	k.c.gets.Add(1)
	return k.Keys.Get(ctx, id)
}

func (k countingKeys) TouchLastUsed(ctx context.Context, u []store.Usage) error {
	k.c.touches.Add(1)
	k.c.touched.Add(int64(len(u)))
	return k.Keys.TouchLastUsed(ctx, u)
}

func newAuth(t testing.TB, st store.Store, c *testClock, opts ...Option) *Authenticator {
	t.Helper()
	a := New(st, "", append([]Option{WithClock(c.Now), WithLogger(discard)}, opts...)...)
	t.Cleanup(func() { a.Close() })
	return a
}

func issue(t testing.TB, st store.Store, c *testClock, spec Spec) Issued {
	t.Helper()
	iss, err := Issue(context.Background(), st, spec, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

// exchange builds a request with the given header pairs.
func exchange(kv ...string) *pipeline.Exchange {
	r := httptest.NewRequest(http.MethodGet, "/v1/orders", nil)
	for i := 0; i+1 < len(kv); i += 2 {
		r.Header.Add(kv[i], kv[i+1])
	}
	return &pipeline.Exchange{In: r}
}

// denial asserts err is a problem with status and returns it.
func denial(t testing.TB, err error, status int) *problem.Error {
	t.Helper()
	var p *problem.Error
	if !errors.As(err, &p) || p.Status != status {
		t.Fatalf("err = %v, want a %d problem", err, status)
	}
	return p
}

// eventually polls cond until it holds or within elapses.
func eventually(t testing.TB, within time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("condition not met within %v", within)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}
