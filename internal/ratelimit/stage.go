package ratelimit

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

// Stage is the limit-phase stage of one route: a GCRA rate limit and/or a
// calendar quota. Build it once per route (NewStage, NewQuotaStage); Check
// is safe for concurrent use. State lives in the backend, so rebuilding a
// stage on reload keeps every budget as long as the backend is reused.
type Stage struct {
	name     string
	route    string
	kind     KeyKind
	limit    Limit
	hasLimit bool
	lim      Limiter
	mem      *Memory // lim, when it is a *Memory: the allocation-free path
	failOpen bool
	policy   []string // RateLimit-Policy value without a quota
	item     []byte   // `"<route>";r=`
	quota    *quotaPart
	now      func() time.Time
	onErr    func(error)
	errs     atomic.Uint64
}

var _ pipeline.Stage = (*Stage)(nil)

type quotaPart struct {
	q      Quota
	qc     QuotaCounter
	mem    *Memory
	name   string // "<route>-quota"
	item   []byte
	prefix []byte // the rate limit's policy item and ", ", or nothing
	cur    atomic.Pointer[quotaWindow]
}

// PolicyHeader is the route's RateLimit-Policy value at now: what the
// gateway also sends on answers refused before the limit phase (401,
// 403), which carry no RateLimit member as nothing was counted. The
// slice is shared: do not modify it.
func (s *Stage) PolicyHeader(now time.Time) []string {
	if s.quota != nil {
		return s.quota.window(now).policy
	}
	return s.policy
}

// quotaWindow caches the current window and the RateLimit-Policy value
// that names its length (a month's w changes every month).
type quotaWindow struct {
	w      Window
	policy []string
}

// Option configures a Stage.
type Option func(*stageConfig)

type stageConfig struct {
	quota *config.Quota
	qc    QuotaCounter
	now   func() time.Time
	onErr func(error)
}

// WithQuota adds the route's quota (per identity, calendar windows in
// UTC), counted by qc, as a second policy "<route>-quota".
func WithQuota(q config.Quota, qc QuotaCounter) Option {
	return func(c *stageConfig) { c.quota, c.qc = &q, qc }
}

// WithNow sets the wall clock that places quota windows (tests). By
// default a request's window is that of x.Start, when the gateway
// received it.
func WithNow(now func() time.Time) Option { return func(c *stageConfig) { c.now = now } }

// WithStoreErrorHook calls f with every backend error, whether the
// request is then refused (503) or let through (on_store_error: allow);
// for logs and metrics. f must be safe for concurrent use.
func WithStoreErrorHook(f func(error)) Option { return func(c *stageConfig) { c.onErr = f } }

// NewStage builds the rate_limit stage of route from its configuration:
// cfg.Rate requests per cfg.Per with cfg.Burst, counted by cfg.Key in lim
// under keys that include the route name (each route has its own
// budget). cfg.OnStoreError "allow" lets requests through while lim
// fails; anything else ("deny", "") answers 503.
func NewStage(route string, cfg config.RateLimit, lim Limiter, opts ...Option) (*Stage, error) {
	if lim == nil {
		return nil, errors.New("ratelimit: no limiter")
	}
	l, err := NewLimit(cfg.Rate, time.Duration(cfg.Per), cfg.Burst)
	if err != nil {
		return nil, err
	}
	kind, err := ParseKeyKind(cfg.Key)
	if err != nil {
		return nil, err
	}
	var failOpen bool
	switch cfg.OnStoreError {
	case "allow":
		failOpen = true
	case "deny", "":
	default:
		return nil, errors.New("ratelimit: on_store_error must be deny or allow, not " + cfg.OnStoreError)
	}
	s, err := newStage("rate_limit", route, opts)
	if err != nil {
		return nil, err
	}
	s.kind, s.limit, s.hasLimit, s.lim, s.failOpen = kind, l, true, lim, failOpen
	s.mem, _ = lim.(*Memory)
	s.item = itemPrefix(route)
	pol := appendPolicy(nil, route, int64(l.Rate()), max(1, ceilSeconds(l.Per())))
	s.policy = fixedValue(string(pol))
	if s.quota != nil {
		s.quota.prefix = append(pol, ", "...)
	}
	return s, nil
}

// NewQuotaStage builds the stage of a route that has a quota but no rate
// limit (Name "quota"). A backend error answers 503.
func NewQuotaStage(route string, q config.Quota, qc QuotaCounter, opts ...Option) (*Stage, error) {
	s, err := newStage("quota", route, append(opts[:len(opts):len(opts)], WithQuota(q, qc)))
	if err != nil {
		return nil, err
	}
	return s, nil
}

func newStage(name, route string, opts []Option) (*Stage, error) {
	if err := validPolicyName(route); err != nil {
		return nil, err
	}
	if strings.ContainsRune(route, ':') {
		return nil, errors.New("ratelimit: route name " + strconv.Quote(route) + " contains ':'")
	}
	var c stageConfig
	for _, o := range opts {
		o(&c)
	}
	s := &Stage{name: name, route: route, now: c.now, onErr: c.onErr}
	if c.quota != nil {
		if c.qc == nil {
			return nil, errors.New("ratelimit: no quota counter")
		}
		q, err := NewQuota(*c.quota)
		if err != nil {
			return nil, err
		}
		s.quota = &quotaPart{q: q, qc: c.qc, name: route + "-quota", item: itemPrefix(route + "-quota")}
		s.quota.mem, _ = c.qc.(*Memory)
	}
	return s, nil
}

