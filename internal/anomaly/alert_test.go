package anomaly

import (
	"context"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestAlertOffenderDetailJSON(t *testing.T) {
	a := Alert{Time: t0, Detector: DetectorAuthFailures, Key: "identity", ClientIP: netip.MustParseAddr("192.0.2.1"),
		KeyID: "k1", Route: "get-order", Count: 21, Threshold: 20, Window: 10 * time.Second, Action: ActionBlock,
		BlockUntil: t0.Add(15 * time.Minute), Suppressed: 3}
	if a.Offender() != "key:k1" {
		t.Fatalf("offender %q", a.Offender())
	}
	want := "21 authentication failures in 10s from identity key:k1 (threshold 20); blocked until 2026-11-27T12:15:00Z; 3 alerts suppressed before this one"
	if a.Detail() != want {
		t.Fatalf("detail %q", a.Detail())
	}
	js, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"type": "alert", "detector": "auth_failures", "offender": "key:k1", "key": "identity",
		"client_ip": "192.0.2.1", "subject": "key:k1", "count": 21.0, "window_seconds": 10.0, "action": "block",
		"block_until": "2026-11-27T12:15:00Z", "suppressed": 3.0} {
		if m[k] != v {
			t.Errorf("%s = %v, want %v (in %s)", k, m[k], v, js)
		}
	}
	a.Key, a.ClientIP = "ip", netip.MustParseAddr("2001:db8::1")
	if a.Offender() != "2001:db8::/64" || !strings.Contains(a.Block().Value, "/64") {
		t.Fatalf("ipv6 offender %q", a.Offender())
	}
}

// A key id without subject is the identity "key:<id>", the Subject of an
// API-key principal: both share one count.
func TestKeyIDAndSubjectAreOneIdentity(t *testing.T) {
	e := newEngine(t, Defaults())
	if e.identityHash(&Event{KeyID: "k1"}) != e.identityHash(&Event{Subject: "key:k1"}) {
		t.Fatal("key id and subject hash differently")
	}
}

func TestSinks(t *testing.T) {
	var got []string
	s := Sinks(SinkFunc(func(_ context.Context, a Alert) { got = append(got, "1"+a.Detector) }),
		SinkFunc(func(_ context.Context, a Alert) { got = append(got, "2"+a.Detector) }))
	s.Alert(context.Background(), Alert{Detector: "x"})
	if strings.Join(got, ",") != "1x,2x" {
		t.Fatal(got)
	}
}
