package mask

import (
	"bytes"
	"sync/atomic"
)

// Window is the masker's lookahead in bytes: whether a secret starts at a
// position is decided from at most Window bytes from there, so a stream
// holds back at most Window bytes (plus one read chunk) and a secret
// split across reads is seen whole. Only JWTs need that much (a header of
// up to Window/2 bytes, then the payload); every other pattern needs
// under 128 bytes. What follows a decided match (the rest of a long JWT,
// token or PEM body, or a masked JSON string value) is consumed by a skip
// state that needs no lookahead, so it is masked however long it is.
const Window = 8 << 10

// Redacted replaces every masked value except card numbers.
const Redacted = "[REDACTED]"

// Data classes, indexes of the match counters.
const (
	classPAN = iota
	classSSN
	classSecrets
	numClasses
)

// Skip states: what the engine consumes (without output) after a match.
const (
	skipNone   uint8 = iota
	skipSet          // bytes of class skipSet (the rest of a token)
	skipJWT          // base64url segments and the dots between them
	skipPEM          // a PEM body through its END line
	skipString       // a JSON string value, through its closing quote
)

// rules are the compiled data classes of a Filter.
type rules struct {
	pan, ssn, secrets bool
}

// match is a detection at the scan position: keep bytes are passed on,
// the n bytes after them replaced, then the skip state entered.
type match struct {
	keep, n   int
	class     int
	card      bool // "****" + last four digits, else Redacted
	field     bool // the opening quote of a credential field's value
	skip, set uint8
}

// engine is the masking state machine of one body. Input arrives in a
// buffer b in which positions are indexes; base is the stream offset of
// b[0], and b keeps at least lookbehind bytes before the unconsumed input
// (the detectors look at the bytes before a candidate, and at a JSON
// field name before its ':'). process consumes a prefix of the unconsumed
// input and appends the masked output to out; all state needed to
// continue is carried here, so the output does not depend on how the
// input was split.
type engine struct {
	r    *rules
	json bool
	seg  byte // segment mode: 0, '\n' (NDJSON lines), 'e' (events)

	base int64

	// JSON string state at stream offset lexPos (JSON only), advanced
	// lazily: to a match, and to the end of each run.
	lexPos     int64
	inStr, esc bool // in a string; its byte at lexPos is escaped

	skip    uint8
	skipSet uint8
	skipEsc bool  // skipString: the next byte is escaped
	jwtMemo int64 // no JWT starts before this offset
	segNext int64 // no segment boundary before this offset

	// Candidate finders and their next candidate in the current run:
	// the masks (digits, fields), then the anchors.
	anchors []*anchor
	blocks  bool
	fields  bool
	nextAt  [1 + len(secretAnchors)]int
	blk     block

	// Output of the current process call.
	out      []byte
	emitFrom int
	dirty    bool

	counts *[numClasses]atomic.Int64
}

// lookbehind is how many consumed bytes a stream keeps before the
// unconsumed input: a field name and the whitespace around its ':', the
// "aws_" before "secret", the two bytes before a card number.
const lookbehind = 256

func newEngine(r *rules, k Kind) engine {
	e := engine{r: r, json: k == JSON || k == NDJSON}
	switch k {
	case NDJSON:
		e.seg = '\n'
	case EventStream:
		e.seg = 'e'
	}
	if r.secrets {
		e.anchors = secretAnchors[:]
		e.fields = e.json
	}
	e.blocks = r.pan || r.ssn || e.fields
	return e
}

// begin starts the output of a process call at b[pos].
func (e *engine) begin(pos int) {
	e.out, e.emitFrom, e.dirty = e.out[:0], pos, false
}

// result returns the output of everything consumed up to b[p]: the input
// itself when nothing was masked, else e.out.
func (e *engine) result(b []byte, start, p int) []byte {
	if !e.dirty {
		return b[start:p]
	}
	e.flush(b, p)
	return e.out
}

func (e *engine) flush(b []byte, upto int) {
	e.out = append(e.out, b[e.emitFrom:upto]...)
	e.emitFrom, e.dirty = upto, true
}

// reset forgets the state at a segment boundary (at stream offset off).
func (e *engine) reset(off int64) {
	e.lexPos, e.inStr, e.esc, e.skip, e.skipEsc = off, false, false, skipNone, false
}

// process consumes b[pos:w) as far as it can decide (all of it when eof)
// and returns the new position. Complete segments are masked as if each
// ended the input.
func (e *engine) process(b []byte, pos, w int, eof bool) int {
	if e.seg != 0 {
		for {
			end := e.boundary(b, pos, w)
			if end < 0 {
				break
			}
			pos = e.run(b, pos, end, end, true)
			e.reset(e.base + int64(end))
		}
	}
	lim := w
	if !eof {
		lim = w - Window
	}
	if lim > pos {
		pos = e.run(b, pos, lim, w, eof)
	}
	return pos
}

// boundary returns the end of the first complete segment in b[pos:w), or
// -1: after '\n' for NDJSON, after a blank line for event streams.
func (e *engine) boundary(b []byte, pos, w int) int {
	from := max(pos, int(e.segNext-e.base))
	for from < w {
		i := bytes.IndexByte(b[from:w], '\n')
		if i < 0 {
			break
		}
		i += from
		if e.seg == '\n' {
			e.segNext = e.base + int64(i+1)
			return i + 1
		}
		k := i + 1
		if k < w && b[k] == '\r' {
			k++
		}
		if k >= w {
			e.segNext = e.base + int64(i)
			return -1
		}
		if b[k] == '\n' {
			e.segNext = e.base + int64(k+1)
			return k + 1
		}
		from = i + 1
	}
	e.segNext = e.base + int64(w)
	return -1
}

// run masks b[p:lim); detectors may look up to b[n] (the end of input when
// eof). It returns where it stopped: lim, or beyond when a match crosses it.
func (e *engine) run(b []byte, p, lim, n int, eof bool) int {
	b = b[:n]
	for i := range e.nextAt {
		e.nextAt[i] = -1
	}
	e.blk.at = -1
	for p < lim {
		if e.skip != skipNone {
			p = e.skipRun(b, p, lim)
			continue
		}
		c := e.next(b, p, lim)
		if c >= lim {
			p = lim
			break
		}
		if m := e.detect(b, c, eof); m.n > 0 {
			p = e.apply(b, c, m)
			continue
		}
		if isDigit(b[c]) {
			p = c + span(b[c:], cDigit)
		} else {
			p = c + 1
		}
	}
	if e.json {
		e.lexTo(b, p)
	}
	return p
}

// next returns the first candidate start in [p, lim), or lim.
func (e *engine) next(b []byte, p, lim int) int {
	c := lim
	if e.blocks {
		if e.nextAt[0] < p {
			e.nextAt[0] = e.nextBlock(b, p, lim)
		}
		c = e.nextAt[0]
	}
	for i, a := range e.anchors {
		if e.nextAt[i+1] < p {
			e.nextAt[i+1] = a.next(b, p, lim)
		}
		c = min(c, e.nextAt[i+1])
	}
	return c
}
