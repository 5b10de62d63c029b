package openapi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fastDoc is an OpenAPI document whose POST /t has schema as its request
// body and 200 response schema, and components as its component schemas.
func fastDoc(version, schema, components string) string {
	if components == "" {
		components = "{}"
	}
	return "openapi: " + version + "\ninfo: {title: t, version: '1'}\npaths:\n  /t:\n    post:\n" +
		"      requestBody:\n        content:\n          application/json:\n            schema: " + schema + "\n" +
		"      responses:\n        '200':\n          description: ok\n          content:\n" +
		"            application/json:\n              schema: " + schema + "\n" +
		"components:\n  schemas: " + components + "\n"
}

// fastEntries compiles such a document and returns the request and the
// response media entry.
func fastEntries(t testing.TB, version, schema, components string) (req, resp *mediaEntry) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "api.yaml")
	if err := os.WriteFile(file, []byte(fastDoc(version, schema, components)), 0o600); err != nil {
		t.Fatal(err)
	}
	o := mustOperation(t, mustLoad(t, file), "/t", "POST")
	mt := o.methods["POST"]
	return &mt.body.media[0], &mt.responses.codes[200].media[0]
}

// libraryValid is the full path's verdict: decodeJSON and the library.
func libraryValid(e *mediaEntry, body []byte) bool {
	doc, err := decodeJSON(body)
	return err == nil && e.schema.Validate(doc) == nil
}

// fastCase is a schema and bodies with the fast path's expected verdict:
// fast lists bodies it must find valid, other bodies it must not (they
// are invalid, or it cannot be sure of them).
type fastCase struct {
	name, schema, components string
	fast, other              []string
}

