package injection

import "strings"

// SQL words, by what they take to make a value worth libinjection's
// SQL check. The gate is what keeps the check (1-5 µs a value) off the
// prose, names and identifiers that make up most API traffic: a value is
// checked when a quote is followed by SQL syntax (' or, '=, ')--, ';), or
// when its words and punctuation make a query fragment without quotes.
var (
	// strongSQL words are checked wherever they are.
	strongSQL = map[string]bool{
		"union": true, "select": true, "waitfor": true, "information_schema": true,
		"xp_cmdshell": true, "load_file": true, "outfile": true, "dumpfile": true,
		"procedure": true, "having": true, "rlike": true, "sqlite_master": true,
		"pg_sleep": true, "benchmark": true, "dbms_pipe": true, "sysobjects": true,
	}
	// callSQL words count when called: version(), char(65).
	callSQL = map[string]bool{
		"sleep": true, "char": true, "chr": true, "concat": true, "group_concat": true,
		"version": true, "database": true, "ascii": true, "substring": true, "substr": true,
		"mid": true, "hex": true, "unhex": true, "md5": true, "user": true, "current_user": true,
		"system_user": true, "if": true, "elt": true, "iif": true, "cast": true, "convert": true,
		"count": true, "floor": true, "rand": true, "ord": true, "ifnull": true, "extractvalue": true,
		"updatexml": true, "randomblob": true, "exists": true, "length": true, "schema": true,
		"sqlite_version": true, "db_name": true, "table_name": true,
	}
	// logicSQL words count next to a comparison, a comment or a number.
	logicSQL = map[string]bool{
		"or": true, "and": true, "xor": true, "not": true, "like": true, "in": true, "is": true,
		"between": true, "div": true, "mod": true, "true": true, "false": true, "null": true,
		"order": true, "group": true, "limit": true, "offset": true, "into": true, "from": true,
		"where": true, "desc": true, "asc": true, "collate": true, "regexp": true, "sounds": true,
		"exec": true, "execute": true, "declare": true, "case": true, "when": true, "then": true,
	}
)

// Kinds of SQL words, as bits of sqlWords.
const (
	kStrong uint8 = 1 << iota
	kCall
	kLogic
	kStmt
)

// sqlWords merges the word lists into one look-up; sqlShapes[kind] says
// which lengths occur for each first letter among the words of each kind,
// so that most words of a value are ruled out without hashing.
var sqlWords, sqlShapes = func() (map[string]uint8, [4][26]uint32) {
	m := map[string]uint8{}
	var shapes [4][26]uint32
	for i, words := range []map[string]bool{strongSQL, callSQL, logicSQL, stmtWords} {
		for w := range words {
			m[w] |= 1 << i
			if c := w[0]; 'a' <= c && c <= 'z' && len(w) < 32 {
				shapes[i][c-'a'] |= 1 << len(w)
			}
		}
	}
	return m, shapes
}()

// sqlWordKind returns the kinds of the lowercase word w (0: not a SQL
// word).
func sqlWordKind(w []byte) uint8 {
	return sqlWords[string(w)] // no allocation: a map key
}

// mayBeSQL reports whether libinjection's SQL check (and our SQL rules)
// should run on s.
func mayBeSQL(s string, cls uint32) bool {
	if cls&cQuote != 0 && quoteThenSQL(s) {
		return true
	}
	if cls&(cSpace|cParen|cStar|cPlus|cEquals|cAt|cPipe|cAmp|cSlash|cSemi|cHash|cDash|cLess|cGreater) == 0 {
		return false // one bare token
	}
	if cls&cAt != 0 && strings.Contains(s, "@@") {
		return true
	}
	// Only the kinds that could count in this value are looked up. A
	// logic word counts in a numeric context, next to a comparison or a
	// comment, or with a C-style logic operator; that context is judged
	// once, when the first logic word is met.
	kinds := kStrong | kLogic
	if cls&cParen != 0 {
		kinds |= kCall
	}
	if cls&cSemi != 0 {
		kinds |= kStmt
	}
	var w [32]byte
	for i := 0; i < len(s); {
		c := wordLower[s[i]]
		if c == 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && wordLower[s[j]] != 0 {
			j++
		}
		n := j - i
		if n < 2 || n >= len(w) || c < 'a' || c > 'z' || !shapeMatches(kinds, c, n) {
			i = j
			continue
		}
		for k := 0; k < n; k++ {
			w[k] = wordLower[s[i+k]]
		}
		kind := sqlWordKind(w[:n]) & kinds
		switch {
		case kind == 0:
		case kind&kStrong != 0:
			return true
		case kind&kCall != 0 && nextNonSpace(s, j) == '(':
			return true
		case kind&kStmt != 0 && prevNonSpace(s, i) == ';':
			return true
		case kind&kLogic != 0:
			if logicContext(s, cls) {
				return true
			}
			kinds &^= kLogic // no context: no logic word will count
		}
		i = j
	}
	return false
}

