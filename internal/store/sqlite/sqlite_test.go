package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/store"
)

func TestOpenCreatesPrivateFilesInWALMode(t *testing.T) {
	d, path := openTemp(t)
	dir := filepath.Dir(path)
	for name, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, path: 0o600,
		filepath.Join(dir, "hmac.key"): 0o600, filepath.Join(dir, "master.key"): 0o600} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(name), fi.Mode(), want)
		}
	}
	mustCreate(t, d, testKey(d, "aaaaaaaa"), nil) // the WAL files exist once written
	for _, suffix := range []string{"-wal", "-shm"} {
		if fi, err := os.Stat(path + suffix); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", suffix, fi, err)
		}
	}
	var mode string
	if err := d.sql.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v", mode, err)
	}
	var busy int
	if err := d.sql.QueryRow(`PRAGMA busy_timeout`).Scan(&busy); err != nil || busy != BusyTimeoutMillis {
		t.Fatalf("busy_timeout = %d, %v", busy, err)
	}
	if err := d.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRejectsBadPaths(t *testing.T) {
	for _, p := range []string{"", "/tmp/x.db?mode=memory", "/tmp/x#y"} {
		if _, err := Open(p); err == nil {
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

func TestOpenRefusesLooseSecretFile(t *testing.T) {
	d, path := openTemp(t)
	d.Close()
	if err := os.Chmod(filepath.Join(filepath.Dir(path), "hmac.key"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "group or others") {
		t.Fatalf("Open with a 0644 hmac.key: %v", err)
	}
}

func TestRevisionChangesOnAuthRelevantWritesOnly(t *testing.T) {
	d, path := openTemp(t)
	other := openAt(t, path) // another process's view
	ctx := context.Background()
	r0 := revision(t, other)
	mustCreate(t, d, testKey(d, "aaaaaaaa"), nil)
	r1 := revision(t, other)
	if r1 == r0 {
		t.Fatal("create did not change the revision")
	}
	if err := d.Keys().TouchLastUsed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := d.Keys().TouchLastUsed(ctx, []store.Usage{{ID: "aaaaaaaa", At: t0}}); err != nil {
		t.Fatal(err)
	}
	if revision(t, other) != r1 {
		t.Fatal("last-used updates changed the revision")
	}
	if err := d.Keys().Revoke(ctx, "aaaaaaaa", t0); err != nil {
		t.Fatal(err)
	}
	r2 := revision(t, other)
	if r2 == r1 {
		t.Fatal("revoke did not change the revision")
	}
	if err := d.Keys().Revoke(ctx, "aaaaaaaa", t0); err != nil || revision(t, other) != r2 {
		t.Fatalf("revoking again: %v (revision changed: %v)", err, revision(t, other) != r2)
	}
}

func TestMigrationsAreIdempotent(t *testing.T) {
	d, path := openTemp(t)
	d.Close()
	for range 3 {
		openAt(t, path).Close()
	}
	d = openAt(t, path)
	var n, v int
	if err := d.sql.QueryRow(`SELECT count(*), max(version) FROM schema_version`).Scan(&n, &v); err != nil {
		t.Fatal(err)
	}
	if n != len(migrations) || v != len(migrations) {
		t.Fatalf("schema_version has %d rows up to %d, want %d", n, v, len(migrations))
	}
}

func TestMigrationFailureRollsBackThatStep(t *testing.T) {
	d, _ := openTemp(t)
	ctx := context.Background()
	bad := append(append([]migration(nil), migrations...),
		migration{len(migrations) + 1, "good", []string{`CREATE TABLE extra_ok (x INTEGER)`}},
		migration{len(migrations) + 2, "bad", []string{`CREATE TABLE extra_bad (x INTEGER)`, `THIS IS NOT SQL`}})
	if err := migrate(ctx, d.sql, bad); err == nil {
		t.Fatal("a failing migration succeeded")
	}
	if v := schemaVersionOf(t, d.sql); v != len(migrations)+1 {
		t.Fatalf("version %d, want %d (the good step applied, the bad one not)", v, len(migrations)+1)
	}
	var n int
	d.sql.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'extra_bad'`).Scan(&n)
	if n != 0 {
		t.Fatal("a statement of the failed migration was kept")
	}
	// A binary that knows fewer steps refuses the newer database.
	if err := migrate(ctx, d.sql, migrations); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("older binary on a newer schema: %v", err)
	}
	// Misordered migrations are a programming error caught at once.
	if err := migrate(ctx, d.sql, []migration{{2, "x", nil}}); err == nil {
		t.Fatal("misordered migrations accepted")
	}
}

func schemaVersionOf(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow(`SELECT max(version) FROM schema_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// A database created before per-key quotas gains the columns when
// opened; its keys have no quota, and new keys store one.
func TestMigrationAddsKeyQuota(t *testing.T) {
	t.Setenv(store.MasterKeyEnv, "")
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "apiguard.db")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := migrate(ctx, old, migrations[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`INSERT INTO api_keys (id, name, hash, scopes, created) VALUES ('oldkey01', 'old', ?, '[]', ?)`,
		make([]byte, 32), t0.UnixNano()); err != nil {
		t.Fatal(err)
	}
	old.Close()

	d := openAt(t, path)
	if v := schemaVersionOf(t, d.sql); v != len(migrations) {
		t.Fatalf("version %d, want %d", v, len(migrations))
	}
	k, err := d.Keys().Get(ctx, "oldkey01")
	if err != nil {
		t.Fatal(err)
	}
	if !k.Quota.IsZero() || k.Quota.Per != "" {
		t.Fatalf("an existing key has quota %+v", k.Quota)
	}
	nk := testKey(d, "newkey01")
	nk.Quota = store.Quota{Limit: 100, Per: "day"}
	mustCreate(t, d, nk, nil)
	if got, err := d.Keys().Get(ctx, "newkey01"); err != nil || got.Quota != nk.Quota {
		t.Fatalf("quota %+v, %v; want %+v", got.Quota, err, nk.Quota)
	}
	if _, err := d.sql.Exec(`UPDATE api_keys SET quota_limit = 5, quota_per = 'week' WHERE id = 'oldkey01'`); err == nil {
		t.Fatal("a quota per week was stored")
	}
}
