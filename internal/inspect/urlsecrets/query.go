package urlsecrets

import (
	"net/url"
	"strconv"
	"strings"
	"unsafe"
)

// finding is one credential in a URL: what and where, never the value.
type finding struct {
	kind  string // "" for a credential-named parameter
	where string
}

func (f finding) String() string {
	if f.kind == "" {
		return "credential-named query parameter " + f.where
	}
	return f.kind + " in " + f.where
}

// quoteName quotes a name from the request for a cause, cut short.
func quoteName(s string) string {
	const max = 40
	if len(s) > max {
		s = s[:max] + "..."
	}
	return strconv.Quote(s)
}

// decode percent-decodes s as a query component ('+' is a space) into
// buf, or into a new string when buf is too small; malformed escapes are
// kept as they are. The result aliases buf: it is valid until buf is
// written again.
func decode(buf []byte, s string) string { return unescape(buf, s, true) }

// unescape percent-decodes s into buf (see decode); with plus, '+' is a
// space.
func unescape(buf []byte, s string, plus bool) string {
	if strings.IndexByte(s, '%') < 0 && (!plus || strings.IndexByte(s, '+') < 0) {
		return s
	}
	if len(s) > len(buf) {
		var d string
		var err error
		if plus {
			d, err = url.QueryUnescape(s)
		} else {
			d, err = url.PathUnescape(s)
		}
		if err == nil {
			return d
		}
		return s
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+' && plus:
			c = ' '
		case c == '%' && i+2 < len(s) && unhex(s[i+1]) >= 0 && unhex(s[i+2]) >= 0:
			c = byte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		}
		buf[n] = c
		n++
	}
	return unsafe.String(&buf[0], n)
}

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

// scanQuery finds the first credential in a raw query: a non-empty value
// under a credential name, a secret-shaped value, or a secret-shaped
// name. names are the normalised credential names to use.
func scanQuery(rawQuery string, names map[string]bool) (finding, bool) {
	var kbuf, vbuf [256]byte
	n := 0
	for q := rawQuery; q != ""; {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if pair == "" {
			continue
		}
		n++
		k, v, _ := strings.Cut(pair, "=")
		name := decode(kbuf[:], k)
		if kind := SecretKind(name); kind != "" {
			return finding{kind: kind, where: "query parameter name #" + strconv.Itoa(n)}, true
		}
		if v == "" {
			continue
		}
		if isCredentialName(name, names) {
			return finding{where: quoteName(name)}, true
		}
		if kind := SecretKind(decode(vbuf[:], v)); kind != "" {
			return finding{kind: kind, where: "query parameter " + quoteName(name)}, true
		}
	}
	return finding{}, false
}

// scanPath finds a JWT or an apiguard API key in a path segment.
func scanPath(escapedPath string) (finding, bool) {
	n := 0
	for p := escapedPath; p != ""; {
		var seg string
		seg, p, _ = strings.Cut(p, "/")
		if seg == "" {
			continue
		}
		n++
		if len(seg) < 20 {
			continue
		}
		var buf [256]byte
		if kind := tokenKind(unescape(buf[:], seg, false)); kind != "" {
			return finding{kind: kind, where: "path segment " + strconv.Itoa(n)}, true
		}
	}
	return finding{}, false
}
