package introspect

import (
	"context"
	"fmt"
	"time"

	"github.com/apiguard/apiguard/internal/pipeline"
)

// flight is one introspection call that concurrent requests share.
type flight struct {
	done chan struct{}
	p    *pipeline.Principal // set before done is closed
	err  error
}

// introspect returns the shared Principal of tok, or the reason it is
// refused or could not be verified.
func (a *Authenticator) introspect(ctx context.Context, tok string) (*pipeline.Principal, error) {
	h := tokenHash(tok)
	if e, ok := a.lookup(&h); ok {
		a.stats.hits.Add(1)
		return e.p, e.cause
	}
	a.stats.misses.Add(1)
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil, ErrClosed
	}
	f := a.flights[h]
	if f != nil {
		a.stats.shared.Add(1)
	} else {
		// A flight may have ended (and filled the cache) since the lookup.
		if e, ok := a.lookup(&h); ok {
			a.mu.Unlock()
			return e.p, e.cause
		}
		if len(a.flights) >= a.maxFlights {
			a.mu.Unlock()
			a.stats.shed.Add(1)
			return nil, fmt.Errorf("%w: %d introspections pending", ErrUnavailable, a.maxFlights)
		}
		f = &flight{done: make(chan struct{})}
		a.flights[h] = f
		a.wg.Add(1)
		go a.run(f, h, tok)
	}
	a.mu.Unlock()
	select {
	case <-f.done:
		return f.p, f.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: the request ended while waiting: %w", ErrUnavailable, context.Cause(ctx))
	}
}

// lookup returns the cached answer of h, positive first.
func (a *Authenticator) lookup(h *[32]byte) (*entry, bool) {
	if a.pos == nil {
		return nil, false
	}
	now := a.now()
	if e, ok := a.pos.get(h, now); ok {
		return e, true
	}
	return a.neg.get(h, now)
}

// run makes the call of f, bounded by the timeout and Close but not by
// any one request, caches a definitive answer and releases the waiters.
func (a *Authenticator) run(f *flight, h [32]byte, tok string) {
	defer a.wg.Done()
	ctx, cancel := context.WithTimeout(a.life, a.timeout)
	defer cancel()
	a.stats.calls.Add(1)
	start := time.Now()
	ans, err := a.call(ctx, tok)
	if err != nil {
		a.stats.failures.Add(1)
		if a.life.Err() != nil {
			err = fmt.Errorf("%w: %w", ErrClosed, err)
		}
		a.log.Warn("token introspection failed", "error", err, "duration", time.Since(start))
		f.err = err
	} else {
		now := a.now()
		p, until, jerr := judge(ans, now)
		f.p, f.err = p, jerr
		a.remember(&h, p, jerr, until, now)
		if jerr != nil {
			a.log.Debug("token refused by introspection", "reason", jerr)
		}
	}
	a.mu.Lock()
	delete(a.flights, h)
	a.mu.Unlock()
	close(f.done)
}

// remember caches a definitive answer for the TTL, or until it may stop
// holding if that is sooner.
func (a *Authenticator) remember(h *[32]byte, p *pipeline.Principal, cause error, until, now time.Time) {
	if a.pos == nil {
		return
	}
	deadline := now.Add(a.ttl)
	if !until.IsZero() && until.Before(deadline) {
		deadline = until
	}
	if p != nil {
		a.pos.put(h, &entry{p: p, deadline: deadline}, now)
	} else {
		a.neg.put(h, &entry{cause: cause, deadline: deadline}, now)
	}
}
