package mask

import "bytes"

// lexTo advances the JSON string state to b[to]: quotes are counted
// between backslashes (both found with SIMD), a backslash in a string
// escapes the byte after it.
func (e *engine) lexTo(b []byte, to int) {
	p := int(e.lexPos - e.base)
	if p >= to {
		return
	}
	for p < to {
		if e.esc {
			e.esc = false
			p++
			continue
		}
		end := to
		k := bytes.IndexByte(b[p:to], '\\')
		if k >= 0 {
			end = p + k
		}
		if bytes.Count(b[p:end], quote)%2 == 1 {
			e.inStr = !e.inStr
		}
		if k < 0 {
			break
		}
		e.esc = e.inStr // outside strings a backslash is not JSON: ignored
		p = end + 1
	}
	e.lexPos = e.base + int64(to)
}

var quote = []byte{'"'}
