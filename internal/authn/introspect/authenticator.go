package introspect

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
)

// Method is the name of this authentication method.
const Method = "introspection"

const (
	// DefaultMaxInFlight bounds concurrent calls to the endpoint.
	DefaultMaxInFlight = 64
	// maxTimeout bounds the configured timeout: requests wait for it.
	maxTimeout = time.Minute
)

// Authenticator verifies opaque bearer tokens by RFC 7662 introspection.
// It is safe for concurrent use; Close stops calls in flight.
type Authenticator struct {
	endpoint string
	basic    string // the Authorization header: holds the secret, never logged
	client   *http.Client
	timeout  time.Duration
	ttl      time.Duration
	now      func() time.Time
	log      *slog.Logger
	pos, neg *cache // nil when caching is off
	slots    chan struct{}
	stats    counters

	life context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu      sync.Mutex // guards flights and closed
	flights map[[32]byte]*flight
	closed  bool
}

var _ pipeline.Authenticator = (*Authenticator)(nil)

// flight is one introspection call that concurrent requests share.
type flight struct {
	done chan struct{}
	p    *pipeline.Principal // set before done is closed
	err  error
}

type counters struct {
	calls, failures, hits, misses, shared atomic.Uint64
}

// New checks identities.introspection and returns its authenticator. It
// makes no call.
func New(cfg config.Introspection, opts ...Option) (*Authenticator, error) {
	o := options{now: time.Now, cacheSize: DefaultCacheSize, maxInFlight: DefaultMaxInFlight}
	for _, opt := range opts {
		opt(&o)
	}
	if err := checkURL(cfg.URL); err != nil {
		return nil, fmt.Errorf("introspection: url: %w", err)
	}
	if cfg.ClientID == "" {
		return nil, errors.New("introspection: client_id is required")
	}
	if cfg.ClientSecret.Reveal() == "" {
		return nil, errors.New("introspection: the client secret is required")
	}
	timeout, ttl := time.Duration(cfg.Timeout), time.Duration(cfg.CacheTTL)
	if timeout <= 0 || timeout > maxTimeout {
		return nil, fmt.Errorf("introspection: timeout must be in (0, %v]", maxTimeout)
	}
	if ttl < 0 {
		return nil, errors.New("introspection: cache_ttl must not be negative")
	}
	if o.maxInFlight <= 0 {
		return nil, errors.New("introspection: max in flight must be positive")
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	if o.client == nil {
		o.client = defaultClient(timeout)
	}
	client := *o.client // a copy: the caller's client is not changed
	client.CheckRedirect = noRedirect
	a := &Authenticator{
		endpoint: cfg.URL, basic: basicAuth(cfg.ClientID, cfg.ClientSecret.Reveal()),
		client: &client, timeout: timeout, ttl: ttl, now: o.now, log: o.log,
		slots: make(chan struct{}, o.maxInFlight), flights: make(map[[32]byte]*flight),
	}
	if ttl > 0 {
		a.pos, a.neg = newCache(o.cacheSize), newCache(o.cacheSize)
	}
	a.life, a.stop = context.WithCancel(context.Background())
	return a, nil
}

// checkURL accepts an absolute http(s) URL without credentials or
// fragment.
func checkURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return errors.New("required")
	case err != nil:
		return errors.New("not a valid URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must be an http:// or https:// URL")
	case u.Host == "" || u.Opaque != "":
		return errors.New("must be an absolute URL with a host")
	case u.User != nil:
		return errors.New("must not contain credentials")
	case u.Fragment != "" || u.RawFragment != "":
		return errors.New("must not have a fragment")
	}
	return nil
}

// Method returns "introspection".
func (a *Authenticator) Method() string { return Method }

// Authenticate introspects the request's opaque bearer token. It returns
// pipeline.ErrNoCredential when the request has no bearer token of ours
// (see the package doc), a 401 *problem.Error for a token that is
// refused, and a 503 *problem.Error when it could not be verified. The
// Principal is the caller's own copy.
func (a *Authenticator) Authenticate(ctx context.Context, x *pipeline.Exchange) (*pipeline.Principal, error) {
	if x == nil {
		return nil, pipeline.ErrNoCredential
	}
	tok, err := bearerToken(x.In)
	if err != nil {
		return nil, err
	}
	p, err := a.introspect(ctx, tok)
	if err != nil {
		return nil, deny(err)
	}
	return clonePrincipal(p), nil
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

// Close cancels the calls in flight (their requests get 503) and waits
// for them; later requests whose token is not cached get 503. Close is
// idempotent and always returns nil.
func (a *Authenticator) Close() error {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.stop()
	a.wg.Wait()
	return nil
}

// Stats are cumulative counters, for metrics.
type Stats struct {
	// Calls counts requests to the endpoint; Failures those that did not
	// produce a valid answer (503).
	Calls, Failures uint64
	// CacheHits and CacheMisses count cache lookups (positive or
	// negative); Shared counts requests that joined a call in flight.
	CacheHits, CacheMisses, Shared uint64
}

// Stats returns the counters so far.
func (a *Authenticator) Stats() Stats {
	return Stats{
		Calls: a.stats.calls.Load(), Failures: a.stats.failures.Load(),
		CacheHits: a.stats.hits.Load(), CacheMisses: a.stats.misses.Load(), Shared: a.stats.shared.Load(),
	}
}

// tokenHash is the cache key of a token: SHA-256, so that no other token
// can collide with a cached one and the token itself is not kept. It
// hashes the string's bytes in place (sha256 only reads its input).
func tokenHash(tok string) [32]byte {
	return sha256.Sum256(unsafe.Slice(unsafe.StringData(tok), len(tok)))
}

// clonePrincipal copies p so that no caller can change what the cache
// hands to the next request.
func clonePrincipal(p *pipeline.Principal) *pipeline.Principal {
	c := *p
	c.Scopes = slices.Clone(p.Scopes)
	return &c
}
