package anomaly

import (
	"context"
	"errors"
	"hash/maphash"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

// blockTimeout bounds one store write of a block.
const blockTimeout = 5 * time.Second

// Blocker stores the blocks of ActionBlock alerts (BlockList does, and
// honours them at once on this replica).
type Blocker interface {
	Add(ctx context.Context, b store.Block) (store.Block, error)
}

// Engine runs the detectors. Observe is safe for concurrent use; Run
// delivers the alerts.
type Engine struct {
	rules   atomic.Pointer[rules]
	now     func() time.Time
	sink    Sink
	blocker Blocker
	log     *slog.Logger

	ips *table[ipState]
	ids *table[idState]
	// seeds of the keyed hashes (random per engine)
	ipSeed, idSeed, objSeed maphash.Seed
	credSalt                uint64

	out chan Alert
	tat atomic.Int64 // the global alert limit's GCRA state

	raised, suppressed, dropped, withheld atomic.Uint64
}

// Option configures New.
type Option func(*Engine)

// WithClock sets the clock of events without a Time (tests).
func WithClock(now func() time.Time) Option { return func(e *Engine) { e.now = now } }

// WithBlocker sets where ActionBlock blocks go (required when a rule
// blocks).
func WithBlocker(b Blocker) Option { return func(e *Engine) { e.blocker = b } }

// WithLogger sets the logger of failed block writes (default
// slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// New returns an engine for cfg that delivers alerts to sink once Run is
// running. Its memory is allocated here and never grows: about 88 bytes
// per IPCapacity and 96 per IdentityCapacity entry, plus the queue.
func New(cfg Config, sink Sink, opts ...Option) (*Engine, error) {
	if sink == nil {
		return nil, errors.New("anomaly: no sink")
	}
	r, err := compile(cfg)
	if err != nil {
		return nil, err
	}
	e := &Engine{now: time.Now, sink: sink, log: slog.Default(),
		ips: newTable[ipState](cfg.IPCapacity), ids: newTable[idState](cfg.IdentityCapacity),
		ipSeed: maphash.MakeSeed(), idSeed: maphash.MakeSeed(), objSeed: maphash.MakeSeed(),
		credSalt: rand.Uint64(), out: make(chan Alert, cfg.Queue)}
	for _, o := range opts {
		o(e)
	}
	if cfg.Blocks() && e.blocker == nil {
		return nil, errors.New("anomaly: a rule has action block but the engine has no blocker")
	}
	e.rules.Store(r)
	return e, nil
}

// Reconfigure replaces the rules, keeping what the detectors learnt.
// Capacities and the queue size stay those given to New. Counters of a
// detector whose window changed restart.
func (e *Engine) Reconfigure(cfg Config) error {
	r, err := compile(cfg)
	if err != nil {
		return err
	}
	if cfg.Blocks() && e.blocker == nil {
		return errors.New("anomaly: a rule has action block but the engine has no blocker")
	}
	e.rules.Store(r)
	return nil
}

// Run delivers alerts until ctx is done: for ActionBlock it first stores
// the block through the blocker (a failure is logged; the alert still
// goes out), then it calls the sink. Run it on one goroutine.
func (e *Engine) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case a := <-e.out:
			e.deliver(ctx, a)
		}
	}
}

func (e *Engine) deliver(ctx context.Context, a Alert) {
	if a.Action == ActionBlock && e.blocker != nil {
		bctx, cancel := context.WithTimeout(ctx, blockTimeout)
		b, err := e.blocker.Add(bctx, a.Block())
		cancel()
		if err != nil {
			e.log.Error("anomaly: storing a block failed", "detector", a.Detector, "offender", a.Offender(), "err", err)
		}
		if !b.Until.IsZero() {
			a.BlockUntil = b.Until
		}
	}
	e.sink.Alert(ctx, a)
}

// Stats counts alerts and tracked keys.
type Stats struct {
	// Raised alerts were queued for the sink; Suppressed were withheld
	// by the global alert limit; Dropped found the queue full.
	Raised, Suppressed, Dropped uint64
	// IPs and Identities are the entries in use, of their capacities;
	// the Evicted ones were replaced while they held information.
	IPs, IPCapacity, Identities, IdentityCapacity int
	IPEvicted, IdentityEvicted                    uint64
}

// Stats scans the tables (O(capacity): not for the request path).
func (e *Engine) Stats() Stats {
	return Stats{
		Raised: e.raised.Load(), Suppressed: e.suppressed.Load(), Dropped: e.dropped.Load(),
		IPs: e.ips.count(), IPCapacity: e.ips.capacity, IPEvicted: e.ips.evicted.Load(),
		Identities: e.ids.count(), IdentityCapacity: e.ids.capacity, IdentityEvicted: e.ids.evicted.Load(),
	}
}
