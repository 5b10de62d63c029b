package injection

import "bytes"

// maxLookupDepth bounds the nesting of ${...} lookups that hasJNDI
// resolves; deeper nesting is itself reported (no benign value nests
// Log4j lookups that deep).
const maxLookupDepth = 16

// hasJNDI reports whether s holds a Log4j JNDI lookup once the lookups
// that attackers nest to hide the word are resolved the way Log4j 2
// resolves them: ${lower:x} and ${upper:x} give x, ${anything:-x} and
// ${prefix:name:-x} give their default x, ${date:'x'} gives x, and any
// other lookup gives nothing. So ${${lower:j}ndi:...},
// ${${::-j}${::-n}${::-d}${::-i}:...} and ${j${env:X:-n}di:...} are all
// ${jndi:...}. Lookup names are case-insensitive, as in Log4j. buf is
// scratch space; the work is linear in len(s).
func hasJNDI(s string, buf []byte) (bool, []byte) {
	e := jndiEval{buf: buf[:0]}
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '$' && s[i+1] == '{' {
			e.buf = e.buf[:0]
			i = e.lookup(s, i+2, 1) - 1
			if e.found {
				return true, e.buf
			}
		}
	}
	return false, e.buf
}

type jndiEval struct {
	buf   []byte
	found bool
}

// lookup reads the lookup whose content starts at s[i], appends its
// resolved value to e.buf and returns the index after its closing '}'
// (or len(s) when it is not closed: a truncated lookup is judged on what
// it holds).
func (e *jndiEval) lookup(s string, i, depth int) int {
	start := len(e.buf)
	for i < len(s) && !e.found {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			if depth >= maxLookupDepth {
				e.found = true
				return len(s)
			}
			i = e.lookup(s, i+2, depth+1)
		case s[i] == '}':
			e.resolve(start)
			return i + 1
		default:
			e.buf = append(e.buf, s[i])
			i++
		}
	}
	e.resolve(start)
	return i
}

// resolve replaces the content e.buf[start:] of one lookup by its value.
func (e *jndiEval) resolve(start int) {
	c := e.buf[start:]
	if len(c) >= 5 && bytes.EqualFold(c[:5], []byte("jndi:")) {
		e.found = true
		return
	}
	var v []byte
	if k := bytes.Index(c, []byte(":-")); k >= 0 {
		v = c[k+2:]
	} else if k := bytes.IndexByte(c, ':'); k >= 0 {
		switch name := c[:k]; {
		case bytes.EqualFold(name, []byte("lower")), bytes.EqualFold(name, []byte("upper")):
			v = c[k+1:]
		case bytes.EqualFold(name, []byte("date")):
			v = bytes.Trim(c[k+1:], "'")
		}
	}
	n := copy(e.buf[start:], v) // v lies inside e.buf at or after start
	e.buf = e.buf[:start+n]
}
