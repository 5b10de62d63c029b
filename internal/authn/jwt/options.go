package jwt

import (
	"log/slog"
	"net/http"
	"time"
)

// Option configures an Authenticator.
type Option func(*options)

type options struct {
	client    *http.Client
	now       func() time.Time
	log       *slog.Logger
	cacheSize int
	timeout   time.Duration
	period    time.Duration
	onRefresh func(issuer string, err error)
}

// WithHTTPClient sets the client that fetches jwks_url. The default one
// has the fetch timeout, follows at most 3 redirects and never from
// https to http. Every fetch is bounded by the fetch timeout anyway.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithClock sets the clock that judges exp, nbf and iat, cache entries and
// the refetch rate limit (for tests). Background refresh uses real timers.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithLogger sets the logger of JWKS loads and failures. Tokens are never
// logged.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithCacheSize sets the capacity of the verified-token cache (default
// DefaultCacheSize); 0 disables it.
func WithCacheSize(n int) Option { return func(o *options) { o.cacheSize = n } }

// WithFetchTimeout bounds one JWKS fetch, and so how long a request may
// wait for an unknown-kid refresh (default 2 s, at most 10 s).
func WithFetchTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithRefreshInterval sets the background refresh period (default 5 min;
// a shorter Cache-Control max-age, not below 30 s, takes precedence).
func WithRefreshInterval(d time.Duration) Option { return func(o *options) { o.period = d } }

// WithRefreshHook is called after every JWKS fetch of an issuer with its
// outcome (nil on success), e.g. to count refreshes in Prometheus. It must
// not block.
func WithRefreshHook(f func(issuer string, err error)) Option {
	return func(o *options) { o.onRefresh = f }
}
