package introspect

import (
	"log/slog"
	"net/http"
	"time"
)

// Option configures an Authenticator.
type Option func(*options)

type options struct {
	client      *http.Client
	now         func() time.Time
	log         *slog.Logger
	cacheSize   int
	maxInFlight int
}

// WithHTTPClient sets the client that calls the introspection endpoint
// (e.g. with a private CA). Its CheckRedirect is overridden: redirects are
// never followed. Every call is bounded by the configured timeout anyway.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithClock sets the clock that judges exp and nbf and cache entries (for
// tests).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithLogger sets the logger of endpoint failures. Tokens and the client
// secret are never logged.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithCacheSize sets the capacity of each of the positive and negative
// caches (default DefaultCacheSize); 0 disables caching, as does a
// cache_ttl of 0.
func WithCacheSize(n int) Option { return func(o *options) { o.cacheSize = n } }

// WithMaxInFlight bounds the concurrent calls to the endpoint (default
// DefaultMaxInFlight). A call that cannot get a slot within the timeout
// fails closed (503), and so does, at once, a new token when 16 times as
// many distinct tokens are already pending.
func WithMaxInFlight(n int) Option { return func(o *options) { o.maxInFlight = n } }
