package openapi

import (
	"strings"
	"testing"
)

// fuzzSchemas are the schemas FuzzFastSchemaSound holds the fast path to
// the library on: the bench's order and a few that use every supported
// keyword.
var fuzzSchemas = []struct{ version, schema string }{
	{"3.1.0", `{type: object, additionalProperties: false, required: [s, i], properties: {s: {type: string, minLength: 1, maxLength: 4}, ` +
		`i: {type: integer, minimum: -5, maximum: 1000}, n: {type: [number, "null"], exclusiveMinimum: 0.5, exclusiveMaximum: 10}, ` +
		`b: {type: boolean}, e: {enum: [open, 2, 2.5, true, null]}, l: {type: integer, format: int64}, ` +
		`a: {type: array, minItems: 1, maxItems: 3, items: {type: object, required: [k], additionalProperties: {type: string, pattern: "^[a-z]*$"}}}, ` +
		`f: {}}}`},
	{"3.0.3", `{type: object, minProperties: 1, maxProperties: 3, properties: {p: {type: string, pattern: "^\\d{2}-x", nullable: true}, ` +
		`q: {type: number, minimum: 0, exclusiveMinimum: true}, r: {type: integer, format: int32}, t: {type: array, items: {type: [string, integer]}}}}`},
	{"3.1.0", `{}`},
	{"3.1.0", `{type: [array, object, string], items: {type: number, maximum: -1.25}, maxLength: 2}`},
}

// FuzzFastSchemaSound: a body the fast path finds valid is one decodeJSON
// accepts and the library validates. (The converse is not required: the
// fast path may leave any body to the library.)
//
// Each input is checked as a body, and also read as the choices of
// genFor, which makes a body for each schema from its names and limits
// (random bytes seldom spell {"i":1000.0}).
func FuzzFastSchemaSound(f *testing.F) {
	entries := fuzzEntries(f)
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	for _, tc := range fastCases {
		for _, b := range append(tc.fast, tc.other...) {
			f.Add([]byte(b))
		}
	}
	f.Add(mustRead(f, benchOrder))
	f.Add([]byte(`{"s":"ab","i":3,"n":null,"b":false,"e":2.50,"l":-9223372036854775808,"a":[{"k":"x","z":""}],"f":{"g":[1,"\ud83d\ude00"]}}`))
	f.Add([]byte(`{"p":"12-xy","q":0.1,"r":2147483647,"t":["a",1,2.0]}`))
	f.Add([]byte(`[-1.25,-2e0,-3.5]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, e := range entries {
			var b strings.Builder
			genFor(&b, e.schema, byteChoices(data), 0)
			for _, body := range [][]byte{data, []byte(b.String())} {
				if e.fast.valid(body) && !libraryValid(e, body) {
					_, err := decodeJSON(body)
					t.Fatalf("fast path: %q valid; decodeJSON: %v; schema %s", body, err, e.schema.Location)
				}
			}
		}
	})
}

// fuzzEntries compiles fuzzSchemas (request and response) and the
// bench's order schema, each with its fast path.
func fuzzEntries(t testing.TB) []*mediaEntry {
	var entries []*mediaEntry
	for _, s := range fuzzSchemas {
		req, resp := fastEntries(t, s.version, s.schema, "")
		if req.fast == nil || resp.fast == nil {
			t.Fatalf("no fast path for %s", s.schema)
		}
		entries = append(entries, req, resp)
	}
	o := mustOperation(t, mustLoad(t, benchSpec), "/v1/orders", "POST")
	return append(entries, &o.methods["POST"].body.media[0])
}

// byteChoices returns choices for genBody read from data, then 0s.
func byteChoices(data []byte) func(n int) int {
	return func(n int) int {
		if len(data) == 0 || n <= 0 {
			return 0
		}
		c := int(data[0])
		data = data[1:]
		return c % n
	}
}
