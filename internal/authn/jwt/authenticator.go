package jwt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
)

// Method is the name of this authentication method.
const Method = "jwt"

// Authenticator verifies bearer JWTs of the configured issuers. It is
// safe for concurrent use. Call Start to load the keys and begin the
// background refresh, and Close to stop it.
type Authenticator struct {
	issuers  []*issuer
	byName   map[string]*issuer
	cache    *tokenCache
	now      func() time.Time
	log      *slog.Logger
	stats    counters
	life     context.Context
	stop     context.CancelFunc
	wg       sync.WaitGroup
	bgOnce   sync.Once
	closeMux sync.Mutex
	closed   bool

	// scopeNames are the distinct scope claims of the issuers, other
	// than "scp" (see scanClaims).
	scopeNames []string
}

var _ pipeline.Authenticator = (*Authenticator)(nil)

// New compiles the issuers of identities.jwt. It fetches nothing: call
// Start.
func New(issuers []config.JWTIssuer, opts ...Option) (*Authenticator, error) {
	o := options{now: time.Now, cacheSize: DefaultCacheSize, timeout: defaultFetchTimeout, period: defaultRefresh}
	for _, opt := range opts {
		opt(&o)
	}
	if len(issuers) == 0 {
		return nil, errors.New("jwt: no issuer configured")
	}
	if o.timeout <= 0 || o.timeout > maxFetchTimeout {
		return nil, fmt.Errorf("jwt: fetch timeout must be in (0, %v]", maxFetchTimeout)
	}
	if o.period <= 0 {
		return nil, errors.New("jwt: refresh interval must be positive")
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	if o.client == nil {
		o.client = defaultClient(o.timeout)
	}
	a := &Authenticator{byName: make(map[string]*issuer, len(issuers)), cache: newTokenCache(o.cacheSize), now: o.now, log: o.log}
	a.life, a.stop = context.WithCancel(context.Background())
	for i, c := range issuers {
		is, err := compileIssuer(c)
		if err != nil {
			return nil, fmt.Errorf("jwt: identities.jwt[%d]: %w", i, err)
		}
		if _, dup := a.byName[is.name]; dup {
			return nil, fmt.Errorf("jwt: identities.jwt[%d]: issuer %q configured twice", i, is.name)
		}
		is.src = &source{
			issuer: is.name, url: c.JWKSURL, file: c.JWKSFile,
			client: o.client, timeout: o.timeout, period: o.period,
			now: o.now, log: o.log, stats: &a.stats, hook: o.onRefresh, life: a.life,
			maxAge: -1,
		}
		is.scopeIdx = -1
		if is.scopeClaim != "scp" {
			if is.scopeIdx = slices.Index(a.scopeNames, is.scopeClaim); is.scopeIdx < 0 {
				is.scopeIdx = len(a.scopeNames)
				a.scopeNames = append(a.scopeNames, is.scopeClaim)
			}
		}
		a.issuers = append(a.issuers, is)
		a.byName[is.name] = is
	}
	return a, nil
}

func defaultClient(timeout time.Duration) *http.Client {
	tr, ok := http.DefaultTransport.(*http.Transport)
	if ok {
		tr = tr.Clone()
	} else {
		tr = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	tr.ResponseHeaderTimeout = timeout
	tr.MaxResponseHeaderBytes = 64 << 10
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
				return errors.New("redirect from https to http refused")
			}
			return nil
		},
	}
}

// Method returns "jwt".
func (a *Authenticator) Method() string { return Method }

// Start loads every issuer's JWKS, waiting at most the fetch timeout (or
// until ctx is done), and starts the background refresh, which also
// retries issuers that failed here. It returns the load errors joined;
// Ready reports when every issuer has keys.
func (a *Authenticator) Start(ctx context.Context) error {
	errs := make([]error, len(a.issuers))
	var wg sync.WaitGroup
	for i, is := range a.issuers {
		wg.Go(func() {
			if err := is.src.wait(ctx, is.src.refresh(false)); err != nil {
				errs[i] = fmt.Errorf("issuer %q: %w", is.name, err)
			}
		})
	}
	wg.Wait()
	a.bgOnce.Do(func() {
		a.closeMux.Lock()
		defer a.closeMux.Unlock()
		if a.closed {
			return
		}
		for _, is := range a.issuers {
			a.wg.Go(func() { is.src.run(a.life) })
		}
	})
	return errors.Join(errs...)
}

// Ready reports whether every issuer's keys have been loaded (readiness).
func (a *Authenticator) Ready() bool {
	for _, is := range a.issuers {
		if is.src.current() == nil {
			return false
		}
	}
	return true
}

// Close stops the background refresh and waits for it. A fetch in
// flight is cancelled. Close is idempotent.
func (a *Authenticator) Close() error {
	a.closeMux.Lock()
	a.closed = true
	a.closeMux.Unlock()
	a.stop()
	a.wg.Wait()
	return nil
}

// Stats are cumulative counters, for metrics.
type Stats struct {
	// Refreshes and RefreshFailures count JWKS fetches of all issuers.
	Refreshes, RefreshFailures uint64
	// CacheHits and CacheMisses count verified-token cache lookups.
	CacheHits, CacheMisses uint64
}

// Stats returns the counters so far.
func (a *Authenticator) Stats() Stats {
	return Stats{
		Refreshes: a.stats.refreshes.Load(), RefreshFailures: a.stats.failures.Load(),
		CacheHits: a.stats.hits.Load(), CacheMisses: a.stats.misses.Load(),
	}
}

// Authenticate verifies the request's bearer JWT. It returns
// pipeline.ErrNoCredential when the request has no bearer token shaped
// like a JWT, a 401 *problem.Error for a JWT it refuses, and a 503
// *problem.Error when the issuer's keys were never loaded.
func (a *Authenticator) Authenticate(ctx context.Context, x *pipeline.Exchange) (*pipeline.Principal, error) {
	if x == nil {
		return nil, pipeline.ErrNoCredential
	}
	tok, err := bearerJWT(x.In)
	if err != nil {
		return nil, err
	}
	v, err := a.verify(ctx, tok)
	if err != nil {
		return nil, err
	}
	return clonePrincipal(v.Principal), nil
}

// bearerJWT returns the request's bearer token if it is shaped like a JWT.
// Several Authorization headers, one of which is such a token, are
// refused: which one other components read would be a guess.
func bearerJWT(r *http.Request) (string, error) {
	if r == nil {
		return "", pipeline.ErrNoCredential
	}
	tok, found, ambiguous := pipeline.BearerToken(r.Header, LooksLikeJWS)
	if !found {
		return "", pipeline.ErrNoCredential
	}
	if ambiguous {
		return "", deny(ErrAmbiguous)
	}
	return tok, nil
}