// Name is "rate_limit" ("quota" for a quota-only stage).
func (s *Stage) Name() string { return s.name }

// StoreErrors counts backend errors since the stage was built (requests
// refused with 503, or let through with on_store_error: allow).
func (s *Stage) StoreErrors() uint64 { return s.errs.Load() }

// Check counts the request. It sets RateLimit-Policy and RateLimit in
// x.ResponseHeader, and on a denial returns a 429 rate-limited problem
// that carries them too, with Retry-After. A backend error is a 503
// unavailable problem unless the stage fails open.
func (s *Stage) Check(ctx context.Context, x *pipeline.Exchange) error {
	h := x.ResponseHeader
	if h == nil {
		h = make(http.Header, 4)
		x.ResponseHeader = h
	}
	var now time.Time
	var qw *quotaWindow
	if s.quota != nil {
		now = s.wallClock(x)
		qw = s.quota.window(now)
		h[HeaderPolicy] = qw.policy
	} else {
		h[HeaderPolicy] = s.policy
	}
	var kb [192]byte
	var vb [160]byte
	v := vb[:0]
	if s.hasLimit {
		d, err := s.allow(ctx, AppendKey(kb[:0], s.route, s.kind, x))
		if err != nil {
			if p := s.storeError(err); p != nil {
				return p
			}
		} else {
			v = appendItem(v, s.item, d.Remaining, d.ResetSeconds())
			if !d.Allowed {
				return s.deny(h, v, d.RetryAfterSeconds(), "too many requests: retry after the Retry-After delay")
			}
		}
	}
	if qw != nil {
		qd, err := s.quota.take(ctx, AppendKey(kb[:0], s.route, ByIdentity, x), qw.w)
		if err != nil {
			if p := s.storeError(err); p != nil {
				return p
			}
		} else {
			t := max(1, ceilSeconds(qw.w.End.Sub(now)))
			v = appendItem(v, s.quota.item, qd.Remaining, t)
			if !qd.Allowed {
				return s.deny(h, v, t, "the quota for this period is exhausted")
			}
		}
	}
	if len(v) > 0 {
		h[HeaderRateLimit] = headerValue(v)
	}
	return nil
}

// wallClock places the request in a quota window: the WithNow clock, else
// the time the gateway received the request (x.Start), else now.
func (s *Stage) wallClock(x *pipeline.Exchange) time.Time {
	switch {
	case s.now != nil:
		return s.now()
	case !x.Start.IsZero():
		return x.Start
	}
	return time.Now()
}

func (s *Stage) allow(ctx context.Context, key []byte) (Decision, error) {
	if s.mem != nil {
		return s.mem.AllowBytes(key, s.limit), nil
	}
	return s.lim.Allow(ctx, string(key), s.limit)
}

func (q *quotaPart) take(ctx context.Context, key []byte, w Window) (QuotaDecision, error) {
	if q.mem != nil {
		return q.mem.TakeBytes(key, q.q.Limit, w), nil
	}
	return q.qc.Take(ctx, string(key), q.q.Limit, w)
}

// window returns the cached window containing now, or a new one.
func (q *quotaPart) window(now time.Time) *quotaWindow {
	if c := q.cur.Load(); c != nil && c.w.Contains(now) {
		return c
	}
	w := q.q.Window(now)
	pol := appendPolicy(append([]byte(nil), q.prefix...), q.name, q.q.Limit, w.Seconds())
	c := &quotaWindow{w: w, policy: fixedValue(string(pol))}
	q.cur.Store(c)
	return c
}

// storeError counts err and returns the 503 to answer, or nil when the
// stage fails open.
func (s *Stage) storeError(err error) *problem.Error {
	s.errs.Add(1)
	if s.onErr != nil {
		s.onErr(err)
	}
	if s.failOpen {
		return nil
	}
	return problem.Unavailable("the rate limit store is unavailable", err)
}

// deny sets RateLimit (value v) and Retry-After and returns the 429.
func (s *Stage) deny(h http.Header, v []byte, retry int64, detail string) *problem.Error {
	return denyWith(h, v, retry, detail)
}

// denyWith sets RateLimit (value v) and Retry-After in h and returns the
// 429 that carries them and h's RateLimit-Policy.
func denyWith(h http.Header, v []byte, retry int64, detail string) *problem.Error {
	rl := headerValue(v)
	var nb [20]byte
	ra := headerValue(strconv.AppendInt(nb[:0], retry, 10))
	h[HeaderRateLimit] = rl
	h[HeaderRetryAfter] = ra
	p := problem.New(http.StatusTooManyRequests, problem.CodeRateLimited, detail)
	p.Header = http.Header{HeaderRetryAfter: ra, HeaderRateLimit: rl, HeaderPolicy: h[HeaderPolicy]}
	return p
}
