package audit

import (
	"slices"
	"testing"
	"time"
)

func TestScopeTally(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	routes := map[string][]string{"list-orders": {"orders:read"}, "refund": {"orders:refund"}, "health": nil}
	key := Identity{Subject: "key:ci", Auth: "api_key", KeyID: "k1"}
	jwt := Identity{Subject: "alice", Auth: "jwt"}
	recs := []*Record{
		{Time: t0, Identity: key, Scopes: []string{"orders:read", "orders:write", "orders:refund"}, Route: "list-orders", Status: 200},
		{Time: t0.Add(time.Hour), Identity: key, Scopes: []string{"orders:refund", "orders:read", "orders:write"}, Route: "list-orders", Status: 404},
		// Denied: refund was not used.
		{Time: t0.Add(2 * time.Hour), Identity: key, Scopes: []string{"orders:read", "orders:write", "orders:refund"}, Route: "refund", Status: 401},
		{Time: t0.Add(time.Hour), Identity: jwt, Scopes: []string{"orders:refund"}, Route: "refund", Status: 200},
		// Too old for since.
		{Time: t0.Add(-48 * time.Hour), Identity: jwt, Scopes: []string{"orders:refund", "admin"}, Route: "health", Status: 200},
		// Not requests, or anonymous.
		{Time: t0, Type: TypeAlert, Identity: jwt, Scopes: []string{"x"}},
		{Time: t0, Route: "health", Status: 200},
	}
	tally := NewScopeTally(routes, t0.Add(-time.Hour))
	for _, r := range recs {
		tally.Add(r)
	}
	got := tally.Report()
	if len(got) != 2 {
		t.Fatalf("identities: %+v", got)
	}
	want := []ScopeUsage{
		{Identity: "jwt:alice", Subject: "alice", Auth: "jwt", Requests: 1, LastSeen: t0.Add(time.Hour),
			Granted: []string{"orders:refund"}, Used: []string{"orders:refund"}, Unused: []string{}},
		{Identity: "k1", Subject: "key:ci", Auth: "api_key", Requests: 2, LastSeen: t0.Add(time.Hour),
			Granted: []string{"orders:read", "orders:refund", "orders:write"}, Used: []string{"orders:read"},
			Unused: []string{"orders:refund", "orders:write"}},
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Identity != w.Identity || g.Subject != w.Subject || g.Auth != w.Auth || g.Requests != w.Requests ||
			!g.LastSeen.Equal(w.LastSeen) || !slices.Equal(g.Granted, w.Granted) || !slices.Equal(g.Used, w.Used) ||
			!slices.Equal(g.Unused, w.Unused) {
			t.Errorf("%d: got %+v\nwant %+v", i, g, w)
		}
	}
}
