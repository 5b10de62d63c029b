package route

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// segKind is what a template segment matches. The order is the precedence:
// a lower kind is more specific.
type segKind uint8

const (
	literal  segKind = iota // matches itself
	param                   // {name}: matches any one segment
	catchAll                // {name...}: matches one or more segments
)

// tmplSeg is one parsed template segment: the literal text or the parameter
// name.
type tmplSeg struct {
	kind segKind
	text string
}

// template is a parsed, validated path template.
type template struct {
	segs   []tmplSeg
	params *paramSpec // nil without parameters
}

// parseTemplate parses and validates a path template. Errors describe the
// problem without the field prefix.
func parseTemplate(p string) (template, error) {
	var t template
	if p == "" || p[0] != '/' {
		return t, errors.New(`must start with "/"`)
	}
	if p == "/" {
		return t, nil
	}
	raw := strings.Split(p[1:], "/")
	for i, s := range raw {
		seg, err := parseSegment(s)
		if err != nil {
			return t, err
		}
		if seg.kind == catchAll && i != len(raw)-1 {
			return t, fmt.Errorf("catch-all %q must be the last segment", s)
		}
		t.segs = append(t.segs, seg)
	}
	params, err := newParamSpec(t.segs)
	if err != nil {
		return t, err
	}
	t.params = params
	return t, nil
}

// parseSegment parses one template segment.
func parseSegment(s string) (tmplSeg, error) {
	if s == "" {
		return tmplSeg{}, errors.New("empty segment (a doubled or trailing slash)")
	}
	if s[0] == '{' && s[len(s)-1] == '}' && strings.Count(s, "{") == 1 && strings.Count(s, "}") == 1 {
		return parseParam(s)
	}
	return tmplSeg{kind: literal, text: s}, checkLiteral(s)
}

// parseParam parses "{name}" or "{name...}".
func parseParam(s string) (tmplSeg, error) {
	name, rest := strings.CutSuffix(s[1:len(s)-1], "...")
	if !validParamName(name) {
		return tmplSeg{}, fmt.Errorf("invalid parameter name in %q: want [A-Za-z_][A-Za-z0-9_]*", s)
	}
	if rest {
		return tmplSeg{kind: catchAll, text: name}, nil
	}
	return tmplSeg{kind: param, text: name}, nil
}

// checkLiteral validates a literal segment.
func checkLiteral(s string) error {
	switch {
	case strings.ContainsAny(s, "{}"):
		return fmt.Errorf("segment %q: a parameter must be a whole segment", s)
	case s == "." || s == "..":
		return fmt.Errorf("dot segment %q is not allowed", s)
	case strings.Contains(s, "%"):
		return fmt.Errorf(`segment %q: "%%" is not allowed (write the decoded character)`, s)
	case !utf8.ValidString(s):
		return fmt.Errorf("segment %q: invalid UTF-8", s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || strings.IndexByte(`\?#`, c) >= 0 {
			return fmt.Errorf("segment %q: invalid character %q", s, c)
		}
	}
	// Defence in depth: a literal must survive normalisation unchanged, or
	// no request could ever match it (this also rejects ".;" and "..;x").
	if got, _, err := Normalize("/" + escapePath(s)); err != nil || got != "/"+s {
		return fmt.Errorf("segment %q can never match: path normalisation rejects or changes it", s)
	}
	return nil
}

// validParamName reports whether s matches [A-Za-z_][A-Za-z0-9_]*.
func validParamName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}
