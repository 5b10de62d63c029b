package ratelimit

import (
	"context"
	"time"
)

// Limiter decides whether one more request under key passes a Limit.
// Backends: Memory (one process) and the redis subpackage (shared by
// replicas). Implementations are safe for concurrent use.
type Limiter interface {
	// Allow runs one GCRA step for key. A denied request is not counted.
	// An error means the backend could not decide (the stage then fails
	// closed unless on_store_error is allow); the Decision is then zero.
	Allow(ctx context.Context, key string, l Limit) (Decision, error)
}

// QuotaCounter counts requests per key in calendar windows.
// Implementations are safe for concurrent use.
type QuotaCounter interface {
	// Take counts one request under key in window w when fewer than limit
	// were counted there; a denied request is not counted. An error means
	// the backend could not decide.
	Take(ctx context.Context, key string, limit int64, w Window) (QuotaDecision, error)
}

// Clock returns monotonic nanoseconds. Memory decides with it; tests
// inject a manual one.
type Clock func() int64

// MonotonicClock returns a Clock that counts nanoseconds on the
// process's monotonic clock (immune to wall-clock steps), starting well
// above zero.
func MonotonicClock() Clock {
	base := time.Now()
	return func() int64 { return int64(time.Since(base)) + int64(time.Hour) }
}
