package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migration is one step of the schema. Migrations run in order, each in
// its own transaction together with its schema_version row, so a
// database is always at exactly one version and two processes opening it
// at once apply each step once.
type migration struct {
	version int
	name    string
	stmts   []string
}

// migrations is the schema's history. Append only: never edit a step
// that has shipped.
var migrations = []migration{
	{1, "api keys, totp enrolments, revision counter", []string{
		`CREATE TABLE revision (
			id INTEGER PRIMARY KEY CHECK (id = 1),
			n  INTEGER NOT NULL
		) STRICT`,
		`INSERT INTO revision (id, n) VALUES (1, 0)`,
		// A TOTP enrolment; its id is the id of the key it was created
		// with, and a rotated key's successor shares it. seed is
		// nonce||AES-256-GCM ciphertext under master key master_key_id.
		`CREATE TABLE totp (
			id            TEXT PRIMARY KEY,
			seed          BLOB NOT NULL,
			master_key_id TEXT NOT NULL,
			last_step     INTEGER NOT NULL DEFAULT -1
		) STRICT`,
		// Times are Unix nanoseconds (UTC); NULL means never/unset.
		// hash is HMAC-SHA-256 of the whole key under hmac.key.
		`CREATE TABLE api_keys (
			id          TEXT PRIMARY KEY,
			name        TEXT NOT NULL,
			hash        BLOB NOT NULL CHECK (length(hash) = 32),
			scopes      TEXT NOT NULL,
			created     INTEGER NOT NULL,
			expires     INTEGER,
			last_used   INTEGER,
			revoked_at  INTEGER,
			rotated_to  TEXT,
			grace_until INTEGER,
			totp_id     TEXT REFERENCES totp (id)
		) STRICT`,
	}},
	// A key's own quota: quota_limit requests per quota_per (day or
	// month); both NULL when the key has none (every key created before).
	{2, "per-key quota", []string{
		`ALTER TABLE api_keys ADD COLUMN quota_limit INTEGER CHECK (quota_limit > 0)`,
		`ALTER TABLE api_keys ADD COLUMN quota_per TEXT CHECK (quota_per IN ('day', 'month'))`,
	}},
	// IP and identity blocks (store.Blocks), with their own revision
	// counter so a block does not invalidate authentication caches. The
	// counter starts at a random value: a database recreated under a
	// running gateway does not repeat a revision it has seen.
	{3, "blocks", []string{
		`CREATE TABLE blocks (
			kind     TEXT NOT NULL CHECK (kind IN ('ip', 'identity')),
			value    TEXT NOT NULL,
			detector TEXT NOT NULL,
			reason   TEXT NOT NULL,
			created  INTEGER NOT NULL,
			until    INTEGER NOT NULL,
			PRIMARY KEY (kind, value)
		) STRICT`,
		`CREATE INDEX blocks_until ON blocks (until)`,
		`CREATE TABLE blocks_revision (
			id INTEGER PRIMARY KEY CHECK (id = 1),
			n  INTEGER NOT NULL
		) STRICT`,
		`INSERT INTO blocks_revision (id, n) VALUES (1, abs(random() % 1000000000000))`,
	}},
}

const createVersionTable = `CREATE TABLE IF NOT EXISTS schema_version (
	version INTEGER PRIMARY KEY,
	name    TEXT NOT NULL,
	applied INTEGER NOT NULL
) STRICT`

// migrate applies the steps of ms the database does not have yet. It
// refuses a database whose schema is newer than ms.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	for i, m := range ms {
		if m.version != i+1 {
			return fmt.Errorf("migration %q has version %d, want %d", m.name, m.version, i+1)
		}
	}
	for {
		done, err := migrateOne(ctx, db, ms)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next pending step in one transaction and
// reports whether none was pending.
func migrateOne(ctx context.Context, db *sql.DB, ms []migration) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	cur, err := schemaVersion(ctx, tx)
	if err != nil {
		return false, err
	}
	if cur > len(ms) {
		return false, fmt.Errorf("database schema version %d is newer than this apiguard knows (%d): upgrade apiguard", cur, len(ms))
	}
	if cur == len(ms) {
		return true, tx.Commit()
	}
	m := ms[cur]
	for _, s := range m.stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return false, fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, name, applied) VALUES (?, ?, ?)`,
		m.version, m.name, time.Now().UnixNano()); err != nil {
		return false, fmt.Errorf("migration %d: %w", m.version, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %d: commit: %w", m.version, err)
	}
	return false, nil
}

func schemaVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	if _, err := tx.ExecContext(ctx, createVersionTable); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	return v, nil
}
