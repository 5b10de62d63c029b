package route

import (
	"errors"
	"strings"
	"testing"
)

// ordersSpecs is the table most lookup tests run against. Value is the
// route name again, so a test can see that Value travels with the route.
var ordersSpecs = []Spec[string]{
	{Name: "root", Methods: []string{"GET"}, Path: "/", Value: "root"},
	{Name: "list-orders", Methods: []string{"GET"}, Path: "/v1/orders", Value: "list-orders"},
	{Name: "create-order", Methods: []string{"POST"}, Path: "/v1/orders", Value: "create-order"},
	{Name: "get-order", Methods: []string{"GET"}, Path: "/v1/orders/{id}", Value: "get-order"},
	{Name: "delete-order", Methods: []string{"DELETE"}, Path: "/v1/orders/{order_id}", Value: "delete-order"},
	{Name: "search-orders", Methods: []string{"GET"}, Path: "/v1/orders/search", Value: "search-orders"},
	{Name: "refund-order", Methods: []string{"POST"}, Path: "/v1/orders/{id}/refund", Value: "refund-order"},
	{Name: "order-item", Methods: []string{"GET"}, Path: "/v1/orders/{id}/items/{item}", Value: "order-item"},
	{Name: "put-any", Methods: []string{"PUT"}, Path: "/v1/{collection}/{id}", Value: "put-any"},
	{Name: "files", Methods: []string{"GET"}, Path: "/v1/files/{path...}", Value: "files"},
	{Name: "file-meta", Methods: []string{"GET"}, Path: "/v1/files/{id}/meta", Value: "file-meta"},
	{Name: "health", Methods: []string{"GET", "OPTIONS"}, Path: "/v1/health", Value: "health"},
	{Name: "purge", Methods: []string{"PURGE"}, Path: "/v1/cache/{key}", Value: "purge"},
}

// lookupCase is one Lookup and what it must answer.
type lookupCase struct {
	name    string
	method  string
	in      string
	status  Status
	route   string
	params  map[string]string
	allow   string
	path    string // "" means in
	escaped string // "" means path
}

