package ratelimit

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

// KeyQuotaName is the RateLimit-Policy / RateLimit member of a
// credential's own quota.
const KeyQuotaName = "key-quota"

// keyQuotaScope starts the storage key of every credential quota
// counter: ":key-quota:id:<method>:<id>". Route names cannot contain
// ':', so no route's key starts with ':' and the counter is one per
// credential, shared by every route.
const keyQuotaScope = ":" + KeyQuotaName

// KeyQuotaStage enforces the quota a credential carries itself
// (pipeline.Principal.Quota, set by `keys create --quota`) on every
// route it is added to, counted per credential across routes. It runs
// after the route's rate_limit/quota stage, if any, and appends a
// "key-quota" member to the RateLimit-Policy and RateLimit headers that
// stage set. A request whose principal has no quota passes at once: no
// header, no lookup, no allocation. Check is safe for concurrent use.
type KeyQuotaStage struct {
	qc       QuotaCounter
	mem      *Memory // qc, when it is a *Memory: the allocation-free path
	failOpen bool
	now      func() time.Time
	onErr    func(error)
	errs     atomic.Uint64
	day      atomic.Pointer[Window] // the cached current windows
	month    atomic.Pointer[Window]
}

var _ pipeline.Stage = (*KeyQuotaStage)(nil)

// NewKeyQuotaStage builds the key-quota stage of a route. onStoreError
// is the route's rate_limit.on_store_error: "allow" lets requests
// through while qc fails; "deny" or "" (also for a route without a
// rate limit) answers 503. Of opts, WithNow and WithStoreErrorHook
// apply.
func NewKeyQuotaStage(onStoreError string, qc QuotaCounter, opts ...Option) (*KeyQuotaStage, error) {
	if qc == nil {
		return nil, errors.New("ratelimit: no quota counter")
	}
	s := &KeyQuotaStage{qc: qc}
	switch onStoreError {
	case "allow":
		s.failOpen = true
	case "deny", "":
	default:
		return nil, errors.New("ratelimit: on_store_error must be deny or allow, not " + onStoreError)
	}
	var c stageConfig
	for _, o := range opts {
		o(&c)
	}
	s.now, s.onErr = c.now, c.onErr
	s.mem, _ = qc.(*Memory)
	return s, nil
}

// Name is "key_quota".
func (s *KeyQuotaStage) Name() string { return "key_quota" }

// StoreErrors counts backend errors since the stage was built.
func (s *KeyQuotaStage) StoreErrors() uint64 { return s.errs.Load() }

// Check counts the request against the principal's own quota, if it has
// one. On exhaustion it returns a 429 rate-limited problem with
// Retry-After (seconds to the end of the window) and the rate-limit
// headers; a backend error is a 503 unless the stage fails open.
func (s *KeyQuotaStage) Check(ctx context.Context, x *pipeline.Exchange) error {
	p := x.Principal
	if p == nil || p.Quota == nil {
		return nil
	}
	return s.check(ctx, x, p.Quota)
}

func (s *KeyQuotaStage) check(ctx context.Context, x *pipeline.Exchange, q *pipeline.Quota) error {
	limit := min(max(q.Limit, 0), maxQuota)
	period := Day
	if q.Per == "month" {
		period = Month
	}
	var now time.Time
	switch {
	case s.now != nil:
		now = s.now()
	case !x.Start.IsZero():
		now = x.Start
	default:
		now = time.Now()
	}
	w := s.window(period, now)
	h := x.ResponseHeader
	if h == nil {
		h = make(http.Header, 4)
		x.ResponseHeader = h
	}
	var pb [192]byte
	pol := appendPrev(pb[:0], h[HeaderPolicy])
	if len(pol) > 0 {
		pol = append(pol, ", "...)
	}
	pol = appendPolicy(pol, KeyQuotaName, limit, w.Seconds())
	h[HeaderPolicy] = headerValue(pol)
	var kb [192]byte
	key := AppendKey(kb[:0], keyQuotaScope, ByIdentity, x)
	var d QuotaDecision
	var err error
	if s.mem != nil {
		d = s.mem.TakeBytes(key, limit, w)
	} else {
		d, err = s.qc.Take(ctx, string(key), limit, w)
	}
	if err != nil {
		s.errs.Add(1)
		if s.onErr != nil {
			s.onErr(err)
		}
		if s.failOpen {
			return nil
		}
		return problem.Unavailable("the rate limit store is unavailable", err)
	}
	t := max(1, ceilSeconds(w.End.Sub(now)))
	var vb [192]byte
	v := appendItem(appendPrev(vb[:0], h[HeaderRateLimit]), keyQuotaItem, d.Remaining, t)
	if !d.Allowed {
		return denyWith(h, v, t, "the key's quota for this period is exhausted")
	}
	h[HeaderRateLimit] = headerValue(v)
	return nil
}

// keyQuotaItem is `"key-quota";r=`.
var keyQuotaItem = itemPrefix(KeyQuotaName)

// appendPrev appends the header value a previous stage set, if any.
func appendPrev(b []byte, prev []string) []byte {
	if len(prev) == 0 {
		return b
	}
	return append(b, prev[0]...)
}

// window returns the cached window of period containing now, or a new
// one.
func (s *KeyQuotaStage) window(period Period, now time.Time) Window {
	cur := &s.day
	if period == Month {
		cur = &s.month
	}
	if c := cur.Load(); c != nil && c.Contains(now) {
		return *c
	}
	w := Quota{Limit: 1, Period: period}.Window(now)
	cur.Store(&w)
	return w
}
