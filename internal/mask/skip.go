package mask

import "bytes"

// skipRun consumes the input of the skip state from b[p] (no output) and
// returns where it stopped: at lim, or where the skip state ended.
func (e *engine) skipRun(b []byte, p, lim int) int {
	e.flush(b, p)
	switch e.skip {
	case skipSet:
		set := e.skipSet
		for p < lim && class[b[p]]&set != 0 {
			p++
		}
		if p < lim {
			e.skip = skipNone
		}
	case skipJWT:
		for p < lim {
			c := b[p]
			if class[c]&cB64URL != 0 || c == '.' && p+1 < len(b) && class[b[p+1]]&cB64URL != 0 {
				p++
				continue
			}
			e.skip = skipNone
			break
		}
	case skipPEM:
		for p < lim {
			k, last := pemStep(b[p:min(len(b), p+128)])
			if k == 0 {
				e.skip = skipNone
				break
			}
			p += k
			if last {
				e.skip = skipNone
				break
			}
		}
	case skipString:
		for p < lim {
			if e.skipEsc {
				e.skipEsc, p = false, p+1
				continue
			}
			i := bytes.IndexAny(b[p:lim], `"\`)
			if i < 0 {
				p = lim
				break
			}
			p += i
			if b[p] == '\\' {
				e.skipEsc, p = true, p+1
				continue
			}
			p++
			e.out = append(e.out, '"')
			e.skip = skipNone
			break
		}
	}
	e.emitFrom = p
	return p
}
