package mask

// matchSSN returns 11 when w starts with a US Social Security number
// written AAA-GG-SSSS that the SSA could have issued: area not 000, 666 or
// 900–999, group not 00, serial not 0000, and not followed by more of a
// word or number. Undashed and space-separated forms are not matched:
// nine digits in a row are far more often something else.
func matchSSN(w []byte) int {
	const n = 11
	if len(w) < n || w[3] != '-' || w[6] != '-' {
		return 0
	}
	for _, i := range [...]int{0, 1, 2, 4, 5, 7, 8, 9, 10} {
		if !isDigit(w[i]) {
			return 0
		}
	}
	if len(w) > n {
		c := w[n]
		if isAlnum(c) || c == '_' || c == '-' || c == '[' || c == '.' && len(w) > n+1 && isDigit(w[n+1]) {
			return 0
		}
	}
	area := int(w[0]-'0')*100 + int(w[1]-'0')*10 + int(w[2]-'0')
	if area == 0 || area == 666 || area >= 900 {
		return 0
	}
	if w[4] == '0' && w[5] == '0' {
		return 0
	}
	if w[7] == '0' && w[8] == '0' && w[9] == '0' && w[10] == '0' {
		return 0
	}
	return n
}
