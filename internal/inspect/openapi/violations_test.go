package openapi

import (
	"strings"
	"testing"

	"github.com/pb33f/jsonschema/v6"
)

// TestSchemaReasons covers the reasons and the combinators that the
// orders API does not use, on schemas compiled directly.
func TestSchemaReasons(t *testing.T) {
	schema := `{
		"type": "object",
		"properties": {
			"id": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": "^[a-z]+$"}]},
			"pick": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
			"tags": {"type": "array", "uniqueItems": true, "minItems": 1, "maxItems": 2, "items": {"type": "string", "minLength": 2}},
			"ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "multipleOf": 0.25},
			"kind": {"const": "widget"},
			"meta": {"type": "object", "minProperties": 1, "maxProperties": 1, "propertyNames": {"pattern": "^[a-z]+$"}},
			"no": false,
			"neg": {"not": {"type": "string"}},
			"dep": {"type": "string"}
		},
		"dependentRequired": {"dep": ["kind"]}
	}`
	tests := []struct{ body, want string }{
		{`{"id":0}`, "body.id: must be >= 1"},
		{`{"id":"ABC"}`, "body.id: must match pattern"},
		{`{"id":true}`, "body.id: must match at least one of the allowed schemas"},
		{`{"pick":3}`, "body.pick: must match exactly one of the allowed schemas"},
		{`{"tags":[]}`, "body.tags: must have at least 1 items"},
		{`{"tags":["ab","ab"]}`, "body.tags: must not contain duplicate items"},
		{`{"tags":["ab","cd","ef"]}`, "body.tags: must have at most 2 items"},
		{`{"tags":["ab","c"]}`, "body.tags[1]: must be at least 2 characters"},
		{`{"ratio":0}`, "body.ratio: must be > 0"},
		{`{"ratio":1}`, "body.ratio: must be < 1"},
		{`{"ratio":0.3}`, "body.ratio: must be a multiple of 0.25"},
		{`{"kind":"gadget"}`, "body.kind: must be widget"},
		{`{"meta":{}}`, "body.meta: must have at least 1 properties"},
		{`{"meta":{"a":1,"b":2}}`, "body.meta: must have at most 1 properties"},
		{`{"meta":{"A1":1}}`, "body.meta: has a property name that is not allowed"},
		{`{"no":1}`, "body.no: is not allowed"},
		{`{"neg":"x"}`, "body.neg: must not match the excluded schema"},
		{`{"dep":"x"}`, "body.kind: is required when dep is present"},
		{`{"123":{"x":1}}`, ""},
	}
	c := jsonschema.NewCompiler()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("s.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("s.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		var v violations
		validateJSON(&v, &mediaEntry{schema: sch}, []byte(tc.body))
		got := ""
		if len(v.list) > 0 {
			got = v.list[0].Field + ": " + v.list[0].Detail
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.body, got, tc.want)
		}
	}
}

func TestFieldName(t *testing.T) {
	inst := map[string]any{"items": []any{map[string]any{"7": 1}}, "12": map[string]any{}}
	for _, tc := range []struct {
		loc  []string
		inst any
		want string
	}{
		{nil, inst, "body"},
		{[]string{"items", "0", "7"}, inst, "body.items[0].7"},
		{[]string{"12"}, inst, "body.12"},
		{[]string{"a b", "x"}, inst, "body[?].x"},
		{[]string{strings.Repeat("k", 65)}, inst, "body[?]"},
		{[]string{"3", "name"}, nil, "body[3].name"},
	} {
		if got := fieldName("body", tc.loc, tc.inst); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.loc, got, tc.want)
		}
	}
}

func TestNaturalCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"items[2]", "items[10]", -1}, {"items[10]", "items[2]", 1}, {"a", "a", 0}, {"a", "ab", -1},
		{"x[007]", "x[7]", 0}, {"body.email", "body.quantity", -1},
	} {
		if got := naturalCompare(tc.a, tc.b); got != tc.want {
			t.Errorf("naturalCompare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
