package anomaly

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

// DefaultMaxStale bounds how long a BlockList goes without reloading the
// whole list even when the store's revision did not change.
const DefaultMaxStale = time.Minute

// BlockList is this replica's copy of the store's blocks: Blocked is an
// in-memory lookup, Refresh reloads the list when the store's blocks
// revision changed (poll it about every second: Run), and Add and Lift
// change the store and the local copy at once.
//
// Security: a block added by another replica is honoured here after the
// next Refresh; while the store cannot be read the last list stays in
// force (expired blocks still end on time). A block this replica adds is
// in force here at once, even when writing it to the store fails.
type BlockList struct {
	st       store.Blocks
	now      func() time.Time
	maxStale time.Duration
	snap     atomic.Pointer[blockSet]

	mu       sync.Mutex // serialises Refresh, Add and Lift
	rev      uint64
	loadedAt time.Time
	loaded   bool
	// pending are blocks added here whose store write has not succeeded:
	// kept in every reloaded set until they end.
	pending map[blockKey]store.Block
}

type blockKey struct{ kind, value string }

// blockSet is an immutable snapshot of the blocks in force.
type blockSet struct {
	ips map[netip.Prefix]store.Block
	ids map[string]store.Block
}

// BlockListOption configures NewBlockList.
type BlockListOption func(*BlockList)

// WithBlockClock sets the clock that decides whether a block has ended.
func WithBlockClock(now func() time.Time) BlockListOption {
	return func(l *BlockList) { l.now = now }
}

// WithMaxStale sets how often Refresh reloads the whole list regardless
// of the revision (default DefaultMaxStale).
func WithMaxStale(d time.Duration) BlockListOption { return func(l *BlockList) { l.maxStale = d } }

// NewBlockList returns an empty list on st; call Refresh before serving.
func NewBlockList(st store.Blocks, opts ...BlockListOption) *BlockList {
	l := &BlockList{st: st, now: time.Now, maxStale: DefaultMaxStale, pending: map[blockKey]store.Block{}}
	for _, o := range opts {
		o(l)
	}
	l.snap.Store(&blockSet{})
	return l
}

// Blocked returns the block in force against the client ip (its address,
// or for IPv6 also its /64) or the identity subject ("" for none). It
// takes no lock and does not allocate.
func (l *BlockList) Blocked(ip netip.Addr, subject string) (store.Block, bool) {
	s := l.snap.Load()
	if len(s.ips) > 0 && ip.IsValid() {
		ip = ip.Unmap().WithZone("")
		if b, ok := s.ips[netip.PrefixFrom(ip, ip.BitLen())]; ok && l.inForce(b) {
			return b, true
		}
		if ip.Is6() {
			p, _ := ip.Prefix(64)
			if b, ok := s.ips[p]; ok && l.inForce(b) {
				return b, true
			}
		}
	}
	if len(s.ids) > 0 && subject != "" {
		if b, ok := s.ids[subject]; ok && l.inForce(b) {
			return b, true
		}
	}
	return store.Block{}, false
}

func (l *BlockList) inForce(b store.Block) bool { return l.now().Before(b.Until) }

// Refresh reloads the list from the store when its revision changed or
// the list is older than the max staleness. On error the list is kept.
func (l *BlockList) Refresh(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	rev, err := l.st.Revision(ctx)
	if err != nil {
		return fmt.Errorf("anomaly: refresh blocks: %w", err)
	}
	now := l.now()
	if l.loaded && rev == l.rev && now.Sub(l.loadedAt) < l.maxStale {
		return nil
	}
	list, err := l.st.Active(ctx, now)
	if err != nil {
		return fmt.Errorf("anomaly: refresh blocks: %w", err)
	}
	for k, b := range l.pending {
		if !now.Before(b.Until) {
			delete(l.pending, k)
			continue
		}
		list = append(list, b)
	}
	l.snap.Store(newBlockSet(list))
	l.rev, l.loadedAt, l.loaded = rev, now, true
	return nil
}

