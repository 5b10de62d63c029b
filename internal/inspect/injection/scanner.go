package injection

import (
	"strings"
	"time"
	"unsafe"
)

// maxDecodeRounds bounds how many times the decoders are applied in turn
// to one value: enough for double URL encoding wrapped in HTML entities
// and escapes, not a way to make one value cost more than a few passes.
const maxDecodeRounds = 3

// scanner is the per-request inspection state. Scanners are pooled; each
// holds scratch buffers so that inspecting a value allocates nothing.
type scanner struct {
	st       *Stage
	dec      [2][]byte // ping-pong buffers of the decoders
	jndi     []byte    // scratch of the JNDI resolver
	key, val []byte    // decoded query and form keys and values
	str      []byte    // unescaped JSON strings
	json     jsonWalker
	values   int
	deadline time.Time
	partial  string // why inspection stopped short ("" when complete)
	hits     []hit
	seen     memo // strings found clean in this request
}

// hit is one detection: the rule and where, never the value.
type hit struct {
	rule rule
	loc  string
}

func (sc *scanner) reset(st *Stage) {
	sc.st = st
	sc.values = 0
	sc.partial = ""
	sc.hits = sc.hits[:0]
	sc.deadline = time.Time{} // set at the first time check (see budget)
	sc.seen.reset()
}

// done reports whether inspection must stop: a hit in block mode, the
// findings bound in report mode, or a limit.
func (sc *scanner) done() bool {
	if len(sc.hits) > 0 && (sc.st.block || len(sc.hits) >= maxFindings) {
		return true
	}
	return sc.partial != ""
}

// budget counts one value against the limits and reports whether it may
// be inspected.
func (sc *scanner) budget() bool {
	if sc.partial != "" {
		return false
	}
	sc.values++
	if sc.values > sc.st.o.maxValues {
		sc.partial = "too many values"
		return false
	}
	if sc.values&31 == 0 {
		// The clock is read every 32 values; the first reading starts the
		// budget, so small requests never read it and the first values are
		// bounded by their number.
		now := sc.st.o.now()
		if sc.deadline.IsZero() {
			sc.deadline = now.Add(sc.st.o.timeBudget)
		} else if now.After(sc.deadline) {
			sc.partial = "time budget exceeded"
			return false
		}
	}
	return true
}

// value inspects one value (and its decoded forms) and records a hit at
// loc. It reports whether inspection must stop.
func (sc *scanner) value(v string, loc *location) bool {
	if !sc.budget() {
		return true
	}
	if r := sc.judge(v); r != ruleNone {
		sc.hits = append(sc.hits, hit{rule: r, loc: loc.describe()})
	}
	return sc.done()
}

// keyName inspects a parameter or member name: the value rules, and,
// with operators, query operators (NoSQL).
func (sc *scanner) keyName(k string, loc *location, operators bool) bool {
	if !sc.budget() {
		return true
	}
	r := ruleNone
	if operators && len(k) > 1 && (k[0] == '$' || strings.IndexByte(k, '[') >= 0) && isOperatorKey(k) {
		r = ruleNoSQL
	} else {
		r = sc.judge(k)
	}
	if r != ruleNone {
		loc.inKey = true
		sc.hits = append(sc.hits, hit{rule: r, loc: loc.describe()})
	}
	return sc.done()
}

// judge runs the rules on v and on each form the decoders make of it,
// once per distinct short string per request (see memo).
func (sc *scanner) judge(v string) rule {
	if sc.seen.clean(v) {
		return ruleNone
	}
	r := sc.judgeOnce(v)
	if r == ruleNone {
		sc.seen.remember(v)
	}
	return r
}

// judgeOnce is judge without the memo.
func (sc *scanner) judgeOnce(v string) rule {
	r, cls := detect(v, &sc.jndi)
	if r != ruleNone || cls&gateDecode == 0 {
		return r
	}
	cur, k := v, 0
	for round := 0; round < maxDecodeRounds && cls&gateDecode != 0; round++ {
		progressed := false
		for d := 0; d < 4; d++ {
			var changed bool
			switch {
			case d == 0 && cls&cPercent != 0:
				sc.dec[k], changed = urlDecode(sc.dec[k][:0], cur, false)
			case d == 1 && cls&cAmp != 0:
				sc.dec[k], changed = htmlDecode(sc.dec[k][:0], cur)
			case d == 2 && cls&cBackslash != 0:
				sc.dec[k], changed = unescape(sc.dec[k][:0], cur)
			case d == 3 && cls&cHigh != 0:
				sc.dec[k], changed = foldWidth(sc.dec[k][:0], cur)
			}
			if !changed {
				continue
			}
			// The decoded form is in sc.dec[k]; the next decoder writes
			// the other buffer, so cur stays intact while it is read.
			cur = bytesString(sc.dec[k])
			k ^= 1
			progressed = true
			if r, cls = detect(cur, &sc.jndi); r != ruleNone {
				return r
			}
		}
		if !progressed {
			break
		}
	}
	return ruleNone
}

// bytesString views b as a string without copying. The caller must not
// change b while the string is in use; the rules only read their input
// and keep no reference to it once they return.
func bytesString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
