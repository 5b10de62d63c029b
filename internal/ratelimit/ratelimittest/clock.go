// Package ratelimittest holds what the tests of every rate-limit backend
// share: a manual clock and conformance suites that run the same cases,
// with the same expected numbers, against any backend.
package ratelimittest

import (
	"sync/atomic"
	"time"
)

// Clock is a manual clock. Nanos is a ratelimit.Clock (monotonic
// nanoseconds, here Unix nanoseconds); Now is the same instant as a wall
// time for quota windows. It only moves when told.
type Clock struct{ ns atomic.Int64 }

// NewClock returns a clock reading start.
func NewClock(start time.Time) *Clock {
	c := &Clock{}
	c.Set(start)
	return c
}

// Nanos reads the clock in nanoseconds.
func (c *Clock) Nanos() int64 { return c.ns.Load() }

// Now reads the clock as a UTC wall time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }
