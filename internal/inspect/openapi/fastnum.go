package openapi

import (
	"bytes"
	"math/big"
)

// decimal is an exact finite decimal number in normal form, for the fast
// path's number comparisons (fastschema.go): the digits of its integer
// part without leading zeros and of its fraction without trailing zeros,
// so that zero has both empty and is never negative. Comparing two of
// them is comparing their digits: no rounding ever happens, which the fast
// path needs, since the library compares numbers exactly (big.Rat).
type decimal struct {
	neg        bool
	int, frac  []byte
	hasExp     bool // a literal with an exponent: not compared (see numLiteral)
	fracDigits bool // the literal had a fraction part, even "0"s (1.0)
}

// numLiteral reads the JSON number literal lit (already checked against
// the grammar) as a decimal. A literal with an exponent (1e2) is returned
// with hasExp set and nothing else: the fast path does not compare those
// and answers "don't know", leaving them to the library. It allocates
// nothing: the parts are slices of lit.
func numLiteral(lit []byte) decimal {
	var d decimal
	i := 0
	if i < len(lit) && lit[i] == '-' {
		d.neg = true
		i++
	}
	j := i
	for j < len(lit) && '0' <= lit[j] && lit[j] <= '9' {
		j++
	}
	d.int = lit[i:j]
	if len(d.int) == 1 && d.int[0] == '0' {
		d.int = d.int[:0]
	}
	if j < len(lit) && lit[j] == '.' {
		d.fracDigits = true
		k := j + 1
		for k < len(lit) && '0' <= lit[k] && lit[k] <= '9' {
			k++
		}
		d.frac = lit[j+1 : k]
		j = k
	}
	if j < len(lit) {
		return decimal{hasExp: true}
	}
	d.frac = bytes.TrimRight(d.frac, "0")
	if len(d.int) == 0 && len(d.frac) == 0 {
		d.neg = false // -0 is 0
	}
	return d
}

// isInt reports whether d is a whole number (1, 1.0, -0.00).
func (d decimal) isInt() bool { return len(d.frac) == 0 }

// sign is -1, 0 or 1.
func (d decimal) sign() int {
	switch {
	case len(d.int) == 0 && len(d.frac) == 0:
		return 0
	case d.neg:
		return -1
	}
	return 1
}

// cmpDecimal compares a and b exactly: -1, 0 or 1. Neither may have
// hasExp set.
func cmpDecimal(a, b decimal) int {
	sa, sb := a.sign(), b.sign()
	if sa != sb {
		if sa < sb {
			return -1
		}
		return 1
	}
	if sa == 0 {
		return 0
	}
	// Same sign: compare magnitudes, then flip for negatives.
	m := 0
	switch {
	case len(a.int) != len(b.int):
		m = 1
		if len(a.int) < len(b.int) {
			m = -1
		}
	default:
		if m = bytes.Compare(a.int, b.int); m == 0 {
			// Normal form: the fractions compare as digit strings.
			m = bytes.Compare(a.frac, b.frac)
		}
	}
	if sa < 0 {
		return -m
	}
	return m
}

// ratDecimal is r as a decimal, when it has a finite decimal expansion
// (its denominator has no prime factors but 2 and 5) of at most 64
// fraction digits; ok is false otherwise, and the caller gives up the
// fast path for the schema.
func ratDecimal(r *big.Rat) (decimal, bool) {
	if r == nil {
		return decimal{}, false
	}
	ten := big.NewInt(10)
	scaled := new(big.Rat).Set(r)
	for k := 0; k <= 64; k++ {
		if scaled.IsInt() {
			s := []byte(r.FloatString(k)) // exact: r*10^k is whole
			d := numLiteral(s)
			return d, !d.hasExp
		}
		scaled.Mul(scaled, new(big.Rat).SetInt(ten))
	}
	return decimal{}, false
}