var fastCases = []fastCase{
	{name: "scalar types", schema: `{type: object, properties: {s: {type: string}, n: {type: number}, i: {type: integer}, b: {type: boolean}, z: {type: "null"}}}`,
		fast: []string{`{}`, `{"s":"x","n":-1.5e3,"i":7,"b":true,"z":null}`, ` { "i" : 2.0 , "n" : 0 } `, `{"i":-0}`, `{"i":1.000}`, `{"x":{"y":[1,2,{"z":null}]}}`},
		other: []string{`{"s":1}`, `{"n":"1"}`, `{"i":1.5}`, `{"i":1e2}`, `{"b":null}`, `{"z":false}`, `[]`, `"x"`, `{"i":01}`, `{"s":"x",}`,
			`{"a":1,"a":2}`, `{"a":{"b":1,"b":1}}`, `{"s":"\u00e9"} x`, `{"s":"a` + "\x00" + `"}`, "{\"s\":\"\xff\"}", `{"\u0073":1}`, ``, ` `}},
	{name: "required and additionalProperties false", schema: `{type: object, additionalProperties: false, required: [a], properties: {a: {type: string}, b: {type: integer}}}`,
		fast:  []string{`{"a":"x"}`, `{"b":3,"a":""}`},
		other: []string{`{"b":1}`, `{"a":"x","c":1}`, `{"a":"x","b":"1"}`, `{"a":"x","a":"y"}`, `{}`}},
	// A required name that is not a property is an additional property:
	// with additionalProperties false, no object is valid.
	{name: "required outside properties", schema: `{type: object, additionalProperties: false, required: [a, c], properties: {a: {type: string}}}`,
		other: []string{`{"a":"x","c":1}`, `{"a":"x"}`}},
	{name: "required outside properties, additional allowed", schema: `{type: object, required: [c], properties: {a: {type: string}}}`,
		fast: []string{`{"c":1}`, `{"c":null,"a":""}`}, other: []string{`{"a":"x"}`, `{"c":1,"c":2}`}},
	{name: "additionalProperties schema", schema: `{type: object, required: [r], properties: {a: {type: string}}, additionalProperties: {type: integer, minimum: 0}}`,
		fast:  []string{`{"r":1}`, `{"r":0,"a":"x","b":2,"c":3}`},
		other: []string{`{"r":-1}`, `{"r":1,"b":"x"}`, `{"a":"x"}`, `{"r":1,"b":1,"b":1}`}},
	{name: "strings", schema: `{type: object, properties: {s: {type: string, minLength: 2, maxLength: 3}, p: {type: string, pattern: "^[a-z]+-[0-9]{2}$"}, e: {type: string, enum: [open, "clo sed", "é"]}}}`,
		fast: []string{`{"s":"ab"}`, `{"s":"abc"}`, `{"s":"éé"}`, `{"s":"\u00e9\u00e9"}`, `{"s":"\ud83d\ude00x"}`, `{"s":"😀😀😀"}`, `{"s":"\n\t"}`, `{"s":"\ud83dxy"}`, `{"s":"\udc00\ud83d"}`,
			`{"p":"abc-12"}`, `{"e":"open"}`, `{"e":"clo sed"}`, `{"e":"é"}`},
		other: []string{`{"s":"a"}`, `{"s":"abcd"}`, `{"s":"\ud83d"}`, `{"s":"\ud83d\ud83dxy"}`, `{"p":"abc-123"}`, `{"p":"ab\u0063-12"}`,
			`{"e":"closed"}`, `{"e":"\u00e9"}`, `{"e":1}`, `{"s":"\x"}`, `{"s":"\u12"}`}},
	{name: "pattern is a search, not a match", schema: `{type: string, pattern: "[0-9]"}`,
		fast: []string{`"a1b"`, `"1"`}, other: []string{`"abc"`, `""`}},
	{name: "numbers", schema: `{type: object, properties: {a: {type: integer, minimum: 1, maximum: 100}, b: {type: number, exclusiveMinimum: 0, exclusiveMaximum: 1.5}, c: {type: number, minimum: -2.25}}}`,
		fast: []string{`{"a":1}`, `{"a":100}`, `{"a":100.0}`, `{"b":0.000001}`, `{"b":1.4999999999999999999999}`, `{"c":-2.25}`, `{"c":-2.2}`, `{"c":12345678901234567890123}`},
		other: []string{`{"a":0}`, `{"a":101}`, `{"a":100.5}`, `{"a":1e1}`, `{"b":0}`, `{"b":-0.0}`, `{"b":1.5}`, `{"b":1.50}`,
			`{"c":-2.26}`, `{"c":-3}`, `{"c":1E0}`, `{"a":-}`, `{"a":1.}`, `{"a":.5}`, `{"a":+1}`}},
	{name: "number enum and bounds with a fraction", schema: `{type: number, enum: [1, 2.5, -3]}`,
		fast: []string{`1`, `1.0`, `2.50`, `-3`, `-3.000`}, other: []string{`2`, `3`, `25e-1`, `"1"`}},
	{name: "boolean and null enum", schema: `{enum: [true, null, "x", 0]}`,
		fast: []string{`true`, `null`, `"x"`, `0`, `-0`}, other: []string{`false`, `"y"`, `{}`, `[]`, `1`}},
	{name: "arrays", schema: `{type: array, minItems: 1, maxItems: 3, items: {type: object, required: [k], properties: {k: {type: string}}}}`,
		fast:  []string{`[{"k":"a"}]`, `[{"k":"a"},{"k":"b","x":[]},{"k":""}]`},
		other: []string{`[]`, `[{"k":"a"},{"k":"a"},{"k":"a"},{"k":"a"}]`, `[{}]`, `[{"k":1}]`, `[{"k":"a"},]`, `[{"k":"a"} {"k":"b"}]`, `{"k":"a"}`}},
	{name: "type lists and empty schema", schema: `{type: object, properties: {a: {type: [string, "null"]}, b: {type: [integer, string]}, c: {}}}`,
		fast:  []string{`{"a":null,"b":"x","c":{"x":[1,"y",null,true]}}`, `{"a":"x","b":3}`},
		other: []string{`{"a":1}`, `{"b":1.5}`, `{"b":null}`}},
	{name: "refs", schema: `{$ref: '#/components/schemas/A'}`, components: `{A: {type: object, properties: {b: {$ref: '#/components/schemas/B'}, c: {$ref: '#/components/schemas/B'}}}, B: {type: string, maxLength: 2}}`,
		fast: []string{`{"b":"ab","c":"x"}`}, other: []string{`{"b":"abc"}`, `{"c":1}`}},
	{name: "property counts", schema: `{type: object, minProperties: 1, maxProperties: 2}`,
		fast: []string{`{"a":1}`, `{"a":1,"b":2}`}, other: []string{`{}`, `{"a":1,"b":2,"c":3}`}},
	// (libopenapi renders a property's false schema as true, so the
	// library accepts any "a" here, and so does the fast path.)
	{name: "boolean subschemas", schema: `{type: object, properties: {a: false, b: true, c: {type: array, items: false}}}`,
		fast: []string{`{}`, `{"b":{"c":1}}`, `{"a":1}`, `{"c":[]}`}, other: []string{`{"c":[1]}`, `{"c":{}}`}},
	{name: "int64 format", schema: `{type: integer, format: int64}`,
		fast: []string{`9223372036854775807`, `-9223372036854775808`, `0`}, other: []string{`9223372036854775808`, `1.0`, `1e3`}},
	{name: "int32 format on any type", schema: `{format: int32}`,
		fast: []string{`2147483647`, `"x"`, `[1]`, `{}`}, other: []string{`2147483648`, `-2147483649`, `1.5`}},
	{name: "formats the library ignores", schema: `{type: object, properties: {a: {type: string, format: byte}, b: {type: number, format: double}, c: {type: string, format: password}}}`,
		fast: []string{`{"a":"!!not base64","b":1.5,"c":"x"}`}},
	{name: "annotations", schema: `{type: object, title: t, description: d, example: {a: 1}, deprecated: true, default: {}, properties: {a: {type: integer, readOnly: true}}}`,
		fast: []string{`{"a":1}`, `{}`}, other: []string{`{"a":"x"}`}},
	{name: "free-form values keep the decoder's rules", schema: `{}`,
		fast: []string{`{"a":{"b":[1,{"c":null}]}}`, `[1,2]`, `"\ud800"`, `1e400`, `-0`, `"\u0000"`},
		other: []string{`{"a":{"b":1,"b":2}}`, "\xef\xbb\xbf{}", `{"a" 1}`, `[1,]`, `nul`, `truex`, `"\ud800` + "\xed\xa0\x80" + `"`,
			strings.Repeat("[", 65) + strings.Repeat("]", 65), `{"` + strings.Repeat(`a":1,"`, 0) + `x":1}}`}},
	{name: "nesting at the limit", schema: `{}`,
		fast: []string{strings.Repeat("[", 64) + strings.Repeat("]", 64), strings.Repeat(`{"a":`, 63) + `[]` + strings.Repeat("}", 63)}},
}

