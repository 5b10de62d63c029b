package route

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"
)

// ErrBadPath is matched (with errors.Is) by every error [Normalize] returns.
// The gateway answers such requests 400 invalid-request.
var ErrBadPath = errors.New("bad path")

// pathError is one reason a path is rejected. Reasons are constants, so
// neither returning nor printing one allocates, and they never include the
// path itself.
type pathError string

func (e pathError) Error() string { return string(e) }

// Is makes every pathError match [ErrBadPath].
func (e pathError) Is(target error) bool { return target == ErrBadPath }

const (
	errNotAbsolute    = pathError(`bad path: does not start with "/"`)
	errControl        = pathError("bad path: control character")
	errBadEscape      = pathError("bad path: malformed percent-encoding")
	errEncodedSlash   = pathError("bad path: encoded slash (%2F)")
	errBackslash      = pathError("bad path: backslash")
	errEncodedPercent = pathError("bad path: encoded percent sign (%25)")
	errDelimiter      = pathError(`bad path: raw "?" or "#"`)
	errAboveRoot      = pathError(`bad path: ".." above the root`)
	errDotSemicolon   = pathError(`bad path: dot segment with a ";" parameter`)
	errInvalidUTF8    = pathError("bad path: invalid UTF-8")
)

// Normalize validates and canonicalises a raw escaped request path, returning
// the decoded path to match on and the canonically escaped path to send
// upstream. The rules are in the package documentation; every error wraps
// [ErrBadPath].
//
// Normalize does not allocate when escapedPath is already canonical and has
// no percent-escapes, allocates once when it is canonical with escapes, and
// at most three times otherwise.
func Normalize(escapedPath string) (path, escaped string, err error) {
	if escapedPath == "" || escapedPath[0] != '/' {
		return "", "", errNotAbsolute
	}
	if escapedPath == "/" {
		return "/", "/", nil
	}
	sc, err := scan(escapedPath)
	switch {
	case err != nil:
		return "", "", err
	case !sc.canonical:
		return rebuild(escapedPath)
	case !sc.escapes:
		return escapedPath, escapedPath, nil
	}
	path = unescape(escapedPath)
	if err := checkDecoded(path); err != nil {
		return "", "", err
	}
	return path, escapedPath, nil
}

// scanner is the state of one validating pass over an escaped path.
type scanner struct {
	canonical bool // nothing needs to change
	escapes   bool // at least one percent-escape was seen
	depth     int  // segments so far once dot segments are resolved
}

// scan validates s, which starts with "/", in one pass without allocating.
// Valid UTF-8 is checked later, on the decoded path.
func scan(s string) (scanner, error) {
	sc := scanner{canonical: true}
	for rest := s; rest != ""; {
		seg, next := cutSegment(rest)
		if err := sc.segment(seg); err != nil {
			return sc, err
		}
		rest = next
	}
	return sc, nil
}

// segment validates one escaped segment: its bytes, then its role as an
// empty or dot segment, which makes the path non-canonical (and ".." must
// not climb above the root).
func (sc *scanner) segment(seg string) error {
	if err := sc.checkBytes(seg); err != nil {
		return err
	}
	dots, err := dotSegment(seg)
	switch {
	case err != nil:
		return err
	case seg == "" || dots == 1:
		sc.canonical = false
	case dots == 2:
		sc.canonical = false
		if sc.depth == 0 {
			return errAboveRoot
		}
		sc.depth--
	default:
		sc.depth++
	}
	return nil
}

// checkBytes validates the bytes and escapes of one segment and notes
// whether they are in canonical form.
func (sc *scanner) checkBytes(seg string) error {
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if isPlain(c) {
			continue
		}
		if c != '%' {
			if err := checkRaw(c); err != nil {
				return err
			}
			sc.canonical = false // a raw byte url.PathEscape escapes
			continue
		}
		canonical, err := checkEscape(seg, i)
		if err != nil {
			return err
		}
		sc.escapes = true
		sc.canonical = sc.canonical && canonical
		i += 2
	}
	return nil
}

// dotSegment reports whether an escaped segment decodes to "." (1) or ".."
// (2); 0 for any other segment. It rejects a segment that decodes to "." or
// ".." followed by a ";" matrix parameter. Only the first few bytes are
// examined; malformed escapes are left to checkBytes.
func dotSegment(seg string) (int, error) {
	dots := 0
	for i := 0; i < len(seg); {
		c, w := seg[i], 1
		if c == '%' && i+2 < len(seg) {
			c, w = decodeHex(seg[i+1], seg[i+2]), 3
		}
		switch {
		case c == '.' && dots < 2:
			dots++
			i += w
			continue
		case c == ';' && dots > 0:
			return 0, errDotSemicolon
		}
		return 0, nil
	}
	return dots, nil
}

