package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanKey reads one row of keyColumns.
func scanKey(s scanner) (store.Key, error) {
	var (
		k                                   store.Key
		hash                                []byte
		scopes                              string
		created                             int64
		expires, lastUsed, revoked, graceTo sql.NullInt64
		rotatedTo, totpID, quotaPer         sql.NullString
		quotaLimit                          sql.NullInt64
	)
	if err := s.Scan(&k.ID, &k.Name, &hash, &scopes, &created, &expires, &lastUsed,
		&revoked, &rotatedTo, &graceTo, &totpID, &quotaLimit, &quotaPer); err != nil {
		return k, err
	}
	if len(hash) != len(k.Hash) {
		return k, fmt.Errorf("key %s: stored hash has %d bytes", k.ID, len(hash))
	}
	copy(k.Hash[:], hash)
	if err := json.Unmarshal([]byte(scopes), &k.Scopes); err != nil {
		return k, fmt.Errorf("key %s: scopes: %w", k.ID, err)
	}
	k.Created = fromNanos(created)
	k.Expires, k.LastUsed = fromNull(expires), fromNull(lastUsed)
	k.RevokedAt, k.GraceUntil = fromNull(revoked), fromNull(graceTo)
	k.RotatedTo, k.TOTP = rotatedTo.String, totpID.Valid
	if quotaLimit.Valid {
		k.Quota = store.Quota{Limit: quotaLimit.Int64, Per: quotaPer.String}
	}
	return k, nil
}

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

func fromNull(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromNanos(n.Int64)
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
