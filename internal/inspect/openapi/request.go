package openapi

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/pb33f/jsonschema/v6"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/route"
)

// DefaultMaxBody is the body bound of a RequestStage given none.
const DefaultMaxBody = 1 << 20

// RequestStage returns the pipeline stage ("openapi") that validates a
// request against the operation of its method. maxBody bounds the body
// it reads (and holds in memory) to validate it: a longer body is answered
// 413; 0 or less means DefaultMaxBody. See the package documentation for
// the answers and for how the body is handed on.
func (o *Operation) RequestStage(maxBody int64) pipeline.Stage {
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	allow := make([]string, 0, len(o.methods))
	for m := range o.methods {
		allow = append(allow, m)
	}
	slices.Sort(allow)
	return &requestStage{o: o, maxBody: maxBody, allow: strings.Join(allow, ", ")}
}

type requestStage struct {
	o       *Operation
	maxBody int64
	allow   string
}

// Name identifies the stage in logs, metrics and audit records.
func (*requestStage) Name() string { return "openapi" }

// Check validates x.In. It returns nil, a *problem.Error (400, 413, 415)
// or, never for anything the client controls, another error.
func (s *requestStage) Check(_ context.Context, x *pipeline.Exchange) error {
	r := x.In
	mt := s.o.methods[r.Method]
	if mt == nil { // the route table answered 405 before
		return problem.MethodNotAllowed(s.allow)
	}
	specPath, ok := s.o.specPath(r)
	if !ok {
		return problem.BadRequest("the request path is not acceptable")
	}
	if r.ContentLength != 0 && encoded(r.Header) {
		return problem.New(http.StatusUnsupportedMediaType, problem.CodeUnsupportedMedia,
			"a content-encoded request body cannot be validated: send it uncompressed")
	}
	data, err := readRequestBody(r, s.maxBody)
	if err != nil {
		return err
	}
	entry, err := mt.bodyMedia(r, data)
	if err != nil {
		return err
	}
	var v violations
	s.o.validateParams(r, mt, specPath, &v)
	switch {
	case len(data) == 0:
		if mt.body != nil && mt.body.required {
			v.add("body", "is required")
		}
	case entry != nil && entry.schema != nil:
		if typ, sub, _ := parseContentType(r.Header.Get("Content-Type")); isJSON(typ, sub) {
			validateJSON(&v, entry, data)
		}
	}
	if len(v.list) == 0 {
		return nil
	}
	return v.problem()
}

// bodyMedia checks a body's media type against the declared ones and
// returns the entry that describes it (nil: no body). A body the
// operation does not declare is a 415.
func (mt *method) bodyMedia(r *http.Request, data []byte) (*mediaEntry, error) {
	if len(data) == 0 {
		return nil, nil
	}
	if mt.body == nil || len(mt.body.media) == 0 {
		return nil, problem.New(http.StatusUnsupportedMediaType, problem.CodeUnsupportedMedia,
			"this operation accepts no request body")
	}
	typ, sub, ok := parseContentType(r.Header.Get("Content-Type"))
	if ok {
		if e, found := findMedia(mt.body.media, typ, sub); found {
			return e, nil
		}
	}
	return nil, problem.New(http.StatusUnsupportedMediaType, problem.CodeUnsupportedMedia,
		"the request body must have one of these media types: "+mt.body.accepted)
}

// validateJSON parses and validates a JSON body against its schema. A
// body the fast path finds certainly valid is done with; any other is
// validated in full (validateJSONFull), which reports its violations.
func validateJSON(v *violations, e *mediaEntry, data []byte) {
	if e.fast != nil && e.fast.valid(data) {
		return
	}
	validateJSONFull(v, e, data)
}

// validateJSONFull decodes data (decodeJSON) and validates it with the
// library, adding every violation to v.
func validateJSONFull(v *violations, e *mediaEntry, data []byte) {
	doc, err := decodeJSON(data)
	if err != nil {
		v.add("body", err.Error())
		return
	}
	var ve *jsonschema.ValidationError
	if err := e.schema.Validate(doc); err != nil {
		if errors.As(err, &ve) {
			v.schemaError("body", ve, doc)
			return
		}
		v.add("body", "is invalid")
	}
}

// specPath is the request's escaped path as the route table normalised it
// (what the upstream receives), without the server base segments that
// precede the spec's path template.
func (o *Operation) specPath(r *http.Request) (string, bool) {
	_, escaped, err := route.Normalize(r.URL.EscapedPath())
	if err != nil {
		return "", false
	}
	p := escaped
	for range o.prefix {
		i := strings.IndexByte(p[1:], '/')
		if i < 0 {
			return "", false
		}
		p = p[i+1:]
	}
	return p, true
}

// problem is the 400 answer for v: its first violation as Detail, all of
// them as Errors. The cause (for the log) holds the same client-safe text.
func (v *violations) problem() *problem.Error {
	first := v.list[0]
	p := problem.BadRequest(first.Field + ": " + first.Detail)
	p.Errors = v.list
	return p.WithCause(errors.New(v.summary("openapi: request violates the operation: ")))
}

// summary joins the violations for logs and findings.
func (v *violations) summary(prefix string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i, e := range v.list {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Field + ": " + e.Detail)
	}
	if v.more {
		b.WriteString("; more than " + strconv.Itoa(maxViolations) + " violations")
	}
	return b.String()
}
