package injection

// namedEntities are the HTML character references that matter to the
// rules: markup and quoting characters, the characters of URL schemes and
// shell or template syntax, and the invisible ones used to split
// keywords. Unknown names are left as they are.
var namedEntities = map[string]string{
	"lt": "<", "gt": ">", "amp": "&", "quot": `"`, "apos": "'",
	"sol": "/", "bsol": `\`, "lpar": "(", "rpar": ")", "colon": ":",
	"semi": ";", "equals": "=", "num": "#", "dollar": "$", "percnt": "%",
	"plus": "+", "comma": ",", "period": ".", "excl": "!", "quest": "?",
	"commat": "@", "lsqb": "[", "rsqb": "]", "lbrack": "[", "rbrack": "]",
	"lcub": "{", "rcub": "}", "lbrace": "{", "rbrace": "}", "grave": "`",
	"Hat": "^", "ast": "*", "midast": "*", "vert": "|", "verbar": "|",
	"VerticalLine": "|", "lowbar": "_", "UnderBar": "_", "hyphen": "-",
	"dash": "-", "Tab": "\t", "NewLine": "\n", "nbsp": " ", "tilde": "~",
}

// legacyEntities are the references browsers also accept without the
// closing semicolon.
var legacyEntities = [...]string{"amp", "lt", "gt", "quot", "nbsp"}

// htmlDecode undoes HTML character references: named ones (namedEntities,
// and legacyEntities without ';'), decimal &#NNN and hexadecimal &#xHH,
// with or without ';' and with any number of leading zeros, as browsers
// accept them in attribute values.
func htmlDecode(dst []byte, s string) ([]byte, bool) {
	changed := false
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			dst = append(dst, s[i])
			continue
		}
		if r, w := numericRef(s, i); w > 0 {
			dst = appendRune(dst, r)
			i += w - 1
			changed = true
			continue
		}
		if v, w := namedRef(s, i); w > 0 {
			dst = append(dst, v...)
			i += w - 1
			changed = true
			continue
		}
		dst = append(dst, '&')
	}
	return dst, changed
}

// numericRef decodes &#NNN or &#xHH at s[i:], returning the rune and the
// width consumed (with an optional ';'), or width 0.
func numericRef(s string, i int) (rune, int) {
	j := i + 1
	if j >= len(s) || s[j] != '#' {
		return 0, 0
	}
	j++
	hex := j < len(s) && (s[j] == 'x' || s[j] == 'X')
	if hex {
		j++
	}
	start := j
	var r rune
	for ; j < len(s); j++ {
		var d int
		if hex {
			d = unhex(s[j])
		} else if '0' <= s[j] && s[j] <= '9' {
			d = int(s[j] - '0')
		} else {
			d = -1
		}
		if d < 0 {
			break
		}
		if r <= 0x10FFFF { // saturate: leading zeros are unlimited, values are not
			if hex {
				r = r<<4 | rune(d)
			} else {
				r = r*10 + rune(d)
			}
		}
	}
	if j == start {
		return 0, 0
	}
	if r > 0x10FFFF || r == 0 {
		r = 0xFFFD
	}
	if j < len(s) && s[j] == ';' {
		j++
	}
	return r, j - i
}

// namedRef decodes a named reference at s[i:] (s[i] == '&').
func namedRef(s string, i int) (string, int) {
	j := i + 1
	for j < len(s) && j < i+14 && isAlnum(s[j]) {
		j++
	}
	if j < len(s) && s[j] == ';' {
		if v, ok := namedEntities[s[i+1:j]]; ok {
			return v, j + 1 - i
		}
	}
	for _, name := range legacyEntities {
		if len(s)-i-1 >= len(name) && s[i+1:i+1+len(name)] == name {
			return namedEntities[name], len(name) + 1
		}
	}
	return "", 0
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
