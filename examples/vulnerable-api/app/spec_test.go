package app

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

type spec map[string]any

func loadSpec(t *testing.T) spec {
	t.Helper()
	b, err := os.ReadFile("../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var s spec
	if err := yaml.Unmarshal(b, &s); err != nil {
		t.Fatalf("openapi.yaml is not YAML: %v", err)
	}
	return s
}

// resolve follows a local $ref.
func (s spec) resolve(t *testing.T, v any) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	ref, ok := m["$ref"].(string)
	if !ok {
		return m
	}
	var cur any = map[string]any(s)
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		cur = cur.(map[string]any)[part]
	}
	if cur == nil {
		t.Fatalf("unresolved %s", ref)
	}
	return s.resolve(t, cur)
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operation is one documented operation.
type operation struct {
	method, path string
	op           map[string]any
	params       []any // path-level and operation-level
}

func (s spec) operations(t *testing.T) []operation {
	t.Helper()
	var ops []operation
	for path, item := range s["paths"].(map[string]any) {
		pi := item.(map[string]any)
		shared, _ := pi["parameters"].([]any)
		for _, m := range httpMethods {
			if op, ok := pi[m].(map[string]any); ok {
				own, _ := op["parameters"].([]any)
				ops = append(ops, operation{strings.ToUpper(m), path, op, append(slices.Clone(shared), own...)})
			}
		}
	}
	slices.SortFunc(ops, func(a, b operation) int { return strings.Compare(a.path+" "+a.method, b.path+" "+b.method) })
	return ops
}

// TestSpecMatchesHandler: the spec's operations are exactly the handler's
// documented routes, and no undocumented route is in the spec.
func TestSpecMatchesHandler(t *testing.T) {
	s := loadSpec(t)
	if s["openapi"] != "3.1.0" {
		t.Fatalf("openapi: %v", s["openapi"])
	}
	var inSpec, documented, hidden []string
	for _, op := range s.operations(t) {
		inSpec = append(inSpec, op.method+" "+op.path)
	}
	for _, r := range routes {
		if r.documented {
			documented = append(documented, r.method+" "+r.path)
		} else {
			hidden = append(hidden, r.method+" "+r.path)
		}
	}
	slices.Sort(documented)
	slices.Sort(inSpec)
	if !slices.Equal(inSpec, documented) {
		t.Fatalf("spec operations:\n  %s\ndocumented routes:\n  %s", strings.Join(inSpec, "\n  "), strings.Join(documented, "\n  "))
	}
	for _, h := range hidden {
		if slices.Contains(inSpec, h) {
			t.Errorf("%s is marked undocumented but is in the spec", h)
		}
	}
}

// TestSpecExamplesWork sends every operation its documented example (path
// parameters and request body) and checks the handler serves it with a
// 2xx whose JSON has the documented shape.
func TestSpecExamplesWork(t *testing.T) {
	s := loadSpec(t)
	e := newEnv(t)
	alice := bearer(e.login("alice", AlicePassword))
	for _, op := range s.operations(t) {
		t.Run(op.method+" "+op.path, func(t *testing.T) {
			path := op.path
			for _, p := range op.params {
				p := s.resolve(t, p)
				if p["in"] != "path" {
					continue
				}
				ex, ok := p["example"]
				if !ok {
					t.Fatalf("path parameter %v has no example", p["name"])
				}
				path = strings.ReplaceAll(path, "{"+p["name"].(string)+"}", fmt.Sprint(ex))
			}
			body := ""
			if rb, ok := op.op["requestBody"].(map[string]any); ok {
				media := rb["content"].(map[string]any)["application/json"].(map[string]any)
				schema := s.resolve(t, media["schema"])
				if schema["additionalProperties"] != false {
					t.Errorf("request schema without additionalProperties: false")
				}
				ex, ok := media["example"]
				if !ok {
					t.Fatal("request body has no example")
				}
				b, _ := json.Marshal(ex)
				body = string(b)
				if errs := s.check(t, schema, ex, "body"); len(errs) > 0 {
					t.Errorf("the example does not match its schema: %v", errs)
				}
			}
			r := e.do(op.method, path, body, alice)
			if r.status < 200 || r.status > 299 {
				t.Fatalf("%s %s: %d %s", op.method, path, r.status, r.body)
			}
			resp := s.resolve(t, op.op["responses"].(map[string]any)[fmt.Sprint(r.status)])
			if resp == nil {
				t.Fatalf("status %d is not documented", r.status)
			}
			content, _ := resp["content"].(map[string]any)
			if media, ok := content["application/json"].(map[string]any); ok {
				var got any
				r.json(t, &got)
				if errs := s.check(t, s.resolve(t, media["schema"]), got, "response"); len(errs) > 0 {
					t.Errorf("response does not match the spec: %v", errs)
				}
			} else if _, ok := content["text/html"]; !ok || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
				t.Errorf("content type %q is not documented", r.header.Get("Content-Type"))
			}
		})
	}
}

// check validates v against the subset of JSON Schema the spec uses
// (type, required, properties, additionalProperties: false, items, enum).
func (s spec) check(t *testing.T, schema map[string]any, v any, at string) []string {
	t.Helper()
	var errs []string
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Sprintf("%s: %v not in %v", at, v, enum))
	}
	switch schema["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return append(errs, at+": not an object")
		}
		req, _ := schema["required"].([]any)
		for _, r := range req {
			if _, ok := m[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s.%s: missing", at, r))
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for k, pv := range m {
			ps, ok := props[k]
			if !ok {
				if schema["additionalProperties"] == false {
					errs = append(errs, fmt.Sprintf("%s.%s: not allowed", at, k))
				}
				continue
			}
			errs = append(errs, s.check(t, s.resolve(t, ps), pv, at+"."+k)...)
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return append(errs, at+": not an array")
		}
		for i, x := range a {
			errs = append(errs, s.check(t, s.resolve(t, schema["items"]), x, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		if _, ok := v.(string); !ok {
			errs = append(errs, at+": not a string")
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			errs = append(errs, at+": not a boolean")
		}
	case "integer", "number":
		f, ok := toFloat(v)
		if !ok || schema["type"] == "integer" && f != float64(int64(f)) {
			errs = append(errs, fmt.Sprintf("%s: %v is not an %v", at, v, schema["type"]))
		}
	}
	return errs
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case uint64:
		return float64(n), true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	}
	return 0, false
}

// TestUndocumentedRoutesAreServed: the undocumented routes exist (so the
// spec test above cannot pass by forgetting one).
func TestUndocumentedRoutesAreServed(t *testing.T) {
	e := newEnv(t)
	alice := bearer(e.login("alice", AlicePassword))
	for _, r := range routes {
		if r.documented {
			continue
		}
		path := strings.ReplaceAll(r.path, "{id}", "2")
		body := ""
		if r.method == "PATCH" {
			body = `{"quantity":2}`
		}
		if got := e.do(r.method, path, body, alice); got.status < 200 || got.status > 299 {
			t.Errorf("%s %s: %d %s", r.method, path, got.status, got.body)
		}
	}
}
