package store

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
	"unicode/utf8"
)

// Block kinds: what a Block refuses.
const (
	// BlockIP refuses a client IP: Value is an IPv4 or IPv6 address, or
	// an IPv6 /64 prefix (IPBlockValue).
	BlockIP = "ip"
	// BlockIdentity refuses an identity: Value is the Principal's
	// Subject ("key:<id>" for API keys).
	BlockIdentity = "identity"
)

// MaxBlockValue bounds a Block's Value (an identity) in bytes.
const MaxBlockValue = 512

// ErrInvalidBlock: a Block whose kind, value or times are not valid.
var ErrInvalidBlock = errors.New("invalid block")

// Block refuses one client IP or identity until a time. Blocks are
// written by the anomaly detectors (action: block) and the admin API, and
// honoured by every replica that shares the store.
type Block struct {
	// Kind is BlockIP or BlockIdentity.
	Kind string
	// Value is the canonical IP value (IPBlockValue) or the Subject.
	Value string
	// Detector names what created the block (an anomaly detector, or
	// "admin"); Reason is a human-readable cause. Neither is shown to
	// the refused client.
	Detector string
	Reason   string
	// Created is when the block was made; Until is when it ends.
	Created time.Time
	Until   time.Time
}

// Blocks stores blocks. A block is in force while now is before Until;
// expired blocks are never returned and are deleted by later writes.
type Blocks interface {
	// Add stores b (validated by Validate). When a block of the same
	// kind and value exists, the one that ends later wins: Add never
	// shortens a block (lift it first to do so). It returns the block in
	// force afterwards, and changes Revision when it wrote anything.
	Add(ctx context.Context, b Block) (Block, error)
	// Active returns the blocks in force at now, in no particular order.
	Active(ctx context.Context, now time.Time) ([]Block, error)
	// Lift deletes the block of kind and value, or returns ErrNotFound.
	Lift(ctx context.Context, kind, value string) error
	// Revision is a counter that changes with every Add that wrote and
	// every Lift, by any process; cheap enough to poll every second.
	Revision(ctx context.Context) (uint64, error)
}

// IPBlockValue is the Value that blocks addr: the IPv4 address (an
// IPv4-mapped address is unmapped), or the /64 prefix of an IPv6 address,
// as one client can use any address of its /64. The zone is dropped.
func IPBlockValue(addr netip.Addr) string {
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// Validate checks b: a known kind, a canonical value (an ip block's value
// as netip formats it, for IPv6 either an address or a /64 prefix), and
// Until after Created. Errors wrap ErrInvalidBlock.
func (b Block) Validate() error {
	switch b.Kind {
	case BlockIP:
		if !canonicalIP(b.Value) {
			return fmt.Errorf("%w: %q is not a canonical IP address or IPv6 /64 prefix", ErrInvalidBlock, b.Value)
		}
	case BlockIdentity:
		if b.Value == "" || len(b.Value) > MaxBlockValue || !utf8.ValidString(b.Value) {
			return fmt.Errorf("%w: identity must be 1 to %d bytes of UTF-8", ErrInvalidBlock, MaxBlockValue)
		}
	default:
		return fmt.Errorf("%w: kind %q (want %s or %s)", ErrInvalidBlock, b.Kind, BlockIP, BlockIdentity)
	}
	if b.Created.IsZero() || !b.Until.After(b.Created) {
		return fmt.Errorf("%w: until must be after created", ErrInvalidBlock)
	}
	return nil
}

// canonicalIP reports whether v is an address without zone (not
// IPv4-mapped) or an IPv6 /64 prefix, exactly as netip formats it.
func canonicalIP(v string) bool {
	if a, err := netip.ParseAddr(v); err == nil {
		return a.Zone() == "" && !a.Is4In6() && a.String() == v
	}
	p, err := netip.ParsePrefix(v)
	return err == nil && p.Addr().Is6() && !p.Addr().Is4In6() && p.Bits() == 64 && p.Masked() == p && p.String() == v
}
