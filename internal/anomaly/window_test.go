package anomaly

import (
	"fmt"
	"math"
	"testing"
	"time"
)

func TestCounterSlidingEstimate(t *testing.T) {
	const w = int64(10 * time.Second)
	at := func(d time.Duration) (uint32, float64) {
		return instant{ns: t0.Add(d).UnixNano()}.bucket(w)
	}
	var c counter
	for _, tc := range []struct {
		name string
		at   time.Duration
		want float64
	}{
		{"first", 0, 1},
		{"same bucket", 5 * time.Second, 2},
		// next bucket at 20%: 1 + 2·0.8
		{"next bucket", 12 * time.Second, 2.6},
		// a gap of more than one bucket forgets everything
		{"after a gap", 45 * time.Second, 1},
		// an event of an older bucket counts in the current one
		{"out of order", 39 * time.Second, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idx, f := at(tc.at)
			if got := c.add(idx, f); math.Abs(got-tc.want) > 1e-9 {
				t.Fatalf("estimate %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCounterSaturates(t *testing.T) {
	c := counter{idx: 7}
	for range 70000 {
		c.add(7, 0)
	}
	if c.cur != math.MaxUint16 {
		t.Fatalf("cur %d", c.cur)
	}
}

func TestDistinctEstimate(t *testing.T) {
	for _, n := range []int{1, 10, 30, 64} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			var worst float64
			for trial := range 200 {
				var d distinct
				e := &Engine{credSalt: uint64(trial) * 0x9e3779b97f4a7c15}
				var est float64
				for i := range n {
					if v, grew := d.add(1, 0, e.mix(uint64(i))); grew {
						est = v
					}
				}
				worst = max(worst, math.Abs(est-float64(n))/float64(n))
			}
			// linear counting on 128 bits: within ±25% in the worst of
			// 200 trials (typically a few %).
			if worst > 0.25 {
				t.Fatalf("n=%d: worst relative error %.2f", n, worst)
			}
		})
	}
}

func TestDistinctRepeatsDoNotCount(t *testing.T) {
	var d distinct
	d.add(1, 0, 42)
	if _, grew := d.add(1, 0.5, 42); grew {
		t.Fatal("a repeated value grew the estimate")
	}
	// next bucket: the value is new to it, the previous bucket weighs in
	if v, _ := d.add(2, 0.5, 42); math.Abs(v-(1.0039+1.0039*0.5)) > 0.01 {
		t.Fatalf("estimate %v", v)
	}
}

func TestSpikeBaseline(t *testing.T) {
	alpha := 1 - math.Exp(-1.0/60)
	var s spike
	for m := range 30 { // 20 a minute for 30 minutes
		for range 20 {
			s.add(uint32(1000+m), 0, alpha)
		}
	}
	s.add(1030, 0, alpha)
	if b := s.baseline(alpha); math.Abs(b-20) > 0.01 || s.n != 30 {
		t.Fatalf("baseline %v after %d minutes, want 20", b, s.n)
	}
	// An hour later: the 30 minutes of 20 now weigh (1-α)^61 − (1-α)^91
	// of the bias-corrected average over 91 minutes.
	s.add(1091, 0, alpha)
	q := func(k float64) float64 { return math.Pow(1-alpha, k) }
	want := 20 * (q(61) - q(91)) / (1 - q(91))
	if b := s.baseline(alpha); math.Abs(b-want) > 0.05 || s.n != 91 {
		t.Fatalf("baseline %v after an idle hour, want %v", b, want)
	}
	if s.prev != 0 || s.cur != 1 {
		t.Fatalf("prev %d cur %d after a gap", s.prev, s.cur)
	}
}
