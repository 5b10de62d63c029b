package anomaly

import (
	"math"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

// detector numbers the detectors of a table's state: the per-IP ones
// first, then the per-identity ones; n%3 is the cooldown slot.
type detector uint8

const (
	detAuthIP detector = iota
	detStuffing
	detInjection
	detAuthIdentity
	detEnumeration
	detSpike
	numDetectors
)

// detectors names each detector and what it counts by.
var detectors = [numDetectors]struct{ name, key string }{
	detAuthIP:       {DetectorAuthFailures, store.BlockIP},
	detStuffing:     {DetectorCredentialStuffing, store.BlockIP},
	detInjection:    {DetectorInjectionRepeat, store.BlockIP},
	detAuthIdentity: {DetectorAuthFailures, store.BlockIdentity},
	detEnumeration:  {DetectorEnumeration, store.BlockIdentity},
	detSpike:        {DetectorTrafficSpike, store.BlockIdentity},
}

// rule is a Rule compiled for Observe.
type rule struct {
	on        bool
	threshold float64
	window    int64  // ns
	cooldown  uint32 // s
	src       Rule
}

// rules is a Config compiled for Observe; replaced whole by Reconfigure.
type rules struct {
	det            [numDetectors]rule
	alpha, factor  float64 // traffic_spike EWMA weight and factor
	warm           uint16  // traffic_spike warm-up, in windows
	ipIdle, idIdle uint32  // seconds after which a table entry is idle
	limit          limiter
}

func compile(c Config) (*rules, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	r := &rules{limit: newLimiter(c.AlertRate, c.AlertBurst), factor: c.TrafficSpike.Factor}
	for d, src := range [numDetectors]Rule{c.AuthFailures, c.CredentialStuffing, c.InjectionRepeat,
		c.AuthFailures, c.Enumeration, c.TrafficSpike.Rule} {
		r.det[d] = compileRule(src)
	}
	if s := c.TrafficSpike; s.Enabled {
		r.alpha = 1 - math.Exp(-float64(s.Window)/float64(s.Baseline))
		r.warm = uint16(min((s.WarmUp+s.Window-1)/s.Window, math.MaxUint16))
	}
	r.ipIdle = r.horizon(detAuthIP, detInjection, 0)
	r.idIdle = r.horizon(detAuthIdentity, detSpike, c.TrafficSpike.Baseline)
	return r, nil
}

func compileRule(src Rule) rule {
	if src.Action == "" {
		src.Action = ActionAlert
	}
	if src.Cooldown == 0 {
		src.Cooldown = src.Window
	}
	return rule{on: src.Enabled, threshold: float64(src.Threshold), window: max(int64(src.Window), 1),
		cooldown: uint32(max(src.Cooldown/time.Second, 1)), src: src}
}

// horizon is how long, in seconds, an entry holds information for the
// detectors from..to: two windows, a cooldown, or at least keep.
func (r *rules) horizon(from, to detector, keep time.Duration) uint32 {
	h := keep
	for d := from; d <= to; d++ {
		if r.det[d].on {
			h = max(h, 2*r.det[d].src.Window, r.det[d].src.Cooldown)
		}
	}
	return uint32(h / time.Second)
}
