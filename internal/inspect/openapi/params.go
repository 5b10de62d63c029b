package openapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/pb33f/jsonschema/v6"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
)

// validateParams runs the library's parameter validators on the request
// as the spec sees it (path relative to the spec's template) and adds
// their findings to v. specPath is the escaped path after the server base.
func (o *Operation) validateParams(r *http.Request, mt *method, specPath string, v *violations) {
	if len(mt.params) == 0 {
		return
	}
	u := *r.URL
	u.RawPath = specPath
	if p, err := url.PathUnescape(specPath); err == nil {
		u.Path = p
	}
	rr := *r
	rr.URL = &u
	rr.Body = http.NoBody
	pv := o.spec.params
	for _, check := range [...]func(*http.Request) (bool, []*liberrors.ValidationError){
		func(q *http.Request) (bool, []*liberrors.ValidationError) {
			return pv.ValidatePathParamsWithPathItem(q, o.item, o.path)
		},
		func(q *http.Request) (bool, []*liberrors.ValidationError) {
			return pv.ValidateQueryParamsWithPathItem(q, o.item, o.path)
		},
		func(q *http.Request) (bool, []*liberrors.ValidationError) {
			return pv.ValidateHeaderParamsWithPathItem(q, o.item, o.path)
		},
		func(q *http.Request) (bool, []*liberrors.ValidationError) {
			return pv.ValidateCookieParamsWithPathItem(q, o.item, o.path)
		},
	} {
		ok, errs := check(&rr)
		if ok {
			continue
		}
		for _, e := range errs {
			mt.paramViolation(e, v)
		}
	}
}

// paramViolation maps one of the library's parameter errors to a field
// and a reason. The parameter is identified by its location and its name
// as declared (a name the operation does not declare is not repeated); the
// reason comes from the error's kind, never from its text's values.
func (mt *method) paramViolation(e *liberrors.ValidationError, v *violations) {
	in := e.ValidationSubType
	field := in
	var info *paramInfo
	name := e.ParameterName
	if name == "" {
		name = quotedName(e.Message)
	}
	for i := range mt.params {
		if p := &mt.params[i]; p.in == in && p.name == name {
			info = p
			field = in + "." + name
			break
		}
	}
	switch in {
	case "path", "query", "header", "cookie":
	default:
		v.add("request", "is invalid")
		return
	}
	seen := map[*jsonschema.ValidationError]bool{}
	for _, f := range e.SchemaValidationErrors {
		if f == nil || f.OriginalJsonSchemaError == nil || seen[f.OriginalJsonSchemaError] {
			continue
		}
		seen[f.OriginalJsonSchemaError] = true
		v.schemaError(field, f.OriginalJsonSchemaError, nil)
	}
	if len(seen) > 0 {
		return
	}
	v.add(field, paramReason(e.Message, info))
}

// quotedName is the text between the first pair of single quotes: the
// library's messages name the parameter so ("Query parameter 'limit' is
// not a valid integer").
func quotedName(msg string) string {
	_, rest, ok := strings.Cut(msg, "'")
	if !ok {
		return ""
	}
	name, _, ok := strings.Cut(rest, "'")
	if !ok {
		return ""
	}
	return name
}

// paramReason maps the phrase of a library parameter message to a reason.
func paramReason(msg string, info *paramInfo) string {
	phrases := [...]struct{ phrase, reason string }{
		{"is missing", "is required"},
		{"is not a valid integer", "must be an integer"},
		{"is not a valid number", "must be a number"},
		{"is not a valid boolean", "must be a boolean"},
		{"does not match allowed values", ""},
		{"has too many items", "has too many items"},
		{"does not have enough items", "has too few items"},
		{"contains non-unique items", "must not contain duplicate items"},
		{"delimited incorrectly", "is not encoded as the operation declares"},
		{"is not exploded correctly", "is not encoded as the operation declares"},
		{"is not a valid deepObject", "is not encoded as the operation declares"},
		{"contains reserved values", "must not contain reserved characters"},
		{"cannot be decoded", "cannot be decoded"},
		{"is not valid JSON", "cannot be decoded"},
	}
	for _, p := range phrases {
		if !strings.Contains(msg, p.phrase) {
			continue
		}
		if p.reason == "" { // enum
			if info != nil && info.enum != "" {
				return "must be one of: " + info.enum
			}
			return "must be one of the allowed values"
		}
		return p.reason
	}
	return "is invalid"
}