var ordersCases = []lookupCase{
	{name: "root", method: "GET", in: "/", status: Found, route: "root"},
	{name: "static", method: "GET", in: "/v1/orders", status: Found, route: "list-orders"},
	{name: "static other method", method: "POST", in: "/v1/orders", status: Found, route: "create-order"},
	{name: "HEAD via GET", method: "HEAD", in: "/v1/orders", status: Found, route: "list-orders"},
	{name: "405 lists HEAD", method: "PUT", in: "/v1/orders", status: MethodNotAllowed, allow: "GET, HEAD, POST"},
	{name: "OPTIONS not implied", method: "OPTIONS", in: "/v1/orders", status: MethodNotAllowed, allow: "GET, HEAD, POST"},
	{name: "explicit OPTIONS", method: "OPTIONS", in: "/v1/health", status: Found, route: "health"},
	{name: "methods are case-sensitive", method: "get", in: "/v1/orders", status: MethodNotAllowed, allow: "GET, HEAD, POST"},
	{name: "unknown method", method: "TRACE", in: "/v1/health", status: MethodNotAllowed, allow: "GET, HEAD, OPTIONS"},
	{name: "custom method", method: "PURGE", in: "/v1/cache/k1", status: Found, route: "purge", params: map[string]string{"key": "k1"}},
	{name: "param", method: "GET", in: "/v1/orders/42", status: Found, route: "get-order", params: map[string]string{"id": "42"}},
	{name: "param HEAD", method: "HEAD", in: "/v1/orders/42", status: Found, route: "get-order", params: map[string]string{"id": "42"}},
	{name: "same shape other method and name", method: "DELETE", in: "/v1/orders/42", status: Found, route: "delete-order", params: map[string]string{"order_id": "42"}},
	{name: "literal beats param", method: "GET", in: "/v1/orders/search", status: Found, route: "search-orders"},
	{name: "param answers the method the literal lacks", method: "DELETE", in: "/v1/orders/search", status: Found, route: "delete-order", params: map[string]string{"order_id": "search"}},
	{name: "less specific answers the method", method: "PUT", in: "/v1/orders/42", status: Found, route: "put-any", params: map[string]string{"collection": "orders", "id": "42"}},
	{name: "405 unions every matching template", method: "PATCH", in: "/v1/orders/42", status: MethodNotAllowed, allow: "DELETE, GET, HEAD, PUT"},
	{name: "405 literal and params", method: "POST", in: "/v1/orders/search", status: MethodNotAllowed, allow: "DELETE, GET, HEAD, PUT"},
	{name: "405 nested", method: "GET", in: "/v1/orders/42/refund", status: MethodNotAllowed, allow: "POST"},
	{name: "two params", method: "GET", in: "/v1/orders/42/items/7", status: Found, route: "order-item", params: map[string]string{"id": "42", "item": "7"}},
	{name: "catch-all one segment", method: "GET", in: "/v1/files/a", status: Found, route: "files", params: map[string]string{"path": "a"}},
	{name: "catch-all many segments", method: "GET", in: "/v1/files/a/b/c.txt", status: Found, route: "files", params: map[string]string{"path": "a/b/c.txt"}},
	{name: "param beats catch-all", method: "GET", in: "/v1/files/a/meta", status: Found, route: "file-meta", params: map[string]string{"id": "a"}},
	{name: "catch-all needs a segment", method: "GET", in: "/v1/files", status: NotFound},
	{name: "catch-all 405", method: "POST", in: "/v1/files/a/b", status: MethodNotAllowed, allow: "GET, HEAD"},
	{name: "404", method: "GET", in: "/v2/orders", status: NotFound},
	{name: "404 deeper", method: "GET", in: "/v1/orders/42/items", status: NotFound},
	{name: "404 too deep", method: "GET", in: "/v1/orders/42/items/7/x", status: NotFound},
	{name: "case-sensitive path", method: "GET", in: "/V1/orders", status: NotFound},
	{name: "prefix is not a match", method: "GET", in: "/v1/ordersx", status: NotFound},

	// Normalisation happens before matching; the result carries both forms.
	{name: "trailing slash", method: "GET", in: "/v1/orders/", status: Found, route: "list-orders", path: "/v1/orders"},
	{name: "double slash", method: "GET", in: "/v1//orders", status: Found, route: "list-orders", path: "/v1/orders"},
	{name: "dot segment", method: "GET", in: "/./v1/orders", status: Found, route: "list-orders", path: "/v1/orders"},
	{name: "encoded letter", method: "GET", in: "/v1/%6frders", status: Found, route: "list-orders", path: "/v1/orders"},
	{name: "dotdot into another route", method: "GET", in: "/v1/files/../orders/7", status: Found, route: "get-order", params: map[string]string{"id": "7"}, path: "/v1/orders/7"},
	{name: "encoded dotdot", method: "GET", in: "/v1/orders/%2e%2e/admin", status: NotFound, path: "/v1/admin"},
	{name: "decoded param", method: "GET", in: "/v1/orders/a%20b", status: Found, route: "get-order", params: map[string]string{"id": "a b"}, path: "/v1/orders/a b", escaped: "/v1/orders/a%20b"},
	{name: "semicolon is literal", method: "GET", in: "/v1/orders;x=1", status: NotFound, path: "/v1/orders;x=1", escaped: "/v1/orders%3Bx=1"},
	{name: "semicolon in param", method: "GET", in: "/v1/orders/1;x=1", status: Found, route: "get-order", params: map[string]string{"id": "1;x=1"}, path: "/v1/orders/1;x=1", escaped: "/v1/orders/1%3Bx=1"},
	{name: "unicode param", method: "GET", in: "/v1/orders/caf%c3%a9", status: Found, route: "get-order", params: map[string]string{"id": "café"}, path: "/v1/orders/café", escaped: "/v1/orders/caf%C3%A9"},
	{name: "encoded slash", method: "GET", in: "/v1/orders%2F1", status: BadPath},
	{name: "encoded NUL", method: "GET", in: "/v1/orders/1%00", status: BadPath},
	{name: "above root", method: "GET", in: "/..", status: BadPath},
	{name: "double encoding", method: "GET", in: "/v1/%252e%252e/orders", status: BadPath},
	{name: "tomcat traversal", method: "GET", in: "/v1/files/..;/orders", status: BadPath},
}

