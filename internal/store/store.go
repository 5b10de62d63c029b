package store

import (
	"context"
	"errors"
	"time"
)

// Errors returned by every backend; test them with errors.Is.
var (
	// ErrNotFound: no record with this id.
	ErrNotFound = errors.New("not found")
	// ErrExists: a record with this id already exists.
	ErrExists = errors.New("already exists")
	// ErrRevoked: the key is revoked.
	ErrRevoked = errors.New("key is revoked")
	// ErrExpired: the key is past its expiry.
	ErrExpired = errors.New("key is expired")
	// ErrRotated: the key was already rotated to a successor.
	ErrRotated = errors.New("key is already rotated")
	// ErrNotEnrolled: the key has no TOTP enrolment.
	ErrNotEnrolled = errors.New("key is not enrolled for TOTP")
	// ErrUnsupported: the DSN names a backend this build cannot open.
	ErrUnsupported = errors.New("store backend not supported")
)

// Store is one opened backend. It is safe for concurrent use, also by
// several processes at once (the gateway and the CLI).
type Store interface {
	// Keys manages API key records.
	Keys() Keys
	// TOTP reads enrolments and records used steps.
	TOTP() TOTP
	// Blocks stores the IP and identity blocks every replica honours.
	Blocks() Blocks
	// Hasher is the keyed hash of API keys under the server secret.
	Hasher() *Hasher
	// Revision is a counter that changes whenever a change that can
	// affect an authentication decision is committed (create, revoke,
	// rotate), by any process. It is cheap enough to poll several times
	// a second. last_used updates do not change it.
	Revision(ctx context.Context) (uint64, error)
	// Rekey re-encrypts every sealed secret under a newly generated
	// master key, keeping the old key file as a backup named by its id.
	Rekey(ctx context.Context) (RekeyResult, error)
	// Ping reports whether the backend is reachable.
	Ping(ctx context.Context) error
	// Close releases the backend.
	Close() error
}

// Keys manages API key records. No method ever sees a plaintext key.
type Keys interface {
	// Create stores k. A non-nil totpSeed enrols the key for TOTP step-up
	// in the same transaction (the seed is sealed under the master key).
	// It returns ErrExists when k.ID is taken.
	Create(ctx context.Context, k Key, totpSeed []byte) error
	// Get returns the key with this id, or ErrNotFound.
	Get(ctx context.Context, id string) (Key, error)
	// List returns every key, oldest first.
	List(ctx context.Context) ([]Key, error)
	// Revoke marks the key revoked at the given time. Revoking a revoked
	// key keeps the first revocation time and returns nil.
	Revoke(ctx context.Context, id string, at time.Time) error
	// Rotate atomically creates r.Next and marks r.OldID as rotated to
	// it, usable until r.GraceUntil. Next shares the old key's TOTP
	// enrolment. It returns ErrNotFound, ErrRevoked, ErrExpired or
	// ErrRotated when the old key cannot be rotated.
	Rotate(ctx context.Context, r Rotation) error
	// TouchLastUsed records last-use times in one write. Unknown ids are
	// ignored; a time never moves last_used backwards.
	TouchLastUsed(ctx context.Context, used []Usage) error
}

// TOTP reads TOTP enrolments and records which time steps were used.
type TOTP interface {
	// Seed returns the decrypted TOTP seed of the key's enrolment, or
	// ErrNotFound (no such key) or ErrNotEnrolled.
	Seed(ctx context.Context, keyID string) ([]byte, error)
	// MarkUsed atomically records step as the last used step of the
	// key's enrolment when it is greater than the last one recorded.
	// used is true when it was not (step <= the last used step): the
	// code is a replay and must be refused.
	MarkUsed(ctx context.Context, keyID string, step int64) (used bool, err error)
}

// Rotation describes a key rotation.
type Rotation struct {
	OldID string
	// Next is the successor (its ID, Hash, Name, Scopes, Created and
	// Expires are stored as given; its TOTP enrolment is the old key's).
	Next Key
	// At is when the rotation happens; the old key must be usable then.
	At time.Time
	// GraceUntil is how long the old key stays valid; At or earlier
	// makes it invalid immediately.
	GraceUntil time.Time
}

// Usage is one observed use of a key.
type Usage struct {
	ID string
	At time.Time
}

// RekeyResult reports a master key rotation.
type RekeyResult struct {
	OldKeyID string
	NewKeyID string
	// Backup is the file that keeps the old master key.
	Backup string
	// Resealed counts the secrets re-encrypted.
	Resealed int
}
