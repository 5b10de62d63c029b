package redis

import (
	"context"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/apiguard/apiguard/internal/store"
)

// rekeyAttempts bounds the re-reads when enrolments are added during a
// rekey.
const rekeyAttempts = 3

// errChanged: enrolments were added between the read and the write.
var errChanged = errors.New("enrolments were added meanwhile")

// Rekey implements store.Store. It writes a new master key in the
// secrets directory (and a backup of the old one), reads every
// enrolment, re-seals each seed under the new key and writes them all,
// with the new key's id in <prefix>meta, in one script; then it installs
// the new key as master.key. A crash in between leaves every seed
// readable: the new key stays in master.key.<newid> until it is
// installed. Copy master.key and the backup to every other replica.
func (s *Store) Rekey(ctx context.Context) (store.RekeyResult, error) {
	rot, err := s.sec.ring.BeginRotation()
	if err != nil {
		return store.RekeyResult{}, fmt.Errorf("redis store: rekey: %w", err)
	}
	var n int
	for attempt := 1; ; attempt++ {
		var landed bool
		n, landed, err = s.reseal(ctx, rot)
		if err == nil {
			break
		}
		if landed { // the reply was lost: did the write happen?
			if err := s.settle(rot, err); err != nil {
				return store.RekeyResult{}, err
			}
			break
		}
		if !errors.Is(err, errChanged) || attempt == rekeyAttempts {
			rot.Abort() // nothing was written under the new key
			return store.RekeyResult{}, err
		}
	}
	if err := rot.Commit(); err != nil {
		return store.RekeyResult{}, err
	}
	return store.RekeyResult{OldKeyID: rot.OldID(), NewKeyID: rot.NewID(), Backup: rot.Backup(), Resealed: n}, nil
}

// settle decides a rekey whose script's reply was lost, by reading the
// recorded master key id: nil when the write happened (commit it), else
// an error. The new key file is kept either way (the script may still run
// late), so every seed stays readable.
func (s *Store) settle(rot *store.KeyRotation, cause error) error {
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	if mk, err := s.c.HGet(ctx, s.metaKey, "master_key_id").Result(); err == nil && mk == rot.NewID() {
		return nil
	}
	return fmt.Errorf("%w; the new master key is kept in master.key.%s: if the store then refuses "+
		"master key %s (the rekey happened), install that file as master.key, else delete it", cause, rot.NewID(), rot.OldID())
}

// reseal re-seals every enrolment under rot's key. mayHaveLanded is true
// when the error came from the write itself.
func (s *Store) reseal(ctx context.Context, rot *store.KeyRotation) (n int, mayHaveLanded bool, err error) {
	ids, err := s.c.SMembers(ctx, s.totpsSet).Result()
	if err != nil {
		return 0, false, s.fail("rekey", err)
	}
	cmds := make([]*goredis.SliceCmd, len(ids))
	if len(ids) > 0 {
		_, err = s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
			for i, id := range ids {
				cmds[i] = p.HMGet(ctx, s.totp(id), "seed", "master_key_id")
			}
			return nil
		})
		if err != nil {
			return 0, false, s.fail("rekey", err)
		}
	}
	keys := append(make([]string, 0, 2+len(ids)), s.totpsSet, s.metaKey)
	args := append(make([]any, 0, 3+len(ids)), len(ids), rot.OldID(), rot.NewID())
	for i, id := range ids {
		sealed, err := s.resealOne(rot, id, cmds[i].Val())
		if err != nil {
			return 0, false, err
		}
		keys, args = append(keys, s.totp(id)), append(args, sealed)
	}
	res, err := rekeyScript.Run(ctx, s.c, keys, args...).Text()
	switch {
	case err != nil:
		return len(ids), true, s.fail("rekey", err)
	case res == "changed":
		return 0, false, fmt.Errorf("redis store: rekey: %w", errChanged)
	case res != "ok":
		return 0, false, s.verdict(res)
	}
	return len(ids), false, nil
}

// resealOne opens the sealed seed of enrolment id (values: seed, master
// key id) and seals it under rot's key.
func (s *Store) resealOne(rot *store.KeyRotation, id string, v []any) (string, error) {
	if len(v) != 2 {
		return "", errors.New("redis store: rekey: unexpected reply")
	}
	sealed, _ := v[0].(string)
	mkID, ok := v[1].(string)
	if !ok || sealed == "" {
		return "", fmt.Errorf("redis store: rekey: totp enrolment %s is missing", id)
	}
	aad := seedAAD(id)
	seed, err := s.sec.ring.Open(mkID, aad, []byte(sealed))
	if err != nil {
		return "", fmt.Errorf("redis store: rekey enrolment %s: %w", id, err)
	}
	b, err := rot.Seal(aad, seed)
	clear(seed)
	if err != nil {
		return "", fmt.Errorf("redis store: rekey: %w", err)
	}
	return string(b), nil
}
