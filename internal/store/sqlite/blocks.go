package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

// blocks implements store.Blocks on the blocks table (migration 3).
// Times are Unix nanoseconds, like every other table.
type blocks struct{ d *DB }

var _ store.Blocks = blocks{}

// Blocks implements store.Store.
func (d *DB) Blocks() store.Blocks { return blocks{d} }

// Add implements store.Blocks in one immediate transaction: it deletes
// the blocks expired at b.Created, keeps an existing block that ends no
// earlier than b, else writes b and bumps the blocks revision.
func (s blocks) Add(ctx context.Context, b store.Block) (store.Block, error) {
	if err := b.Validate(); err != nil {
		return store.Block{}, err
	}
	var out store.Block
	err := s.d.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM blocks WHERE until <= ?`, b.Created.UnixNano()); err != nil {
			return fmt.Errorf("sqlite store: prune blocks: %w", err)
		}
		cur, err := getBlock(ctx, tx, b.Kind, b.Value)
		switch {
		case err == nil && !cur.Until.Before(b.Until):
			out = cur
			return nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("sqlite store: read block: %w", err)
		}
		out = b
		return putBlock(ctx, tx, b)
	})
	return out, err
}

// putBlock writes b over any block of its kind and value and bumps the
// revision.
func putBlock(ctx context.Context, tx *sql.Tx, b store.Block) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO blocks (kind, value, detector, reason, created, until)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, value) DO UPDATE SET
		detector = excluded.detector, reason = excluded.reason, created = excluded.created, until = excluded.until`,
		b.Kind, b.Value, b.Detector, b.Reason, b.Created.UnixNano(), b.Until.UnixNano())
	if err != nil {
		return fmt.Errorf("sqlite store: add block: %w", err)
	}
	return bumpBlocksRevision(ctx, tx)
}

func getBlock(ctx context.Context, tx *sql.Tx, kind, value string) (store.Block, error) {
	row := tx.QueryRowContext(ctx, `SELECT kind, value, detector, reason, created, until
		FROM blocks WHERE kind = ? AND value = ?`, kind, value)
	return scanBlock(row)
}

// Active implements store.Blocks: one indexed read.
func (s blocks) Active(ctx context.Context, now time.Time) ([]store.Block, error) {
	rows, err := s.d.sql.QueryContext(ctx, `SELECT kind, value, detector, reason, created, until
		FROM blocks WHERE until > ?`, now.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("sqlite store: list blocks: %w", err)
	}
	defer rows.Close()
	var out []store.Block
	for rows.Next() {
		b, err := scanBlock(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite store: list blocks: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite store: list blocks: %w", err)
	}
	return out, nil
}

// Lift implements store.Blocks.
func (s blocks) Lift(ctx context.Context, kind, value string) error {
	return s.d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM blocks WHERE kind = ? AND value = ?`, kind, value)
		if err != nil {
			return fmt.Errorf("sqlite store: lift block: %w", err)
		}
		n, err := res.RowsAffected()
		switch {
		case err != nil:
			return fmt.Errorf("sqlite store: lift block: %w", err)
		case n == 0:
			return fmt.Errorf("block %s %s: %w", kind, value, store.ErrNotFound)
		}
		return bumpBlocksRevision(ctx, tx)
	})
}

// Revision implements store.Blocks: one read of the blocks counter.
func (s blocks) Revision(ctx context.Context) (uint64, error) {
	var n int64
	if err := s.d.sql.QueryRowContext(ctx, `SELECT n FROM blocks_revision WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite store: blocks revision: %w", err)
	}
	return uint64(n), nil
}

func bumpBlocksRevision(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE blocks_revision SET n = n + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("sqlite store: blocks revision: %w", err)
	}
	return nil
}

func scanBlock(r scanner) (store.Block, error) {
	var (
		b              store.Block
		created, until int64
	)
	if err := r.Scan(&b.Kind, &b.Value, &b.Detector, &b.Reason, &created, &until); err != nil {
		return store.Block{}, err
	}
	b.Created, b.Until = fromNanos(created), fromNanos(until)
	return b, nil
}
