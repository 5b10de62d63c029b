package injection

import (
	"strings"

	libinjection "github.com/corazawaf/libinjection-go"
)

// SQL injection is judged by libinjection (its SQL tokenizer and
// fingerprints), gated by mayBeSQL so that it runs only on values that
// could hold a query fragment, plus rules of our own for classic
// payloads it lets through.

// isSQLi runs libinjection's SQL check, and our rules for classic
// payloads it lets through (admin' #, '; SHUTDOWN--, 1 or true, WAITFOR
// DELAY).
func isSQLi(s string) bool {
	if ok, fp := libinjection.IsSQLi(s); ok && strongFingerprint(fp) {
		return true
	}
	return quoteComment(s) || stackedQuery(s) || numericTautology(s) || timeFunction(s)
}

// strongFingerprint keeps libinjection's verdicts except those whose
// fingerprint has the shape of program code rather than of a query
// fragment: without a number, variable, keyword, comment or type, and
// without a string that is broken out of (a leading 's') or combined by
// a logical operator. So "f(n&n" (if (a && b) {...}) and "nos;"
// (x = 'abc';) are dropped, while "s&sos" (' or 'a'='a), "1&1"
// (1 or 1=1) and "s&s" (1' || '1) stay.
func strongFingerprint(fp string) bool {
	if strings.ContainsAny(fp, "1vkUETBcXt") || strings.HasPrefix(fp, "s") {
		return true
	}
	return strings.Contains(fp, "s") && strings.Contains(fp, "&")
}

// numericTautology reports a numeric-context condition that needs no
// quote: "1 or true", "1) and 2>1", "5 || 1=1".
func numericTautology(s string) bool {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '-') {
		i++
	}
	start := i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i == start {
		return false
	}
	for i < len(s) && (s[i] == ')' || s[i] == ' ') {
		i++
	}
	op := 0
	for _, o := range [...]string{"or ", "and ", "xor ", "||", "&&"} {
		if hasPrefixFold(s[i:], o) {
			op = len(o)
			break
		}
	}
	if op == 0 {
		return false
	}
	i += op
	for i < len(s) && (s[i] == ' ' || s[i] == '(') {
		i++
	}
	r := s[i:]
	if hasPrefixFold(r, "true") || hasPrefixFold(r, "false") || hasPrefixFold(r, "not ") {
		return len(r) == 4 || len(r) == 5 || len(r) > 4 && !isSQLWordChar(r[4]) && (len(r) < 6 || !isSQLWordChar(r[5]))
	}
	j := 0
	for j < len(r) && '0' <= r[j] && r[j] <= '9' {
		j++
	}
	for j > 0 && j < len(r) && r[j] == ' ' {
		j++
	}
	return j > 0 && j < len(r) && strings.IndexByte("=<>!", r[j]) >= 0
}

// timeFunctions are the delay primitives of blind SQL injection that do
// not occur in program code (sleep() does: Thread.sleep(1000)).
var timeFunctions = [...]string{"waitfor delay", "waitfor time", "pg_sleep(", "benchmark(", "dbms_pipe.receive_message(", "dbms_lock.sleep(", "randomblob("}

// timeFunction reports a delay primitive (any case, spaces collapsed
// only as written).
func timeFunction(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c != 'w' && c != 'p' && c != 'b' && c != 'd' && c != 'r' {
			continue
		}
		for _, f := range timeFunctions {
			if hasPrefixFold(s[i:], f) {
				return true
			}
		}
	}
	return false
}

// quoteComment reports a quote (and parentheses) closing a string,
// followed by a comment that swallows the rest of the query: admin'--,
// admin' #, 1')/*.
func quoteComment(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '\'' && s[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == ' ' || s[j] == ')') {
			j++
		}
		var k int
		switch {
		case strings.HasPrefix(s[j:], "--"), strings.HasPrefix(s[j:], "/*"):
			k = j + 2
		case strings.HasPrefix(s[j:], "#"):
			k = j + 1
		default:
			continue
		}
		if strings.TrimRight(s[k:], " -") == "" {
			return true
		}
	}
	return false
}

// stmtWords start a stacked SQL statement.
var stmtWords = map[string]bool{
	"shutdown": true, "drop": true, "delete": true, "insert": true, "update": true, "exec": true,
	"execute": true, "select": true, "declare": true, "create": true, "alter": true,
	"truncate": true, "waitfor": true, "grant": true, "revoke": true,
}

// stackedQuery reports "; STATEMENT ..." in a value that ends with a SQL
// comment ('; SHUTDOWN--).
func stackedQuery(s string) bool {
	t := strings.TrimRight(s, " ")
	if !strings.HasSuffix(strings.TrimRight(t, "-"), "--") && !strings.HasSuffix(t, "--") && !strings.HasSuffix(t, "#") {
		return false
	}
	var w [10]byte
	for i := strings.IndexByte(s, ';'); i >= 0; {
		j := i + 1
		for j < len(s) && s[j] == ' ' {
			j++
		}
		n := 0
		for j < len(s) && n < len(w) && isLetter(s[j]) {
			w[n] = s[j] | 0x20
			n++
			j++
		}
		if stmtWords[string(w[:n])] {
			return true
		}
		k := strings.IndexByte(s[i+1:], ';')
		if k < 0 {
			break
		}
		i += 1 + k
	}
	return false
}
