package anomaly

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

// Detector names: the `detector` of an alert record and the label of
// apiguard_alerts_total.
const (
	DetectorAuthFailures       = "auth_failures"
	DetectorCredentialStuffing = "credential_stuffing"
	DetectorEnumeration        = "enumeration"
	DetectorTrafficSpike       = "traffic_spike"
	DetectorInjectionRepeat    = "injection_repeat"
)

// Alert is one detection. The offender is the client IP (Key ==
// store.BlockIP; for IPv6 its /64) or the identity (store.BlockIdentity);
// the other fields are context from the request that raised it.
type Alert struct {
	Time     time.Time
	Detector string
	// Key says what the detector counted by: store.BlockIP or
	// store.BlockIdentity (Offender formats it).
	Key      string
	ClientIP netip.Addr
	// Subject and KeyID are the identity of the request that raised the
	// alert (Event.Subject, Event.KeyID).
	Subject, KeyID string
	Route          string
	// Count is the estimated count in Window that reached Threshold (for
	// traffic_spike: requests in Window; Baseline is the average).
	Count, Threshold int
	Window           time.Duration
	Baseline         float64
	Action           Action
	// BlockUntil is when the block ends (ActionBlock only).
	BlockUntil time.Time
	// Suppressed counts alerts withheld (global limit, full queue) since
	// the previous alert that was raised.
	Suppressed uint64
}

// Offender is the blocked value of the alert: the client IP as
// store.IPBlockValue formats it, or the identity.
func (a Alert) Offender() string {
	if a.Key == store.BlockIP {
		return store.IPBlockValue(a.ClientIP)
	}
	return a.identity()
}

// identity is the identity of the request that raised the alert.
func (a Alert) identity() string {
	ev := Event{Subject: a.Subject, KeyID: a.KeyID}
	return ev.identity()
}

// counted names what each detector counts, for Detail.
var counted = map[string]string{
	DetectorAuthFailures:       "authentication failures",
	DetectorCredentialStuffing: "distinct failing credentials",
	DetectorEnumeration:        "distinct objects answered 403/404",
	DetectorTrafficSpike:       "requests",
	DetectorInjectionRepeat:    "injection attempts blocked",
}

// Detail is a one-line human-readable cause, for the audit record.
func (a Alert) Detail() string {
	s := fmt.Sprintf("%d %s in %s from %s %s (threshold %d)", a.Count, counted[a.Detector], a.Window, a.Key, a.Offender(), a.Threshold)
	if a.Detector == DetectorTrafficSpike {
		s += fmt.Sprintf(", baseline %.1f", a.Baseline)
	}
	if !a.BlockUntil.IsZero() {
		s += "; blocked until " + a.BlockUntil.UTC().Format(time.RFC3339)
	}
	if a.Suppressed > 0 {
		s += fmt.Sprintf("; %d alerts suppressed before this one", a.Suppressed)
	}
	return s
}

// Block is the block ActionBlock stores for the alert.
func (a Alert) Block() store.Block {
	return store.Block{Kind: a.Key, Value: a.Offender(), Detector: a.Detector, Reason: a.Detail(),
		Created: a.Time, Until: a.BlockUntil}
}

// alertJSON is the JSON form of an Alert (webhook, admin API).
type alertJSON struct {
	Time          time.Time  `json:"time"`
	Type          string     `json:"type"`
	Detector      string     `json:"detector"`
	Key           string     `json:"key"`
	Offender      string     `json:"offender"`
	ClientIP      netip.Addr `json:"client_ip,omitzero"`
	Subject       string     `json:"subject,omitempty"`
	Route         string     `json:"route,omitempty"`
	Count         int        `json:"count"`
	Threshold     int        `json:"threshold"`
	WindowSeconds float64    `json:"window_seconds"`
	Action        Action     `json:"action"`
	BlockUntil    time.Time  `json:"block_until,omitzero"`
	Suppressed    uint64     `json:"suppressed,omitempty"`
	Detail        string     `json:"detail"`
}

// MarshalJSON writes the alert as {"time", "type": "alert", "detector",
// "key", "offender", "client_ip", "subject", "route", "count",
// "threshold", "window_seconds", "action", "block_until", "suppressed",
// "detail"}.
func (a Alert) MarshalJSON() ([]byte, error) {
	return json.Marshal(alertJSON{
		Time: a.Time.UTC(), Type: "alert", Detector: a.Detector, Key: a.Key, Offender: a.Offender(),
		ClientIP: a.ClientIP, Subject: a.identity(), Route: a.Route,
		Count: a.Count, Threshold: a.Threshold, WindowSeconds: a.Window.Seconds(), Action: a.Action,
		BlockUntil: a.BlockUntil.UTC(), Suppressed: a.Suppressed, Detail: a.Detail(),
	})
}

// Sink receives alerts, one at a time, from Engine.Run. It must not keep
// the request path waiting: it runs on the engine's goroutine.
type Sink interface {
	Alert(ctx context.Context, a Alert)
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(ctx context.Context, a Alert)

// Alert implements Sink.
func (f SinkFunc) Alert(ctx context.Context, a Alert) { f(ctx, a) }

// Sinks sends every alert to each sink in order.
func Sinks(sinks ...Sink) Sink {
	return SinkFunc(func(ctx context.Context, a Alert) {
		for _, s := range sinks {
			s.Alert(ctx, a)
		}
	})
}
