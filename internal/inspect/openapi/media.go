package openapi

import (
	"mime"
	"strings"
)

// splitMediaType returns the lower-case type and subtype of a media type
// or range, parameters dropped ("*", "*" for "*/*"; "" when malformed).
func splitMediaType(v string) (typ, sub string) {
	v, _, _ = strings.Cut(v, ";")
	typ, sub, ok := strings.Cut(strings.ToLower(strings.TrimSpace(v)), "/")
	if !ok || typ == "" || sub == "" {
		return "", ""
	}
	return typ, sub
}

// parseContentType reads a request or response Content-Type: ok is false
// when it is absent or malformed.
func parseContentType(ct string) (typ, sub string, ok bool) {
	if ct == "" {
		return "", "", false
	}
	if isPlainJSON(ct) { // the common case, without parsing parameters
		return "application", "json", true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", "", false
	}
	typ, sub = splitMediaType(mt)
	if typ == "" || typ == "*" || sub == "*" {
		return "", "", false // a range is not a content type
	}
	return typ, sub, true
}

// isPlainJSON reports the two spellings of JSON nearly every client and
// upstream sends, which need no parameter parsing.
func isPlainJSON(ct string) bool {
	return strings.EqualFold(ct, "application/json") || strings.EqualFold(ct, "application/json; charset=utf-8")
}

// isJSON reports whether a media type (or a range that only JSON media
// types match) is JSON: application/json, text/json, any +json.
func isJSON(typ, sub string) bool {
	return (typ == "application" || typ == "text") && sub == "json" ||
		typ != "*" && strings.HasSuffix(sub, "+json")
}

// findMedia returns the most specific declared entry matching a content
// type, as OpenAPI ranks them: exact, type/*+suffix, type/*, */subtype,
// */*. Entries of equal rank keep document order.
func findMedia(media []mediaEntry, typ, sub string) (*mediaEntry, bool) {
	suffix := ""
	if i := strings.LastIndexByte(sub, '+'); i >= 0 {
		suffix = sub[i:]
	}
	var found *mediaEntry
	best := 0
	for i := range media {
		e := &media[i]
		rank := 0
		switch {
		case e.typ == typ && e.sub == sub:
			rank = 5
		case e.typ == typ && suffix != "" && e.sub == "*"+suffix:
			rank = 4
		case e.typ == typ && e.sub == "*":
			rank = 3
		case e.typ == "*" && e.sub == sub:
			rank = 2
		case e.typ == "*" && e.sub == "*":
			rank = 1
		}
		if rank > best {
			found, best = e, rank
		}
	}
	return found, best > 0
}
