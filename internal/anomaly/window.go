package anomaly

import (
	"math"
	"math/bits"
)

// Sliding windows are approximated by two fixed buckets of the window's
// length: the current one and the previous one. At a fraction f of the
// current bucket the estimate is cur + prev·(1−f), exact when events are
// spread evenly. Each update is O(1) and a few bytes.

// instant is the time of an event in the units the windows need.
type instant struct {
	ns  int64  // Unix nanoseconds (never negative)
	sec uint32 // Unix seconds
}

// bucket returns the number of the window-long bucket the instant falls
// in and how far into it, in [0, 1).
func (t instant) bucket(window int64) (uint32, float64) {
	return uint32(t.ns / window), float64(t.ns%window) / float64(window)
}

// counter counts events in a sliding window (saturating at 65535 per
// bucket).
type counter struct {
	idx       uint32
	cur, prev uint16
}

// roll moves the counter to bucket idx. An event of an older bucket
// (clocks of concurrent requests) counts in the current one.
func (c *counter) roll(idx uint32) {
	switch {
	case idx == c.idx+1:
		c.prev, c.cur, c.idx = c.cur, 0, idx
	case idx > c.idx:
		c.prev, c.cur, c.idx = 0, 0, idx
	}
}

// add counts one event in bucket idx and returns the estimate at f.
func (c *counter) add(idx uint32, f float64) float64 {
	c.roll(idx)
	if c.cur < math.MaxUint16 {
		c.cur++
	}
	return float64(c.cur) + float64(c.prev)*(1-f)
}

// bitmap is a 128-bit linear-counting sketch of a set of values.
type bitmap [2]uint64

// set adds the value of hash h and reports whether its bit was new.
func (b *bitmap) set(h uint64) bool {
	w, m := &b[h>>6&1], uint64(1)<<(h&63)
	if *w&m != 0 {
		return false
	}
	*w |= m
	return true
}

// estimate is the linear-counting estimate −m·ln(zeros/m) of the number
// of distinct values set: exact while no two collide, about ±10% at 64.
func (b *bitmap) estimate() float64 {
	ones := bits.OnesCount64(b[0]) + bits.OnesCount64(b[1])
	if ones == 0 {
		return 0
	}
	zeros := float64(128 - ones)
	if zeros == 0 {
		zeros = 0.5 // saturated: about 700
	}
	return -128 * math.Log(zeros/128)
}

// distinct counts distinct values in a sliding window.
type distinct struct {
	idx       uint32
	cur, prev bitmap
}

// add records value h in bucket idx. It reports whether the estimate can
// have grown (the value was new to the bucket) and the estimate at f.
func (d *distinct) add(idx uint32, f float64, h uint64) (float64, bool) {
	switch {
	case idx == d.idx+1:
		d.prev, d.cur, d.idx = d.cur, bitmap{}, idx
	case idx > d.idx:
		d.prev, d.cur, d.idx = bitmap{}, bitmap{}, idx
	}
	if !d.cur.set(h) {
		return 0, false
	}
	return d.cur.estimate() + d.prev.estimate()*(1-f), true
}

// spike counts requests per bucket and keeps an exponentially weighted
// moving average (EWMA) of the completed buckets.
type spike struct {
	idx       uint32
	cur, prev uint32
	avg       float32 // EWMA, not yet bias-corrected
	n         uint16  // buckets completed since first seen (saturating)
}

// add counts one request in bucket idx, folding completed buckets into
// the average with weight alpha; it returns the estimate at f.
func (s *spike) add(idx uint32, f, alpha float64) float64 {
	switch {
	case s.idx == 0: // first request
		s.idx = idx
	case idx > s.idx:
		gap := idx - s.idx
		avg := alpha*float64(s.cur) + (1-alpha)*float64(s.avg)
		if gap > 1 {
			avg *= math.Pow(1-alpha, float64(gap-1))
		}
		s.avg, s.n = float32(avg), uint16(min(uint32(s.n)+gap, math.MaxUint16))
		s.prev = 0
		if gap == 1 {
			s.prev = s.cur
		}
		s.cur, s.idx = 0, idx
	}
	if s.cur < math.MaxUint32 {
		s.cur++
	}
	return float64(s.cur) + float64(s.prev)*(1-f)
}

// baseline is the bias-corrected average: an EWMA started at zero
// underestimates by the factor 1−(1−alpha)^n.
func (s *spike) baseline(alpha float64) float64 {
	if s.n == 0 {
		return 0
	}
	return float64(s.avg) / (1 - math.Pow(1-alpha, float64(s.n)))
}
