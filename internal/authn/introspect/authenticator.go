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
	// pendingFactor times the connection slots bounds the distinct tokens
	// being introspected (in a call or waiting for a slot); beyond it a new
	// token fails fast (503) instead of queueing.
	pendingFactor = 16
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
	// maxFlights bounds len(flights): a flood of distinct tokens cannot
	// pile up goroutines.
	maxFlights int

	life context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu      sync.Mutex // guards flights and closed
	flights map[[32]byte]*flight
	closed  bool
}

var _ pipeline.Authenticator = (*Authenticator)(nil)

type counters struct {
	calls, failures, shed, hits, misses, shared atomic.Uint64
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
		maxFlights: pendingFactor * o.maxInFlight,
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
	// Shed counts new tokens answered 503 at once because too many were
	// pending (see WithMaxInFlight).
	Shed uint64
	// CacheHits and CacheMisses count cache lookups (positive or
	// negative); Shared counts requests that joined a call in flight.
	CacheHits, CacheMisses, Shared uint64
}

// Stats returns the counters so far.
func (a *Authenticator) Stats() Stats {
	return Stats{
		Calls: a.stats.calls.Load(), Failures: a.stats.failures.Load(), Shed: a.stats.shed.Load(),
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