func TestFastSchemaCases(t *testing.T) {
	for _, version := range []string{"3.0.3", "3.1.0"} {
		for _, tc := range fastCases {
			if version == "3.0.3" && (strings.Contains(tc.schema, `"null"`) || strings.Contains(tc.schema, "a: false") ||
				strings.Contains(tc.schema, "exclusiveM")) {
				continue // 3.1 spellings
			}
			t.Run(version+"/"+tc.name, func(t *testing.T) {
				req, resp := fastEntries(t, version, tc.schema, tc.components)
				for _, e := range []*mediaEntry{req, resp} {
					if e.fast == nil {
						t.Fatal("no fast path")
					}
					for _, b := range tc.fast {
						if !e.fast.valid([]byte(b)) {
							t.Errorf("fast path: %q not certainly valid", b)
						}
						if !libraryValid(e, []byte(b)) {
							t.Errorf("%q: fast valid, the library disagrees", b)
						}
					}
					for _, b := range tc.other {
						if e.fast.valid([]byte(b)) {
							t.Errorf("fast path: %q valid (library: %v)", b, libraryValid(e, []byte(b)))
						}
					}
				}
			})
		}
	}
}

// TestFastSchema30 covers OpenAPI 3.0's spellings, which the library
// rewrites before compiling: nullable (type and enum), boolean exclusive
// bounds.
func TestFastSchema30(t *testing.T) {
	req, _ := fastEntries(t, "3.0.3", `{type: object, properties: {
		a: {type: string, nullable: true},
		b: {type: string, enum: [x], nullable: true},
		c: {type: integer, minimum: 1, exclusiveMinimum: true, maximum: 3, exclusiveMaximum: true},
		d: {type: integer, minimum: 1, exclusiveMinimum: false}}}`, "")
	if req.fast == nil {
		t.Fatal("no fast path")
	}
	for b, want := range map[string]bool{
		`{"a":null}`: true, `{"a":"x"}`: true, `{"b":null}`: true, `{"b":"x"}`: true, `{"b":"y"}`: false,
		`{"c":2}`: true, `{"c":1}`: false, `{"c":3}`: false, `{"d":1}`: true, `{"d":0}`: false,
	} {
		if got := req.fast.valid([]byte(b)); got != want {
			t.Errorf("%s: fast %v, want %v", b, got, want)
		}
		if lib := libraryValid(req, []byte(b)); lib != want {
			t.Errorf("%s: library %v, want %v", b, lib, want)
		}
	}
}

// TestFastSchemaDirections: readOnly properties are not required of a
// request, writeOnly ones not of a response (the library prunes the
// required lists per direction; the fast path follows what it compiled).
func TestFastSchemaDirections(t *testing.T) {
	req, resp := fastEntries(t, "3.1.0", `{type: object, required: [id, pw], properties: {id: {type: integer, readOnly: true}, pw: {type: string, writeOnly: true}}}`, "")
	for _, c := range []struct {
		e    *mediaEntry
		body string
		want bool
	}{
		{req, `{"pw":"x"}`, true}, {req, `{"id":1}`, false}, {resp, `{"id":1}`, true}, {resp, `{"pw":"x"}`, false},
	} {
		if got, lib := c.e.fast.valid([]byte(c.body)), libraryValid(c.e, []byte(c.body)); got != c.want || lib != c.want {
			t.Errorf("%s: fast %v, library %v, want %v", c.body, got, lib, c.want)
		}
	}
}

