package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/apiguard/apiguard/internal/store"
)

// Rekey implements store.Store. Under the database write lock it writes a
// new master key beside the store (and a backup of the old one), re-seals
// every TOTP seed under it and commits, then installs the new key as
// master.key. A crash in between leaves every record readable: the new key
// stays in master.key.<newid> until it is installed.
func (d *DB) Rekey(ctx context.Context) (store.RekeyResult, error) {
	var res store.RekeyResult
	var rot *store.KeyRotation
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if rot, err = d.ring.BeginRotation(); err != nil {
			return err
		}
		if res.Resealed, err = d.reseal(ctx, tx, rot); err != nil {
			rot.Abort() // nothing was committed under the new key
			return err
		}
		return nil
	})
	if err != nil {
		// A failed commit may still have landed: keep the new key file.
		return store.RekeyResult{}, err
	}
	if err := rot.Commit(); err != nil {
		return res, err
	}
	res.OldKeyID, res.NewKeyID, res.Backup = rot.OldID(), rot.NewID(), rot.Backup()
	return res, nil
}

type sealedRow struct {
	id, mkID string
	seed     []byte
}

// reseal re-encrypts every TOTP seed in tx under the rotation's key.
func (d *DB) reseal(ctx context.Context, tx *sql.Tx, rot *store.KeyRotation) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, seed, master_key_id FROM totp`)
	if err != nil {
		return 0, fmt.Errorf("sqlite store: rekey: %w", err)
	}
	var all []sealedRow
	for rows.Next() {
		var r sealedRow
		if err := rows.Scan(&r.id, &r.seed, &r.mkID); err != nil {
			rows.Close()
			return 0, fmt.Errorf("sqlite store: rekey: %w", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("sqlite store: rekey: %w", err)
	}
	for _, r := range all {
		if err := d.resealOne(ctx, tx, rot, r); err != nil {
			return 0, err
		}
	}
	return len(all), nil
}

func (d *DB) resealOne(ctx context.Context, tx *sql.Tx, rot *store.KeyRotation, r sealedRow) error {
	aad := seedAAD(r.id)
	seed, err := d.ring.Open(r.mkID, aad, r.seed)
	if err != nil {
		return fmt.Errorf("sqlite store: rekey enrolment %s: %w", r.id, err)
	}
	sealed, err := rot.Seal(aad, seed)
	clear(seed)
	if err != nil {
		return fmt.Errorf("sqlite store: rekey: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE totp SET seed = ?, master_key_id = ? WHERE id = ?`,
		sealed, rot.NewID(), r.id); err != nil {
		return fmt.Errorf("sqlite store: rekey: %w", err)
	}
	return nil
}
