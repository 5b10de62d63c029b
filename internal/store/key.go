package store

import "time"

// Key is a stored API key record. It never holds the key itself.
type Key struct {
	// ID is the public part of the key (its first characters after the
	// prefix); lookups are by ID.
	ID string
	// Name is a human label; not unique.
	Name string
	// Hash is the HMAC-SHA-256 of the whole key under the server secret.
	Hash [32]byte
	// Scopes are the granted scopes.
	Scopes []string
	// Created is when the key was issued.
	Created time.Time
	// Expires is when the key stops working; zero means never.
	Expires time.Time
	// LastUsed is when the key last authenticated a request (batched,
	// so up to a few seconds late); zero means never.
	LastUsed time.Time
	// RevokedAt is when the key was revoked; zero means not revoked.
	RevokedAt time.Time
	// RotatedTo is the id of the successor after a rotation.
	RotatedTo string
	// GraceUntil is when a rotated key stops working.
	GraceUntil time.Time
	// TOTP reports whether the key is enrolled for TOTP step-up.
	TOTP bool
	// Quota is the key's own request quota, counted across all routes;
	// the zero value means the key has none. It is set when the key is
	// created and carried over to a rotated key's successor.
	Quota Quota
}

// Quota is a per-key request quota: Limit requests per calendar Per
// ("day" or "month", UTC windows). The zero value is no quota.
type Quota struct {
	Limit int64
	Per   string
}

// IsZero reports whether q is no quota.
func (q Quota) IsZero() bool { return q.Limit == 0 }

// Status is the state of a key at a point in time.
type Status string

// Key statuses, in the order Status checks them.
const (
	StatusRevoked Status = "revoked"
	StatusExpired Status = "expired"
	StatusRotated Status = "rotated" // rotated and past its grace period
	StatusGrace   Status = "grace"   // rotated, still valid until GraceUntil
	StatusActive  Status = "active"
)

// Status reports the key's state at now.
func (k *Key) Status(now time.Time) Status {
	switch {
	case !k.RevokedAt.IsZero():
		return StatusRevoked
	case !k.Expires.IsZero() && !now.Before(k.Expires):
		return StatusExpired
	case k.RotatedTo != "" && !now.Before(k.GraceUntil):
		return StatusRotated
	case k.RotatedTo != "":
		return StatusGrace
	}
	return StatusActive
}

// Usable reports whether the key authenticates requests at now.
func (k *Key) Usable(now time.Time) bool {
	s := k.Status(now)
	return s == StatusActive || s == StatusGrace
}

// NotAfter is the first instant the key is no longer usable through the
// passage of time (expiry or the end of a rotation's grace period); zero
// means never.
func (k *Key) NotAfter() time.Time {
	t := k.Expires
	if k.RotatedTo != "" && (t.IsZero() || k.GraceUntil.Before(t)) {
		t = k.GraceUntil
	}
	return t
}
