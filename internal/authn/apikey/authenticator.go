package apikey

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/store"
)

// Method is the pipeline method name of API keys.
const Method = "api_key"

// DefaultHeader carries the key when the configuration names none.
const DefaultHeader = "X-API-Key"

// SubjectPrefix starts the Subject of every API-key principal: the
// subject is "key:" + the key id (not the name, which is neither unique
// nor stable), so rate limits and audit records follow one key.
const SubjectPrefix = "key:"

// Defaults of the background work.
const (
	DefaultPollInterval  = 250 * time.Millisecond
	DefaultMaxStale      = time.Second
	DefaultFlushInterval = 5 * time.Second
)

// Authenticator is the api_key pipeline.Authenticator. It keeps a warm
// cache of key records, re-validated by polling the store's revision, and
// batches last-used times. Call Close to stop it.
type Authenticator struct {
	st       store.Store
	hasher   *store.Hasher
	header   string
	now      func() time.Time
	log      *slog.Logger
	pollDur  time.Duration
	stale    time.Duration
	flushDur time.Duration

	cache cache
	polls pollState // owned by New, then by the background goroutine

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

var _ pipeline.Authenticator = (*Authenticator)(nil)

// Option configures an Authenticator.
type Option func(*Authenticator)

// WithClock replaces time.Now for expiry and last-used times (tests).
func WithClock(now func() time.Time) Option { return func(a *Authenticator) { a.now = now } }

// WithLogger sets the logger of background failures (default slog.Default).
func WithLogger(l *slog.Logger) Option { return func(a *Authenticator) { a.log = l } }

// WithPollInterval sets how often the store revision is polled.
func WithPollInterval(d time.Duration) Option { return func(a *Authenticator) { a.pollDur = d } }

// WithMaxStale sets how long the cache is trusted without a successful
// poll; past it every request reads the store (and fails closed with it).
func WithMaxStale(d time.Duration) Option { return func(a *Authenticator) { a.stale = d } }

// WithFlushInterval sets how often last-used times are written.
func WithFlushInterval(d time.Duration) Option { return func(a *Authenticator) { a.flushDur = d } }

// New returns an Authenticator over st reading the key from header
// (DefaultHeader when empty) or from "Authorization: ApiKey <key>". It
// starts a background goroutine; Close stops it. It does not own st.
func New(st store.Store, header string, opts ...Option) *Authenticator {
	if header == "" {
		header = DefaultHeader
	}
	a := &Authenticator{
		st: st, hasher: st.Hasher(), header: textproto.CanonicalMIMEHeaderKey(header),
		now: time.Now, log: slog.Default(),
		pollDur: DefaultPollInterval, stale: DefaultMaxStale, flushDur: DefaultFlushInterval,
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	for _, o := range opts {
		o(a)
	}
	a.cache.init()
	a.pollOnce() // a warm start: the cache is trusted from the first request
	go a.run()
	return a
}

// Method implements pipeline.Authenticator.
func (a *Authenticator) Method() string { return Method }

// Header is the canonical name of the header that carries keys. The
// gateway must not forward it upstream (nor an Authorization header
// whose scheme is ApiKey).
func (a *Authenticator) Header() string { return a.header }

// Authenticate implements pipeline.Authenticator. The returned
// Principal's Scopes slice is shared between requests: read only.
func (a *Authenticator) Authenticate(ctx context.Context, x *pipeline.Exchange) (*pipeline.Principal, error) {
	raw, err := a.credential(x.In.Header)
	if err != nil {
		return nil, err
	}
	k, err := Parse(raw)
	if err != nil {
		return nil, invalid(err)
	}
	e, err := a.lookup(ctx, k.ID())
	if err != nil {
		return nil, err
	}
	now := a.now()
	if err := e.check(a.hasher, k, now); err != nil {
		return nil, invalid(err)
	}
	e.lastUsed.Store(now.UnixNano())
	p := new(pipeline.Principal)
	*p = e.principal
	return p, nil
}

var errAmbiguous = errors.New("more than one API key in the request")

// credential returns the presented key, ErrNoCredential when there is
// none, or a denial when the request presents several.
func (a *Authenticator) credential(h http.Header) (string, error) {
	var key string
	found := false
	if a.header != "Authorization" {
		switch vs := h[a.header]; len(vs) {
		case 0:
		case 1:
			key, found = strings.TrimSpace(vs[0]), true
		default:
			return "", invalid(errAmbiguous)
		}
	}
	for _, v := range h["Authorization"] {
		k, ok := apiKeyScheme(v)
		if !ok {
			continue
		}
		if found && k != key {
			return "", invalid(errAmbiguous)
		}
		key, found = k, true
	}
	if !found {
		return "", pipeline.ErrNoCredential
	}
	return key, nil
}

// apiKeyScheme extracts the key of "ApiKey <key>" (scheme case-insensitive).
func apiKeyScheme(v string) (string, bool) {
	const scheme = "ApiKey "
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		return "", false
	}
	return strings.TrimSpace(v[len(scheme):]), true
}

// invalid is the one denial for every bad key; cause never holds the key.
func invalid(cause error) error {
	return problem.Unauthenticated("invalid API key", true).WithCause(cause)
}

// lookup returns the cached entry of id, reading the store on a miss or
// while the cache is stale.
func (a *Authenticator) lookup(ctx context.Context, id string) (*entry, error) {
	fresh := a.cache.fresh(a.stale)
	if fresh {
		if e, known := a.cache.get(id); e != nil || known {
			if e == nil {
				return nil, invalid(fmt.Errorf("api key %s: %w", id, store.ErrNotFound))
			}
			return e, nil
		}
	}
	gen := a.cache.generation()
	rec, err := a.st.Keys().Get(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.cache.putMissing(gen, id)
		return nil, invalid(fmt.Errorf("api key %s: %w", id, store.ErrNotFound))
	case err != nil:
		return nil, problem.Unavailable("the credential store is unavailable", err)
	}
	e := newEntry(rec)
	a.cache.put(gen, id, e)
	return e, nil
}

// Close stops the background work and writes pending last-used times. It
// does not close the store. It is safe to call more than once.
func (a *Authenticator) Close() error {
	a.closeOnce.Do(func() { close(a.stop) })
	<-a.done
	return nil
}
