package openapi

import (
	"encoding/json"
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// maxJSONDepth bounds the nesting of a JSON body: deeper bodies are
// refused before the schema validator recurses into them.
const maxJSONDepth = 64

// Reasons a body is not acceptable JSON, as reported to the client.
var (
	errMalformedJSON = errors.New("malformed JSON")
	errDuplicateName = errors.New("malformed JSON: duplicate member name")
	errTooDeep       = errors.New("malformed JSON: nested too deeply")
)

// decodeJSON parses one JSON value (RFC 8259) for schema validation:
// objects as map[string]any, arrays as []any, numbers as json.Number (the
// literal, exact), strings, booleans and null as encoding/json decodes
// them (lone surrogate escapes become U+FFFD). It is stricter than
// encoding/json where two parsers could disagree on what a body means:
// invalid UTF-8 (which encoding/json replaces), a duplicate member name
// (which parsers resolve to the first or the last), and nesting deeper
// than maxJSONDepth are errors. FuzzDecodeJSON holds it to encoding/json.
func decodeJSON(data []byte) (any, error) {
	if !utf8.Valid(data) {
		return nil, errMalformedJSON
	}
	p := jsonParser{data: data}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if p.skipSpace(); p.pos != len(p.data) {
		return nil, errMalformedJSON
	}
	return v, nil
}

type jsonParser struct {
	data []byte
	pos  int
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// next skips white space and returns the next byte (0 at the end).
func (p *jsonParser) next() byte {
	p.skipSpace()
	if p.pos == len(p.data) {
		return 0
	}
	return p.data[p.pos]
}

func (p *jsonParser) value(depth int) (any, error) {
	switch c := p.next(); {
	case c == '{':
		if depth >= maxJSONDepth {
			return nil, errTooDeep
		}
		return p.object(depth)
	case c == '[':
		if depth >= maxJSONDepth {
			return nil, errTooDeep
		}
		return p.array(depth)
	case c == '"':
		return p.string()
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, errMalformedJSON
}

func (p *jsonParser) literal(s string) error {
	if len(p.data)-p.pos < len(s) || string(p.data[p.pos:p.pos+len(s)]) != s {
		return errMalformedJSON
	}
	p.pos += len(s)
	return nil
}

func (p *jsonParser) object(depth int) (any, error) {
	p.pos++ // '{'
	m := map[string]any{}
	if p.next() == '}' {
		p.pos++
		return m, nil
	}
	for {
		if p.next() != '"' {
			return nil, errMalformedJSON
		}
		k, err := p.string()
		if err != nil {
			return nil, err
		}
		if _, dup := m[k]; dup {
			return nil, errDuplicateName
		}
		if p.next() != ':' {
			return nil, errMalformedJSON
		}
		p.pos++
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		m[k] = v
		switch p.next() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return m, nil
		default:
			return nil, errMalformedJSON
		}
	}
}

func (p *jsonParser) array(depth int) (any, error) {
	p.pos++ // '['
	a := []any{}
	if p.next() == ']' {
		p.pos++
		return a, nil
	}
	for {
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		switch p.next() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return a, nil
		default:
			return nil, errMalformedJSON
		}
	}
}

// number reads a number literal (see numberEnd).
func (p *jsonParser) number() (any, error) {
	start := p.pos
	end, ok := numberEnd(p.data, start)
	if !ok {
		return nil, errMalformedJSON
	}
	p.pos = end
	return json.Number(p.data[start:end]), nil
}

// numberEnd returns the end of the number literal at d[i:], with the
// grammar -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, or false. The
// decoder and the fast path's scanner share it, so they accept exactly
// the same numbers.
func numberEnd(d []byte, i int) (int, bool) {
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		i = digits(d, i)
	default:
		return 0, false
	}
	if i < len(d) && d[i] == '.' {
		j := digits(d, i+1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := digits(d, i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

func digits(d []byte, i int) int {
	for i < len(d) && '0' <= d[i] && d[i] <= '9' {
		i++
	}
	return i
}

// string reads a string literal; p.pos is at its opening quote.
func (p *jsonParser) string() (string, error) {
	d := p.data
	start := p.pos + 1
	i := start
	for i < len(d) && d[i] != '"' && d[i] != '\\' && d[i] >= 0x20 {
		i++
	}
	if i < len(d) && d[i] == '"' { // no escapes: the common case
		p.pos = i + 1
		return string(d[start:i]), nil
	}
	b := make([]byte, 0, i-start+16)
	b = append(b, d[start:i]...)
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return string(b), nil
		case c < 0x20:
			return "", errMalformedJSON
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(d) {
			return "", errMalformedJSON
		}
		switch e := d[i+1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := hex4(d, i+2)
			if r < 0 {
				return "", errMalformedJSON
			}
			i += 6
			if utf16.IsSurrogate(r) {
				// A pair, or U+FFFD as encoding/json decodes a lone half.
				if r2 := hex4(d, i+2); i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' && r2 >= 0 {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						b = utf8.AppendRune(b, dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			return "", errMalformedJSON
		}
		i += 2
	}
	return "", errMalformedJSON
}

// hex4 reads four hexadecimal digits at d[i:], or returns -1.
func hex4(d []byte, i int) rune {
	if i < 0 || i+4 > len(d) {
		return -1
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}
