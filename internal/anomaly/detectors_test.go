package anomaly

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

// attack is a simulated attack: it feeds events from start and names the
// alert it must raise.
type attack struct {
	name     string
	feed     func(feed func(Event), start time.Time)
	detector string
	key      string
	offender string
	// within is the longest time from start to the alert.
	within time.Duration
}

var attacks = []attack{
	{"40 invalid keys in 4s from one IP", func(feed func(Event), s time.Time) {
		for i := range 40 {
			feed(failure(s.Add(time.Duration(i)*100*time.Millisecond), "203.0.113.7", i+1))
		}
	}, DetectorAuthFailures, store.BlockIP, "203.0.113.7", 3 * time.Second},

	{"TOTP brute force on one identity from 25 IPs", func(feed func(Event), s time.Time) {
		for i := range 30 {
			ev := request(s.Add(time.Duration(i)*200*time.Millisecond), fmt.Sprintf("198.51.100.%d", i%25+1),
				"key:victim", "refund-order", "o-1", 401)
			ev.Code = "step-up-required"
			feed(ev)
		}
	}, DetectorAuthFailures, store.BlockIdentity, "key:victim", 5 * time.Second},

	{"slow credential stuffing: a new key every 5s", func(feed func(Event), s time.Time) {
		for i := range 14 {
			feed(failure(s.Add(time.Duration(i)*5*time.Second), "192.0.2.44", 1000+i))
		}
	}, DetectorCredentialStuffing, store.BlockIP, "192.0.2.44", time.Minute},

	{"revoked keys tried by id", func(feed func(Event), s time.Time) {
		for i := range 25 {
			ev := failure(s.Add(time.Duration(i)*300*time.Millisecond), "192.0.2.45", 0)
			ev.KeyID = "k0001"
			feed(ev)
		}
	}, DetectorAuthFailures, store.BlockIdentity, "key:k0001", 10 * time.Second},

	{"BOLA probing: one identity, many object ids, 404/403", func(feed func(Event), s time.Time) {
		for i := range 60 {
			status := 404
			if i%4 == 0 {
				status = 403
			}
			feed(request(s.Add(time.Duration(i)*500*time.Millisecond), "192.0.2.9", "jwt-mallory",
				"get-order", fmt.Sprint(5000+i), status))
		}
	}, DetectorEnumeration, store.BlockIdentity, "jwt-mallory", 30 * time.Second},

	{"traffic spike: 20/min for an hour, then 1000/min", func(feed func(Event), s time.Time) {
		for i := range 20 * 60 {
			feed(request(s.Add(time.Duration(i)*3*time.Second), "192.0.2.10", "key:batch", "list-orders", "", 200))
		}
		spike := s.Add(time.Hour)
		for i := range 1000 {
			feed(request(spike.Add(time.Duration(i)*60*time.Millisecond), "192.0.2.10", "key:batch", "list-orders", "", 200))
		}
	}, DetectorTrafficSpike, store.BlockIdentity, "key:batch", time.Hour + time.Minute},

	{"injection repeated from one IPv6 /64", func(feed func(Event), s time.Time) {
		for i := range 6 {
			feed(Event{Time: s.Add(time.Duration(i) * 5 * time.Second), Route: "create-order",
				ClientIP: netip.MustParseAddr(fmt.Sprintf("2001:db8:1:2::%x", 0x99+i)), Status: 403, Code: CodeInjection})
		}
	}, DetectorInjectionRepeat, store.BlockIP, "2001:db8:1:2::/64", 30 * time.Second},
}

func TestDetectorsFireOnAttacks(t *testing.T) {
	for _, tc := range attacks {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{e: newEngine(t, Defaults())}
			start := t0.Add(3 * time.Second)
			tc.feed(r.feed, start)
			got := r.of(tc.detector, tc.key)
			if len(got) != 1 {
				t.Fatalf("%d %s alerts, want 1; all: %+v", len(got), tc.detector, r.alerts)
			}
			a := got[0]
			if a.Key != tc.key || a.Offender() != tc.offender {
				t.Errorf("offender %s %s, want %s %s", a.Key, a.Offender(), tc.key, tc.offender)
			}
			if d := a.Time.Sub(start); d > tc.within {
				t.Errorf("raised %v after the attack started, want within %v", d, tc.within)
			}
			if a.Count < a.Threshold || a.Action != ActionAlert || !a.BlockUntil.IsZero() {
				t.Errorf("alert %+v", a)
			}
			t.Logf("%s", a.Detail())
		})
	}
}

