package ratelimit

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/pipeline"
)

func TestAppendKey(t *testing.T) {
	x := func(ip string, p *pipeline.Principal) *pipeline.Exchange {
		return &pipeline.Exchange{ClientIP: netip.MustParseAddr(ip), Principal: p}
	}
	long := strings.Repeat("s", 200)
	for _, tc := range []struct {
		kind KeyKind
		x    *pipeline.Exchange
		want string
	}{
		{ByIdentity, x("192.0.2.1", &pipeline.Principal{Method: "api_key", KeyID: "k7Qx2mPa", Subject: "svc"}), "r:id:api_key:k7Qx2mPa"},
		{ByIdentity, x("192.0.2.1", &pipeline.Principal{Method: "jwt", Subject: "alice:1"}), "r:id:jwt:alice:1"},
		{ByIdentity, x("192.0.2.1", nil), "r:ip:192.0.2.1"},
		{ByIdentity, x("192.0.2.1", &pipeline.Principal{Method: "jwt"}), "r:ip:192.0.2.1"},
		{ByIdentity, x("192.0.2.1", &pipeline.Principal{Method: "jwt", Subject: long}), "r:id:jwt:~"},
		{ByIP, x("192.0.2.1", &pipeline.Principal{Method: "jwt", Subject: "a"}), "r:ip:192.0.2.1"},
		{ByIP, x("::ffff:192.0.2.1", nil), "r:ip:192.0.2.1"},
		{ByIP, x("2001:db8:a:b:c:d:e:f", nil), "r:ip:2001:db8:a:b::/64"},
		{ByIP, x("fe80::1%eth0", nil), "r:ip:fe80::/64"},
		{ByRoute, x("192.0.2.1", nil), "r:route"},
	} {
		got := string(AppendKey(nil, "r", tc.kind, tc.x))
		if got != tc.want && !(strings.HasSuffix(tc.want, "~") && strings.HasPrefix(got, tc.want) && len(got) == len(tc.want)+43) {
			t.Errorf("kind %d %v: got %q, want %q", tc.kind, tc.x.ClientIP, got, tc.want)
		}
	}
}

func TestNewLimitRounding(t *testing.T) {
	for _, tc := range []struct {
		rate, burst int
		per         string
		interval    string
	}{
		{600, 50, "1m", "100ms"},
		{3, 1, "1s", "333.334ms"}, // rounded up to a whole µs: never more than configured
		{1_000_000, 1, "1s", "1µs"},
		{1, 1, "720h", "720h0m0s"},
	} {
		per, _ := timeParse(tc.per)
		l, err := NewLimit(tc.rate, per, tc.burst)
		if err != nil {
			t.Fatal(err)
		}
		if l.Interval().String() != tc.interval || l.Tolerance() != l.Interval()*timeDur(tc.burst-1) {
			t.Errorf("%d per %s: T=%s τ=%s", tc.rate, tc.per, l.Interval(), l.Tolerance())
		}
	}
}

func TestDecisionSeconds(t *testing.T) {
	l, _ := NewLimit(1, 90*1e9, 1) // T = 90s
	_, d := l.Decide(0, 1e9)
	if !d.Allowed || d.ResetSeconds() != 90 || d.RetryAfterSeconds() != 0 {
		t.Fatalf("%+v", d)
	}
	_, d = l.Decide(1e9+90e9, 1e9+0.5e9) // 89.5s to go
	if d.Allowed || d.RetryAfterSeconds() != 90 || d.ResetSeconds() != 90 {
		t.Fatalf("%+v", d)
	}
	_, d = l.Decide(1e9+90e9, 1e9+90e9-1) // 1ns to go: still at least 1s
	if d.Allowed || d.RetryAfterSeconds() != 1 {
		t.Fatalf("%+v", d)
	}
}
