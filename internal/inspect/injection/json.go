package injection

import (
	"errors"
	"strconv"
	"strings"
)

// maxJSONDepth bounds the nesting of a JSON body; deeper is malformed.
const maxJSONDepth = 256

// maxPathLen bounds a JSON path in a description.
const maxPathLen = 160

var errMalformed = errors.New("malformed JSON")

// jsonWalker is a streaming tokenizer over a (possibly truncated) JSON
// text that hands every string, member names included, to the scanner
// one at a time, already unescaped: the rules never see JSON punctuation,
// so {"a":"b"} is not mistaken for an injection and a payload cannot
// hide behind escapes. It keeps only the current path (a stack of
// frames), allocates nothing once its buffers have grown, and does work
// linear in the input. Several top-level values (JSON lines) are walked
// in turn. It is deliberately lenient where leniency cannot hide a
// string (it does not check that members and commas alternate), and stops
// at what it cannot tokenize: the caller then inspects the rest raw.
type jsonWalker struct {
	data  []byte
	pos   int
	stack []frame
	trunc bool // data is a prefix of the body
	// visit, when set, sees every string first (for tests).
	visit func(s string, key bool)
}

type frame struct {
	array    bool
	wantKey  bool // in an object, the next string is a member name
	index    int  // in an array, the current element
	keyStart int  // in an object, the raw span of the current member name
	keyEnd   int
}

// walk tokenizes w.data, calling sc for each string. It returns
// errMalformed (with w.pos at the offending byte) or nil, also when the
// scanner asked to stop.
func (w *jsonWalker) walk(sc *scanner) error {
	d := w.data
	if len(d) >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf {
		w.pos = 3
	}
	for w.pos < len(d) {
		c := d[w.pos]
		switch c {
		case ' ', '\t', '\n', '\r':
			w.pos++
		case '{', '[':
			if len(w.stack) >= maxJSONDepth {
				return errMalformed
			}
			w.stack = append(w.stack, frame{array: c == '[', wantKey: c == '{'})
			w.pos++
		case '}', ']':
			n := len(w.stack)
			if n == 0 || w.stack[n-1].array != (c == ']') {
				return errMalformed
			}
			w.stack = w.stack[:n-1]
			w.pos++
		case ':':
			if f := w.top(); f != nil && !f.array {
				f.wantKey = false
			}
			w.pos++
		case ',':
			if f := w.top(); f != nil {
				if f.array {
					f.index++
				} else {
					f.wantKey = true
				}
			}
			w.pos++
		case '"':
			if stop := w.str(sc); stop {
				return nil
			}
		default:
			if !w.literal() {
				return errMalformed
			}
		}
	}
	return nil
}

func (w *jsonWalker) top() *frame {
	if len(w.stack) == 0 {
		return nil
	}
	return &w.stack[len(w.stack)-1]
}

// literal skips a number, true, false or null.
func (w *jsonWalker) literal() bool {
	d := w.data
	start := w.pos
	for w.pos < len(d) && (isAlnum(d[w.pos]) || d[w.pos] == '-' || d[w.pos] == '+' || d[w.pos] == '.') {
		w.pos++
	}
	lit := d[start:w.pos]
	switch {
	case len(lit) == 0:
		return false
	case lit[0] == '-' || '0' <= lit[0] && lit[0] <= '9':
		for _, b := range lit {
			if !('0' <= b && b <= '9' || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E') {
				return false
			}
		}
		return true
	case w.pos == len(d) && w.trunc: // cut by the body limit
		return true
	}
	s := bytesString(lit)
	return s == "true" || s == "false" || s == "null"
}

// str reads the string at w.pos, hands it to the scanner and reports
// whether the scanner asked to stop. A string cut by the end of the data
// is inspected as far as it goes.
func (w *jsonWalker) str(sc *scanner) bool {
	d := w.data
	start := w.pos + 1
	i, esc := start, false
	for i < len(d) {
		c := d[i]
		if c == '"' {
			break
		}
		if c == '\\' {
			esc = true
			i++ // the escaped byte, whatever it is, is not the end
		}
		i++
	}
	end := min(i, len(d))
	w.pos = min(i+1, len(d))
	raw := bytesString(d[start:end])
	s := raw
	if esc {
		sc.str, _ = unescape(sc.str[:0], raw)
		s = bytesString(sc.str)
	}
	loc := location{kind: locJSON, json: w}
	f := w.top()
	key := f != nil && !f.array && f.wantKey
	if w.visit != nil {
		w.visit(s, key)
	}
	if key {
		f.keyStart, f.keyEnd = start, end
		f.wantKey = false
		return sc.keyName(s, &loc, true)
	}
	return sc.value(s, &loc)
}

// path describes the current position as a JSONPath ($.items[2].note).
// With member false, the current member name of the innermost object is
// left out (the hit is in that name).
func (w *jsonWalker) path(member bool) string {
	var b strings.Builder
	b.WriteByte('$')
	for i := range w.stack {
		if b.Len() > maxPathLen {
			b.WriteString("...")
			break
		}
		f := &w.stack[i]
		if f.array {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(f.index))
			b.WriteByte(']')
			continue
		}
		if f.keyEnd > f.keyStart && (member || i < len(w.stack)-1) {
			jsonPathName(&b, string(w.data[f.keyStart:f.keyEnd]))
		}
	}
	return b.String()
}
