package injection

import (
	"strconv"
	"strings"
)

// locKind is where in the request a value was found.
type locKind uint8

const (
	locPath locKind = iota
	locQuery
	locHeader
	locCookie
	locReferer
	locForm
	locJSON
	locBody
)

// location names where a value is, for causes and findings. Names taken
// from the request (parameter, cookie and member names) are quoted and
// cut short; a name that is itself the hit is replaced by its ordinal.
type location struct {
	kind  locKind
	name  string // parameter, header or cookie name
	index int    // path segment number or parameter ordinal (from 1)
	inKey bool   // the hit is in the name, not the value
	json  *jsonWalker
}

// maxNameLen bounds a request-supplied name in a description.
const maxNameLen = 40

func quoteName(s string) string {
	if len(s) > maxNameLen {
		s = s[:maxNameLen] + "..."
	}
	return strconv.Quote(s)
}

// describe returns the location as a short phrase ("query \"q\"").
func (l *location) describe() string {
	switch l.kind {
	case locPath:
		return "path segment " + strconv.Itoa(l.index)
	case locQuery, locForm:
		what := "query"
		if l.kind == locForm {
			what = "form field"
		}
		if l.inKey {
			return what + " name #" + strconv.Itoa(l.index)
		}
		return what + " " + quoteName(l.name)
	case locHeader:
		return "header " + quoteName(l.name)
	case locCookie:
		if l.inKey {
			return "cookie name #" + strconv.Itoa(l.index)
		}
		return "cookie " + quoteName(l.name)
	case locReferer:
		return "header \"Referer\""
	case locJSON:
		if l.inKey {
			return "body member name in " + strconv.Quote(l.json.path(false))
		}
		return "body " + strconv.Quote(l.json.path(true))
	case locBody:
		return "body (not parsable as JSON, from offset " + strconv.Itoa(l.index) + ")"
	}
	return "request"
}

// jsonPathName writes one member name for a JSON path: as .name when it
// is an identifier, else as ["name"]; cut short like other names.
func jsonPathName(b *strings.Builder, name string) {
	if len(name) > maxNameLen {
		name = name[:maxNameLen] + "..."
	}
	ident := name != ""
	for i := 0; i < len(name); i++ {
		if !isIdentChar(name[i]) && name[i] != '-' {
			ident = false
			break
		}
	}
	if ident {
		b.WriteByte('.')
		b.WriteString(name)
		return
	}
	b.WriteByte('[')
	b.WriteString(strconv.Quote(name))
	b.WriteByte(']')
}
