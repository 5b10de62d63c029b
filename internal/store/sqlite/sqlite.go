// Package sqlite is the embedded store backend (store: sqlite:PATH): one
// pure-Go SQLite database file (modernc.org/sqlite) in WAL mode, with the
// secret files beside it (hmac.key, master.key). The gateway and the CLI
// may use one database at the same time from separate processes: writes
// take the database lock up front (BEGIN IMMEDIATE) and wait for it up to
// a busy timeout instead of failing.
//
// Security contract: the database never holds a plaintext API key (only
// its keyed hash) nor a plaintext TOTP seed (sealed by store.Keyring); the
// database file is created 0600 in a directory created 0700; secret files
// accessible by group or others are refused.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/apiguard/apiguard/internal/store"
)

// BusyTimeoutMillis bounds how long a statement waits for another
// process's write lock before failing.
const BusyTimeoutMillis = 5000

// DB is a store.Store on one SQLite database file. It is safe for
// concurrent use.
type DB struct {
	sql    *sql.DB
	path   string
	hasher *store.Hasher
	ring   *store.Keyring
}

var _ store.Store = (*DB)(nil)

// Open opens the database at path, creating it and its directory when
// missing, loads (or creates) the secret files beside it and applies any
// pending schema migration (waiting for another process's migration if
// need be).
func Open(path string) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite store: invalid database path %q", path)
	}
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	dir := filepath.Dir(path)
	if err := prepareFiles(dir, path); err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	d := &DB{path: path}
	if err := d.loadSecrets(dir); err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	if d.sql, err = sql.Open("sqlite", dsn(path)); err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	if err := migrate(context.Background(), d.sql, migrations); err != nil {
		d.sql.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	return d, nil
}

// dsn configures every pooled connection: WAL so readers never block the
// writer, a busy timeout so a second process waits for the lock, and
// immediate transactions so a writer never fails upgrading a read lock.
func dsn(path string) string {
	return path + fmt.Sprintf("?_busy_timeout=%d", BusyTimeoutMillis) +
		"&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=1&_txlock=immediate"
}

// prepareFiles creates the directory (0700) and an empty database file
// (0600) so SQLite, and the WAL files it derives from it, never get
// looser permissions from the umask.
func prepareFiles(dir, path string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

func (d *DB) loadSecrets(dir string) error {
	key, err := store.LoadOrCreateSecret(filepath.Join(dir, store.HMACKeyFile))
	if err != nil {
		return fmt.Errorf("hmac key: %w", err)
	}
	d.hasher = store.NewHasher(key)
	d.ring, err = store.OpenKeyring(dir)
	return err
}

// Path is the absolute path of the database file.
func (d *DB) Path() string { return d.path }

// Keys implements store.Store.
func (d *DB) Keys() store.Keys { return keys{d} }

// TOTP implements store.Store.
func (d *DB) TOTP() store.TOTP { return totps{d} }

// Hasher implements store.Store.
func (d *DB) Hasher() *store.Hasher { return d.hasher }

// Revision implements store.Store: one indexed read of a counter that
// every authentication-relevant write increments in its transaction.
func (d *DB) Revision(ctx context.Context) (uint64, error) {
	var n int64
	err := d.sql.QueryRowContext(ctx, `SELECT n FROM revision WHERE id = 1`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite store: revision: %w", err)
	}
	return uint64(n), nil
}

// Ping implements store.Store.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	if err := d.sql.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("sqlite store: %w", err)
	}
	return nil
}

// Close implements store.Store.
func (d *DB) Close() error { return d.sql.Close() }

// inTx runs fn in one immediate (write-locked) transaction.
func (d *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) (err error) {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite store: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("sqlite store: commit: %w", err)
	}
	return nil
}

// bumpRevision marks an authentication-relevant change in tx.
func bumpRevision(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE revision SET n = n + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("sqlite store: revision: %w", err)
	}
	return nil
}

// notFound maps sql.ErrNoRows to store.ErrNotFound.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("sqlite store: %s: %w", what, err)
}