// Add puts b in force here at once, then stores it for every replica
// (store.Blocks.Add: an existing longer block wins). It returns the
// block in force; on a store error that is b, in force on this replica
// only until it ends.
func (l *BlockList) Add(ctx context.Context, b store.Block) (store.Block, error) {
	if err := b.Validate(); err != nil {
		return store.Block{}, err
	}
	k := blockKey{b.Kind, b.Value}
	l.mu.Lock()
	l.pending[k] = b
	l.publish(b)
	l.mu.Unlock()

	got, err := l.st.Add(ctx, b)
	if err != nil {
		return b, fmt.Errorf("anomaly: block %s %s is in force on this replica only: %w", b.Kind, b.Value, err)
	}
	l.mu.Lock()
	delete(l.pending, k)
	l.publish(got)
	l.mu.Unlock()
	return got, nil
}

// Lift ends the block of kind and value in the store and here.
func (l *BlockList) Lift(ctx context.Context, kind, value string) error {
	err := l.st.Lift(ctx, kind, value)
	l.mu.Lock()
	defer l.mu.Unlock()
	_, wasPending := l.pending[blockKey{kind, value}]
	delete(l.pending, blockKey{kind, value})
	l.snap.Store(l.snap.Load().without(kind, value))
	if wasPending && errors.Is(err, store.ErrNotFound) {
		return nil // its store write had failed: it was only here
	}
	return err
}

// Run refreshes every interval until ctx is done, logging failures.
func (l *BlockList) Run(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := l.Refresh(ctx); err != nil && ctx.Err() == nil {
				log.Warn("anomaly: blocks not refreshed: the last list stays in force", "err", err)
			}
		}
	}
}

// Len counts the blocks of the current list (some may have ended).
func (l *BlockList) Len() int {
	s := l.snap.Load()
	return len(s.ips) + len(s.ids)
}

// publish adds b to a copy of the current set, keeping an existing
// block that ends later (l.mu held).
func (l *BlockList) publish(b store.Block) {
	cur := l.snap.Load()
	if old, ok := cur.get(b.Kind, b.Value); ok && !old.Until.Before(b.Until) {
		return
	}
	next := cur.clone()
	next.put(b)
	l.snap.Store(next)
}

func newBlockSet(list []store.Block) *blockSet {
	s := &blockSet{ips: map[netip.Prefix]store.Block{}, ids: map[string]store.Block{}}
	for _, b := range list {
		if old, ok := s.get(b.Kind, b.Value); !ok || old.Until.Before(b.Until) {
			s.put(b)
		}
	}
	return s
}

// ipPrefix parses an ip block's value: an address or an IPv6 /64.
func ipPrefix(v string) (netip.Prefix, bool) {
	if a, err := netip.ParseAddr(v); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	p, err := netip.ParsePrefix(v)
	return p, err == nil
}

func (s *blockSet) get(kind, value string) (store.Block, bool) {
	if kind == store.BlockIdentity {
		b, ok := s.ids[value]
		return b, ok
	}
	p, ok := ipPrefix(value)
	if !ok {
		return store.Block{}, false
	}
	b, ok := s.ips[p]
	return b, ok
}

func (s *blockSet) put(b store.Block) {
	switch b.Kind {
	case store.BlockIdentity:
		s.ids[b.Value] = b
	case store.BlockIP:
		if p, ok := ipPrefix(b.Value); ok {
			s.ips[p] = b
		}
	}
}

func (s *blockSet) clone() *blockSet {
	n := &blockSet{ips: make(map[netip.Prefix]store.Block, len(s.ips)+1), ids: make(map[string]store.Block, len(s.ids)+1)}
	for k, v := range s.ips {
		n.ips[k] = v
	}
	for k, v := range s.ids {
		n.ids[k] = v
	}
	return n
}

func (s *blockSet) without(kind, value string) *blockSet {
	if _, ok := s.get(kind, value); !ok {
		return s
	}
	n := s.clone()
	if p, ok := ipPrefix(value); ok && kind == store.BlockIP {
		delete(n.ips, p)
	} else {
		delete(n.ids, value)
	}
	return n
}
