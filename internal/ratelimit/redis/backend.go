package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/apiguard/apiguard/internal/ratelimit"
)

// Defaults of New.
const (
	// DefaultPrefix starts every key the backend writes.
	DefaultPrefix = "apiguard:"
	// DefaultTimeout bounds one decision (one round trip).
	DefaultTimeout = 100 * time.Millisecond
	// quotaSlack keeps a quota counter this long after its window ends,
	// so a replica whose clock is behind still finds it.
	quotaSlack = 3600
)

// Backend is a ratelimit.Limiter and ratelimit.QuotaCounter whose state
// lives in Redis, shared by every replica that uses the same server and
// prefix. Each decision is one EVALSHA round trip (EVAL once after the
// server lost its script cache). Safe for concurrent use.
type Backend struct {
	c       goredis.Scripter
	prefix  string
	timeout time.Duration
	clock   ratelimit.Clock
}

var (
	_ ratelimit.Limiter      = (*Backend)(nil)
	_ ratelimit.QuotaCounter = (*Backend)(nil)
)

// Option configures New.
type Option func(*Backend)

// WithPrefix sets the key prefix (default DefaultPrefix). Rate-limit keys
// are <prefix>rl:<key>, quota counters <prefix>q:<key>:<window tag>.
func WithPrefix(p string) Option { return func(b *Backend) { b.prefix = p } }

// WithTimeout bounds each decision (default DefaultTimeout); the
// request's own deadline applies too.
func WithTimeout(d time.Duration) Option { return func(b *Backend) { b.timeout = d } }

// WithClock makes GCRA decisions use c (monotonic nanoseconds) instead of
// Redis's clock. For tests only: replicas must share Redis's clock.
func WithClock(c ratelimit.Clock) Option { return func(b *Backend) { b.clock = c } }

// New returns a backend on c (a *goredis.Client from NewClient, or any
// client that runs scripts, such as a cluster client). The caller owns c.
func New(c goredis.Scripter, opts ...Option) *Backend {
	b := &Backend{c: c, prefix: DefaultPrefix, timeout: DefaultTimeout}
	for _, o := range opts {
		o(b)
	}
	return b
}

// Allow runs one GCRA step for key in Redis.
func (b *Backend) Allow(ctx context.Context, key string, l ratelimit.Limit) (ratelimit.Decision, error) {
	if l.Interval() <= 0 {
		_, d := l.Decide(0, 0) // the zero Limit admits nothing
		return d, nil
	}
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	args := []any{int64(l.Interval() / time.Microsecond), int64(l.Tolerance() / time.Microsecond)}
	if b.clock != nil {
		args = append(args, b.clock()/int64(time.Microsecond))
	}
	res, err := gcraScript.Run(ctx, b.c, []string{b.prefix + "rl:" + key}, args...).Int64Slice()
	if err != nil {
		return ratelimit.Decision{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	if len(res) != 2 {
		return ratelimit.Decision{}, errors.New("ratelimit: redis: unexpected script reply")
	}
	return l.Outcome(res[0] == 1, time.Duration(res[1])*time.Microsecond), nil
}

// Take counts one request under key in window w in Redis (INCR, with
// EXPIREAT an hour after the window ends, and at least an hour from now
// on Redis's clock).
func (b *Backend) Take(ctx context.Context, key string, limit int64, w ratelimit.Window) (ratelimit.QuotaDecision, error) {
	if limit <= 0 {
		return ratelimit.QuotaDecision{}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	k := b.prefix + "q:" + key + ":" + w.Tag()
	res, err := quotaScript.Run(ctx, b.c, []string{k}, limit, strconv.FormatInt(w.End.Unix()+quotaSlack, 10), quotaSlack).Int64Slice()
	if err != nil {
		return ratelimit.QuotaDecision{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	if len(res) != 2 {
		return ratelimit.QuotaDecision{}, errors.New("ratelimit: redis: unexpected script reply")
	}
	return ratelimit.QuotaDecision{Allowed: res[0] == 1, Remaining: max(limit-res[1], 0)}, nil
}
