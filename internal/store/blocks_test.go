package store

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestIPBlockValue(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := IPBlockValue(netip.MustParseAddr(tc.in)); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			b := Block{Kind: BlockIP, Value: tc.want, Created: time.Unix(1, 0), Until: time.Unix(2, 0)}
			if err := b.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestBlockValidate(t *testing.T) {
	c, u := time.Unix(100, 0), time.Unix(200, 0)
	for _, tc := range []struct {
		name string
		b    Block
		ok   bool
	}{
		{"ipv4", Block{Kind: BlockIP, Value: "192.0.2.1"}, true},
		{"ipv6 address", Block{Kind: BlockIP, Value: "2001:db8::1"}, true},
		{"ipv6 /64", Block{Kind: BlockIP, Value: "2001:db8::/64"}, true},
		{"identity", Block{Kind: BlockIdentity, Value: "key:abc"}, true},
		{"mapped", Block{Kind: BlockIP, Value: "::ffff:192.0.2.1"}, false},
		{"not canonical", Block{Kind: BlockIP, Value: "2001:0db8::1"}, false},
		{"ipv4 prefix", Block{Kind: BlockIP, Value: "192.0.2.0/24"}, false},
		{"ipv6 /48", Block{Kind: BlockIP, Value: "2001:db8::/48"}, false},
		{"unmasked /64", Block{Kind: BlockIP, Value: "2001:db8::1/64"}, false},
		{"zone", Block{Kind: BlockIP, Value: "fe80::1%eth0"}, false},
		{"garbage", Block{Kind: BlockIP, Value: "example.com"}, false},
		{"empty identity", Block{Kind: BlockIdentity}, false},
		{"long identity", Block{Kind: BlockIdentity, Value: strings.Repeat("a", MaxBlockValue+1)}, false},
		{"bad utf8", Block{Kind: BlockIdentity, Value: "\xff"}, false},
		{"kind", Block{Kind: "route", Value: "x"}, false},
		{"until before created", Block{Kind: BlockIP, Value: "192.0.2.1", Until: c.Add(-time.Second)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.b.Created.IsZero() {
				tc.b.Created = c
			}
			if tc.b.Until.IsZero() {
				tc.b.Until = u
			}
			err := tc.b.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate: %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidBlock) {
				t.Fatalf("%v does not wrap ErrInvalidBlock", err)
			}
		})
	}
}
