package mask

// Payment card numbers (PANs).
//
// A candidate is either one run of 13–19 digits, or a first group of
// exactly four digits followed by groups of 3–6 digits, all separated by
// the same single space or dash (4-4-4-4, 4-6-5, 4-4-4-4-3, ...), 13–19
// digits in total. Among the grouped candidates the longest valid one
// wins. A candidate is a card only when its Luhn check digit is right and
// its prefix and length are those of a card scheme (plausibleIIN).

const (
	minCardDigits = 13
	maxCardDigits = 19
)

// matchCard returns the length in bytes of the card number at the start of
// w, or 0. number is set when w is a JSON number outside any string: then
// only a whole number token matches (no fraction or exponent follows).
func matchCard(w []byte, number bool) int {
	g := span(w, cDigit)
	if g >= minCardDigits && g <= maxCardDigits {
		if cardEnds(w, g, number) && validPAN(w[:g]) {
			return g
		}
		return 0
	}
	if g != 4 || g >= len(w) {
		return 0
	}
	sep := w[g]
	if sep != ' ' && sep != '-' {
		return 0
	}
	var (
		digits [maxCardDigits]byte
		ends   [6]int // byte length of each candidate
		counts [6]int // digits in each candidate
	)
	nd := copy(digits[:], w[:4])
	k, i := 0, 4
	for i < len(w) && w[i] == sep && k < len(ends) {
		g := span(w[i+1:], cDigit)
		if g < 3 || g > 6 || nd+g > maxCardDigits {
			break
		}
		nd += copy(digits[nd:], w[i+1:i+1+g])
		i += 1 + g
		ends[k], counts[k] = i, nd
		k++
	}
	for j := k - 1; j >= 0 && counts[j] >= minCardDigits; j-- {
		if cardEnds(w, ends[j], number) && validPAN(digits[:counts[j]]) {
			return ends[j]
		}
	}
	return 0
}

// cardEnds reports whether a card number may end at w[n]: not inside a
// word, a decimal number or (for a JSON number) a fraction or exponent.
func cardEnds(w []byte, n int, number bool) bool {
	if n >= len(w) {
		return true
	}
	c := w[n]
	if isAlnum(c) || c == '_' {
		return false
	}
	if c == '.' && (number || n+1 < len(w) && isDigit(w[n+1])) {
		return false
	}
	return true
}

// IsCardNumber reports whether digits (ASCII digits only) is a plausible
// payment card number: a card scheme's prefix and length, and a valid
// Luhn check digit. The masker and the scanner share this one test.
func IsCardNumber(digits string) bool { return validPAN([]byte(digits)) }

// validPAN reports whether the digits d pass the Luhn check and have the
// prefix and length of a card scheme.
func validPAN(d []byte) bool {
	return len(d) >= minCardDigits && len(d) <= maxCardDigits && plausibleIIN(d) && luhn(d)
}

// luhn reports whether the digits d end with a valid Luhn check digit.
func luhn(d []byte) bool {
	sum, double := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		x := int(d[i] - '0')
		if double {
			x *= 2
			if x > 9 {
				x -= 9
			}
		}
		sum += x
		double = !double
	}
	return sum%10 == 0
}

// plausibleIIN reports whether the leading digits (issuer identification
// number) and the length n of d are those of a card scheme:
//
//	4                      Visa                    13, 16, 19
//	34, 37                 American Express        15
//	30, 36, 38, 39         Diners Club             14–19
//	3528–3589              JCB                     16–19
//	2200–2204              Mir                     16–19
//	2221–2720, 51–55       Mastercard              16
//	50, 56–58              Maestro                 13–19
//	6                      Discover, UnionPay,     13–19
//	                       Maestro, RuPay
//	81, 82                 RuPay                   16
//	9792                   Troy                    16
//
// Everything else (1, 7, most of 8 and 9: airline, telecom, national
// numbers and most timestamps) is not a card.
func plausibleIIN(d []byte) bool {
	n := len(d)
	p2 := int(d[0]-'0')*10 + int(d[1]-'0')
	p4 := p2*100 + int(d[2]-'0')*10 + int(d[3]-'0')
	switch d[0] {
	case '4':
		return n == 13 || n == 16 || n == 19
	case '3':
		switch {
		case p2 == 34 || p2 == 37:
			return n == 15
		case p2 == 30 || p2 == 36 || p2 == 38 || p2 == 39:
			return n >= 14
		case p4 >= 3528 && p4 <= 3589:
			return n >= 16
		}
	case '2':
		switch {
		case p4 >= 2200 && p4 <= 2204:
			return n >= 16
		case p4 >= 2221 && p4 <= 2720:
			return n == 16
		}
	case '5':
		switch {
		case p2 >= 51 && p2 <= 55:
			return n == 16
		case p2 == 50 || p2 >= 56 && p2 <= 58:
			return true
		}
	case '6':
		return true
	case '8':
		return (p2 == 81 || p2 == 82) && n == 16
	case '9':
		return p4 == 9792 && n == 16
	}
	return false
}

// appendCardMask appends "****" and the last four digits of the card
// number m.
func appendCardMask(out, m []byte) []byte {
	var last [4]byte
	k := 4
	for i := len(m) - 1; i >= 0 && k > 0; i-- {
		if isDigit(m[i]) {
			k--
			last[k] = m[i]
		}
	}
	out = append(out, "****"...)
	return append(out, last[:]...)
}
