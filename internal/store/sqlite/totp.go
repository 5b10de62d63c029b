package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/apiguard/apiguard/internal/store"
)

// totps implements store.TOTP.
type totps struct{ d *DB }

// seedAAD binds a sealed seed to its enrolment.
func seedAAD(enrolmentID string) []byte { return []byte("apiguard totp seed\x00" + enrolmentID) }

// Seed implements store.TOTP.
func (t totps) Seed(ctx context.Context, keyID string) ([]byte, error) {
	var (
		id, mkID sql.NullString
		sealed   []byte
	)
	err := t.d.sql.QueryRowContext(ctx, `SELECT t.id, t.seed, t.master_key_id
		FROM api_keys k LEFT JOIN totp t ON t.id = k.totp_id WHERE k.id = ?`, keyID).Scan(&id, &sealed, &mkID)
	if err != nil {
		return nil, notFound(err, "key "+keyID)
	}
	if !id.Valid {
		return nil, fmt.Errorf("key %s: %w", keyID, store.ErrNotEnrolled)
	}
	seed, err := t.d.ring.Open(mkID.String, seedAAD(id.String), sealed)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: totp seed of key %s: %w", keyID, err)
	}
	return seed, nil
}

// MarkUsed implements store.TOTP in one conditional UPDATE, which SQLite
// runs atomically: of two processes marking the same step, one wins.
func (t totps) MarkUsed(ctx context.Context, keyID string, step int64) (bool, error) {
	res, err := t.d.sql.ExecContext(ctx, `UPDATE totp SET last_step = ?1
		WHERE id = (SELECT totp_id FROM api_keys WHERE id = ?2) AND last_step < ?1`, step, keyID)
	if err != nil {
		return false, fmt.Errorf("sqlite store: mark totp step: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return false, err
	}
	// Not updated: a replay, unless the key is unknown or not enrolled.
	var enrolled bool
	err = t.d.sql.QueryRowContext(ctx, `SELECT totp_id IS NOT NULL FROM api_keys WHERE id = ?`, keyID).Scan(&enrolled)
	switch {
	case err != nil:
		return false, notFound(err, "key "+keyID)
	case !enrolled:
		return false, fmt.Errorf("key %s: %w", keyID, store.ErrNotEnrolled)
	}
	return true, nil
}
