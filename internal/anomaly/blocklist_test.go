package anomaly

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

// backends are two replicas sharing one store of each kind.
var backends = []struct {
	name string
	open func(*testing.T) (store.Store, store.Store)
}{{"sqlite", sqliteReplicas}, {"redis", redisReplicas}}

func newLists(t *testing.T, clk *testClock, stores ...store.Store) []*BlockList {
	t.Helper()
	var out []*BlockList
	for _, s := range stores {
		l := NewBlockList(s.Blocks(), WithBlockClock(clk.now))
		mustRefresh(t, l)
		out = append(out, l)
	}
	return out
}

func mustRefresh(t *testing.T, l *BlockList) {
	t.Helper()
	if err := l.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func mustBlock(t *testing.T, l *BlockList, kind, value string, d time.Duration) {
	t.Helper()
	b := store.Block{Kind: kind, Value: value, Detector: "admin", Created: t0, Until: t0.Add(d)}
	if _, err := l.Add(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func blocked(l *BlockList, ip, subject string) bool {
	var a netip.Addr
	if ip != "" {
		a = netip.MustParseAddr(ip)
	}
	_, ok := l.Blocked(a, subject)
	return ok
}

func TestBlockListAcrossReplicas(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			clk := &testClock{t: t0}
			sa, sb := be.open(t)
			ls := newLists(t, clk, sa, sb)
			a, b := ls[0], ls[1]

			mustBlock(t, a, store.BlockIP, "203.0.113.7", 10*time.Minute)
			if !blocked(a, "203.0.113.7", "") || !blocked(a, "::ffff:203.0.113.7", "") {
				t.Fatal("not blocked at once by the replica that added it")
			}
			if blocked(b, "203.0.113.7", "") {
				t.Fatal("blocked by the other replica before its refresh")
			}
			mustRefresh(t, b)
			if !blocked(b, "203.0.113.7", "") || blocked(b, "203.0.113.8", "") {
				t.Fatal("other replica after refresh")
			}

			mustBlock(t, b, store.BlockIP, "2001:db8:1:2::/64", 5*time.Minute)
			mustBlock(t, b, store.BlockIdentity, "key:k1", 5*time.Minute)
			mustRefresh(t, a)
			for _, tc := range []struct {
				ip, subject string
				want        bool
			}{
				{"2001:db8:1:2::abcd", "", true},
				{"2001:db8:1:3::1", "", false},
				{"", "key:k1", true},
				{"192.0.2.1", "key:k1", true},
				{"192.0.2.1", "key:k2", false},
			} {
				if got := blocked(a, tc.ip, tc.subject); got != tc.want {
					t.Errorf("Blocked(%q, %q) = %v, want %v", tc.ip, tc.subject, got, tc.want)
				}
			}

			if err := b.Lift(context.Background(), store.BlockIP, "203.0.113.7"); err != nil {
				t.Fatal(err)
			}
			mustRefresh(t, a)
			if blocked(a, "203.0.113.7", "") || blocked(b, "203.0.113.7", "") {
				t.Fatal("lifted block still in force")
			}

			clk.advance(5 * time.Minute) // ended: no refresh needed
			if blocked(a, "2001:db8:1:2::1", "") || blocked(a, "", "key:k1") {
				t.Fatal("expired block still in force")
			}
			clk.advance(DefaultMaxStale)
			mustRefresh(t, a)
			if a.Len() != 0 {
				t.Fatalf("%d blocks after expiry", a.Len())
			}
		})
	}
}

func TestDenyAnswers403WithRetryAfter(t *testing.T) {
	clk := &testClock{t: t0}
	s, _ := sqliteReplicas(t)
	l := newLists(t, clk, s)[0]
	mustBlock(t, l, store.BlockIdentity, "key:k1", 90*time.Second)
	clk.advance(500 * time.Millisecond)
	if p := l.Deny(netip.Addr{}, "key:k2"); p != nil {
		t.Fatalf("Deny of another identity: %v", p)
	}
	p := l.Deny(netip.Addr{}, "key:k1")
	if p == nil || p.Status != 403 || p.Code != CodeClientBlocked || p.Header.Get("Retry-After") != "90" {
		t.Fatalf("Deny = %+v", p)
	}
}

// A block added while the store fails is in force here at once; a
// failing refresh keeps the list.
func TestBlockListStoreDown(t *testing.T) {
	clk := &testClock{t: t0}
	s, _ := sqliteReplicas(t)
	l := newLists(t, clk, s)[0]
	mustBlock(t, l, store.BlockIP, "192.0.2.1", time.Hour)
	s.Close()
	_, err := l.Add(context.Background(), store.Block{Kind: store.BlockIP, Value: "192.0.2.2", Detector: "admin",
		Created: t0, Until: t0.Add(time.Minute)})
	if err == nil || !blocked(l, "192.0.2.2", "") {
		t.Fatalf("Add on a closed store: %v; want an error and the block in force here", err)
	}
	clk.advance(2 * DefaultMaxStale)
	if err := l.Refresh(context.Background()); err == nil {
		t.Fatal("Refresh on a closed store succeeded")
	}
	if !blocked(l, "192.0.2.1", "") || blocked(l, "192.0.2.2", "") {
		t.Fatal("list not kept, or an ended block still in force")
	}
	if _, err := l.Add(context.Background(), store.Block{Kind: "route"}); !errors.Is(err, store.ErrInvalidBlock) {
		t.Fatalf("invalid block: %v", err)
	}
}

// The test: an attack seen by one replica with action block is
// refused by the other through the shared store.
func TestBlockHonouredBySecondReplica(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			clk := &testClock{t: t0}
			sa, sb := be.open(t)
			ls := newLists(t, clk, sa, sb)
			cfg := Defaults()
			cfg.AuthFailures.Action, cfg.AuthFailures.BlockFor = ActionBlock, 15*time.Minute
			got := make(chan Alert, 4)
			e, err := New(cfg, SinkFunc(func(_ context.Context, a Alert) { got <- a }), WithBlocker(ls[0]), WithClock(clk.now),
				WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go e.Run(ctx)
			for range 40 {
				clk.advance(100 * time.Millisecond)
				e.Observe(failure(time.Time{}, "2001:db8:5:6::7", 0))
			}
			select {
			case a := <-got:
				if a.Action != ActionBlock || !a.BlockUntil.After(clk.t) {
					t.Fatalf("alert %+v", a)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no alert")
			}
			mustRefresh(t, ls[1])
			if p := ls[1].Deny(netip.MustParseAddr("2001:db8:5:6::1:2"), ""); p == nil || p.Code != CodeClientBlocked {
				t.Fatalf("second replica: %v", p)
			}
			if p := ls[1].Deny(netip.MustParseAddr("2001:db8:5:7::1"), ""); p != nil {
				t.Fatalf("another /64 refused: %v", p)
			}
		})
	}
}
