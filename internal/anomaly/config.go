package anomaly

import (
	"errors"
	"fmt"
	"time"
)

// Action is what a detector does when it fires.
type Action string

const (
	// ActionAlert raises an alert only.
	ActionAlert Action = "alert"
	// ActionBlock raises an alert and blocks the offender (its client IP,
	// or /64 for IPv6, or its identity) for the rule's BlockFor, on every
	// replica that shares the store.
	ActionBlock Action = "block"
)

// Bounds of the configuration.
const (
	// MaxDistinctThreshold bounds the threshold of the distinct-counting
	// detectors (credential_stuffing, enumeration): they estimate with
	// 128-bit bitmaps, accurate to about ±10% up to this many.
	MaxDistinctThreshold = 64
	// MaxCountThreshold bounds the other event-count thresholds.
	MaxCountThreshold = 65535
	// MaxBlockFor bounds a block's duration.
	MaxBlockFor = 30 * 24 * time.Hour
	minWindow   = time.Second
	maxWindow   = 24 * time.Hour
)

// Rule configures one detector.
type Rule struct {
	// Enabled turns the detector on.
	Enabled bool
	// Threshold: the detector fires when the (estimated) count in the
	// sliding Window reaches it. For traffic_spike it is the minimum
	// number of requests in Window.
	Threshold int
	// Window is the sliding window (at least 1s, at most 24h).
	Window time.Duration
	// Cooldown: at most one alert per detector and offender per
	// Cooldown; zero means Window.
	Cooldown time.Duration
	// Action is ActionAlert (also "") or ActionBlock.
	Action Action
	// BlockFor is how long ActionBlock refuses the offender.
	BlockFor time.Duration
}

// SpikeRule configures traffic_spike: an identity's requests in Window
// against the moving average (EWMA) of its previous windows.
type SpikeRule struct {
	Rule
	// Factor: fires when the count exceeds Factor × the baseline (> 1).
	Factor float64
	// Baseline is the time constant of the EWMA (at least Window).
	Baseline time.Duration
	// WarmUp is how long an identity must have been tracked before it
	// can fire (its baseline means nothing before).
	WarmUp time.Duration
}

// Config is the anomaly detection configuration. Start from Defaults.
type Config struct {
	// AuthFailures counts 401 answers per client IP and per identity.
	AuthFailures Rule
	// CredentialStuffing counts distinct failing credentials per IP.
	CredentialStuffing Rule
	// Enumeration counts distinct objects answered 403/404 per identity.
	Enumeration Rule
	// TrafficSpike compares an identity's traffic with its baseline.
	TrafficSpike SpikeRule
	// InjectionRepeat counts injection blocks (waf) per client IP.
	InjectionRepeat Rule

	// AlertRate alerts per second, at most AlertBurst at once, pass the
	// global limit; the others are counted as suppressed.
	AlertRate, AlertBurst int
	// Queue bounds the alerts waiting for the sink; more are dropped.
	Queue int
	// IPCapacity and IdentityCapacity bound the client IPs (/64s) and
	// identities tracked (rounded up to a power of two); beyond them the
	// least active entry of a bucket is replaced. Fixed by New.
	IPCapacity, IdentityCapacity int
}

// Defaults returns the default configuration (docs/anomaly.md).
func Defaults() Config {
	return Config{
		AuthFailures:       Rule{true, 20, 10 * time.Second, time.Minute, ActionAlert, 15 * time.Minute},
		CredentialStuffing: Rule{true, 10, time.Minute, 5 * time.Minute, ActionAlert, time.Hour},
		Enumeration:        Rule{true, 30, time.Minute, 5 * time.Minute, ActionAlert, 15 * time.Minute},
		TrafficSpike: SpikeRule{Rule: Rule{true, 300, time.Minute, 10 * time.Minute, ActionAlert, 15 * time.Minute},
			Factor: 10, Baseline: time.Hour, WarmUp: 30 * time.Minute},
		InjectionRepeat: Rule{true, 5, time.Minute, 5 * time.Minute, ActionAlert, time.Hour},
		AlertRate:       10, AlertBurst: 20, Queue: 1024,
		IPCapacity: 1 << 16, IdentityCapacity: 1 << 15,
	}
}

// Validate checks every field; errors name the field.
func (c Config) Validate() error {
	errs := []error{
		c.AuthFailures.validate(DetectorAuthFailures, MaxCountThreshold),
		c.CredentialStuffing.validate(DetectorCredentialStuffing, MaxDistinctThreshold),
		c.Enumeration.validate(DetectorEnumeration, MaxDistinctThreshold),
		c.TrafficSpike.validate(),
		c.InjectionRepeat.validate(DetectorInjectionRepeat, MaxCountThreshold),
	}
	for _, f := range []struct {
		name    string
		v, high int
	}{{"alert_rate", c.AlertRate, 1000}, {"alert_burst", c.AlertBurst, 1000}, {"queue", c.Queue, 1 << 20},
		{"ip_capacity", c.IPCapacity, 1 << 26}, {"identity_capacity", c.IdentityCapacity, 1 << 26}} {
		if f.v < 1 || f.v > f.high {
			errs = append(errs, fmt.Errorf("anomaly: %s must be 1 to %d", f.name, f.high))
		}
	}
	return errors.Join(errs...)
}

func (r Rule) validate(name string, maxThreshold int) error {
	if !r.Enabled {
		return nil
	}
	switch {
	case r.Threshold < 1 || r.Threshold > maxThreshold:
		return fmt.Errorf("anomaly: %s.threshold must be 1 to %d", name, maxThreshold)
	case r.Window < minWindow || r.Window > maxWindow:
		return fmt.Errorf("anomaly: %s.window must be %s to %s", name, minWindow, maxWindow)
	case r.Cooldown < 0 || r.Cooldown > maxWindow:
		return fmt.Errorf("anomaly: %s.cooldown must be 0 (the window) to %s", name, maxWindow)
	case r.Action != "" && r.Action != ActionAlert && r.Action != ActionBlock:
		return fmt.Errorf("anomaly: %s.action must be alert or block, not %q", name, r.Action)
	case r.Action == ActionBlock && (r.BlockFor < time.Second || r.BlockFor > MaxBlockFor):
		return fmt.Errorf("anomaly: %s.block_for must be 1s to %s", name, MaxBlockFor)
	}
	return nil
}

func (s SpikeRule) validate() error {
	if err := s.Rule.validate(DetectorTrafficSpike, 1<<31-1); err != nil || !s.Enabled {
		return err
	}
	switch {
	case !(s.Factor > 1):
		return fmt.Errorf("anomaly: %s.factor must be greater than 1", DetectorTrafficSpike)
	case s.Baseline < s.Window:
		return fmt.Errorf("anomaly: %s.baseline must be at least the window", DetectorTrafficSpike)
	case s.WarmUp < 0:
		return fmt.Errorf("anomaly: %s.warm_up must not be negative", DetectorTrafficSpike)
	}
	return nil
}

// Blocks reports whether any enabled rule blocks.
func (c Config) Blocks() bool {
	for _, r := range []Rule{c.AuthFailures, c.CredentialStuffing, c.Enumeration, c.TrafficSpike.Rule, c.InjectionRepeat} {
		if r.Enabled && r.Action == ActionBlock {
			return true
		}
	}
	return false
}
