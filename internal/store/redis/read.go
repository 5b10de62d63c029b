package redis

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	goredis "github.com/redis/go-redis/v9"

	"github.com/apiguard/apiguard/internal/store"
)

// Get implements store.Keys: one HMGET.
func (k keys) Get(ctx context.Context, id string) (store.Key, error) {
	args := slices.Clone(hmgetArgs)
	args[1] = k.s.key(id)
	v, err := k.s.c.Do(ctx, args...).Slice()
	if err != nil {
		return store.Key{}, k.s.fail("get key", err)
	}
	key, ok, err := decodeKey(id, v)
	switch {
	case err != nil:
		return store.Key{}, fmt.Errorf("redis store: %w", err)
	case !ok:
		return store.Key{}, fmt.Errorf("key %s: %w", id, store.ErrNotFound)
	}
	return key, nil
}

// List implements store.Keys: the set of ids, then one pipeline of
// HMGETs. Oldest first (by created, then id).
func (k keys) List(ctx context.Context) ([]store.Key, error) {
	s := k.s
	ids, err := s.c.SMembers(ctx, s.keysSet).Result()
	if err != nil {
		return nil, s.fail("list keys", err)
	}
	cmds := make([]*goredis.SliceCmd, len(ids))
	if len(ids) > 0 {
		_, err = s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
			for i, id := range ids {
				cmds[i] = p.HMGet(ctx, s.key(id), keyFields...)
			}
			return nil
		})
		if err != nil {
			return nil, s.fail("list keys", err)
		}
	}
	out := make([]store.Key, 0, len(ids))
	for i, id := range ids {
		key, ok, err := decodeKey(id, cmds[i].Val())
		if err != nil {
			return nil, fmt.Errorf("redis store: list keys: %w", err)
		}
		if ok {
			out = append(out, key)
		}
	}
	slices.SortFunc(out, func(a, b store.Key) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}
