package injection

import "unicode/utf8"

// The decoders below undo, one layer at a time, the encodings attackers
// wrap payloads in so that a naive matcher misses them. Each appends the
// decoded form of s to dst and reports whether anything was decoded;
// malformed or unknown sequences are copied verbatim (never an error: an
// upstream parser may be just as lenient). None of them grows its input:
// len(output) <= len(s), so a chain of decoders is bounded by the value.

// unhex returns the value of a hexadecimal digit, or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// hex4 decodes four hexadecimal digits at s[i:], or returns -1.
func hex4(s string, i int) rune {
	if i+4 > len(s) {
		return -1
	}
	var r rune
	for j := i; j < i+4; j++ {
		d := unhex(s[j])
		if d < 0 {
			return -1
		}
		r = r<<4 | rune(d)
	}
	return r
}

// appendRune appends r as UTF-8; a lone surrogate or an invalid code
// point becomes U+FFFD, as in Go's and browsers' decoders.
func appendRune(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf && r >= 0 {
		return append(dst, byte(r))
	}
	return utf8.AppendRune(dst, r)
}

// urlDecode undoes percent-encoding: %XX and the non-standard %uXXXX
// (IIS and old JavaScript escape()), with surrogate pairs joined. With
// plus, '+' becomes a space (application/x-www-form-urlencoded).
// Overlong UTF-8 (%c0%ae) is decoded to its raw bytes, which the rules
// that care (path traversal) recognise.
func urlDecode(dst []byte, s string, plus bool) ([]byte, bool) {
	changed := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+' && plus:
			dst = append(dst, ' ')
			changed = true
		case c == '%' && i+2 < len(s) && unhex(s[i+1]) >= 0 && unhex(s[i+2]) >= 0:
			dst = append(dst, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
			i += 2
			changed = true
		case c == '%' && i+5 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U'):
			r := hex4(s, i+2)
			if r < 0 {
				dst = append(dst, c)
				continue
			}
			i += 5
			if r >= 0xD800 && r < 0xDC00 && i+6 < len(s) && s[i+1] == '%' && (s[i+2] == 'u' || s[i+2] == 'U') {
				if lo := hex4(s, i+3); lo >= 0xDC00 && lo < 0xE000 {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					i += 6
				}
			}
			dst = appendRune(dst, r)
			changed = true
		default:
			dst = append(dst, c)
		}
	}
	return dst, changed
}

// unescape undoes backslash escapes: those of JSON strings (\" \\ \/ \b
// \f \n \r \t \uXXXX with surrogate pairs), and of JavaScript and other
// languages (\xHH, \u{H...}, \'). An unknown escape keeps its backslash,
// so Windows paths and shell quoting survive for the rules that read them.
func unescape(dst []byte, s string) ([]byte, bool) {
	changed := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			dst = append(dst, c)
			continue
		}
		n := s[i+1]
		switch n {
		case '"', '\\', '/', '\'':
			dst = append(dst, n)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'x', 'X':
			if i+3 < len(s) && unhex(s[i+2]) >= 0 && unhex(s[i+3]) >= 0 {
				dst = append(dst, byte(unhex(s[i+2])<<4|unhex(s[i+3])))
				i += 3
				changed = true
				continue
			}
			dst = append(dst, c)
			continue
		case 'u', 'U':
			if r, w := unicodeEscape(s, i); w > 0 {
				dst = appendRune(dst, r)
				i += w - 1
				changed = true
				continue
			}
			dst = append(dst, c)
			continue
		default:
			dst = append(dst, c)
			continue
		}
		i++
		changed = true
	}
	return dst, changed
}

// unicodeEscape decodes \uXXXX (joining a following low surrogate) or
// \u{H...} (at most 6 digits) at s[i:], returning the rune and the width
// consumed, or width 0.
func unicodeEscape(s string, i int) (rune, int) {
	if i+2 < len(s) && s[i+2] == '{' {
		var r rune
		j := i + 3
		for ; j < len(s) && j < i+9 && unhex(s[j]) >= 0; j++ {
			r = r<<4 | rune(unhex(s[j]))
		}
		if j == i+3 || j >= len(s) || s[j] != '}' {
			return 0, 0
		}
		if r > utf8.MaxRune {
			r = utf8.RuneError
		}
		return r, j + 1 - i
	}
	r := hex4(s, i+2)
	if r < 0 {
		return 0, 0
	}
	w := 6
	if r >= 0xD800 && r < 0xDC00 && i+12 <= len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
		if lo := hex4(s, i+8); lo >= 0xDC00 && lo < 0xE000 {
			r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
			w = 12
		}
	}
	return r, w
}

// foldWidth maps the fullwidth forms of ASCII (U+FF01 to U+FF5E, as in
// "＜script＞") to ASCII, as Unicode compatibility normalisation (NFKC)
// and Windows best-fit conversions do in some upstreams.
func foldWidth(dst []byte, s string) ([]byte, bool) {
	changed := false
	for i := 0; i < len(s); i++ {
		// U+FF01..U+FF3F is EF BC 81..BF, U+FF40..U+FF5E is EF BD 80..9E.
		if s[i] == 0xef && i+2 < len(s) {
			switch b1, b2 := s[i+1], s[i+2]; {
			case b1 == 0xbc && b2 >= 0x81 && b2 <= 0xbf:
				dst = append(dst, b2-0x81+0x21)
				i += 2
				changed = true
				continue
			case b1 == 0xbd && b2 >= 0x80 && b2 <= 0x9e:
				dst = append(dst, b2-0x80+0x60)
				i += 2
				changed = true
				continue
			}
		}
		dst = append(dst, s[i])
	}
	return dst, changed
}
