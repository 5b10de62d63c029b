// Package storetest holds the contract tests every store backend runs, so
// the backends cannot drift apart.
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

// T0 is the time the contract tests start at.
var T0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// Replicas opens two handles on one new, empty store: two processes
// (gateway replicas) sharing it.
type Replicas func(t *testing.T) (a, b store.Store)

// Blocks runs the store.Blocks contract on a backend.
func Blocks(t *testing.T, open Replicas) {
	for _, tc := range []struct {
		name string
		run  func(*testing.T, store.Blocks, store.Blocks)
	}{
		{"add is seen by the other replica", addSeenByOther},
		{"add never shortens", addNeverShortens},
		{"lift", lift},
		{"expired blocks are ignored and pruned", expiredIgnoredAndPruned},
		{"invalid blocks are refused", invalidRefused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := open(t)
			tc.run(t, a.Blocks(), b.Blocks())
		})
	}
}

func block(kind, value string, from time.Time, d time.Duration) store.Block {
	return store.Block{Kind: kind, Value: value, Detector: "auth_failures", Reason: "40 failures in 10s",
		Created: from, Until: from.Add(d)}
}

func addSeenByOther(t *testing.T, a, b store.Blocks) {
	ctx := context.Background()
	r0 := revision(t, b)
	want := []store.Block{
		block(store.BlockIP, "203.0.113.7", T0, time.Hour),
		block(store.BlockIP, "2001:db8:1:2::/64", T0, time.Hour),
		block(store.BlockIdentity, "key:ab:c d", T0, time.Minute),
	}
	for _, w := range want {
		got, err := a.Add(ctx, w)
		if err != nil || !same(got, w) {
			t.Fatalf("Add = %+v, %v; want %+v", got, err, w)
		}
	}
	if revision(t, b) == r0 {
		t.Fatal("revision unchanged after Add")
	}
	got := active(t, b, T0.Add(time.Second))
	if len(got) != len(want) {
		t.Fatalf("other replica sees %d blocks, want %d: %+v", len(got), len(want), got)
	}
	for _, w := range want {
		if g, ok := got[w.Kind+" "+w.Value]; !ok || !same(g, w) {
			t.Errorf("other replica: %s %s = %+v, want %+v", w.Kind, w.Value, g, w)
		}
	}
}

func addNeverShortens(t *testing.T, a, b store.Blocks) {
	ctx := context.Background()
	long := block(store.BlockIP, "198.51.100.1", T0, time.Hour)
	mustAdd(t, a, long)
	r := revision(t, a)
	short := block(store.BlockIP, "198.51.100.1", T0.Add(time.Minute), time.Minute)
	short.Detector = "admin"
	got, err := b.Add(ctx, short)
	if err != nil || !same(got, long) {
		t.Fatalf("shorter Add = %+v, %v; want the longer block kept", got, err)
	}
	if revision(t, a) != r {
		t.Fatal("a kept block changed the revision")
	}
	longer := block(store.BlockIP, "198.51.100.1", T0.Add(time.Minute), 2*time.Hour)
	longer.Detector = "injection_repeat"
	if got := mustAdd(t, b, longer); !same(got, longer) {
		t.Fatalf("longer Add = %+v", got)
	}
	if revision(t, a) == r {
		t.Fatal("an extension did not change the revision")
	}
	if g := active(t, a, T0.Add(90*time.Minute))["ip 198.51.100.1"]; !same(g, longer) {
		t.Fatalf("after extension: %+v", g)
	}
}

func lift(t *testing.T, a, b store.Blocks) {
	ctx := context.Background()
	mustAdd(t, a, block(store.BlockIdentity, "alice", T0, time.Hour))
	r := revision(t, a)
	if err := b.Lift(ctx, store.BlockIdentity, "alice"); err != nil {
		t.Fatal(err)
	}
	if revision(t, a) == r {
		t.Fatal("Lift did not change the revision")
	}
	if n := len(active(t, a, T0)); n != 0 {
		t.Fatalf("%d blocks after Lift", n)
	}
	if err := a.Lift(ctx, store.BlockIdentity, "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second Lift: %v, want ErrNotFound", err)
	}
}

func expiredIgnoredAndPruned(t *testing.T, a, b store.Blocks) {
	mustAdd(t, a, block(store.BlockIP, "192.0.2.1", T0, time.Minute))
	mustAdd(t, a, block(store.BlockIP, "192.0.2.2", T0, time.Hour))
	at := T0.Add(time.Minute) // the first ends exactly now: no longer in force
	if got := active(t, b, at); len(got) != 1 || got["ip 192.0.2.2"].Value == "" {
		t.Fatalf("active at its end: %+v", got)
	}
	// The next Add deletes it: even a look back in time no longer finds it.
	mustAdd(t, b, block(store.BlockIP, "192.0.2.3", at.Add(time.Second), time.Hour))
	if got := active(t, a, T0); len(got) != 2 || got["ip 192.0.2.1"].Value != "" {
		t.Fatalf("expired block not pruned: %+v", got)
	}
	// An expired block does not keep a new one from being written.
	again := block(store.BlockIP, "192.0.2.1", at.Add(time.Second), time.Minute)
	if got := mustAdd(t, b, again); !same(got, again) {
		t.Fatalf("re-block = %+v", got)
	}
}

func invalidRefused(t *testing.T, a, _ store.Blocks) {
	for _, bad := range []store.Block{
		block("route", "x", T0, time.Hour),
		block(store.BlockIP, "::ffff:192.0.2.1", T0, time.Hour),
		block(store.BlockIdentity, "", T0, time.Hour),
		block(store.BlockIP, "192.0.2.1", T0, 0),
	} {
		if _, err := a.Add(context.Background(), bad); !errors.Is(err, store.ErrInvalidBlock) {
			t.Errorf("Add(%+v) = %v, want ErrInvalidBlock", bad, err)
		}
	}
}

func mustAdd(t *testing.T, s store.Blocks, b store.Block) store.Block {
	t.Helper()
	got, err := s.Add(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func active(t *testing.T, s store.Blocks, now time.Time) map[string]store.Block {
	t.Helper()
	list, err := s.Active(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]store.Block, len(list))
	for _, b := range list {
		m[b.Kind+" "+b.Value] = b
	}
	return m
}

func revision(t *testing.T, s store.Blocks) uint64 {
	t.Helper()
	r, err := s.Revision(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// same compares blocks field by field, times with Equal.
func same(a, b store.Block) bool {
	return a.Kind == b.Kind && a.Value == b.Value && a.Detector == b.Detector && a.Reason == b.Reason &&
		a.Created.Equal(b.Created) && a.Until.Equal(b.Until)
}
