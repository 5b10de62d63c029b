package app

import "strings"

// The lexer and errors of the SQL interpreter in sqlsim.go.

// sqlError is a database error, worded like lib/pq's.
type sqlError struct{ msg, state string }

func (e *sqlError) Error() string { return "pq: " + e.msg + " (SQLSTATE " + e.state + ")" }

func syntaxError(t token) error {
	if t.kind == tEOF {
		return &sqlError{"syntax error at end of input", "42601"}
	}
	return &sqlError{`syntax error at or near "` + t.src + `"`, "42601"}
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tOp // operators and punctuation: = <> != < > <= >= ( ) ; , and any other symbol
)

type token struct {
	kind tokKind
	text string // identifiers lower-cased; strings unquoted
	src  string // as written
}

// lex splits SQL text into tokens, skipping whitespace and comments.
func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(s[i:], "--"):
			if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
				i += j
			} else {
				i = len(s)
			}
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return nil, &sqlError{`unterminated /* comment at or near "` + s[i:] + `"`, "42601"}
			}
			i += j + 4
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				k := strings.IndexByte(s[j:], '\'')
				if k < 0 {
					return nil, &sqlError{`unterminated quoted string at or near "` + s[i:] + `"`, "42601"}
				}
				b.WriteString(s[j : j+k])
				j += k + 1
				if j < len(s) && s[j] == '\'' { // '' is a quote inside the string
					b.WriteByte('\'')
					j++
					continue
				}
				break
			}
			toks = append(toks, token{tString, b.String(), s[i:j]})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			toks = append(toks, token{tNumber, s[i:j], s[i:j]})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			toks = append(toks, token{tIdent, strings.ToLower(s[i:j]), s[i:j]})
			i = j
		default:
			n := 1
			if two := s[i:min(i+2, len(s))]; two == "<>" || two == "!=" || two == "<=" || two == ">=" || two == "||" {
				n = 2
			}
			toks = append(toks, token{tOp, s[i : i+n], s[i : i+n]})
			i += n
		}
	}
	return append(toks, token{kind: tEOF}), nil
}
