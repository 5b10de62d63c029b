package openapi

import (
	"math/bits"
	"regexp"
	"regexp/syntax"
)

// stringPattern is a compiled pattern keyword for the fast path. Its
// contract: Match(b) is exactly re.Match(b), on every input (any bytes,
// invalid UTF-8 included). A pattern in the simple subset that
// compilePattern accepts runs as steps, without allocating; patterns
// outside the subset keep the regexp. It is immutable and safe for
// concurrent use.
type stringPattern struct {
	re     *regexp.Regexp
	fast   bool          // prefix and steps decide Match (re is then not run)
	prefix string        // the leading literal bytes
	steps  []patternStep // the steps after prefix
}

// patternStep is one step of a pattern in the subset: between min and max
// (-1: no limit) bytes of set, taken greedily.
type patternStep struct {
	set      [2]uint64 // the ASCII bytes the step takes, a bit each
	min, max int
}

// patternMaxSteps bounds the steps of a pattern in the subset (a longer
// one keeps the regexp).
const patternMaxSteps = 64

// newStringPattern compiles re, a pattern the library compiled with its
// default engine (regexp.Compile).
func newStringPattern(re *regexp.Regexp) *stringPattern {
	steps, ok := compilePattern(re.String())
	p := &stringPattern{re: re, fast: ok}
	if ok {
		p.prefix, p.steps = literalPrefix(steps)
	}
	return p
}

// literalPrefix splits steps into the bytes of the leading steps that
// take exactly one given byte, and the rest.
func literalPrefix(steps []patternStep) (string, []patternStep) {
	var prefix []byte
	for _, s := range steps {
		if s.min != 1 || s.max != 1 || bits.OnesCount64(s.set[0])+bits.OnesCount64(s.set[1]) != 1 {
			break
		}
		c := bits.TrailingZeros64(s.set[0])
		if s.set[0] == 0 {
			c = 64 + bits.TrailingZeros64(s.set[1])
		}
		prefix = append(prefix, byte(c))
	}
	return string(prefix), steps[len(prefix):]
}

// Match reports whether b contains a match of the pattern, as re.Match.
//
// In the subset the pattern is anchored at both ends, so b matches when
// the steps, each taking its bytes greedily, take all of b. A byte ≥ 0x80
// is in no step's set: b then does not match, as for the regexp, which
// reads it as part of a non-ASCII rune or as an invalid one (U+FFFD),
// neither in an ASCII class.
func (p *stringPattern) Match(b []byte) bool {
	if !p.fast {
		return p.re.Match(b)
	}
	if len(b) < len(p.prefix) || string(b[:len(p.prefix)]) != p.prefix {
		return false
	}
	b = b[len(p.prefix):]
	for k := range p.steps {
		s := &p.steps[k]
		run := b
		if s.max >= 0 && s.max < len(run) {
			run = run[:s.max]
		}
		set, n := s.set, 0
		for _, c := range run {
			if c >= 0x80 || set[c>>6&1]&(1<<(c&63)) == 0 {
				break
			}
			n++
		}
		if n < s.min {
			return false
		}
		b = b[n:]
	}
	return len(b) == 0
}

// compilePattern returns the steps of expr when it is in the subset: with
// regexp.Compile's syntax (syntax.Perl: ^ and $ are the beginning and end
// of the text), begin-of-text, then a sequence of ASCII literals (not
// case-folded) and ASCII classes, each alone or repeated (*, +, ?, {m,n},
// greedy or not), then end-of-text; groups are looked through. It is not
// simplified (Simplify would expand {m,n} into nested alternatives).
//
// It also requires what makes greedy taking the only parse: a step with a
// variable count shares no byte with any later step up to and including
// the first that takes at least one byte (or the end). A byte such a step
// could leave would otherwise have no later step to go to, so any parse
// takes, at each step, what the greedy one takes.
func compilePattern(expr string) ([]patternStep, bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, false
	}
	subs := flattenConcat(re, nil)
	if len(subs) < 2 || subs[0].Op != syntax.OpBeginText || subs[len(subs)-1].Op != syntax.OpEndText {
		return nil, false // a search, or anchored only at one end
	}
	steps := []patternStep{}
	for _, sub := range subs[1 : len(subs)-1] {
		switch sub.Op {
		case syntax.OpEmptyMatch:
		case syntax.OpLiteral: // a string: a step for each rune
			if sub.Flags&syntax.FoldCase != 0 {
				return nil, false
			}
			for _, r := range sub.Rune {
				set, ok := rangeSet([]rune{r, r})
				if !ok {
					return nil, false
				}
				steps = append(steps, patternStep{set: set, min: 1, max: 1})
			}
		case syntax.OpCharClass:
			set, ok := charSet(sub)
			if !ok {
				return nil, false
			}
			steps = append(steps, patternStep{set: set, min: 1, max: 1})
		case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
			set, ok := charSet(sub.Sub[0])
			if !ok {
				return nil, false
			}
			s := patternStep{set: set, min: sub.Min, max: sub.Max}
			switch sub.Op {
			case syntax.OpStar:
				s.min, s.max = 0, -1
			case syntax.OpPlus:
				s.min, s.max = 1, -1
			case syntax.OpQuest:
				s.min, s.max = 0, 1
			}
			steps = append(steps, s)
		default:
			return nil, false
		}
		if len(steps) > patternMaxSteps {
			return nil, false
		}
	}
	for i, s := range steps {
		if s.min == s.max {
			continue
		}
		for _, t := range steps[i+1:] {
			if s.set[0]&t.set[0] != 0 || s.set[1]&t.set[1] != 0 {
				return nil, false
			}
			if t.min >= 1 {
				break
			}
		}
	}
	return steps, true
}

// flattenConcat appends to list the parts of re, looking through
// concatenations and groups.
func flattenConcat(re *syntax.Regexp, list []*syntax.Regexp) []*syntax.Regexp {
	switch re.Op {
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			list = flattenConcat(sub, list)
		}
	case syntax.OpCapture:
		list = flattenConcat(re.Sub[0], list)
	default:
		list = append(list, re)
	}
	return list
}

// charSet returns the bytes re matches when re matches one ASCII
// character: a single literal rune ≤ 0x7F without case folding, or a class
// whose ranges are all ≤ 0x7F (so no negated class, no dot), possibly in
// groups.
func charSet(re *syntax.Regexp) (set [2]uint64, ok bool) {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	switch {
	case re.Op == syntax.OpLiteral && len(re.Rune) == 1 && re.Flags&syntax.FoldCase == 0:
		return rangeSet([]rune{re.Rune[0], re.Rune[0]})
	case re.Op == syntax.OpCharClass:
		return rangeSet(re.Rune)
	}
	return set, false
}

// rangeSet returns the bytes in ranges (pairs lo, hi, as in a class) when
// they are all ASCII.
func rangeSet(ranges []rune) (set [2]uint64, ok bool) {
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if lo < 0 || hi > 0x7F {
			return set, false
		}
		for r := lo; r <= hi; r++ {
			set[r>>6] |= 1 << (r & 63)
		}
	}
	return set, true
}
