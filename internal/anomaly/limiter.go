package anomaly

import (
	"sync/atomic"
	"time"
)

// limiter is the global alert limit: a GCRA token bucket of rate per
// second with burst, on one atomic theoretical arrival time (lock-free).
type limiter struct {
	interval, tolerance int64 // ns
}

func newLimiter(rate, burst int) limiter {
	t := int64(time.Second) / int64(rate)
	return limiter{interval: t, tolerance: t * int64(burst-1)}
}

// take spends one token at now (Unix ns) from tat and reports whether
// there was one.
func (l limiter) take(tat *atomic.Int64, now int64) bool {
	for {
		old := tat.Load()
		next := max(old, now)
		if next-now > l.tolerance {
			return false
		}
		if tat.CompareAndSwap(old, next+l.interval) {
			return true
		}
	}
}
