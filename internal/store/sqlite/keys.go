package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

// keys implements store.Keys.
type keys struct{ d *DB }

const keyColumns = `id, name, hash, scopes, created, expires, last_used, revoked_at, rotated_to, grace_until, totp_id, quota_limit, quota_per`

// Create implements store.Keys.
func (k keys) Create(ctx context.Context, key store.Key, totpSeed []byte) error {
	return k.d.inTx(ctx, func(tx *sql.Tx) error {
		if err := absent(ctx, tx, key.ID); err != nil {
			return err
		}
		totpID := ""
		if totpSeed != nil {
			totpID = key.ID
			if err := k.d.enrol(ctx, tx, totpID, totpSeed); err != nil {
				return err
			}
		}
		if err := insertKey(ctx, tx, key, totpID); err != nil {
			return err
		}
		return bumpRevision(ctx, tx)
	})
}

// enrol seals seed under the current master key (read while holding the
// write lock, so a concurrent rekey is seen) and stores the enrolment.
func (d *DB) enrol(ctx context.Context, tx *sql.Tx, id string, seed []byte) error {
	mkID, sealed, err := d.ring.Seal(seedAAD(id), seed)
	if err != nil {
		return fmt.Errorf("sqlite store: seal totp seed: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO totp (id, seed, master_key_id) VALUES (?, ?, ?)`,
		id, sealed, mkID); err != nil {
		return fmt.Errorf("sqlite store: create totp enrolment: %w", err)
	}
	return nil
}

// absent fails with store.ErrExists when id is taken (by a key or, for
// safety, by a TOTP enrolment).
func absent(ctx context.Context, tx *sql.Tx, id string) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM api_keys WHERE id = ?1)
		+ (SELECT count(*) FROM totp WHERE id = ?1)`, id).Scan(&n)
	if err != nil {
		return fmt.Errorf("sqlite store: create key: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("key %s: %w", id, store.ErrExists)
	}
	return nil
}

// insertKey inserts key; its id must be absent.
func insertKey(ctx context.Context, tx *sql.Tx, key store.Key, totpID string) error {
	scopes, err := json.Marshal(nonNil(key.Scopes))
	if err != nil {
		return fmt.Errorf("sqlite store: create key: %w", err)
	}
	var qLimit, qPer any
	if !key.Quota.IsZero() {
		qLimit, qPer = key.Quota.Limit, key.Quota.Per
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO api_keys (id, name, hash, scopes, created, expires, totp_id, quota_limit, quota_per)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		key.ID, key.Name, key.Hash[:], string(scopes), key.Created.UnixNano(), nullTime(key.Expires), nullString(totpID), qLimit, qPer)
	if err != nil {
		return fmt.Errorf("sqlite store: create key: %w", err)
	}
	return nil
}

// Get implements store.Keys.
func (k keys) Get(ctx context.Context, id string) (store.Key, error) {
	row := k.d.sql.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE id = ?`, id)
	key, err := scanKey(row)
	if err != nil {
		return store.Key{}, notFound(err, "key "+id)
	}
	return key, nil
}

// List implements store.Keys.
func (k keys) List(ctx context.Context) ([]store.Key, error) {
	rows, err := k.d.sql.QueryContext(ctx, `SELECT `+keyColumns+` FROM api_keys ORDER BY created, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: list keys: %w", err)
	}
	defer rows.Close()
	var out []store.Key
	for rows.Next() {
		key, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite store: list keys: %w", err)
		}
		out = append(out, key)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite store: list keys: %w", err)
	}
	return out, nil
}

// Revoke implements store.Keys.
func (k keys) Revoke(ctx context.Context, id string, at time.Time) error {
	return k.d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
			at.UnixNano(), id)
		if err != nil {
			return fmt.Errorf("sqlite store: revoke: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			_, err := getKeyTx(ctx, tx, id) // already revoked, or unknown
			return err
		}
		return bumpRevision(ctx, tx)
	})
}

// Rotate implements store.Keys.
func (k keys) Rotate(ctx context.Context, r store.Rotation) error {
	return k.d.inTx(ctx, func(tx *sql.Tx) error {
		old, err := getKeyTx(ctx, tx, r.OldID)
		if err != nil {
			return err
		}
		if err := rotatable(&old, r.At); err != nil {
			return fmt.Errorf("key %s: %w", r.OldID, err)
		}
		var totpID sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT totp_id FROM api_keys WHERE id = ?`, r.OldID).Scan(&totpID); err != nil {
			return fmt.Errorf("sqlite store: rotate: %w", err)
		}
		if err := absent(ctx, tx, r.Next.ID); err != nil {
			return err
		}
		if err := insertKey(ctx, tx, r.Next, totpID.String); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET rotated_to = ?, grace_until = ? WHERE id = ?`,
			r.Next.ID, r.GraceUntil.UnixNano(), r.OldID); err != nil {
			return fmt.Errorf("sqlite store: rotate: %w", err)
		}
		return bumpRevision(ctx, tx)
	})
}

// rotatable reports why old cannot be rotated at t, if it cannot.
func rotatable(old *store.Key, t time.Time) error {
	switch old.Status(t) {
	case store.StatusRevoked:
		return store.ErrRevoked
	case store.StatusExpired:
		return store.ErrExpired
	case store.StatusRotated, store.StatusGrace:
		return store.ErrRotated
	}
	return nil
}

// TouchLastUsed implements store.Keys: one transaction for the batch.
func (k keys) TouchLastUsed(ctx context.Context, used []store.Usage) error {
	if len(used) == 0 {
		return nil
	}
	return k.d.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx,
			`UPDATE api_keys SET last_used = ?1 WHERE id = ?2 AND (last_used IS NULL OR last_used < ?1)`)
		if err != nil {
			return fmt.Errorf("sqlite store: touch: %w", err)
		}
		defer stmt.Close()
		for _, u := range used {
			if _, err := stmt.ExecContext(ctx, u.At.UnixNano(), u.ID); err != nil {
				return fmt.Errorf("sqlite store: touch: %w", err)
			}
		}
		return nil
	})
}

func getKeyTx(ctx context.Context, tx *sql.Tx, id string) (store.Key, error) {
	key, err := scanKey(tx.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE id = ?`, id))
	if err != nil {
		return store.Key{}, notFound(err, "key "+id)
	}
	return key, nil
}
