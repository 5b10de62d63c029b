package openapi

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func TestLoad(t *testing.T) {
	for file, version := range map[string]string{
		"testdata/orders-3.0.yaml":    "3.0",
		"testdata/orders-3.1.yaml":    "3.1",
		"testdata/split/openapi.json": "3.1",
	} {
		s, err := Load(file)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if s.Version() != version {
			t.Errorf("%s: version %s, want %s", file, s.Version(), version)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"testdata/remote-ref.yaml", `testdata/remote-ref.yaml: remote-ref.yaml:14: remote reference $ref: "http://127.0.0.1:1/schemas/thing.yaml#/Thing" is refused`},
		{"testdata/unknown-dialect.yaml", `unknown-dialect.yaml:14: $schema "https://spec.openapis.org/oas/3.1/dialect/base" is refused`},
		{"testdata/swagger-2.yaml", `testdata/swagger-2.yaml: OpenAPI version "2.0" is not supported (want 3.0.x or 3.1.x)`},
		{"testdata/malformed.yaml", "testdata/malformed.yaml: "},
		{"testdata/missing.yaml", "testdata/missing.yaml: "},
		{"testdata", "testdata: not a regular file"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Load(tc.file)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "openapi: "+tc.file+": ") {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestLoadNeverFetches: remote references, in the document or in a file
// it references, are refused without a request being made.
func TestLoadNeverFetches(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("Thing:\n  type: object\n"))
	}))
	defer srv.Close()
	dir := t.TempDir()
	doc := func(ref string) string {
		return "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /things:\n    get:\n      responses:\n        '200':\n          description: d\n" +
			"          content:\n            application/json:\n              schema:\n                $ref: '" + ref + "'\n"
	}
	files := map[string]string{
		"direct.yaml":       doc(srv.URL + "/thing.yaml#/Thing"),
		"network-path.yaml": doc(strings.TrimPrefix(srv.URL, "http:") + "/thing.yaml#/Thing"),
		"indirect.yaml":     doc("local.yaml#/Thing"),
		"local.yaml":        "Thing:\n  type: object\n  properties:\n    part:\n      $ref: '" + srv.URL + "/thing.yaml#/Thing'\n",
		"schema.yaml":       doc("dialect.yaml#/Thing"),
		"dialect.yaml":      "Thing:\n  $schema: " + srv.URL + "/meta\n  type: object\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ file, want string }{
		{"direct.yaml", "direct.yaml:12: remote reference"},
		{"network-path.yaml", "network-path.yaml:12: remote reference"},
		{"indirect.yaml", "local.yaml:5: remote reference"},
		{"schema.yaml", "dialect.yaml:2: $schema"},
	} {
		_, err := Load(filepath.Join(dir, tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.file, err, tc.want)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the server was asked %d times", n)
	}
}

func TestOperationMatching(t *testing.T) {
	orders := mustLoad(t, "testdata/orders-3.0.yaml")
	widgets := mustLoad(t, "testdata/split/openapi.json")
	tie := mustLoad(t, "testdata/tie.yaml")
	for _, tc := range []struct {
		name    string
		s       *Spec
		methods []string
		route   string
		path    string // the spec path matched; "" for an error
		err     string
	}{
		{"server base path, other parameter name", orders, []string{"GET"}, "/v1/orders/{id}", "/orders/{orderId}", ""},
		{"literal narrower than the parameter", orders, []string{"GET"}, "/v1/orders/7", "/orders/{orderId}", ""},
		{"several methods", orders, []string{"get", "POST"}, "/v1/orders", "/orders", ""},
		{"no server base", widgets, []string{"PUT"}, "/widgets/{w}", "/widgets/{widgetId}", ""},
		{"missing method", orders, []string{"GET", "DELETE"}, "/v1/orders", "", "DELETE /v1/orders: the document has no DELETE operation on /orders"},
		{"missing path", orders, []string{"GET"}, "/v2/orders", "", "route path /v2/orders: the document has no matching path (servers' base paths tried: /v1)"},
		{"path as written, without the server base", orders, []string{"GET"}, "/orders", "/orders", ""},
		{"parameter where the spec has a literal", orders, []string{"GET"}, "/v1/{x}", "", "route path /v1/{x}: the document has no matching path"},
		{"catch-all", orders, []string{"GET"}, "/v1/orders/{rest...}", "", "route path /v1/orders/{rest...}: a catch-all parameter cannot be matched"},
		{"no methods", orders, nil, "/v1/orders", "", "route /v1/orders has no methods"},
		{"ambiguous", tie, []string{"GET"}, "/api/things", "", "route path /api/things: matches both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := tc.s.Operation(tc.methods, tc.route)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.path != tc.path {
				t.Fatalf("matched %s, want %s", o.path, tc.path)
			}
		})
	}
}

func TestServerBases(t *testing.T) {
	s := mustLoad(t, "testdata/orders-3.0.yaml")
	if got := strings.Join(s.bases, ","); got != "/v1" {
		t.Fatalf("bases %q", got)
	}
	for in, want := range map[string]string{
		"https://api.example.com/v1/": "/v1",
		"https://api.example.com":     "",
		"https://api.example.com/":    "",
		"/api/v2":                     "/api/v2",
		"api":                         "/api",
		"//cdn.example.com/x?y#z":     "/x",
		"http://h/a%20b":              "/a b",
		"http://h/{v}":                "",
	} {
		if got := basePath(in); got != want {
			t.Errorf("basePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitSpec(t *testing.T) {
	s := mustLoad(t, "testdata/split/openapi.json")
	st := mustOperation(t, s, "/widgets/{id}", "PUT").RequestStage(0)
	for _, tc := range []struct {
		path, body, detail string
	}{
		{"/widgets/w_abc123", `{"name":"bolt","size":1.5}`, ""},
		{"/widgets/nope", `{"name":"bolt","size":1.5}`, "path.widgetId: must match pattern"},
		{"/widgets/w_abc123", `{"name":"","size":0}`, "body.name: must be at least 1 characters"},
		{"/widgets/w_abc123", `{"id":"x","name":"bolt","size":1}`, "body.id: must match pattern"},
	} {
		r := httptest.NewRequest("PUT", tc.path, strings.NewReader(tc.body))
		r.Header.Set("Content-Type", "application/json")
		_, err := check(st, r)
		if tc.detail == "" {
			if err != nil {
				t.Errorf("%s %s: %v", tc.path, tc.body, err)
			}
			continue
		}
		if p := denial(t, err); p.Detail != tc.detail {
			t.Errorf("%s %s: detail %q, want %q", tc.path, tc.body, p.Detail, tc.detail)
		}
	}
}
