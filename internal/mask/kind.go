package mask

import (
	"fmt"
	"strings"
)

// Kind is how a body is parsed for masking.
type Kind uint8

const (
	// Text is masked as plain text.
	Text Kind = iota + 1
	// JSON is masked so that valid JSON stays valid: a card number that is
	// a JSON number becomes a string, and the string values of
	// credential-named fields are masked whole (class secrets).
	JSON
	// NDJSON is JSON with one document per line; each line is masked on
	// its own, as soon as it is complete.
	NDJSON
	// EventStream is text/event-stream; each event (up to a blank line)
	// is masked on its own, as soon as it is complete.
	EventStream
)

// KindOf returns how a body of the media type ct is masked, or 0 when it
// is passed untouched: JSON (application/json, */*+json,
// application/json-seq), NDJSON (application/x-ndjson, application/jsonl,
// application/x-jsonlines), EventStream (text/event-stream), Text (any
// other text/*, XML, JavaScript, YAML, form-urlencoded, and a missing
// Content-Type). Anything else (images, audio, video, fonts,
// application/octet-stream, PDF, archives, protobuf, multipart) is not
// inspected. A UTF-16 or UTF-32 charset is an error: its bytes cannot be
// inspected as ASCII-compatible text.
func KindOf(ct string) (Kind, error) {
	mt, params, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	var k Kind
	switch {
	case mt == "":
		k = Text
	case mt == "application/json" || mt == "application/json-seq" || strings.HasSuffix(mt, "+json"):
		k = JSON
	case mt == "application/x-ndjson" || mt == "application/jsonl" || mt == "application/x-jsonlines":
		k = NDJSON
	case mt == "text/event-stream":
		k = EventStream
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "+xml"):
		k = Text
	default:
		switch mt {
		case "application/xml", "application/javascript", "application/x-javascript", "application/ecmascript",
			"application/x-www-form-urlencoded", "application/yaml", "application/x-yaml", "application/graphql":
			k = Text
		}
	}
	if k != 0 && params != "" {
		if cs := charset(params); strings.HasPrefix(cs, "utf-16") || strings.HasPrefix(cs, "utf-32") || strings.HasPrefix(cs, "ucs-") {
			return 0, fmt.Errorf("mask: cannot inspect a %s body in charset %s", mt, cs)
		}
	}
	return k, nil
}

// charset returns the lower-cased charset parameter of a media type's
// parameters.
func charset(params string) string {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		name, value, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(name), "charset") {
			return strings.ToLower(strings.Trim(strings.TrimSpace(value), `"`))
		}
	}
	return ""
}
