package mask

// Byte classes, one table lookup per byte on the hot path.
const (
	cAlnum  = 1 << iota // [A-Za-z0-9]
	cDigit              // [0-9]
	cB64URL             // [A-Za-z0-9_-]: JWT segments
	cB64                // [A-Za-z0-9+/=]: PEM bodies, AWS secret keys
	cUpper              // [A-Z0-9]: AWS key ids
	cSpace              // ' ' '\t' '\r' '\n'
	cWord               // [A-Za-z0-9_]: GitHub fine-grained tokens
	cDash               // [A-Za-z0-9-]: Slack tokens
)

var class = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		lower, upper, digit := 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9'
		if lower || upper || digit {
			t[c] |= cAlnum | cB64URL | cB64
		}
		if digit {
			t[c] |= cDigit
		}
		if upper || digit {
			t[c] |= cUpper
		}
		if lower || upper || digit || b == '_' {
			t[c] |= cWord
		}
		if lower || upper || digit || b == '-' {
			t[c] |= cDash
		}
		switch b {
		case '-', '_':
			t[c] |= cB64URL
		case '+', '/', '=':
			t[c] |= cB64
		case ' ', '\t', '\r', '\n':
			t[c] |= cSpace
		}
	}
	return t
}()

func isAlnum(c byte) bool { return class[c]&cAlnum != 0 }
func isDigit(c byte) bool { return class[c]&cDigit != 0 }

// span returns how many bytes at the start of b have all the class bits of
// mask.
func span(b []byte, mask uint8) int {
	for i, c := range b {
		if class[c]&mask == 0 {
			return i
		}
	}
	return len(b)
}

// lower returns c in lower case (ASCII letters only).
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixFold reports whether b starts with the lower-case ASCII prefix p,
// ignoring the case of b.
func hasPrefixFold(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lower(b[i]) != p[i] {
			return false
		}
	}
	return true
}
