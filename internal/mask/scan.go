package mask

import (
	"encoding/binary"
	"math/bits"
)

// Candidate prefilters. Nothing is examined byte by byte on the fast
// path: digits are classified 64 bytes at a time into a bit mask in which
// the shapes of card numbers and SSNs are found with shifts, and each
// credential prefix by bytes.IndexByte on one of its rarer bytes (an
// anchor); only around a hit are the detectors run.

// Masks of 64 bytes from b[i] (needs i+64 <= len(b)): bit k is set when
// b[i+k] is a digit (digitMask) or a ':' (colonMask).

func digitMask(b []byte, i int) uint64 {
	var d uint64
	for k := 0; k < 64; k += 8 {
		t := binary.LittleEndian.Uint64(b[i+k:]) ^ 0x3030303030303030 // digits become 0..9
		m := ^(((t & 0x7f7f7f7f7f7f7f7f) + 0x7676767676767676) | t) & 0x8080808080808080
		d |= (m >> 7) * 0x0102040810204080 >> 56 << k // one bit per byte
	}
	return d
}

func colonMask(b []byte, i int) uint64 {
	var c uint64
	for k := 0; k < 64; k += 8 {
		t := binary.LittleEndian.Uint64(b[i+k:]) ^ 0x3a3a3a3a3a3a3a3a // ':' becomes 0
		m := ^(((t & 0x7f7f7f7f7f7f7f7f) + 0x7f7f7f7f7f7f7f7f) | t) & 0x8080808080808080
		c |= (m >> 7) * 0x0102040810204080 >> 56 << k
	}
	return c
}

func digitColonMasks(b []byte, i int) (d, c uint64) {
	for k := 0; k < 64; k += 8 {
		x := binary.LittleEndian.Uint64(b[i+k:])
		t := x ^ 0x3030303030303030
		m := ^(((t & 0x7f7f7f7f7f7f7f7f) + 0x7676767676767676) | t) & 0x8080808080808080
		d |= (m >> 7) * 0x0102040810204080 >> 56 << k
		t = x ^ 0x3a3a3a3a3a3a3a3a
		m = ^(((t & 0x7f7f7f7f7f7f7f7f) + 0x7f7f7f7f7f7f7f7f) | t) & 0x8080808080808080
		c |= (m >> 7) * 0x0102040810204080 >> 56 << k
	}
	return d, c
}

// digitShapes returns the bits of d (digits of 64 bytes; prev: whether
// the byte before them is a digit) where a card number or SSN may start:
// a run of 13 or more digits, a run of exactly four digits followed by a
// non-digit and three digits (grouped card), or runs of exactly 3, 2 and
// 4 digits with one byte between (SSN). Bits from 52 up are not valid.
func digitShapes(d uint64, prev bool, pan, ssn bool) uint64 {
	p := d << 1
	if prev {
		p |= 1
	}
	start := d &^ p
	r2 := d & (d >> 1)
	r4 := r2 & (r2 >> 2)
	var c uint64
	if pan {
		r8 := r4 & (r4 >> 4)
		c |= start & r8 & (r4 >> 8) & (d >> 12)
		c |= start & r4 &^ (d >> 4) & (r2 >> 5) & (d >> 7)
	}
	if ssn {
		c |= start & r2 & (d >> 2) &^ (d >> 3) & (r2 >> 4) &^ (d >> 6) & (r4 >> 7) &^ (d >> 11)
	}
	return c
}

// blockStride is how far the 64-byte masks advance: digitShapes looks 12
// bytes ahead.
const blockStride = 52

// block is the current 64-byte window of nextBlock: its candidates not
// yet returned, and which of them are ':'.
type block struct {
	at     int // index in b, or -1
	rest   uint64
	colons uint64
}

// load computes the candidates of the window at b[i], or reports that
// fewer than 64 bytes are left.
func (k *block) load(b []byte, i int, pan, ssn, fields bool) bool {
	if i+64 > len(b) {
		k.at = -1
		return false
	}
	k.at, k.colons = i, 0
	switch digits := pan || ssn; {
	case digits && fields:
		var d uint64
		d, k.colons = digitColonMasks(b, i)
		k.rest = digitShapes(d, i > 0 && isDigit(b[i-1]), pan, ssn) | k.colons
	case digits:
		k.rest = digitShapes(digitMask(b, i), i > 0 && isDigit(b[i-1]), pan, ssn)
	default:
		k.colons = colonMask(b, i)
		k.rest = k.colons
	}
	k.rest &= 1<<blockStride - 1
	return true
}

// nextBlock returns the first candidate in [p, lim) found with the masks:
// a card number or SSN start (digits), or the opening quote of a
// credential field's value (fields, found from its ':'); else lim. The
// window is kept between calls: a dense run of candidates is not
// classified again for each.
func (e *engine) nextBlock(b []byte, p, lim int) int {
	pan, ssn, fields := e.r.pan, e.r.ssn, e.fields
	k := &e.blk
	if k.at < 0 || p >= k.at+blockStride {
		from := p
		if fields { // a ':' up to maxGap bytes back may have its value here
			from = max(0, p-maxGap-1)
		}
		if !k.load(b, from, pan, ssn, fields) {
			return nextBlockSlow(b, from, p, lim, pan, ssn, fields)
		}
	}
	for {
		for k.rest != 0 {
			j := bits.TrailingZeros64(k.rest)
			k.rest &= k.rest - 1
			x := k.at + j
			if k.colons&(1<<j) == 0 { // digits
				if x >= lim {
					return lim
				}
				if x >= p {
					return x
				}
				continue
			}
			if x >= 4 && b[x-1] == '"' && !sensitiveEnd(lower(b[x-3]), lower(b[x-2])) && !isSep(b[x-2]) {
				continue // the common case: not a credential name
			}
			if v := fieldValue(b, x); v >= p && v < lim {
				return v
			}
		}
		next := k.at + blockStride
		if next >= lim {
			return lim
		}
		if !k.load(b, next, pan, ssn, fields) {
			return nextBlockSlow(b, next, p, lim, pan, ssn, fields)
		}
	}
}

// nextBlockSlow is nextBlock byte by byte, near the end of the input.
func nextBlockSlow(b []byte, from, p, lim int, pan, ssn, fields bool) int {
	for i := from; i < lim; i++ {
		switch c := b[i]; {
		case c == ':' && fields:
			if v := fieldValue(b, i); v >= p && v < lim {
				return v
			}
		case isDigit(c) && (pan || ssn) && i >= p && (i == 0 || !isDigit(b[i-1])):
			switch g := span(b[i:], cDigit); {
			case pan && g >= minCardDigits, pan && g == 4, ssn && g == 3:
				return i
			}
		}
	}
	return lim
}
