package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/apiguard/apiguard/internal/store"
)

// keys implements store.Keys.
type keys struct{ s *Store }

// touchBatch is the number of keys one touch script handles.
const touchBatch = 500

// Create implements store.Keys in one script. The seed is sealed before,
// under the current master key, and the script refuses it when that key
// is not the one recorded in Redis (after a rekey committed meanwhile,
// it is sealed again under the new key).
func (k keys) Create(ctx context.Context, key store.Key, totpSeed []byte) error {
	if err := validID(key.ID); err != nil {
		return err
	}
	nonce := newNonce()
	for attempt := 1; ; attempt++ {
		res, err := k.s.create(ctx, &key, totpSeed, nonce)
		if err != nil {
			return err
		}
		if res == "mk" && attempt < 3 {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		return k.s.keyVerdict(res, key.ID)
	}
}

// create runs the create script once and returns its answer. nonce
// identifies the create: a call with the nonce of the existing record is
// a retry of a create that landed, and succeeds.
func (s *Store) create(ctx context.Context, key *store.Key, totpSeed []byte, nonce string) (string, error) {
	totpID, mk, sealed := "", s.sec.ring.CurrentID(), ""
	if totpSeed != nil {
		totpID = key.ID
		id, b, err := s.sec.ring.Seal(seedAAD(totpID), totpSeed)
		if err != nil {
			return "", fmt.Errorf("redis store: seal totp seed: %w", err)
		}
		mk, sealed = id, string(b)
	}
	kv, err := encodeKey(key, totpID)
	if err != nil {
		return "", fmt.Errorf("redis store: create key: %w", err)
	}
	args := append([]any{key.ID, nonce, revStart()}, s.metaArgs(mk)...)
	args = append(append(args, sealed), kv...)
	res, err := createScript.Run(ctx, s.c,
		[]string{s.key(key.ID), s.totp(key.ID), s.keysSet, s.totpsSet, s.revKey, s.metaKey}, args...).Text()
	if err != nil {
		return "", s.fail("create key", err)
	}
	return res, nil
}

// Revoke implements store.Keys in one script.
func (k keys) Revoke(ctx context.Context, id string, at time.Time) error {
	s := k.s
	n, err := revokeScript.Run(ctx, s.c, []string{s.key(id), s.revKey}, nanos(at), revStart()).Int64()
	if err != nil {
		return s.fail("revoke", err)
	}
	if n == 0 {
		return fmt.Errorf("key %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// Rotate implements store.Keys in one script.
func (k keys) Rotate(ctx context.Context, r store.Rotation) error {
	if err := validID(r.Next.ID); err != nil {
		return err
	}
	res, err := k.s.rotate(ctx, &r, newNonce())
	if err != nil {
		return err
	}
	switch res {
	case "notfound", "revoked", "expired", "rotated":
		return k.s.keyVerdict(res, r.OldID)
	}
	return k.s.keyVerdict(res, r.Next.ID)
}

// rotate runs the rotate script once and returns its answer; nonce
// makes a retry of a rotation that landed succeed, as for create.
func (s *Store) rotate(ctx context.Context, r *store.Rotation, nonce string) (string, error) {
	kv, err := encodeKey(&r.Next, "")
	if err != nil {
		return "", fmt.Errorf("redis store: rotate: %w", err)
	}
	args := append([]any{r.Next.ID, nonce, revStart()}, s.metaArgs(s.sec.ring.CurrentID())...)
	args = append(append(args, nanos(r.At), nanos(r.GraceUntil)), kv...)
	res, err := rotateScript.Run(ctx, s.c, []string{s.key(r.OldID), s.key(r.Next.ID), s.totp(r.Next.ID),
		s.keysSet, s.revKey, s.metaKey}, args...).Text()
	if err != nil {
		return "", s.fail("rotate", err)
	}
	return res, nil
}

// TouchLastUsed implements store.Keys: one pipeline, one script per
// touchBatch keys.
func (k keys) TouchLastUsed(ctx context.Context, used []store.Usage) error {
	if len(used) == 0 {
		return nil
	}
	s := k.s
	_, err := s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for batch := range slices.Chunk(used, touchBatch) {
			ks, ts := make([]string, len(batch)), make([]any, len(batch))
			for i, u := range batch {
				ks[i], ts[i] = s.key(u.ID), nanos(u.At)
			}
			touchScript.Eval(ctx, p, ks, ts...) // EVAL: EVALSHA cannot fall back inside a pipeline
		}
		return nil
	})
	if err != nil {
		return s.fail("touch", err)
	}
	return nil
}

// keyVerdict maps a script's answer about key id to an error.
func (s *Store) keyVerdict(res, id string) error {
	var err error
	switch res {
	case "notfound":
		err = store.ErrNotFound
	case "exists":
		err = store.ErrExists
	case "revoked":
		err = store.ErrRevoked
	case "expired":
		err = store.ErrExpired
	case "rotated":
		err = store.ErrRotated
	default:
		return s.verdict(res)
	}
	return fmt.Errorf("key %s: %w", id, err)
}

// errInvalidID refuses an empty id, which would name no record.
var errInvalidID = errors.New("redis store: empty key id")

func validID(id string) error {
	if id == "" {
		return errInvalidID
	}
	return nil
}

// newNonce identifies one write, so a retry of it is recognised.
func newNonce() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// revStart is where a missing revision counter starts: random, so a
// server that lost its data does not repeat a revision a poller saw.
func revStart() string { return strconv.FormatUint(mrand.Uint64N(1<<52)+1, 10) }
