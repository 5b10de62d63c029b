package ratelimit

import (
	"errors"
	"strconv"
	"unsafe"
)

// Canonical header keys (http.CanonicalHeaderKey of RateLimit-Policy and
// RateLimit), for direct map assignment.
const (
	HeaderPolicy     = "Ratelimit-Policy"
	HeaderRateLimit  = "Ratelimit"
	HeaderRetryAfter = "Retry-After"
)

// validPolicyName reports whether s can be a policy name: printable
// ASCII (an RFC 8941 sf-string), not empty.
func validPolicyName(s string) error {
	if s == "" {
		return errors.New("ratelimit: empty policy name")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return errors.New("ratelimit: policy name " + strconv.Quote(s) + " is not printable ASCII")
		}
	}
	return nil
}

// appendSFString appends s as an RFC 8941 sf-string ("..." with \ and "
// escaped); s must be printable ASCII.
func appendSFString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// appendPolicy appends one RateLimit-Policy item: "<name>";q=<q>;w=<w>.
func appendPolicy(b []byte, name string, q, w int64) []byte {
	b = appendSFString(b, name)
	b = append(b, ";q="...)
	b = strconv.AppendInt(b, q, 10)
	b = append(b, ";w="...)
	return strconv.AppendInt(b, w, 10)
}

// itemPrefix is `"<name>";r=`, the fixed start of a RateLimit item.
func itemPrefix(name string) []byte { return append(appendSFString(nil, name), ";r="...) }

// appendItem appends one RateLimit item: prefix (from itemPrefix), then
// <r>;t=<t>. A list separator is added when b is not empty.
func appendItem(b, prefix []byte, r, t int64) []byte {
	if len(b) > 0 {
		b = append(b, ", "...)
	}
	b = append(b, prefix...)
	b = strconv.AppendInt(b, r, 10)
	b = append(b, ";t="...)
	return strconv.AppendInt(b, t, 10)
}

// headerCell holds a one-value header in a single allocation.
type headerCell struct {
	v   [1]string
	buf [112]byte
}

// headerValue returns []string{string(b)} with one allocation (two when
// b is long). The string aliases the cell's buffer, which nothing writes
// after this returns; the slice's capacity is 1, so an append elsewhere
// copies instead of writing into it.
func headerValue(b []byte) []string {
	if len(b) == 0 || len(b) > len(headerCell{}.buf) {
		return []string{string(b)}
	}
	c := new(headerCell)
	n := copy(c.buf[:], b)
	c.v[0] = unsafe.String(&c.buf[0], n)
	return c.v[:]
}

// fixedValue is a precomputed header value shared by every response; its
// capacity of 1 keeps appends from writing into it.
func fixedValue(s string) []string { return []string{s}[:1:1] }
