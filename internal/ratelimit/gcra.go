package ratelimit

import (
	"errors"
	"fmt"
	"time"
)

// Resolution is the granularity of emission intervals: every backend
// rounds per/rate up to a whole microsecond (Redis keeps microseconds),
// so a limit never admits more than configured and both backends decide
// identically.
const Resolution = time.Microsecond

// maxHorizon bounds the tolerance plus one interval (rate·burst), in
// nanoseconds, so TAT arithmetic cannot overflow (about 73 years).
const maxHorizon = int64(1) << 61

// Limit is a compiled GCRA limit: Rate requests per Per, at most Burst at
// once. Build it with NewLimit; the zero Limit admits nothing.
type Limit struct {
	rate      int
	per       time.Duration
	burst     int
	interval  int64 // emission interval T, ns (a whole number of µs)
	tolerance int64 // τ = T·(burst−1), ns
}

// NewLimit compiles rate requests per per with burst. The emission
// interval T = per/rate is rounded up to Resolution and must be at least
// 1µs (at most a million requests per second per key).
func NewLimit(rate int, per time.Duration, burst int) (Limit, error) {
	switch {
	case rate <= 0:
		return Limit{}, errors.New("ratelimit: rate must be greater than 0")
	case per <= 0:
		return Limit{}, errors.New("ratelimit: per must be greater than 0")
	case burst < 1:
		return Limit{}, errors.New("ratelimit: burst must be at least 1")
	}
	res := int64(Resolution)
	t := (int64(per) + int64(rate) - 1) / int64(rate)
	t = (t + res - 1) / res * res
	if int64(per)/int64(rate) < res {
		return Limit{}, fmt.Errorf("ratelimit: %d per %s is more than one request per %s", rate, per, Resolution)
	}
	if t > maxHorizon/int64(burst) {
		return Limit{}, fmt.Errorf("ratelimit: %d per %s with burst %d spans more than %s", rate, per, burst, time.Duration(maxHorizon))
	}
	return Limit{rate: rate, per: per, burst: burst, interval: t, tolerance: t * int64(burst-1)}, nil
}

// Rate is the configured number of requests per Per.
func (l Limit) Rate() int { return l.rate }

// Per is the configured period.
func (l Limit) Per() time.Duration { return l.per }

// Burst is how many requests pass at once after an idle period.
func (l Limit) Burst() int { return l.burst }

// Interval is the emission interval T = Per/Rate (rounded up to
// Resolution): once the burst is spent, one request passes per T.
func (l Limit) Interval() time.Duration { return time.Duration(l.interval) }

// Tolerance is τ = T·(Burst−1): how far ahead of now the theoretical
// arrival time may run before a request is refused.
func (l Limit) Tolerance() time.Duration { return time.Duration(l.tolerance) }

// Decision is the outcome of one request against a Limit.
type Decision struct {
	// Allowed reports whether the request passes (and was counted).
	Allowed bool
	// Remaining is how many more requests would pass right now (the
	// RateLimit header's r); 0 on a denial.
	Remaining int64
	// Reset is how long until the budget is fully restored (burst
	// available again), the RateLimit header's t.
	Reset time.Duration
	// RetryAfter is how long until the next request would pass; zero
	// when Allowed.
	RetryAfter time.Duration
}

// ResetSeconds is Reset in whole seconds, rounded up.
func (d Decision) ResetSeconds() int64 { return ceilSeconds(d.Reset) }

// RetryAfterSeconds is RetryAfter in whole seconds, rounded up: at least
// 1 on a denial (the Retry-After header), 0 when allowed.
func (d Decision) RetryAfterSeconds() int64 {
	if d.Allowed {
		return 0
	}
	return max(1, ceilSeconds(d.RetryAfter))
}

func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return (int64(d) + int64(time.Second) - 1) / int64(time.Second)
}

// Decide is one GCRA step in memory: tat is the key's theoretical
// arrival time (0 for a key never seen) and now the current time, both in
// nanoseconds of one monotonic clock. It returns the TAT to store (tat
// itself on a denial: a refused request consumes nothing) and the
// decision.
//
// A request passes when max(tat, now) − now ≤ τ; it then moves the TAT to
// max(tat, now) + T.
func (l Limit) Decide(tat, now int64) (int64, Decision) {
	if l.interval <= 0 { // the zero Limit: fail closed
		return tat, Decision{Reset: time.Second, RetryAfter: time.Second}
	}
	backlog := max(tat, now) - now
	if backlog > l.tolerance {
		return tat, l.Outcome(false, time.Duration(backlog))
	}
	next := max(tat, now) + l.interval
	return next, l.Outcome(true, time.Duration(backlog+l.interval))
}

// Outcome builds the Decision from what a backend observed: allowed, and
// the backlog TAT − now after the decision (the stored TAT). Backends
// that run the GCRA step elsewhere (a Redis script) use it so that every
// backend reports the same numbers.
func (l Limit) Outcome(allowed bool, backlog time.Duration) Decision {
	if l.interval <= 0 {
		return Decision{Reset: time.Second, RetryAfter: time.Second}
	}
	b := max(int64(backlog), 0)
	if !allowed {
		return Decision{Reset: time.Duration(b), RetryAfter: time.Duration(max(b-l.tolerance, 1))}
	}
	rem := (l.tolerance + l.interval - b) / l.interval
	return Decision{Allowed: true, Remaining: max(rem, 0), Reset: time.Duration(b)}
}
