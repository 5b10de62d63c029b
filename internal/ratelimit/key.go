package ratelimit

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/netip"

	"github.com/apiguard/apiguard/internal/pipeline"
)

// KeyKind says what a rate limit counts by (config rate_limit.key).
type KeyKind uint8

// Key kinds.
const (
	// ByIdentity counts per authenticated caller: the principal's method
	// and its KeyID, else its Subject ("api_key:k7Qx2mPa", "jwt:alice").
	// A request without a principal (which configuration validation rules
	// out: identity needs an authenticated route) is counted by ByIP.
	ByIdentity KeyKind = iota + 1
	// ByIP counts per client IP (Exchange.ClientIP): an IPv4 address, or
	// the /64 prefix of an IPv6 address (one host usually holds a whole
	// /64, so counting single IPv6 addresses would let it rotate past the
	// limit). IPv4-mapped IPv6 addresses count as their IPv4 address.
	ByIP
	// ByRoute counts all requests to the route together.
	ByRoute
)

// ParseKeyKind maps the configuration value: identity (also ""), ip,
// route.
func ParseKeyKind(s string) (KeyKind, error) {
	switch s {
	case "identity", "":
		return ByIdentity, nil
	case "ip":
		return ByIP, nil
	case "route":
		return ByRoute, nil
	}
	return 0, errors.New("ratelimit: key must be identity, ip or route, not " + s)
}

// maxKeyValue bounds the caller part of a key: a longer identity is
// replaced by "~" and the base64url SHA-256 of it, so neither memory nor
// Redis keys grow with a client-chosen subject.
const maxKeyValue = 96

// AppendKey appends the storage key of x for route (a name without ':')
// and kind: "<route>:id:<method>:<id>", "<route>:ip:<addr or /64>" or
// "<route>:route". Keys of different routes never collide, so each route
// has its own budget.
func AppendKey(b []byte, route string, kind KeyKind, x *pipeline.Exchange) []byte {
	b = append(b, route...)
	if kind == ByRoute {
		return append(b, ":route"...)
	}
	if kind == ByIdentity {
		if p := x.Principal; p != nil && (p.KeyID != "" || p.Subject != "") {
			id := p.KeyID
			if id == "" {
				id = p.Subject
			}
			b = append(b, ":id:"...)
			b = appendKeyValue(b, p.Method)
			b = append(b, ':')
			return appendKeyValue(b, id)
		}
	}
	b = append(b, ":ip:"...)
	return appendIP(b, x.ClientIP)
}

func appendIP(b []byte, ip netip.Addr) []byte {
	ip = ip.Unmap()
	if ip.Is6() {
		if p, err := ip.WithZone("").Prefix(64); err == nil {
			return p.AppendTo(b)
		}
	}
	return ip.AppendTo(b) // the zero Addr appends nothing: one shared (strict) bucket
}

func appendKeyValue(b []byte, v string) []byte {
	if len(v) <= maxKeyValue {
		return append(b, v...)
	}
	sum := sha256.Sum256([]byte(v))
	b = append(b, '~')
	return base64.RawURLEncoding.AppendEncode(b, sum[:])
}
