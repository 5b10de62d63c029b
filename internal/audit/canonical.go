package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Canonical JSON, the form that is hashed and the form every line is
// written in:
//
//   - object keys sorted by their UTF-8 bytes, no duplicates;
//   - no insignificant whitespace;
//   - strings escaped as RFC 8785 (JCS) and ECMAScript's JSON.stringify
//     do: `"` and `\` backslash-escaped, \b \f \n \r \t, the other
//     control characters as \u00xx, everything else literal UTF-8
//     (invalid UTF-8 becomes U+FFFD before hashing);
//   - integers in decimal; other numbers in ECMAScript's shortest
//     round-trip form (what encoding/json writes for a float64).
//
// This is encoding/json's escaping minus its HTML escaping (\u003c for
// "<", \u0026 for "&" ...) and minus its \u2028/\u2029 escapes, so that
// `json.dumps(rec, sort_keys=True, separators=(",", ":"),
// ensure_ascii=False)` or a JCS library reproduces a record's hash.

// appendString appends s as a canonical JSON string.
func appendString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendFloat appends f as ECMAScript's Number::toString does (and
// encoding/json for float64): shortest round-trip digits, exponent form
// below 1e-6 and from 1e21. NaN and infinities, which JSON cannot carry,
// are written as 0.
func appendFloat(b []byte, f float64) []byte {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, '0')
	}
	format := byte('f')
	if abs := math.Abs(f); abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-07 → e-7, as ECMAScript writes it
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// roundMS rounds a duration in milliseconds to the microsecond.
func roundMS(ms float64) float64 {
	if math.IsNaN(ms) || math.IsInf(ms, 0) {
		return 0
	}
	return math.Round(ms*1000) / 1000
}

// object writes the members of one JSON object in the order given,
// which the caller keeps sorted.
type object struct {
	b []byte
	n int
}

func (o *object) key(k string) {
	if o.n > 0 {
		o.b = append(o.b, ',')
	}
	o.n++
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

func (o *object) str(k, v string) {
	if v != "" {
		o.key(k)
		o.b = appendString(o.b, v)
	}
}

func (o *object) int(k string, v int64, always bool) {
	if v != 0 || always {
		o.key(k)
		o.b = strconv.AppendInt(o.b, v, 10)
	}
}

func (o *object) strs(k string, v []string) {
	if len(v) == 0 {
		return
	}
	o.key(k)
	o.b = appendStrings(o.b, v)
}

func appendStrings(b []byte, v []string) []byte {
	b = append(b, '[')
	for i, s := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendRecord appends the canonical JSON of r without its hash and
// returns the index in out where the "hash" member belongs (just before the first member
// sorting after it; prev_hash always does). r must be prepared: Body
// canonical, header names valid UTF-8 and unique, Time and Type set.
func appendRecord(b []byte, r *Record) (out []byte, hashAt int) {
	req := r.Type == TypeRequest
	o := object{b: append(b, '{')}
	if len(r.Body) > 0 {
		o.key("body")
		o.b = append(o.b, r.Body...)
	}
	o.int("bytes_in", r.BytesIn, req)
	o.int("bytes_out", r.BytesOut, req)
	if r.ClientIP.IsValid() {
		o.key("client_ip")
		o.b = append(o.b, '"')
		o.b = r.ClientIP.AppendTo(o.b)
		o.b = append(o.b, '"')
	}
	o.str("code", r.Code)
	if r.Deprecated {
		o.key("deprecated")
		o.b = append(o.b, "true"...)
	}
	o.str("detail", r.Detail)
	o.str("detector", r.Detector)
	if d := roundMS(r.DurationMS); d != 0 || req {
		o.key("duration_ms")
		o.b = appendFloat(o.b, d)
	}
	o.strs("findings", r.Findings)
	hashAt = len(o.b)
	if o.n > 0 {
		hashAt++ // after the comma that the next member writes
	}
	if len(r.Headers) > 0 {
		o.key("headers")
		o.b = appendHeaders(o.b, r.Headers)
	}
	if !r.Identity.IsZero() {
		o.key("identity")
		id := object{b: append(o.b, '{')}
		id.str("auth", r.Identity.Auth)
		id.str("key_id", r.Identity.KeyID)
		id.str("subject", r.Identity.Subject)
		o.b = append(id.b, '}')
	}
	o.str("method", r.Method)
	o.str("path", r.Path)
	o.key("prev_hash")
	o.b = appendString(o.b, r.PrevHash)
	o.str("query", r.Query)
	o.str("request_id", r.RequestID)
	o.str("route", r.Route)
	o.strs("scopes", r.Scopes)
	o.int("status", int64(r.Status), req)
	o.key("time")
	o.b = append(o.b, '"')
	o.b = appendTime(o.b, r.Time)
	o.b = append(o.b, '"')
	o.key("type")
	o.b = appendString(o.b, r.Type)
	o.int("upstream_status", int64(r.UpstreamStatus), false)
	o.str("version", r.Version)
	return append(o.b, '}'), hashAt
}

func appendHeaders(b []byte, h map[string][]string) []byte {
	keys := slices.Sorted(maps.Keys(h))
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendStrings(b, h[k])
	}
	return append(b, '}')
}

// hashMember is the length of `"hash":"<64 hex>",`.
const hashMember = len(`"hash":"",`) + sha256.Size*2

// appendLine appends the record's line: its canonical JSON with the hash
// member in its sorted place, and a newline. It returns the hash.
// r must be prepared and r.PrevHash set.
func appendLine(b []byte, r *Record) ([]byte, string) {
	start := len(b)
	b, at := appendRecord(b, r)
	sum := sha256.Sum256(b[start:])
	// Open a gap at the hash member's place (at is an index into b) and
	// write it there.
	b = append(b, make([]byte, hashMember)...)
	copy(b[at+hashMember:], b[at:len(b)-hashMember])
	m := b[at : at+hashMember]
	copy(m, `"hash":"`)
	hex.Encode(m[8:], sum[:])
	copy(m[8+sha256.Size*2:], `",`)
	return append(b, '\n'), string(m[8 : 8+sha256.Size*2])
}

// appendTime appends t in TimeFormat (what t.UTC().AppendFormat would,
// faster, for years 0-9999).
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(b, TimeFormat)
	}
	h, mi, s := t.Clock()
	b = appendDigits(b, y, 4)
	b = append(b, '-')
	b = appendDigits(b, int(mo), 2)
	b = append(b, '-')
	b = appendDigits(b, d, 2)
	b = append(b, 'T')
	b = appendDigits(b, h, 2)
	b = append(b, ':')
	b = appendDigits(b, mi, 2)
	b = append(b, ':')
	b = appendDigits(b, s, 2)
	b = append(b, '.')
	b = appendDigits(b, t.Nanosecond()/1000, 6)
	return append(b, 'Z')
}

// appendDigits appends v zero-padded to width digits.
func appendDigits(b []byte, v, width int) []byte {
	n := len(b) + width
	b = append(b, make([]byte, width)...)
	for i := n - 1; i >= n-width; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}