// The contract: 40 invalid keys in a few seconds raise an alert within
// 3 s, wherever the attack falls against the window's buckets.
func TestFortyInvalidKeysWithinThreeSeconds(t *testing.T) {
	for _, offset := range []time.Duration{0, 3 * time.Second, 7500 * time.Millisecond, 9900 * time.Millisecond} {
		t.Run(offset.String(), func(t *testing.T) {
			r := &recorder{e: newEngine(t, Defaults())}
			start := t0.Add(offset)
			for i := range 40 {
				r.feed(failure(start.Add(time.Duration(i)*100*time.Millisecond), "203.0.113.7", i+1))
			}
			got := r.of(DetectorAuthFailures, store.BlockIP)
			if len(got) != 1 || got[0].Time.Sub(start) > 3*time.Second {
				t.Fatalf("alerts %+v", got)
			}
		})
	}
}

// Per detector and offender, one alert per cooldown.
func TestCooldown(t *testing.T) {
	r := &recorder{e: newEngine(t, Defaults())}
	for i := range 10 * 300 { // 10 failures a second for 5 minutes
		r.feed(failure(t0.Add(time.Duration(i)*100*time.Millisecond), "203.0.113.7", 0))
	}
	got := r.of(DetectorAuthFailures, store.BlockIP)
	if len(got) != 5 {
		t.Fatalf("%d alerts in 5 minutes with a 1m cooldown, want 5", len(got))
	}
	for i := 1; i < len(got); i++ {
		if d := got[i].Time.Sub(got[i-1].Time); d < time.Minute {
			t.Fatalf("alerts %v apart", d)
		}
	}
	// Another offender has its own cooldown.
	for i := range 20 {
		r.feed(failure(t0.Add(5*time.Minute+time.Duration(i)*time.Millisecond), "203.0.113.8", 0))
	}
	if n := len(r.of(DetectorAuthFailures, store.BlockIP)); n != 6 {
		t.Fatalf("%d alerts after a second offender, want 6", n)
	}
}

func TestDisabledDetectorsAndBlockedEvents(t *testing.T) {
	cfg := Defaults()
	cfg.AuthFailures.Enabled = false
	r := &recorder{e: newEngine(t, cfg)}
	for i := range 40 {
		r.feed(failure(t0.Add(time.Duration(i)*100*time.Millisecond), "203.0.113.7", 0))
	}
	r2 := &recorder{e: newEngine(t, Defaults())}
	for i := range 100 { // refused by a block: never counted
		ev := failure(t0.Add(time.Duration(i)*10*time.Millisecond), "203.0.113.7", i+1)
		ev.Status, ev.Code = 403, CodeClientBlocked
		r2.feed(ev)
	}
	if len(r.alerts)+len(r2.alerts) != 0 {
		t.Fatalf("alerts %+v %+v", r.alerts, r2.alerts)
	}
}

func TestActionBlockSetsBlockUntil(t *testing.T) {
	cfg := Defaults()
	cfg.InjectionRepeat.Action = ActionBlock
	e, err := New(cfg, SinkFunc(nil), WithBlocker(NewBlockList(nil))) // never called: Run is not running
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{e: e}
	for i := range 5 {
		r.feed(Event{Time: t0.Add(time.Duration(i) * time.Second), ClientIP: netip.MustParseAddr("::ffff:192.0.2.1"),
			Status: 403, Code: CodeInjection})
	}
	if len(r.alerts) != 1 {
		t.Fatalf("alerts %+v", r.alerts)
	}
	b := r.alerts[0].Block()
	if b.Kind != store.BlockIP || b.Value != "192.0.2.1" || !b.Until.Equal(t0.Add(4*time.Second+time.Hour)) || b.Validate() != nil {
		t.Fatalf("block %+v", b)
	}
}

func TestNewRefusesBlockWithoutBlocker(t *testing.T) {
	cfg := Defaults()
	cfg.Enumeration.Action = ActionBlock
	if _, err := New(cfg, SinkFunc(nil)); err == nil {
		t.Fatal("New without blocker accepted action block")
	}
}