// TestFastSchemaFallback: schemas with a keyword the fast path does not
// implement have none; every body goes to the library.
func TestFastSchemaFallback(t *testing.T) {
	for _, tc := range []struct{ name, version, schema, components string }{
		{"allOf", "3.1.0", `{allOf: [{type: object}]}`, ""},
		{"anyOf", "3.1.0", `{anyOf: [{type: string}, {type: integer}]}`, ""},
		{"oneOf", "3.1.0", `{oneOf: [{type: string}, {type: integer}]}`, ""},
		{"not", "3.1.0", `{not: {type: string}}`, ""},
		{"const", "3.1.0", `{const: 1}`, ""},
		{"uniqueItems", "3.1.0", `{type: array, uniqueItems: true}`, ""},
		{"multipleOf", "3.1.0", `{type: number, multipleOf: 2}`, ""},
		{"patternProperties", "3.1.0", `{type: object, patternProperties: {'^x': {type: string}}}`, ""},
		{"propertyNames", "3.1.0", `{type: object, propertyNames: {maxLength: 3}}`, ""},
		{"dependentRequired", "3.1.0", `{type: object, dependentRequired: {a: [b]}}`, ""},
		{"if then", "3.1.0", `{if: {type: string}, then: {minLength: 1}}`, ""},
		{"contains", "3.1.0", `{type: array, contains: {type: string}}`, ""},
		{"prefixItems", "3.1.0", `{type: array, prefixItems: [{type: string}]}`, ""},
		{"unevaluatedProperties", "3.1.0", `{type: object, unevaluatedProperties: false}`, ""},
		{"nested unsupported", "3.1.0", `{type: object, properties: {a: {type: array, items: {type: object, properties: {b: {not: {}}}}}}}`, ""},
		{"format email", "3.1.0", `{type: string, format: email}`, ""},
		{"format date-time", "3.0.3", `{type: object, properties: {d: {type: string, format: date-time}}}`, ""},
		{"format uuid", "3.1.0", `{type: string, format: uuid}`, ""},
		{"discriminator", "3.0.3", `{type: object, discriminator: {propertyName: kind}, properties: {kind: {type: string}}}`, ""},
		{"recursive ref", "3.1.0", `{$ref: '#/components/schemas/N'}`, `{N: {type: object, properties: {next: {$ref: '#/components/schemas/N'}}}}`},
		{"ref with siblings", "3.1.0", `{type: object, properties: {a: {$ref: '#/components/schemas/S', maxLength: 2}}}`, `{S: {type: string}}`},
		{"bound without a short decimal", "3.1.0", `{type: number, minimum: 1e-100}`, ""},
		{"ref with a discriminator", "3.1.0", `{type: object, properties: {a: {$ref: '#/components/schemas/S', discriminator: {propertyName: k}}}}`, `{S: {type: object}}`},
		{"object enum", "3.1.0", `{enum: [{a: 1}, 2]}`, ""},
		{"array enum", "3.1.0", `{enum: [[1], 2]}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, resp := fastEntries(t, tc.version, tc.schema, tc.components)
			if req.schema == nil {
				t.Fatal("no schema")
			}
			if req.fast != nil || resp.fast != nil {
				t.Errorf("a fast path for %s", tc.schema)
			}
		})
	}
}

// TestFastSchemaSpecs: the package's documents and the bench's. Bodies
// the table tests of the stage use go through the same verdicts.
func TestFastSchemaSpecs(t *testing.T) {
	o := mustOperation(t, mustLoad(t, benchSpec), "/v1/orders", "POST")
	e := &o.methods["POST"].body.media[0]
	if e.fast == nil {
		t.Fatal("no fast path for the bench's order")
	}
	body := mustRead(t, benchOrder)
	if !e.fast.valid(body) || !libraryValid(e, body) {
		t.Fatal("the bench's order is not fast-valid")
	}
	if n := testing.AllocsPerRun(100, func() { e.fast.valid(body) }); n != 0 && !raceEnabled {
		t.Errorf("%v allocations per fast validation", n)
	}
	for _, file := range specFiles {
		o := mustOperation(t, mustLoad(t, file), "/v1/orders", "POST")
		mt := o.methods["POST"]
		// NewOrder asserts email and date-time formats: no fast path.
		if mt.body.media[0].fast != nil {
			t.Errorf("%s: a fast path for NewOrder", file)
		}
	}
}

func mustRead(t testing.TB, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
