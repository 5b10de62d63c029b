package openapi

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// valid reports whether data is certainly a body that decodeJSON accepts
// and the schema accepts. It reads data once, left to right, checking the
// JSON grammar exactly as decodeJSON does (white space, literals, the
// number grammar, string escapes, UTF-8, no duplicate member names, at
// most maxJSONDepth levels, nothing after the value) while it checks the
// schema, and stops at the first thing that is wrong or that it cannot
// decide. It allocates nothing.
//
// Security: false only means "don't know", and the caller must then run
// the full validation; true lets the body through unchecked by the
// library, so every rule here errs towards false (see fastSchema).
func (f *fastSchema) valid(data []byte) bool {
	s := fastScanner{d: data}
	if !s.value(f.root, 0) {
		return false
	}
	s.space()
	return s.i == len(s.d)
}

// fastScanner is the position of valid in its body.
type fastScanner struct {
	d []byte
	i int
}

func (s *fastScanner) space() {
	for s.i < len(s.d) {
		switch s.d[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// allows reports whether n's type admits kind k (integer aside: see
// number).
func (n *fastNode) allows(k kindSet) bool {
	return n == nil || n.types == 0 || n.types&k != 0
}

// value checks the value at s.i (after white space) against n; depth is
// decodeJSON's: the nesting of the containers around it.
func (s *fastScanner) value(n *fastNode, depth int) bool {
	s.space()
	if s.i >= len(s.d) || n != nil && n.never {
		return false
	}
	switch c := s.d[s.i]; {
	case c == '{':
		if depth >= maxJSONDepth || !n.allows(kObject) || n != nil && n.hasEnum {
			return false
		}
		return s.object(n, depth)
	case c == '[':
		if depth >= maxJSONDepth || !n.allows(kArray) || n != nil && n.hasEnum {
			return false
		}
		return s.array(n, depth)
	case c == '"':
		raw, runes, escaped, ok := s.str()
		return ok && n.str(raw, runes, escaped)
	case c == '-' || '0' <= c && c <= '9':
		lit, ok := s.number()
		return ok && n.number(lit)
	case c == 't':
		return s.literal("true") && n.allows(kBool) && (n == nil || !n.hasEnum || n.enumTrue)
	case c == 'f':
		return s.literal("false") && n.allows(kBool) && (n == nil || !n.hasEnum || n.enumFalse)
	case c == 'n':
		return s.literal("null") && n.allows(kNull) && (n == nil || !n.hasEnum || n.enumNull)
	}
	return false
}

func (s *fastScanner) literal(lit string) bool {
	if len(s.d)-s.i < len(lit) || string(s.d[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return true
}

// object checks an object: each member against its property schema or
// additionalProperties, then the counts and required names. A member
// name with escapes, or more than fastMaxExtraKeys names outside the
// schema's members, is "don't know".
func (s *fastScanner) object(n *fastNode, depth int) bool {
	s.i++ // '{'
	var seen [fastMaxMembers / 64]uint64
	var extra [fastMaxExtraKeys][2]int // other names, for duplicates
	nExtra, count := 0, 0
	s.space()
	if s.i < len(s.d) && s.d[s.i] == '}' {
		s.i++
		return n.objectDone(count, &seen)
	}
	for {
		s.space()
		if s.i >= len(s.d) || s.d[s.i] != '"' {
			return false
		}
		start := s.i + 1
		key, _, escaped, ok := s.str()
		if !ok || escaped {
			return false
		}
		idx := -1
		if n != nil && n.names != nil {
			if j, found := n.names[string(key)]; found {
				idx = j
			}
		}
		if idx >= 0 {
			bit := uint64(1) << (idx % 64)
			if seen[idx/64]&bit != 0 {
				return false // a duplicate name
			}
			seen[idx/64] |= bit
		} else {
			for _, e := range extra[:nExtra] {
				if bytes.Equal(s.d[e[0]:e[1]], key) {
					return false // a duplicate name
				}
			}
			if nExtra == len(extra) {
				return false
			}
			extra[nExtra] = [2]int{start, start + len(key)}
			nExtra++
		}
		var child *fastNode
		switch {
		case n == nil:
		case idx >= 0 && n.members[idx].prop:
			child = n.members[idx].node
		case n.noAdditional:
			return false
		default:
			child = n.additional
		}
		s.space()
		if s.i >= len(s.d) || s.d[s.i] != ':' {
			return false
		}
		s.i++
		if !s.value(child, depth+1) {
			return false
		}
		count++
		if closed, ok := s.separator('}'); !ok {
			return false
		} else if closed {
			return n.objectDone(count, &seen)
		}
	}
}

// separator reads what follows a member or an item: a ',' (another one
// comes) or the container's closing byte (closed). ok is false for
// anything else.
func (s *fastScanner) separator(closing byte) (closed, ok bool) {
	s.space()
	if s.i >= len(s.d) {
		return false, false
	}
	switch s.d[s.i] {
	case ',':
		s.i++
		return false, true
	case closing:
		s.i++
		return true, true
	}
	return false, false
}

// objectDone checks an object's member count and required names.
func (n *fastNode) objectDone(count int, seen *[fastMaxMembers / 64]uint64) bool {
	if n == nil {
		return true
	}
	if n.minProps >= 0 && count < n.minProps || n.maxProps >= 0 && count > n.maxProps {
		return false
	}
	if n.hasRequired {
		for i, req := range n.required {
			if seen[i]&req != req {
				return false
			}
		}
	}
	return true
}

// array checks an array: each item against items, then the count.
func (s *fastScanner) array(n *fastNode, depth int) bool {
	s.i++ // '['
	var items *fastNode
	if n != nil {
		items = n.items
	}
	count := 0
	s.space()
	if s.i < len(s.d) && s.d[s.i] == ']' {
		s.i++
		return n.arrayDone(count)
	}
	for {
		if !s.value(items, depth+1) {
			return false
		}
		count++
		if closed, ok := s.separator(']'); !ok {
			return false
		} else if closed {
			return n.arrayDone(count)
		}
	}
}

func (n *fastNode) arrayDone(count int) bool {
	return n == nil || (n.minItems < 0 || count >= n.minItems) && (n.maxItems < 0 || count <= n.maxItems)
}

// str scans the string literal at s.i (its opening quote) as decodeJSON
// does: raw is what is between the quotes, runes the number of code points
// it decodes to (a surrogate pair is one, a lone surrogate one U+FFFD),
// escaped whether it holds any escape (then raw is not the decoded value).
func (s *fastScanner) str() (raw []byte, runes int, escaped, ok bool) {
	d := s.d
	start := s.i + 1
	for i := start; i < len(d); {
		c := d[i]
		switch {
		case c == '"':
			s.i = i + 1
			return d[start:i], runes, escaped, true
		case c < 0x20:
			return nil, 0, false, false
		case c == '\\':
			escaped = true
			if i+1 >= len(d) {
				return nil, 0, false, false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				r := hex4(d, i+2)
				if r < 0 {
					return nil, 0, false, false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// A pair is one code point; else U+FFFD, and the next
					// escape is read on its own (as decodeJSON does).
					if r2 := hex4(d, i+2); i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' && r2 >= 0 &&
						utf16.DecodeRune(r, r2) != utf8.RuneError {
						i += 6
					}
				}
			default:
				return nil, 0, false, false
			}
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, 0, false, false // invalid UTF-8
			}
			i += size
		}
		runes++
	}
	return nil, 0, false, false
}

// str checks a string value: raw, runes and escaped as fastScanner.str
// returns them. The enum and the pattern are matched against raw, so a
// string with escapes is "don't know" when n has either.
func (n *fastNode) str(raw []byte, runes int, escaped bool) bool {
	if n == nil {
		return true
	}
	if !n.allows(kString) {
		return false
	}
	if n.minLen >= 0 && runes < n.minLen || n.maxLen >= 0 && runes > n.maxLen {
		return false
	}
	if (n.hasEnum || n.pattern != nil) && escaped {
		return false
	}
	if n.hasEnum {
		found := false
		for _, e := range n.enumStr {
			if string(raw) == e {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return n.pattern == nil || n.pattern.Match(raw)
}

// number scans a number literal with decodeJSON's grammar,
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *fastScanner) number() ([]byte, bool) {
	d := s.d
	i, ok := numberEnd(d, s.i)
	if !ok {
		return nil, false
	}
	lit := d[s.i:i]
	s.i = i
	return lit, true
}

// number checks a number literal: its type (integer: a whole number,
// 1.0 included, as the library's big.Rat test), enum, format and bounds,
// all compared exactly. A literal with an exponent is "don't know"
// whenever any of those applies.
func (n *fastNode) number(lit []byte) bool {
	if n == nil {
		return true
	}
	needInt := n.types != 0 && n.types&kNumber == 0
	if needInt && n.types&kInteger == 0 {
		return false
	}
	if !needInt && !n.hasEnum && !n.intFmt && n.min == nil && n.max == nil && n.xmin == nil && n.xmax == nil {
		return true
	}
	d := numLiteral(lit)
	if d.hasExp || needInt && !d.isInt() {
		return false
	}
	if n.hasEnum {
		found := false
		for _, e := range n.enumNum {
			if cmpDecimal(d, e) == 0 {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if n.intFmt && (d.fracDigits || cmpDecimal(d, n.fmtMin) < 0 || cmpDecimal(d, n.fmtMax) > 0) {
		return false
	}
	return (n.min == nil || cmpDecimal(d, *n.min) >= 0) &&
		(n.max == nil || cmpDecimal(d, *n.max) <= 0) &&
		(n.xmin == nil || cmpDecimal(d, *n.xmin) > 0) &&
		(n.xmax == nil || cmpDecimal(d, *n.xmax) < 0)
}
