package ratelimit

import (
	"errors"
	"strconv"
	"strings"
)

// Item is one member of a RateLimit or RateLimit-Policy field: a policy
// name and its integer parameters in order (q and w, or r and t).
type Item struct {
	Name   string
	Params []Param
}

// Param is one integer parameter of an Item.
type Param struct {
	Key   string
	Value int64
}

// Get returns the value of parameter key and whether it is present.
func (it Item) Get(key string) (int64, bool) {
	for _, p := range it.Params {
		if p.Key == key {
			return p.Value, true
		}
	}
	return 0, false
}

// FormatHeader serializes items as an RFC 8941 list, the way the stage
// writes RateLimit and RateLimit-Policy: `"name";q=1;w=2, "other";q=3`.
// Names must be printable ASCII and keys valid sf-keys (as ParseHeader
// returns them).
func FormatHeader(items []Item) string {
	var b []byte
	for i, it := range items {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendSFString(b, it.Name)
		for _, p := range it.Params {
			b = append(b, ';')
			b = append(b, p.Key...)
			b = append(b, '=')
			b = strconv.AppendInt(b, p.Value, 10)
		}
	}
	return string(b)
}

// ParseHeader parses a RateLimit or RateLimit-Policy field value: an RFC
// 8941 list whose members are sf-strings with integer parameters (the
// subset of the IETF ratelimit-headers draft that apiguard sends; other
// member or parameter types are refused, as are duplicate keys).
func ParseHeader(v string) ([]Item, error) {
	p := sfParser{s: strings.Trim(v, " ")}
	if p.s == "" {
		return nil, errors.New("ratelimit: empty field")
	}
	var items []Item
	for {
		it, err := p.item()
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		p.ows()
		if p.done() {
			return items, nil
		}
		if p.s[p.i] != ',' {
			return nil, p.fail("expected ','")
		}
		p.i++
		p.ows()
		if p.done() {
			return nil, p.fail("trailing ','")
		}
	}
}

type sfParser struct {
	s string
	i int
}

func (p *sfParser) done() bool { return p.i >= len(p.s) }

func (p *sfParser) fail(msg string) error {
	return errors.New("ratelimit: bad field at offset " + strconv.Itoa(p.i) + ": " + msg)
}

func (p *sfParser) ows() {
	for !p.done() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *sfParser) item() (Item, error) {
	name, err := p.sfString()
	if err != nil {
		return Item{}, err
	}
	it := Item{Name: name}
	for !p.done() && p.s[p.i] == ';' {
		p.i++
		for !p.done() && p.s[p.i] == ' ' {
			p.i++
		}
		k, err := p.key()
		if err != nil {
			return Item{}, err
		}
		if _, dup := it.Get(k); dup {
			return Item{}, p.fail("duplicate parameter " + k)
		}
		if p.done() || p.s[p.i] != '=' {
			return Item{}, p.fail("parameter " + k + " has no integer value")
		}
		p.i++
		n, err := p.integer()
		if err != nil {
			return Item{}, err
		}
		it.Params = append(it.Params, Param{Key: k, Value: n})
	}
	return it, nil
}

func (p *sfParser) sfString() (string, error) {
	if p.done() || p.s[p.i] != '"' {
		return "", p.fail("expected a string")
	}
	p.i++
	var b strings.Builder
	for !p.done() {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '"':
			return b.String(), nil
		case c == '\\':
			if p.done() || (p.s[p.i] != '"' && p.s[p.i] != '\\') {
				return "", p.fail("bad escape")
			}
			b.WriteByte(p.s[p.i])
			p.i++
		case c < 0x20 || c > 0x7e:
			return "", p.fail("non-printable character in string")
		default:
			b.WriteByte(c)
		}
	}
	return "", p.fail("unterminated string")
}

func (p *sfParser) key() (string, error) {
	start := p.i
	if p.done() || !(isLower(p.s[p.i]) || p.s[p.i] == '*') {
		return "", p.fail("expected a key")
	}
	for p.i++; !p.done(); p.i++ {
		c := p.s[p.i]
		if !isLower(c) && !isDigit(c) && c != '_' && c != '-' && c != '.' && c != '*' {
			break
		}
	}
	return p.s[start:p.i], nil
}

func (p *sfParser) integer() (int64, error) {
	start := p.i
	if !p.done() && p.s[p.i] == '-' {
		p.i++
	}
	digits := p.i
	for !p.done() && isDigit(p.s[p.i]) {
		p.i++
	}
	if n := p.i - digits; n == 0 || n > 15 {
		return 0, p.fail("expected an integer of 1 to 15 digits")
	}
	if !p.done() && p.s[p.i] == '.' {
		return 0, p.fail("decimals are not accepted")
	}
	return strconv.ParseInt(p.s[start:p.i], 10, 64)
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
