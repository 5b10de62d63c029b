package jwt

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

var (
	errNotJSON      = errors.New("not valid JSON")
	errNotObject    = errors.New("not a JSON object")
	errDuplicate    = errors.New("repeated member name")
	errNotString    = errors.New("not a string")
	errScanInternal = errors.New("JSON scan out of bounds")
)

// objectMembers calls fn with the name (unescaped) and raw value of each
// member of the JSON object b, in document order. It fails if b is not
// valid JSON, not an object, or repeats a member name: parsers differ on
// which of two "alg"s counts, so a token with two is refused.
//
// Validity is checked first by encoding/json; the scan that follows only
// delimits names and values, and still checks its bounds.
func objectMembers(b []byte, fn func(name, value []byte) error) error {
	if !json.Valid(b) {
		return errNotJSON
	}
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errNotObject
	}
	var names [32][]byte
	var many map[string]struct{}
	n := 0
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return errScanInternal
		}
		end, ok := endOfString(b, i)
		if !ok {
			return errScanInternal
		}
		name, err := unquote(b[i:end])
		if err != nil {
			return err
		}
		if n < len(names) {
			for _, seen := range names[:n] {
				if bytes.Equal(seen, name) {
					return errDuplicate
				}
			}
			names[n] = name
		} else {
			if many == nil {
				many = make(map[string]struct{}, 2*len(names))
				for _, seen := range names {
					many[string(seen)] = struct{}{}
				}
			}
			if _, dup := many[string(name)]; dup {
				return errDuplicate
			}
			many[string(name)] = struct{}{}
		}
		n++
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return errScanInternal
		}
		i = skipWS(b, i+1)
		vend, ok := endOfValue(b, i)
		if !ok {
			return errScanInternal
		}
		if err := fn(name, b[i:vend]); err != nil {
			return err
		}
		i = skipWS(b, vend)
		if i >= len(b) {
			return errScanInternal
		}
		switch b[i] {
		case '}':
			return nil
		case ',':
			i = skipWS(b, i+1)
		default:
			return errScanInternal
		}
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// endOfString returns the index just past the string starting at b[i].
func endOfString(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// endOfValue returns the index just past the value starting at b[i].
func endOfValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return endOfString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, ok := endOfString(b, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j, j > i
}

// unquote returns the content of a JSON string literal, without copying
// when it has no escape and is valid UTF-8 (what encoding/json would
// return unchanged).
func unquote(raw []byte) ([]byte, error) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, errNotString
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return body, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// jsonString decodes a raw value that must be a JSON string.
func jsonString(raw []byte) (string, error) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", errNotString
	}
	s, err := unquote(raw)
	return string(s), err
}