// precedenceSpecs has a root catch-all, so nothing is ever 404.
var precedenceSpecs = []Spec[string]{
	{Name: "fallback", Methods: []string{"GET"}, Path: "/{rest...}", Value: "fallback"},
	{Name: "a-x", Methods: []string{"GET"}, Path: "/a/{x}", Value: "a-x"},
	{Name: "a-b-rest", Methods: []string{"GET"}, Path: "/a/b/{r...}", Value: "a-b-rest"},
	{Name: "x-c", Methods: []string{"GET"}, Path: "/{x}/c", Value: "x-c"},
	{Name: "x-y-rest", Methods: []string{"GET", "POST"}, Path: "/{x}/{y}/{r...}", Value: "x-y-rest"},
}

var precedenceCases = []lookupCase{
	{name: "leftmost literal wins", method: "GET", in: "/a/c", status: Found, route: "a-x", params: map[string]string{"x": "c"}},
	{name: "param then literal", method: "GET", in: "/z/c", status: Found, route: "x-c", params: map[string]string{"x": "z"}},
	{name: "literal catch-all over params", method: "GET", in: "/a/b/c", status: Found, route: "a-b-rest", params: map[string]string{"r": "c"}},
	{name: "params catch-all over root catch-all", method: "GET", in: "/z/y/c/d", status: Found, route: "x-y-rest", params: map[string]string{"x": "z", "y": "y", "r": "c/d"}},
	{name: "method falls through to a less specific catch-all", method: "POST", in: "/a/b/c", status: Found, route: "x-y-rest", params: map[string]string{"x": "a", "y": "b", "r": "c"}},
	{name: "root catch-all", method: "GET", in: "/z", status: Found, route: "fallback", params: map[string]string{"rest": "z"}},
	{name: "literal then param over root catch-all", method: "GET", in: "/a/b", status: Found, route: "a-x", params: map[string]string{"x": "b"}},
	{name: "root is not caught", method: "GET", in: "/", status: NotFound},
	{name: "405 from catch-alls", method: "POST", in: "/a/c", status: MethodNotAllowed, allow: "GET, HEAD"},
}

func TestLookup(t *testing.T) {
	runLookupCases(t, ordersSpecs, ordersCases)
}

func TestLookupPrecedence(t *testing.T) {
	runLookupCases(t, precedenceSpecs, precedenceCases)
}

func runLookupCases(t *testing.T, specs []Spec[string], cases []lookupCase) {
	t.Helper()
	tbl, err := Build(specs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tbl.Lookup(tc.method, tc.in)
			checkResult(t, tc, res)
		})
	}
}

func checkResult(t *testing.T, tc lookupCase, res Result[string]) {
	t.Helper()
	if res.Status != tc.status || res.Name != tc.route || res.Allow != tc.allow {
		t.Fatalf("Lookup(%s %q) = %v %q allow %q (%v), want %v %q allow %q",
			tc.method, tc.in, res.Status, res.Name, res.Allow, res.Err, tc.status, tc.route, tc.allow)
	}
	if tc.status == Found && res.Value != tc.route {
		t.Errorf("Value = %q, want %q", res.Value, tc.route)
	}
	if tc.status == BadPath {
		if !errors.Is(res.Err, ErrBadPath) || res.Path != "" || res.EscapedPath != "" {
			t.Errorf("BadPath result: Err %v, Path %q, EscapedPath %q", res.Err, res.Path, res.EscapedPath)
		}
		return
	}
	wantPath, wantEscaped := or(tc.path, tc.in), or(tc.escaped, or(tc.path, tc.in))
	if res.Path != wantPath || res.EscapedPath != wantEscaped || res.Err != nil {
		t.Errorf("Path, EscapedPath, Err = %q, %q, %v; want %q, %q, nil", res.Path, res.EscapedPath, res.Err, wantPath, wantEscaped)
	}
	checkParams(t, res.Params, tc.params)
}

