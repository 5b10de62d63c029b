package injection

import (
	"net/http"
	"strings"
)

// fullHeaders are inspected with every rule: they are free text that
// applications log, store and reflect. Every other header value gets the
// JNDI rule only (Log4Shell was delivered in any header an application
// logs), which costs a byte search for "${" on clean traffic.
// X-Forwarded-Host, X-Forwarded-Proto and Forwarded are replaced by the
// gateway, so what a client sent there never reaches the upstream;
// Authorization and the API key header hold credentials, not text.
var fullHeaders = [...]string{"User-Agent", "Referer", "Cookie"}

// path inspects each segment of the escaped path, decoded.
func (sc *scanner) path(escaped string) bool {
	n := 0
	for len(escaped) > 0 {
		var seg string
		seg, escaped, _ = strings.Cut(escaped, "/")
		if seg == "" {
			continue
		}
		n++
		sc.val, _ = urlDecode(sc.val[:0], seg, false)
		loc := location{kind: locPath, index: n}
		if sc.value(bytesString(sc.val), &loc) {
			return true
		}
	}
	return false
}

// pairs inspects the names and values of an application/x-www-form-
// urlencoded string (a query, a form body, a Referer's query), split on
// '&' only: a ';' stays inside the value, where the rules see it, whatever
// an upstream makes of it. Invalid percent-encoding is kept as it is.
func (sc *scanner) pairs(q string, kind locKind) bool {
	n := 0
	for len(q) > 0 {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if pair == "" {
			continue
		}
		n++
		k, v, _ := strings.Cut(pair, "=")
		sc.key, _ = urlDecode(sc.key[:0], k, true)
		key := bytesString(sc.key)
		loc := location{kind: kind, name: key, index: n}
		if kind == locReferer {
			loc.name = ""
		}
		if sc.keyName(key, &loc, kind != locReferer) {
			return true
		}
		if v == "" {
			continue
		}
		loc.inKey = false
		sc.val, _ = urlDecode(sc.val[:0], v, true)
		if sc.value(bytesString(sc.val), &loc) {
			return true
		}
	}
	return false
}

// headers inspects the chosen headers fully, and every header value for
// JNDI lookups.
func (sc *scanner) headers(h http.Header) bool {
	for _, name := range fullHeaders {
		for _, v := range h[name] {
			var stop bool
			switch name {
			case "Cookie":
				stop = sc.cookies(v)
			case "Referer":
				stop = sc.referer(v)
			default:
				loc := location{kind: locHeader, name: name}
				stop = sc.value(v, &loc)
			}
			if stop {
				return true
			}
		}
	}
	for name, vs := range h {
		for _, v := range vs {
			if mayHoldLookup(v) {
				if r := sc.judge(v); r == ruleJNDI {
					loc := location{kind: locHeader, name: name}
					sc.hits = append(sc.hits, hit{rule: r, loc: loc.describe()})
					if sc.done() {
						return true
					}
				}
			}
		}
	}
	return false
}

// cookies inspects each cookie value of a Cookie header (and the names,
// by ordinal).
func (sc *scanner) cookies(line string) bool {
	n := 0
	for len(line) > 0 {
		var part string
		part, line, _ = strings.Cut(line, ";")
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n++
		name, v, _ := strings.Cut(part, "=")
		loc := location{kind: locCookie, name: name, index: n}
		if sc.keyName(name, &loc, false) { // "$Version" is an RFC 2109 attribute
			return true
		}
		loc.inKey = false
		if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		if v != "" && sc.value(v, &loc) {
			return true
		}
	}
	return false
}

// referer inspects a Referer: the part before the query as one value,
// then the query's names and values.
func (sc *scanner) referer(v string) bool {
	base, q, _ := strings.Cut(v, "?")
	loc := location{kind: locReferer}
	if sc.value(base, &loc) {
		return true
	}
	return sc.pairs(q, locReferer)
}

// mayHoldLookup reports a "${" in v, plain or percent-encoded ("%24{",
// "$%7B", "%24%7B"); other encodings of a lookup in a header are not
// looked for.
func mayHoldLookup(v string) bool {
	for i := 0; i < len(v); i++ {
		k := strings.IndexAny(v[i:], "$%")
		if k < 0 {
			return false
		}
		i += k
		r := v[i:]
		if strings.HasPrefix(r, "${") || strings.HasPrefix(r, "$%7B") || strings.HasPrefix(r, "$%7b") ||
			hasPrefixFold(r, "%24{") || hasPrefixFold(r, "%24%7b") {
			return true
		}
	}
	return false
}
