package mask

// JSON Web Tokens: "eyJ" (base64url of `{"`) header, '.', payload, '.',
// signature (and two more segments for JWE).
const (
	minJWTHeader = 10
	maxJWTHeader = Window / 2
)

// matchJWT returns the match of a JWT at the start of w (which begins with
// "eyJ"), and the number of bytes from w[0] before which no JWT can start
// (the memo that keeps the scan linear on adversarial input).
//
// The header segment must be followed by '.', the payload by another '.'
// within the window. A payload that fills the rest of the window is
// taken as a JWT too: the skip state then masks the rest however long.
func matchJWT(w []byte, atEnd bool) (match, int) {
	s1 := span(w, cB64URL)
	if s1 > maxJWTHeader {
		return match{}, s1 - maxJWTHeader
	}
	if s1 < minJWTHeader || s1 == len(w) || w[s1] != '.' {
		return match{}, s1
	}
	rest := w[s1+1:]
	s2 := span(rest, cB64URL)
	switch {
	case s2 == len(rest) && !atEnd:
		return match{n: s1 + 1 + s2, class: classSecrets, skip: skipJWT}, 0
	case s2 < len(rest) && rest[s2] == '.':
		return match{n: s1 + 1 + s2 + 1, class: classSecrets, skip: skipJWT}, 0
	}
	return match{}, s1 + 1 + s2
}
