package gateway

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
)

// Security headers of BEHAVIOUR.md, on every response. The value slices
// are shared by all responses: each has len == cap, so an Add elsewhere
// copies rather than writing into them.
var (
	valNosniff   = []string{"nosniff"}
	valDeny      = []string{"DENY"}
	valCSP       = []string{"default-src 'none'; frame-ancestors 'none'"}
	valNoReferer = []string{"no-referrer"}
	valNoStore   = []string{"no-store"}
)

// secureHeaders sets the headers every response carries. upstreamCaching
// keeps the upstream's own Cache-Control (public routes only).
func secureHeaders(h http.Header, s *exchangeState, upstreamCaching bool) {
	h["X-Request-Id"] = s.requestIDValue()
	h["X-Content-Type-Options"] = valNosniff
	h["X-Frame-Options"] = valDeny
	h["Content-Security-Policy"] = valCSP
	h["Referrer-Policy"] = valNoReferer
	if !upstreamCaching {
		h["Cache-Control"] = valNoStore
	}
	if s.plan.hstsValue != nil && s.x.In.TLS != nil {
		h["Strict-Transport-Security"] = s.plan.hstsValue
	}
	delete(h, "Server")
}

// requestIDValue is the X-Request-Id header value, built once per request
// and shared by the upstream request and the response.
func (s *exchangeState) requestIDValue() []string {
	if s.ridValue == nil {
		s.ridValue = []string{s.x.RequestID}
	}
	return s.ridValue
}

// requestID returns the client's X-Request-Id when it is 1-128 characters
// of [A-Za-z0-9._-], else a new unique id.
func requestID(r *http.Request) string {
	if v := r.Header["X-Request-Id"]; len(v) == 1 && validRequestID(v[0]) {
		return v[0]
	}
	return newRequestID()
}

func validRequestID(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Request ids are a random per-process prefix and a counter: unique, cheap,
// and without a crypto/rand read per request.
var (
	idPrefix  = randomPrefix()
	idCounter atomic.Uint64
)

func randomPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func newRequestID() string {
	n := idCounter.Add(1)
	buf := make([]byte, 0, 32)
	buf = append(buf, idPrefix...)
	buf = append(buf, '-')
	buf = strconv.AppendUint(buf, n, 36)
	return string(buf)
}

// clientIP is the TCP peer, unless the peer is a trusted proxy: then the
// rightmost X-Forwarded-For address that is not itself trusted.
func clientIP(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer := peerAddr(r.RemoteAddr)
	if len(trusted) == 0 || !inPrefixes(peer, trusted) {
		return peer
	}
	xff := r.Header["X-Forwarded-For"]
	for i := len(xff) - 1; i >= 0; i-- {
		line := xff[i]
		for line != "" {
			j := strings.LastIndexByte(line, ',')
			part := strings.TrimSpace(line[j+1:])
			line = line[:max(j, 0)]
			a, err := netip.ParseAddr(part)
			if err != nil {
				return peer // a malformed hop ends what we can believe
			}
			a = a.Unmap()
			if !inPrefixes(a, trusted) {
				return a
			}
			if j < 0 {
				break
			}
		}
	}
	return peer
}

// peerHost is the host part of RemoteAddr without allocating.
func peerHost(remote string) string {
	i := strings.LastIndexByte(remote, ':')
	if i < 0 {
		return remote
	}
	host := remote[:i]
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	return host
}

func peerAddr(remote string) netip.Addr {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

func inPrefixes(a netip.Addr, list []netip.Prefix) bool {
	for _, p := range list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// headerSize approximates the bytes of the request line and headers as
// sent on the wire (HTTP/1.1 framing), for the max_header limit.
func headerSize(r *http.Request) int64 {
	n := int64(len(r.Method) + len(r.RequestURI) + 12)
	for k, vs := range r.Header {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 4)
		}
	}
	return n
}
