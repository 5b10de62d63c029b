package scan

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
)

// Spec is the part of an OpenAPI 3.0/3.1 document the scanner uses, with
// every local $ref resolved.
type Spec struct {
	OpenAPI    string                                `json:"openapi"`
	Swagger    string                                `json:"swagger"`
	Servers    []struct{ URL string }                `json:"servers"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Security   []map[string][]string                 `json:"security"`
	Components struct {
		SecuritySchemes map[string]SecurityScheme `json:"securitySchemes"`
	} `json:"components"`
}

// SecurityScheme is a components.securitySchemes entry.
type SecurityScheme struct {
	Type   string `json:"type"`   // apiKey | http | oauth2 | openIdConnect | mutualTLS
	Scheme string `json:"scheme"` // bearer | basic (type http)
	In     string `json:"in"`     // header | query | cookie (type apiKey)
	Name   string `json:"name"`
}

// SpecOperation is one operation object.
type SpecOperation struct {
	OperationID string                     `json:"operationId"`
	Parameters  []Parameter                `json:"parameters"`
	RequestBody *RequestBody               `json:"requestBody"`
	Responses   map[string]json.RawMessage `json:"responses"`
	Security    *[]map[string][]string     `json:"security"`
	Deprecated  bool                       `json:"deprecated"`
}

// Parameter is a path, query, header or cookie parameter.
type Parameter struct {
	Name     string  `json:"name"`
	In       string  `json:"in"`
	Required bool    `json:"required"`
	Schema   *Schema `json:"schema"`
	Example  any     `json:"example"`
	Examples map[string]struct {
		Value any `json:"value"`
	} `json:"examples"`
}

// RequestBody is an operation's request body.
type RequestBody struct {
	Required bool                 `json:"required"`
	Content  map[string]MediaType `json:"content"`
}

// MediaType is one content type of a body.
type MediaType struct {
	Schema   *Schema `json:"schema"`
	Example  any     `json:"example"`
	Examples map[string]struct {
		Value any `json:"value"`
	} `json:"examples"`
}

// Schema is the subset of JSON Schema used to generate valid values.
type Schema struct {
	Type       any                `json:"type"` // string, or a list in 3.1
	Format     string             `json:"format"`
	Enum       []any              `json:"enum"`
	Const      any                `json:"const"`
	Example    any                `json:"example"`
	Examples   any                `json:"examples"`
	Default    any                `json:"default"`
	Properties map[string]*Schema `json:"properties"`
	Required   []string           `json:"required"`
	Items      *Schema            `json:"items"`
	AllOf      []*Schema          `json:"allOf"`
	OneOf      []*Schema          `json:"oneOf"`
	AnyOf      []*Schema          `json:"anyOf"`
	ReadOnly   bool               `json:"readOnly"`
	Minimum    *float64           `json:"minimum"`
	Maximum    *float64           `json:"maximum"`
	MinLength  *int               `json:"minLength"`
	MaxLength  *int               `json:"maxLength"`
	MinItems   *int               `json:"minItems"`
}

// Types lists the schema's types (3.0 string or 3.1 array).
func (s *Schema) Types() []string {
	switch t := s.Type.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, v := range t {
			if str, ok := v.(string); ok && str != "null" {
				out = append(out, str)
			}
		}
		return out
	}
	if len(s.Properties) > 0 {
		return []string{"object"}
	}
	if s.Items != nil {
		return []string{"array"}
	}
	return nil
}

// Is reports whether the schema has type t.
func (s *Schema) Is(t string) bool { return s != nil && slices.Contains(s.Types(), t) }

var methods = []string{"get", "post", "put", "patch", "delete", "head", "options", "trace"}

// ParseSpec reads an OpenAPI 3.0 or 3.1 document in JSON or YAML.
func ParseSpec(data []byte) (*Spec, []*Operation, error) {
	var raw any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, nil, fmt.Errorf("not JSON or YAML: %w", err)
	}
	root, ok := normalise(raw).(map[string]any)
	if !ok {
		return nil, nil, errors.New("not an OpenAPI document: top level is not an object")
	}
	resolved := resolveRefs(root, root, 0)
	b, err := json.Marshal(resolved)
	if err != nil {
		return nil, nil, fmt.Errorf("re-encode: %w", err)
	}
	var s Spec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, nil, fmt.Errorf("not an OpenAPI document: %w", err)
	}
	if s.Swagger != "" {
		return nil, nil, fmt.Errorf("swagger %s documents are not supported: convert to OpenAPI 3", s.Swagger)
	}
	if !strings.HasPrefix(s.OpenAPI, "3.") {
		return nil, nil, errors.New("not an OpenAPI 3.x document (no openapi: 3.x field)")
	}
	ops, err := s.operations()
	if err != nil {
		return nil, nil, err
	}
	return &s, ops, nil
}

// BasePath is the path of the first server URL ("" for none or "/").
func (s *Spec) BasePath() string {
	if len(s.Servers) == 0 {
		return ""
	}
	u, err := url.Parse(s.Servers[0].URL)
	if err != nil || strings.Contains(u.Path, "{") {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}

func (s *Spec) operations() ([]*Operation, error) {
	paths := make([]string, 0, len(s.Paths))
	for p := range s.Paths {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var ops []*Operation
	for _, p := range paths {
		if !strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("paths: %q does not start with \"/\"", p)
		}
		item := s.Paths[p]
		var shared []Parameter
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &shared); err != nil {
				return nil, fmt.Errorf("paths.%s.parameters: %w", p, err)
			}
		}
		for _, m := range methods {
			raw, ok := item[m]
			if !ok {
				continue
			}
			var so SpecOperation
			if err := json.Unmarshal(raw, &so); err != nil {
				return nil, fmt.Errorf("paths.%s.%s: %w", p, m, err)
			}
			op := &Operation{Method: strings.ToUpper(m), Path: p, Documented: true, ID: so.OperationID}
			op.Params = mergeParams(shared, so.Parameters)
			if so.RequestBody != nil {
				op.ContentType, op.Body = pickMedia(so.RequestBody.Content)
			}
			sec := s.Security
			if so.Security != nil {
				sec = *so.Security
			}
			op.Auth = AuthUnknown
			if s.Security != nil || so.Security != nil {
				op.Auth = AuthRequired
				if len(sec) == 0 || slices.ContainsFunc(sec, func(r map[string][]string) bool { return len(r) == 0 }) {
					op.Auth = AuthNone
				}
			} else if len(s.Components.SecuritySchemes) == 0 {
				op.Auth = AuthNone
			}
			for code := range so.Responses {
				op.Responses = append(op.Responses, code)
			}
			slices.Sort(op.Responses)
			ops = append(ops, op)
		}
	}
	return ops, nil
}

func mergeParams(shared, own []Parameter) []Parameter {
	out := append([]Parameter(nil), own...)
	for _, p := range shared {
		if !slices.ContainsFunc(out, func(q Parameter) bool { return q.Name == p.Name && q.In == p.In }) {
			out = append(out, p)
		}
	}
	return out
}

// pickMedia prefers JSON, then form, then anything.
func pickMedia(content map[string]MediaType) (string, *MediaType) {
	keys := make([]string, 0, len(content))
	for k := range content {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, want := range []string{"json", "x-www-form-urlencoded", ""} {
		for _, k := range keys {
			if strings.Contains(k, want) {
				mt := content[k]
				return k, &mt
			}
		}
	}
	return "", nil
}

// normalise turns YAML-decoded maps into map[string]any throughout.
func normalise(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = normalise(x)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[fmt.Sprint(k)] = normalise(x)
		}
		return m
	case []any:
		for i, x := range t {
			t[i] = normalise(x)
		}
		return t
	case uint64:
		return float64(t)
	}
	return v
}

// maxRefDepth bounds $ref expansion (recursive schemas).
const maxRefDepth = 6

// resolveRefs returns v with every local "#/..." $ref replaced by a copy
// of its target, up to maxRefDepth nested expansions.
func resolveRefs(v any, root map[string]any, depth int) any {
	switch t := v.(type) {
	case map[string]any:
		if ref, ok := t["$ref"].(string); ok {
			if depth >= maxRefDepth {
				return map[string]any{}
			}
			target, ok := lookupRef(root, ref)
			if !ok {
				return map[string]any{}
			}
			return resolveRefs(target, root, depth+1)
		}
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = resolveRefs(x, root, depth)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = resolveRefs(x, root, depth)
		}
		return out
	}
	return v
}

func lookupRef(root map[string]any, ref string) (any, bool) {
	frag, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, false
	}
	var cur any = root
	for _, part := range strings.Split(frag, "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		if p, err := url.PathUnescape(part); err == nil {
			part = p
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}
