package injection

import "strings"

// NoSQL operator injection: a MongoDB-style query operator where the
// application expects a plain value. In a key (a JSON member name, a
// query or form parameter name) any name that starts with '$' and a
// letter is reported, except the JSON Schema keywords below, and so is a
// bracketed operator (user[$ne]=, which PHP, Rails and qs expand into
// {"user": {"$ne": ...}}). In a value, an operator written as a member
// ({"$ne": 1}, {$where: ...}) or in brackets ([$regex]) is reported; a
// price such as "$5" or "$ne" alone in prose is not.

// schemaKeys are '$' member names of JSON Schema and OpenAPI documents.
var schemaKeys = map[string]bool{
	"$schema": true, "$id": true, "$ref": true, "$comment": true, "$defs": true,
	"$anchor": true, "$dynamicRef": true, "$dynamicAnchor": true, "$vocabulary": true,
	"$recursiveRef": true, "$recursiveAnchor": true,
}

// mongoOperators are the operators looked for inside values.
var mongoOperators = map[string]bool{
	"where": true, "ne": true, "eq": true, "gt": true, "gte": true, "lt": true, "lte": true,
	"in": true, "nin": true, "regex": true, "exists": true, "or": true, "and": true,
	"not": true, "nor": true, "expr": true, "function": true, "accumulator": true,
	"elemMatch": true, "type": true, "mod": true, "all": true, "size": true, "text": true,
	"jsonSchema": true, "lookup": true, "match": true, "options": true, "comment": true,
}

// isOperatorKey reports whether a key names a query operator.
func isOperatorKey(k string) bool {
	if len(k) > 1 && k[0] == '$' && isLetter(k[1]) && !schemaKeys[k] {
		return true
	}
	return strings.Contains(k, "[$")
}

// hasOperatorValue reports an operator written as a member or in
// brackets inside a value.
func hasOperatorValue(s string) bool {
	for i := strings.IndexByte(s, '$'); i >= 0 && i+1 < len(s); {
		j := i + 1
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		if j > i+1 && mongoOperators[s[i+1:j]] {
			before := byte(' ')
			if i > 0 {
				before = s[i-1]
			}
			k := j
			if k < len(s) && (s[k] == '"' || s[k] == '\'') && (before == '"' || before == '\'') {
				k++
			}
			for k < len(s) && s[k] == ' ' {
				k++
			}
			switch {
			case k < len(s) && s[k] == ':' && (before == '"' || before == '\'' || before == '{' || before == ',' || before == ' '):
				return true
			case before == '[' && k < len(s) && s[k] == ']':
				return true
			}
		}
		n := strings.IndexByte(s[j:], '$')
		if n < 0 {
			break
		}
		i = j + n
	}
	return false
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
