package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// openAt opens (creating) the database at path and closes it at cleanup.
func openAt(t testing.TB, path string) *DB {
	t.Helper()
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// openTemp opens a new database in a temporary directory.
func openTemp(t testing.TB) (*DB, string) {
	t.Helper()
	t.Setenv(store.MasterKeyEnv, "")
	path := filepath.Join(t.TempDir(), "data", "apiguard.db")
	return openAt(t, path), path
}

func testKey(d *DB, id string) store.Key {
	return store.Key{ID: id, Name: "ci " + id, Hash: d.Hasher().Sum("agk_" + id), Scopes: []string{"orders:read", "orders:write"}, Created: t0}
}

func mustCreate(t testing.TB, d *DB, k store.Key, seed []byte) {
	t.Helper()
	if err := d.Keys().Create(context.Background(), k, seed); err != nil {
		t.Fatal(err)
	}
}

func mustGet(t testing.TB, d *DB, id string) store.Key {
	t.Helper()
	k, err := d.Keys().Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func revision(t testing.TB, d *DB) uint64 {
	t.Helper()
	r, err := d.Revision(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}