// logicContext reports whether SQL logic words in s count: s starts like
// a number, or has a comparison, a comment or a C-style logic operator.
func logicContext(s string, cls uint32) bool {
	return startsNumeric(s) || cls&(cEquals|cLess|cGreater|cHash) != 0 ||
		cls&(cDash|cSlash) != 0 && (strings.Contains(s, "--") || strings.Contains(s, "/*")) ||
		cls&(cPipe|cAmp) != 0 && (strings.Contains(s, "||") || strings.Contains(s, "&&"))
}

// shapeMatches reports whether a word of the given kinds starts with the
// lowercase letter c and has length n.
func shapeMatches(kinds, c uint8, n int) bool {
	c -= 'a'
	m := sqlShapes[0][c] // strong words are always looked for
	if kinds&kCall != 0 {
		m |= sqlShapes[1][c]
	}
	if kinds&kLogic != 0 {
		m |= sqlShapes[2][c]
	}
	if kinds&kStmt != 0 {
		m |= sqlShapes[3][c]
	}
	return m&(1<<n) != 0
}

// quoteThenSQL reports a quote followed by SQL syntax: an operator, a
// closing parenthesis, a statement end, a comment, or a SQL word.
func quoteThenSQL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '\'' && s[i] != '"' && s[i] != '`' {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n') {
			j++
		}
		if j == len(s) {
			continue
		}
		if strings.IndexByte("=<>!|&^~+-*/%);#", s[j]) >= 0 {
			return true
		}
		k := j
		for k < len(s) && isSQLWordChar(s[k]) {
			k++
		}
		if n := k - j; n >= 2 && n <= 20 {
			var w [20]byte
			for m := 0; m < n; m++ {
				w[m] = s[j+m] | 0x20
			}
			if c := w[0]; 'a' <= c && c <= 'z' && shapeMatches(kLogic|kStrong|kStmt, c, n) &&
				sqlWordKind(w[:n])&(kLogic|kStrong|kStmt) != 0 {
				return true
			}
		}
	}
	return false
}

// startsNumeric reports a value that starts like a number, where a
// numeric-context injection starts: "1 or 1=1", "-1 union ...", "(1)or".
func startsNumeric(s string) bool {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '-' || s[i] == '(' || s[i] == '+') {
		i++
	}
	return i < len(s) && '0' <= s[i] && s[i] <= '9'
}

func nextNonSpace(s string, i int) byte {
	for ; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' {
			return s[i]
		}
	}
	return 0
}

func prevNonSpace(s string, i int) byte {
	for i--; i >= 0; i-- {
		if s[i] != ' ' && s[i] != '\t' {
			return s[i]
		}
	}
	return 0
}

// wordLower maps the bytes of SQL words (ASCII letters, digits, '_') to
// their lowercase form, and every other byte to 0.
var wordLower = func() (t [256]byte) {
	for c := 0; c < 256; c++ {
		if isSQLWordChar(byte(c)) {
			t[c] = byte(c) | 0x20
			if c == '_' || '0' <= c && c <= '9' {
				t[c] = byte(c)
			}
		}
	}
	return t
}()

func isSQLWordChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || '0' <= c && c <= '9'
}
