package mask

// isEscLetter reports the letter of a backslash escape that stands for a
// separator (\n, \r, \t, \b, \f): after it a new word starts.
func isEscLetter(c byte) bool {
	return c == 'n' || c == 'r' || c == 't' || c == 'b' || c == 'f'
}

// detect runs the detectors that may start at b[p], seeing at most Window
// bytes (b ends where the input ends when eof). In JSON it finds the
// string state at b[p] only once something matched.
func (e *engine) detect(b []byte, p int, eof bool) match {
	if b[p] == '"' { // a credential field's value, from nextBlock
		return match{n: 1, class: classSecrets, field: true, skip: skipString}
	}
	m := e.detectAt(b, p, eof, false)
	if m.n == 0 || !e.json {
		return m
	}
	e.lexTo(b, p)
	switch {
	case e.esc: // the letter of an escape (\r...), not a start
		return match{}
	case e.inStr:
		return m
	case m.keep > 0: // an AWS secret assignment outside strings: not JSON
		return match{}
	case m.card: // a JSON number: the whole token only
		return e.detectAt(b, p, eof, true)
	}
	return m
}

// detectAt is detect with the JSON string state known for jsonOut (b[p]
// is outside any string) and assumed inside otherwise.
func (e *engine) detectAt(b []byte, p int, eof, jsonOut bool) match {
	end, atEnd := p+Window, false
	if end >= len(b) {
		end, atEnd = len(b), eof
	}
	w := b[p:end]
	c := w[0]
	r := e.r
	var p1, p2 byte
	if p >= 1 {
		p1 = b[p-1]
	}
	if p >= 2 {
		p2 = b[p-2]
	}
	wordStart := !isAlnum(p1) || p2 == '\\' && isEscLetter(p1)
	switch {
	case isDigit(c):
		if !wordStart || p1 == '*' || p1 == '_' || p1 == '.' && isDigit(p2) {
			return match{}
		}
		if r.pan && !(jsonOut && (p1 == '-' || p1 == '+' || p1 == '.')) {
			if k := matchCard(w, jsonOut); k > 0 {
				return match{n: k, class: classPAN, card: true}
			}
		}
		if r.ssn && p1 != '-' {
			if k := matchSSN(w); k > 0 {
				return match{n: k, class: classSSN}
			}
		}
	case c == '-':
		if k := matchPEMBegin(w); k > 0 {
			return match{n: k, class: classSecrets, skip: skipPEM}
		}
	case wordStart:
		if c == 'e' {
			if len(w) >= 3 && w[1] == 'y' && w[2] == 'J' && e.base+int64(p) >= e.jwtMemo {
				m, memo := matchJWT(w, atEnd)
				if m.n > 0 {
					return m
				}
				e.jwtMemo = e.base + int64(p+memo)
			}
			return match{}
		}
		if m := matchToken(w); m.n > 0 {
			return m
		}
		if l := c | 0x20; l == 'a' || l == 's' {
			return matchAWSSecret(w, !e.json)
		}
	}
	return match{}
}

// apply writes the replacement of m found at b[p] and returns the
// position after the replaced bytes. Outside JSON strings it is quoted, so
// that a masked JSON number becomes a string.
func (e *engine) apply(b []byte, p int, m match) int {
	s := p + m.keep
	e.flush(b, s)
	e.count(m.class)
	e.skip, e.skipSet, e.skipEsc = m.skip, m.set, false
	if m.field {
		e.out = append(e.out, `"`+Redacted...)
		e.emitFrom = s + 1
		return s + 1
	}
	quoted := e.json && !e.inStr
	if quoted {
		e.out = append(e.out, '"')
	}
	if m.card {
		e.out = appendCardMask(e.out, b[s:s+m.n])
	} else {
		e.out = append(e.out, Redacted...)
	}
	if quoted {
		e.out = append(e.out, '"')
	}
	e.emitFrom = s + m.n
	return s + m.n
}

func (e *engine) count(class int) {
	if e.counts != nil {
		e.counts[class].Add(1)
	}
}
