package anomaly

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// testClock is a settable clock.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time          { return c.t }
func (c *testClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// newEngine builds an engine whose alerts the test reads with drain.
func newEngine(t testing.TB, cfg Config, opts ...Option) *Engine {
	t.Helper()
	e, err := New(cfg, SinkFunc(func(context.Context, Alert) {}), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// drain returns the queued alerts without running the engine.
func drain(e *Engine) []Alert {
	var out []Alert
	for {
		select {
		case a := <-e.out:
			out = append(out, a)
		default:
			return out
		}
	}
}

// recorder feeds events to an engine and keeps every alert raised.
type recorder struct {
	e      *Engine
	alerts []Alert
}

func (r *recorder) feed(ev Event) {
	r.e.Observe(ev)
	r.alerts = append(r.alerts, drain(r.e)...)
}

// of returns the alerts of detector counted by key.
func (r *recorder) of(detector, key string) []Alert {
	var out []Alert
	for _, a := range r.alerts {
		if a.Detector == detector && a.Key == key {
			out = append(out, a)
		}
	}
	return out
}

// failure is a 401 from ip presenting credential number cred (0: no
// fingerprint).
func failure(at time.Time, ip string, cred int) Event {
	ev := Event{Time: at, ClientIP: netip.MustParseAddr(ip), Route: "get-order", Status: 401, Code: "unauthenticated"}
	if cred != 0 {
		ev.CredentialFingerprint = Fingerprint(fmt.Sprintf("agk_%032d", cred))
	}
	return ev
}

// request is an authenticated request of subject answered status.
func request(at time.Time, ip, subject, route, object string, status int) Event {
	ev := Event{Time: at, ClientIP: netip.MustParseAddr(ip), Subject: subject, Route: route, Status: status, ObjectID: object}
	switch status {
	case 403:
		ev.Code = "forbidden"
	case 404:
		ev.Code = "not-found"
	}
	return ev
}
