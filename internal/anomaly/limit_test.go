package anomaly

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// burstFrom makes ip fail 20 times at once at time at: one alert.
func burstFrom(r *recorder, at time.Time, ip string) {
	for range 20 {
		r.feed(failure(at, ip, 0))
	}
}

// A distributed attack cannot flood the sink: AlertBurst alerts pass at
// once, then AlertRate a second; the rest are counted, and the next
// alert says how many were withheld.
func TestGlobalAlertLimit(t *testing.T) {
	cfg := Defaults()
	cfg.AlertRate, cfg.AlertBurst = 10, 20
	r := &recorder{e: newEngine(t, cfg)}
	for i := range 100 {
		burstFrom(r, t0, fmt.Sprintf("198.18.0.%d", i+1))
	}
	if s := r.e.Stats(); len(r.alerts) != 20 || s.Raised != 20 || s.Suppressed != 80 {
		t.Fatalf("%d alerts, stats %+v; want 20 raised, 80 suppressed", len(r.alerts), s)
	}
	burstFrom(r, t0.Add(time.Second), "198.18.1.1")
	if len(r.alerts) != 21 || r.alerts[20].Suppressed != 80 {
		t.Fatalf("next alert: %+v", r.alerts[20:])
	}
	for i := range 10 { // the second's other 9 tokens
		burstFrom(r, t0.Add(time.Second), fmt.Sprintf("198.18.2.%d", i+1))
	}
	if s := r.e.Stats(); s.Raised != 30 || s.Suppressed != 81 {
		t.Fatalf("stats %+v", s)
	}
}

// A full queue drops alerts without blocking Observe; the next alert
// raised counts them.
func TestQueueFullDrops(t *testing.T) {
	cfg := Defaults()
	cfg.Queue = 2
	e := newEngine(t, cfg)
	for i := range 5 {
		for range 20 {
			e.Observe(failure(t0, fmt.Sprintf("198.18.0.%d", i+1), 0))
		}
	}
	if got, s := drain(e), e.Stats(); len(got) != 2 || s.Dropped != 3 {
		t.Fatalf("%d queued, stats %+v", len(got), s)
	}
	r := &recorder{e: e}
	burstFrom(r, t0, "198.18.9.9")
	if len(r.alerts) != 1 || r.alerts[0].Suppressed != 3 {
		t.Fatalf("alerts %+v", r.alerts)
	}
}

// Run stores the block of an ActionBlock alert before calling the sink,
// which then sees when the block ends.
func TestRunBlocksThenCallsSink(t *testing.T) {
	cfg := Defaults()
	cfg.AuthFailures.Action, cfg.AuthFailures.BlockFor = ActionBlock, 10*time.Minute
	a0, _ := sqliteReplicas(t)
	bl := NewBlockList(a0.Blocks(), WithBlockClock(func() time.Time { return t0 }))
	got := make(chan Alert, 1)
	e, err := New(cfg, SinkFunc(func(_ context.Context, a Alert) { got <- a }), WithBlocker(bl))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.Run(ctx)
	for i := range 40 {
		e.Observe(failure(t0.Add(time.Duration(i)*100*time.Millisecond), "203.0.113.7", 0))
	}
	var a Alert
	select {
	case a = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no alert delivered")
	}
	if a.Detector != DetectorAuthFailures || !a.BlockUntil.Equal(t0.Add(1900*time.Millisecond+10*time.Minute)) {
		t.Fatalf("alert %+v", a)
	}
	if b, ok := bl.Blocked(a.ClientIP, ""); !ok || b.Detector != DetectorAuthFailures {
		t.Fatalf("not blocked: %+v", b)
	}
}
