package injection

// Byte classes: one pass over a value computes the union of the classes
// of its bytes, and each rule runs only when the classes it needs are
// present. Most benign values (identifiers, numbers, dates, words) have
// none of the classes that wake a rule and cost one table look-up per
// byte.
const (
	cQuote     uint32 = 1 << iota // ' " `
	cSemi                         // ;
	cPipe                         // |
	cAmp                          // &
	cBacktick                     // `
	cNewline                      // \n \r
	cLess                         // <
	cGreater                      // >
	cEquals                       // =
	cDollar                       // $
	cBrace                        // { }
	cPercent                      // %
	cBackslash                    // \
	cDot                          // .
	cHash                         // #
	cDash                         // -
	cSlash                        // /
	cStar                         // *
	cParen                        // ( )
	cSpace                        // space, tab, other ASCII controls
	cHigh                         // bytes >= 0x80
	cColon                        // :
	cAt                           // @
	cBracket                      // [ ]
	cPlus                         // +
)

// Class unions that gate work.
const (
	// gateDecode: a decoder could change the value.
	gateDecode = cPercent | cAmp | cBackslash | cHigh
	// gateCmd: a shell command separator or substitution.
	gateCmd = cSemi | cPipe | cAmp | cBacktick | cNewline | cDollar | cBrace | cParen
	// gateTemplate: a template expression opener.
	gateTemplate = cBrace | cLess | cHash | cAt
	// gateTraversal: a dot (ASCII, or fullwidth and overlong forms).
	gateTraversal = cDot | cHigh
	// gateXSSLib: what libinjection's XSS tokenizer needs to find a tag
	// or an attribute.
	gateXSSLib = cLess | cEquals
)

var classes = func() (t [256]uint32) {
	for c := 0; c < 0x20; c++ {
		t[c] = cSpace
	}
	t[' '] = cSpace
	t['\n'] = cNewline | cSpace
	t['\r'] = cNewline | cSpace
	for c := 0x80; c < 0x100; c++ {
		t[c] = cHigh
	}
	for c, k := range map[byte]uint32{
		'\'': cQuote, '"': cQuote, '`': cQuote | cBacktick, ';': cSemi, '|': cPipe,
		'&': cAmp, '<': cLess, '>': cGreater, '=': cEquals, '$': cDollar,
		'{': cBrace, '}': cBrace, '%': cPercent, '\\': cBackslash, '.': cDot,
		'#': cHash, '-': cDash, '/': cSlash, '*': cStar, '(': cParen, ')': cParen,
		':': cColon, '@': cAt, '[': cBracket, ']': cBracket, '+': cPlus,
	} {
		t[c] = k
	}
	return t
}()

// classify returns the union of the classes of s's bytes.
func classify(s string) uint32 {
	var m uint32
	for i := 0; i < len(s); i++ {
		m |= classes[s[i]]
	}
	return m
}
