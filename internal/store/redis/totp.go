package redis

import (
	"context"
	"errors"
	"fmt"

	"github.com/apiguard/apiguard/internal/store"
)

// totps implements store.TOTP.
type totps struct{ s *Store }

// Seed implements store.TOTP: one script reads the key's enrolment id
// and the sealed seed; it is opened here, under the master key it names.
func (t totps) Seed(ctx context.Context, keyID string) ([]byte, error) {
	s := t.s
	v, err := seedScript.Run(ctx, s.c, []string{s.key(keyID)}, s.totpPrefix).StringSlice()
	if err != nil {
		return nil, s.fail("totp seed", err)
	}
	switch {
	case len(v) == 1 && v[0] == "notfound":
		return nil, fmt.Errorf("key %s: %w", keyID, store.ErrNotFound)
	case len(v) == 1 && v[0] == "notenrolled":
		return nil, fmt.Errorf("key %s: %w", keyID, store.ErrNotEnrolled)
	case len(v) == 2 && v[0] == "missing":
		return nil, fmt.Errorf("redis store: totp enrolment %s of key %s is missing", v[1], keyID)
	case len(v) != 4 || v[0] != "ok":
		return nil, errors.New("redis store: totp seed: unexpected script reply")
	}
	seed, err := s.sec.ring.Open(v[3], seedAAD(v[1]), []byte(v[2]))
	if err != nil {
		return nil, fmt.Errorf("redis store: totp seed of key %s: %w", keyID, err)
	}
	return seed, nil
}

// MarkUsed implements store.TOTP in one script, which compares step with
// the enrolment's last used step and records it only when it is later:
// of any number of replicas marking one step, one wins. (A reply lost
// after the script ran is retried once by the client and then reads as a
// replay: the code is refused, never accepted twice.)
func (t totps) MarkUsed(ctx context.Context, keyID string, step int64) (bool, error) {
	s := t.s
	n, err := markUsedScript.Run(ctx, s.c, []string{s.key(keyID)}, step, s.totpPrefix).Int64()
	if err != nil {
		return false, s.fail("mark totp step", err)
	}
	switch n {
	case 0:
		return false, nil
	case 1:
		return true, nil
	case -1:
		return false, fmt.Errorf("key %s: %w", keyID, store.ErrNotFound)
	case -2:
		return false, fmt.Errorf("key %s: %w", keyID, store.ErrNotEnrolled)
	case -3:
		return false, fmt.Errorf("redis store: the totp enrolment of key %s is missing", keyID)
	}
	return false, fmt.Errorf("redis store: mark totp step: unexpected script reply %d", n)
}
