package openapi

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/pb33f/jsonschema/v6"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
)

// Operation is the compiled validation of one gateway route: the spec
// operation of each of its methods. It is immutable and safe for
// concurrent use.
type Operation struct {
	spec    *Spec
	route   string // the gateway's template, for messages
	path    string // the spec's template, e.g. /orders/{orderId}
	item    *v3.PathItem
	prefix  int // leading request path segments that are the server base
	methods map[string]*method
}

// method is the compiled operation of one HTTP method.
type method struct {
	name      string
	op        *v3.Operation
	params    []paramInfo
	body      *requestBody // nil: the operation declares no requestBody
	responses responses
}

// paramInfo is what a violation of a declared parameter is reported with.
type paramInfo struct {
	in, name string
	enum     string // "a, b, c" when the schema has an enum
}

// requestBody is a compiled requestBody.
type requestBody struct {
	required bool
	media    []mediaEntry
	accepted string // the declared media types, for the 415 detail
}

// mediaEntry is one declared media type (or range) of a content map.
type mediaEntry struct {
	typ, sub string // lower case, parameters dropped; "*" for a range
	schema   *jsonschema.Schema
	fast     *fastSchema // schema's fast path (nil: none; see fastSchema)
}

// Operation returns the compiled validation of one route: methods (upper
// case; HEAD falls back to the path's GET) and the route's path template
// (e.g. /v1/orders/{id}; see the package documentation for how it is
// matched to the document's paths and servers). It returns an error, naming
// the method and path, when the document has no such operation or one of
// its schemas does not compile: a route whose operation is missing is a
// configuration error.
func (s *Spec) Operation(methods []string, pathTemplate string) (*Operation, error) {
	if len(methods) == 0 {
		return nil, fmt.Errorf("openapi: %s: route %s has no methods", s.file, pathTemplate)
	}
	m, err := s.findPath(pathTemplate)
	if err != nil {
		return nil, fmt.Errorf("openapi: %s: %w", s.file, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &Operation{spec: s, route: pathTemplate, path: m.path, item: m.item, prefix: m.prefix, methods: map[string]*method{}}
	for _, name := range methods {
		name = strings.ToUpper(name)
		op := operationFor(m.item, name)
		if op == nil {
			return nil, fmt.Errorf("openapi: %s: %s %s: the document has no %s operation on %s", s.file, name, pathTemplate, name, m.path)
		}
		mt, err := s.compileMethod(name, m.item, op)
		if err != nil {
			return nil, fmt.Errorf("openapi: %s: %s %s (%s): %w", s.file, name, pathTemplate, m.path, err)
		}
		o.methods[name] = mt
	}
	// A route with GET also answers HEAD (internal/route).
	if g := o.methods[http.MethodGet]; g != nil && o.methods[http.MethodHead] == nil {
		o.methods[http.MethodHead] = g
		if op := m.item.Head; op != nil {
			mt, err := s.compileMethod(http.MethodHead, m.item, op)
			if err != nil {
				return nil, fmt.Errorf("openapi: %s: HEAD %s (%s): %w", s.file, pathTemplate, m.path, err)
			}
			o.methods[http.MethodHead] = mt
		}
	}
	for _, seg := range segments(m.path) {
		if strings.Contains(seg, "{") {
			if _, ok := s.opts.RegexCache.Load(seg); !ok {
				if rx, err := helpers.GetRegexForPath(seg); err == nil {
					s.opts.RegexCache.Store(seg, rx)
				}
			}
		}
	}
	return o, nil
}

// operationFor is the path item's operation for an upper-case method.
func operationFor(item *v3.PathItem, name string) *v3.Operation {
	switch name {
	case http.MethodGet:
		return item.Get
	case http.MethodHead:
		if item.Head != nil {
			return item.Head
		}
		return item.Get
	case http.MethodPost:
		return item.Post
	case http.MethodPut:
		return item.Put
	case http.MethodPatch:
		return item.Patch
	case http.MethodDelete:
		return item.Delete
	case http.MethodOptions:
		return item.Options
	case http.MethodTrace:
		return item.Trace
	}
	return nil
}

func (s *Spec) compileMethod(name string, item *v3.PathItem, op *v3.Operation) (*method, error) {
	mt := &method{name: name, op: op}
	for _, p := range slices.Concat(item.Parameters, op.Parameters) {
		if p == nil {
			continue
		}
		info := paramInfo{in: p.In, name: p.Name}
		if p.Schema != nil {
			sch := p.Schema.Schema()
			if sch == nil {
				return nil, fmt.Errorf("parameter %s %q: schema: %v", p.In, p.Name, p.Schema.GetBuildError())
			}
			info.enum = enumList(sch)
			if err := s.warmParam(sch); err != nil {
				return nil, fmt.Errorf("parameter %s %q: %w", p.In, p.Name, err)
			}
		}
		mt.params = append(mt.params, info)
	}
	if rb := op.RequestBody; rb != nil {
		b := &requestBody{required: rb.Required != nil && *rb.Required}
		var keys []string
		for pair := orderedmap.First(rb.Content); pair != nil; pair = pair.Next() {
			e, err := s.compileMedia(pair.Key(), pair.Value(), schema_validation.SchemaValidationPurposeRequestBody)
			if err != nil {
				return nil, fmt.Errorf("requestBody %s: %w", pair.Key(), err)
			}
			b.media = append(b.media, e)
			keys = append(keys, pair.Key())
		}
		b.accepted = strings.Join(keys, ", ")
		mt.body = b
	}
	r, err := s.compileResponses(op.Responses)
	if err != nil {
		return nil, err
	}
	mt.responses = r
	return mt, nil
}

// warmParam compiles a parameter schema into the cache the library's
// parameter validator looks in, so that no request compiles it.
func (s *Spec) warmParam(sch *base.Schema) error {
	if sch.GoLow() == nil {
		return nil
	}
	key := schema_validation.SchemaCacheKey(sch.GoLow().Hash(), s.version, schema_validation.SchemaValidationPurposeGeneric)
	if _, ok := s.opts.SchemaCache.Load(key); ok {
		return nil
	}
	c, err := schema_validation.CompileSchemaForValidation(sch, schema_validation.SchemaValidationPurposeGeneric, s.opts, s.version)
	if err != nil {
		return fmt.Errorf("schema does not compile: %w", err)
	}
	if c != nil && c.CompiledSchema != nil {
		s.opts.SchemaCache.Store(key, c.ToCacheEntry(sch))
	}
	return nil
}

// compileMedia compiles one entry of a content map. Only JSON media types
// (and ranges that can only be JSON, such as application/*+json) have
// their schema compiled: other bodies are checked for their type only.
func (s *Spec) compileMedia(key string, mt *v3.MediaType, purpose schema_validation.SchemaValidationPurpose) (mediaEntry, error) {
	typ, sub := splitMediaType(key)
	e := mediaEntry{typ: typ, sub: sub}
	if mt == nil || mt.Schema == nil || !isJSON(typ, sub) {
		return e, nil
	}
	sch := mt.Schema.Schema()
	if sch == nil {
		return e, fmt.Errorf("schema: %v", mt.Schema.GetBuildError())
	}
	c, err := schema_validation.CompileSchemaForValidation(sch, purpose, s.opts, s.version)
	if err != nil {
		return e, fmt.Errorf("schema does not compile: %w", err)
	}
	if c != nil {
		e.schema = c.CompiledSchema
		e.fast = compileFast(e.schema)
	}
	return e, nil
}

// enumList is a schema's enum for messages, at most 10 values.
func enumList(sch *base.Schema) string {
	if len(sch.Enum) == 0 {
		return ""
	}
	var b strings.Builder
	for i, n := range sch.Enum {
		if i == 10 {
			b.WriteString(", ...")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if n == nil {
			b.WriteString("null")
			continue
		}
		b.WriteString(n.Value)
	}
	return b.String()
}

// responses is a compiled Responses object.
type responses struct {
	codes  map[int]*response
	ranges [6]*response // 1XX .. 5XX
	def    *response
}

// response is one documented response: the media types of its content
// (none: no body is documented).
type response struct {
	media []mediaEntry
}

func (s *Spec) compileResponses(rs *v3.Responses) (responses, error) {
	out := responses{codes: map[int]*response{}}
	if rs == nil {
		return out, nil
	}
	for pair := orderedmap.First(rs.Codes); pair != nil; pair = pair.Next() {
		code := strings.ToUpper(strings.TrimSpace(pair.Key()))
		r, err := s.compileResponse(pair.Value())
		if err != nil {
			return out, fmt.Errorf("response %s: %w", code, err)
		}
		if len(code) == 3 && code[1:] == "XX" && '1' <= code[0] && code[0] <= '5' {
			out.ranges[code[0]-'0'] = r
			continue
		}
		n, err := strconv.Atoi(code)
		if err != nil || n < 100 || n > 599 {
			return out, fmt.Errorf("response %q: not a status code", pair.Key())
		}
		out.codes[n] = r
	}
	if rs.Default != nil {
		r, err := s.compileResponse(rs.Default)
		if err != nil {
			return out, fmt.Errorf("response default: %w", err)
		}
		out.def = r
	}
	return out, nil
}

func (s *Spec) compileResponse(r *v3.Response) (*response, error) {
	out := &response{}
	if r == nil {
		return out, nil
	}
	for pair := orderedmap.First(r.Content); pair != nil; pair = pair.Next() {
		e, err := s.compileMedia(pair.Key(), pair.Value(), schema_validation.SchemaValidationPurposeResponseBody)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pair.Key(), err)
		}
		out.media = append(out.media, e)
	}
	return out, nil
}

// lookup finds the documented response for a status code: exact, range,
// default.
func (r *responses) lookup(status int) *response {
	if x := r.codes[status]; x != nil {
		return x
	}
	if c := status / 100; c >= 1 && c <= 5 && r.ranges[c] != nil {
		return r.ranges[c]
	}
	return r.def
}