// checkEscape validates the escape starting at s[i] == '%'. It reports
// whether the escape is already in canonical form (upper-case hex, for a
// byte that url.PathEscape escapes).
func checkEscape(s string, i int) (canonical bool, err error) {
	if i+2 >= len(s) {
		return false, errBadEscape
	}
	hi, ok1 := unhex(s[i+1])
	lo, ok2 := unhex(s[i+2])
	if !ok1 || !ok2 {
		return false, errBadEscape
	}
	switch d := hi<<4 | lo; {
	case d < 0x20 || d == 0x7f:
		return false, errControl
	case d == '/':
		return false, errEncodedSlash
	case d == '\\':
		return false, errBackslash
	case d == '%':
		return false, errEncodedPercent
	default:
		return shouldEscape(d) && isUpperHex(s[i+1]) && isUpperHex(s[i+2]), nil
	}
}

// checkRaw rejects the bytes that may not appear unescaped in a path.
func checkRaw(c byte) error {
	switch {
	case c < 0x20 || c == 0x7f:
		return errControl
	case c == '\\':
		return errBackslash
	case c == '?' || c == '#':
		return errDelimiter
	}
	return nil
}

// rebuild decodes, collapses and resolves a valid but non-canonical path.
// scan has already rejected everything but what only the decoded path
// shows: invalid UTF-8 and C1 control characters.
func rebuild(s string) (path, escaped string, err error) {
	var stack [256]byte
	buf := stack[:0] // the decoded path is never longer than s
	if len(s) > len(stack) {
		buf = make([]byte, 0, len(s))
	}
	for rest := s; rest != ""; {
		seg, next := cutSegment(rest)
		mark := len(buf)
		buf = append(buf, '/')
		buf = appendUnescaped(buf, seg)
		buf = resolve(buf, mark)
		rest = next
	}
	if len(buf) == 0 {
		return "/", "/", nil
	}
	path = string(buf)
	if err := checkDecoded(path); err != nil {
		return "", "", err
	}
	return path, escapePath(path), nil
}

// checkDecoded rejects a decoded path that is not valid UTF-8 (overlong
// forms such as %C0%AE included) or that holds a C1 control character
// (U+0080-U+009F). Pure ASCII, the common case, is checked byte by byte.
func checkDecoded(p string) error {
	i := 0
	for i < len(p) && p[i] < utf8.RuneSelf {
		i++
	}
	for i < len(p) {
		r, size := utf8.DecodeRuneInString(p[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return errInvalidUTF8
		case r >= 0x80 && r <= 0x9f:
			return errControl
		}
		i += size
	}
	return nil
}

// cutSegment splits s, which starts with "/", into its first segment (without
// the slash) and the rest (starting with "/", or empty).
func cutSegment(s string) (seg, rest string) {
	if i := strings.IndexByte(s[1:], '/'); i >= 0 {
		return s[1 : i+1], s[i+1:]
	}
	return s[1:], ""
}

// resolve applies the segment just appended at buf[mark:] ("/" + segment):
// empty and "." segments are dropped, ".." also drops the segment before it.
func resolve(buf []byte, mark int) []byte {
	switch string(buf[mark+1:]) {
	case "", ".":
		return buf[:mark]
	case "..":
		buf = buf[:mark]
		return buf[:max(bytes.LastIndexByte(buf, '/'), 0)]
	}
	return buf
}

// appendUnescaped appends s with its (already validated) escapes decoded.
func appendUnescaped(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			buf = append(buf, decodeHex(s[i+1], s[i+2]))
			i += 2
			continue
		}
		buf = append(buf, s[i])
	}
	return buf
}

// unescape decodes the (already validated) escapes of s.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			b.WriteByte(decodeHex(s[i+1], s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// escapePath escapes each segment of a decoded path as url.PathEscape does.
// It returns p itself when nothing needs escaping.
func escapePath(p string) string {
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] != '/' && shouldEscape(p[i]) {
			n++
		}
	}
	if n == 0 {
		return p
	}
	const upperHex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(p) + 2*n)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '/' && shouldEscape(c) {
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// shouldEscape reports whether url.PathEscape escapes c: everything except
// RFC 3986 unreserved characters and the sub-delimiters "$&+:=@".
func shouldEscape(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return false
	}
	switch c {
	case '-', '_', '.', '~', '$', '&', '+', ':', '=', '@':
		return false
	}
	return true
}

// Bitmaps of the ASCII bytes that may stand unescaped in a canonical
// segment: the bytes url.PathEscape keeps, a-z A-Z 0-9 and "-_.~$&+:=@".
// TestPlainBytes checks them against shouldEscape.
const (
	plainLow  = 0x27ff685000000000 // bytes 0-63
	plainHigh = 0x47fffffe87ffffff // bytes 64-127
)

// isPlain reports whether c may stand unescaped in a canonical segment.
func isPlain(c byte) bool {
	switch {
	case c < 64:
		return plainLow>>c&1 != 0
	case c < 128:
		return plainHigh>>(c-64)&1 != 0
	}
	return false
}

// decodeHex decodes two hex digits; invalid digits decode as 0 (callers
// have validated them, or only compare the result with '.' and ';').
func decodeHex(a, b byte) byte {
	hi, _ := unhex(a)
	lo, _ := unhex(b)
	return hi<<4 | lo
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func isUpperHex(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'F'
}