func checkParams(t *testing.T, p Params, want map[string]string) {
	t.Helper()
	if p.Len() != len(want) {
		t.Fatalf("Params.Len() = %d, want %d", p.Len(), len(want))
	}
	for i := 0; i < p.Len(); i++ {
		name := p.Name(i)
		if got := p.Value(i); got != want[name] || p.Get(name) != got {
			t.Errorf("param %q = %q (Get %q), want %q", name, got, p.Get(name), want[name])
		}
	}
	if got := p.Get("no-such-param"); got != "" {
		t.Errorf(`Get("no-such-param") = %q, want ""`, got)
	}
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestBuildErrors(t *testing.T) {
	get := []string{"GET"}
	ok := Spec[int]{Name: "get-order", Methods: get, Path: "/v1/orders/{id}"}
	tests := []struct {
		name  string
		specs []Spec[int]
		want  string
	}{
		{"no leading slash", []Spec[int]{{Name: "r", Methods: get, Path: "v1/orders"}}, `routes[0].path: must start with "/"`},
		{"empty path", []Spec[int]{{Name: "r", Methods: get, Path: ""}}, `routes[0].path: must start with "/"`},
		{"trailing slash", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/orders/"}}, `routes[0].path: empty segment (a doubled or trailing slash)`},
		{"double slash", []Spec[int]{{Name: "r", Methods: get, Path: "/v1//orders"}}, `routes[0].path: empty segment (a doubled or trailing slash)`},
		{"dot", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/./orders"}}, `routes[0].path: dot segment "." is not allowed`},
		{"dotdot", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/../admin"}}, `routes[0].path: dot segment ".." is not allowed`},
		{"percent", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/a%20b"}}, `routes[0].path: segment "a%20b": "%" is not allowed (write the decoded character)`},
		{"partial param", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/a{b}c"}}, `routes[0].path: segment "a{b}c": a parameter must be a whole segment`},
		{"unclosed param", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/{id"}}, `routes[0].path: segment "{id": a parameter must be a whole segment`},
		{"nested braces", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/{{id}}"}}, `routes[0].path: segment "{{id}}": a parameter must be a whole segment`},
		{"empty param", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/{}"}}, `routes[0].path: invalid parameter name in "{}": want [A-Za-z_][A-Za-z0-9_]*`},
		{"digit param", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/{1id}"}}, `routes[0].path: invalid parameter name in "{1id}": want [A-Za-z_][A-Za-z0-9_]*`},
		{"dash param", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/{order-id}"}}, `routes[0].path: invalid parameter name in "{order-id}": want [A-Za-z_][A-Za-z0-9_]*`},
		{"nameless catch-all", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/{...}"}}, `routes[0].path: invalid parameter name in "{...}": want [A-Za-z_][A-Za-z0-9_]*`},
		{"duplicate param", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/{id}/x/{id}"}}, `routes[0].path: duplicate parameter "id"`},
		{"catch-all not last", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/{rest...}/x"}}, `routes[0].path: catch-all "{rest...}" must be the last segment`},
		{"backslash", []Spec[int]{{Name: "r", Methods: get, Path: `/v1/a\b`}}, `routes[0].path: segment "a\\b": invalid character '\\'`},
		{"question mark", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/a?b"}}, `routes[0].path: segment "a?b": invalid character '?'`},
		{"control", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/a\nb"}}, `routes[0].path: segment "a\nb": invalid character '\n'`},
		{"invalid UTF-8", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/\xff"}}, `routes[0].path: segment "\xff": invalid UTF-8`},
		{"unmatchable", []Spec[int]{{Name: "r", Methods: get, Path: "/v1/..;/admin"}}, `routes[0].path: segment "..;" can never match: path normalisation rejects or changes it`},
		{"overlap", []Spec[int]{ok, {Name: "r", Methods: get, Path: "/v1/orders/{order}"}}, `routes[1].path: overlaps routes[0] (get-order) for GET`},
		{"overlap several methods", []Spec[int]{
			{Name: "a", Methods: []string{"POST", "GET", "PUT"}, Path: "/x/{id}"},
			{Name: "b", Methods: []string{"PUT", "DELETE", "POST"}, Path: "/x/{other}"},
		}, `routes[1].path: overlaps routes[0] (a) for POST, PUT`},
		{"overlap catch-all", []Spec[int]{
			{Name: "a", Methods: get, Path: "/x/{p...}"},
			{Name: "b", Methods: get, Path: "/x/{q...}"},
		}, `routes[1].path: overlaps routes[0] (a) for GET`},
		{"overlap root", []Spec[int]{
			{Name: "a", Methods: get, Path: "/"},
			{Name: "b", Methods: []string{"HEAD"}, Path: "/"},
		}, `routes[1].path: overlaps routes[0] (a) for HEAD (implied by GET)`},
		{"overlap later", []Spec[int]{
			ok,
			{Name: "other", Methods: []string{"POST"}, Path: "/v1/orders/{id}"},
			{Name: "clash", Methods: []string{"DELETE", "POST"}, Path: "/v1/orders/{x}"},
		}, `routes[2].path: overlaps routes[1] (other) for POST`},
		{"no name", []Spec[int]{{Methods: get, Path: "/x"}}, `routes[0].name: required`},
		{"duplicate name", []Spec[int]{ok, {Name: "get-order", Methods: get, Path: "/y"}}, `routes[1].name: "get-order" is already used by routes[0]`},
		{"no methods", []Spec[int]{{Name: "r", Path: "/x"}}, `routes[0].methods: at least one method is required`},
		{"lower-case method", []Spec[int]{{Name: "r", Methods: []string{"GET", "post"}, Path: "/x"}}, `routes[0].methods[1]: "post" is not an upper-case method token`},
		{"empty method", []Spec[int]{{Name: "r", Methods: []string{""}, Path: "/x"}}, `routes[0].methods[0]: "" is not an upper-case method token`},
		{"method with space", []Spec[int]{{Name: "r", Methods: []string{"GET X"}, Path: "/x"}}, `routes[0].methods[0]: "GET X" is not an upper-case method token`},
		{"duplicate method", []Spec[int]{{Name: "r", Methods: []string{"GET", "GET"}, Path: "/x"}}, `routes[0].methods[1]: duplicate "GET"`},
		{"every problem reported", []Spec[int]{
			ok,
			{Name: "", Methods: nil, Path: "x"},
			{Name: "get-order", Methods: get, Path: "/v1/orders/{n}"},
		}, "routes[1].name: required\n" +
			"routes[1].methods: at least one method is required\n" +
			"routes[1].path: must start with \"/\"\n" +
			"routes[2].name: \"get-order\" is already used by routes[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl, err := Build(tc.specs)
			if err == nil || tbl != nil {
				t.Fatalf("Build succeeded, want error %q", tc.want)
			}
			if err.Error() != tc.want {
				t.Fatalf("Build error:\n%s\nwant:\n%s", err, tc.want)
			}
			var be *BuildError
			if !errors.As(err, &be) || !strings.HasPrefix(tc.want, be.Error()) {
				t.Fatalf("errors.As(*BuildError) = %v, want the first problem", be)
			}
		})
	}
}

func TestBuildAcceptsDistinctShapes(t *testing.T) {
	get := []string{"GET"}
	specs := []Spec[int]{
		{Name: "a", Methods: get, Path: "/v1/orders/{id}"},
		{Name: "b", Methods: []string{"POST", "PUT"}, Path: "/v1/orders/{order}"},
		{Name: "c", Methods: get, Path: "/v1/orders/search"},
		{Name: "d", Methods: get, Path: "/v1/orders/{id}/{rest...}"},
		{Name: "e", Methods: get, Path: "/v1/{kind}/search"},
		{Name: "f", Methods: []string{"HEAD"}, Path: "/v1/{kind}/{id}"},
		{Name: "g", Methods: get, Path: "/"},
		{Name: "h", Methods: []string{"M-SEARCH"}, Path: "/"},
		{Name: "i", Methods: get, Path: "/v1/caf\u00e9/a:b@c"},
	}
	if _, err := Build(specs); err != nil {
		t.Fatal(err)
	}
}

func TestBuildEmpty(t *testing.T) {
	tbl, err := Build[int](nil)
	if err != nil {
		t.Fatal(err)
	}
	if res := tbl.Lookup("GET", "/"); res.Status != NotFound {
		t.Fatalf("empty table: %v", res.Status)
	}
}

func TestZeroTable(t *testing.T) {
	var tbl Table[int]
	if res := tbl.Lookup("GET", "/v1/orders"); res.Status != NotFound {
		t.Fatalf("zero Table: %v", res.Status)
	}
}

func TestBuildDoesNotAliasSpecs(t *testing.T) {
	specs := []Spec[int]{{Name: "r", Methods: []string{"GET"}, Path: "/x"}}
	tbl, err := Build(specs)
	if err != nil {
		t.Fatal(err)
	}
	specs[0].Methods[0] = "POST"
	specs[0].Name = "changed"
	if res := tbl.Lookup("GET", "/x"); res.Status != Found || res.Name != "r" {
		t.Fatalf("table changed with its specs: %v %q", res.Status, res.Name)
	}
}

func TestZeroResultFailsClosed(t *testing.T) {
	var res Result[int]
	if res.Status == Found {
		t.Fatal("the zero Result is Found")
	}
	for s, want := range map[Status]string{NotFound: "NotFound", Found: "Found", MethodNotAllowed: "MethodNotAllowed", BadPath: "BadPath", 9: "Status(9)"} {
		if s.String() != want {
			t.Errorf("Status(%d).String() = %q, want %q", s, s.String(), want)
		}
	}
}

func TestManyMethods(t *testing.T) {
	var specs []Spec[int]
	for i := range 65 {
		specs = append(specs, Spec[int]{Name: "r" + string(rune('a'+i/26)) + string(rune('a'+i%26)), Methods: []string{"M" + strings.Repeat("X", i)}, Path: "/x"})
	}
	if _, err := Build(specs[:64]); err != nil {
		t.Fatalf("64 methods: %v", err)
	}
	_, err := Build(specs)
	if err == nil || err.Error() != "routes[64].methods: the routes use more than 64 distinct methods" {
		t.Fatalf("65 methods: %v", err)
	}
}

func TestLookupAllocations(t *testing.T) {
	tbl, err := Build(ordersSpecs)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		want         float64
	}{
		{"GET", "/v1/orders", 0},
		{"GET", "/v1/orders/42/items/7", 0},
		{"GET", "/v1/files/a/b/c", 0},
		{"GET", "/v2/nothing", 0},
		{"PUT", "/v1/orders", 0},
		{"GET", "/v1/orders/a%20b", 1},
		{"GET", "/v1//orders/./42/", 1},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			got := testing.AllocsPerRun(100, func() { tbl.Lookup(tc.method, tc.path) })
			if got > tc.want {
				t.Fatalf("%v allocations, want at most %v", got, tc.want)
			}
		})
	}
}
