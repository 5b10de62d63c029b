package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/apiguard/apiguard/internal/store"
)

// blocks implements store.Blocks. Its keys (beside those of doc.go):
//
//	apiguard:blocks        hash: "<kind>:<value>" → the block's record,
//	    JSON {"detector", "reason", "created", "until"} (times in Unix
//	    nanoseconds)
//	apiguard:blocks:until  sorted set: the same fields, scored by until
//	    in Unix milliseconds (expiry is a range query)
//	apiguard:blocks:rev    string: the blocks revision, INCRed by every
//	    Add that writes and every Lift (it starts at a random value)
//
// Add, Active and Lift are one script each; Revision is one GET. Expired
// blocks are deleted by the next Add.
type blocks struct{ s *Store }

var _ store.Blocks = blocks{}

// Blocks implements store.Store.
func (s *Store) Blocks() store.Blocks { return blocks{s} }

func (b blocks) keys() []string {
	p := b.s.prefix
	return []string{p + "blocks", p + "blocks:until", p + "blocks:rev"}
}

// blockRecord is a block's value in the blocks hash.
type blockRecord struct {
	Detector string `json:"detector"`
	Reason   string `json:"reason"`
	Created  int64  `json:"created"`
	Until    int64  `json:"until"`
}

// Add implements store.Blocks in one script.
func (b blocks) Add(ctx context.Context, bl store.Block) (store.Block, error) {
	if err := bl.Validate(); err != nil {
		return store.Block{}, err
	}
	rec, err := json.Marshal(blockRecord{bl.Detector, bl.Reason, bl.Created.UnixNano(), bl.Until.UnixNano()})
	if err != nil {
		return store.Block{}, fmt.Errorf("redis store: add block: %w", err)
	}
	field := bl.Kind + ":" + bl.Value
	v, err := addBlockScript.Run(ctx, b.s.c, b.keys(), field, rec,
		bl.Until.UnixMilli(), bl.Created.UnixMilli(), revStart()).StringSlice()
	if err != nil {
		return store.Block{}, b.s.fail("add block", err)
	}
	if len(v) != 2 {
		return store.Block{}, errors.New("redis store: add block: unexpected script reply")
	}
	return decodeBlock(field, v[1])
}

// Active implements store.Blocks in one read-only script.
func (b blocks) Active(ctx context.Context, now time.Time) ([]store.Block, error) {
	v, err := activeBlocksScript.Run(ctx, b.s.c, b.keys()[:2], now.UnixMilli()).StringSlice()
	if err != nil {
		return nil, b.s.fail("list blocks", err)
	}
	out := make([]store.Block, 0, len(v)/2)
	for i := 0; i+1 < len(v); i += 2 {
		bl, err := decodeBlock(v[i], v[i+1])
		if err != nil {
			return nil, err
		}
		if bl.Until.After(now) {
			out = append(out, bl)
		}
	}
	return out, nil
}

// Lift implements store.Blocks in one script.
func (b blocks) Lift(ctx context.Context, kind, value string) error {
	n, err := liftBlockScript.Run(ctx, b.s.c, b.keys(), kind+":"+value, revStart()).Int64()
	if err != nil {
		return b.s.fail("lift block", err)
	}
	if n == 0 {
		return fmt.Errorf("block %s %s: %w", kind, value, store.ErrNotFound)
	}
	return nil
}

// Revision implements store.Blocks: one GET (0 before the first write).
func (b blocks) Revision(ctx context.Context) (uint64, error) {
	v, err := b.s.c.Get(ctx, b.keys()[2]).Result()
	if errors.Is(err, goredis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, b.s.fail("blocks revision", err)
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("redis store: blocks revision %q is not a counter", v)
	}
	return n, nil
}

// decodeBlock builds a block from its field and record.
func decodeBlock(field, rec string) (store.Block, error) {
	kind, value, ok := strings.Cut(field, ":")
	var r blockRecord
	if err := json.Unmarshal([]byte(rec), &r); err != nil || !ok {
		return store.Block{}, fmt.Errorf("redis store: block %q: malformed record", field)
	}
	return store.Block{Kind: kind, Value: value, Detector: r.Detector, Reason: r.Reason,
		Created: time.Unix(0, r.Created).UTC(), Until: time.Unix(0, r.Until).UTC()}, nil
}
