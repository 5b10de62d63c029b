package openapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

// stages returns the request stages of the two routes of the orders API
// used by the tests: /v1/orders (GET, POST) and /v1/orders/{id} (GET).
func stages(t testing.TB, file string, maxBody int64) (list, one pipeline.Stage) {
	s := mustLoad(t, file)
	return mustOperation(t, s, "/v1/orders", "GET", "POST").RequestStage(maxBody),
		mustOperation(t, s, "/v1/orders/{id}", "GET").RequestStage(maxBody)
}

func TestRequestViolations(t *testing.T) {
	const get = "/v1/orders?status=open"
	tests := []struct {
		name   string
		one    bool // the /v1/orders/{id} route
		r      func() *http.Request
		status int
		detail string
		errors []string // all violations, when more than the detail matters
	}{
		// path
		{name: "path param type", one: true, r: rq("GET", "/v1/orders/abc", ""), detail: "path.orderId: must be an integer"},
		{name: "path param minimum", one: true, r: rq("GET", "/v1/orders/0", ""), detail: "path.orderId: must be >= 1"},
		// query
		{name: "query missing", r: rq("GET", "/v1/orders?limit=5", ""), detail: "query.status: is required"},
		{name: "query enum", r: rq("GET", "/v1/orders?status=lost", ""), detail: "query.status: must be one of: open, shipped, cancelled"},
		{name: "query maximum", r: rq("GET", get+"&limit=500", ""), detail: "query.limit: must be <= 100"},
		{name: "query minimum", r: rq("GET", get+"&limit=0", ""), detail: "query.limit: must be >= 1"},
		{name: "query type", r: rq("GET", get+"&limit=ten", ""), detail: "query.limit: must be an integer"},
		// header and cookie
		{name: "header missing", r: rq("GET", get, "", header("X-Tenant", "")), detail: "header.X-Tenant: is required"},
		{name: "header pattern", r: rq("GET", get, "", header("X-Tenant", "Acme Corp")), detail: "header.X-Tenant: must match pattern"},
		{name: "cookie missing", r: rq("GET", get, "", header("Cookie", "")), detail: "cookie.session: is required"},
		{name: "cookie minLength", r: rq("GET", get, "", header("Cookie", "session=abc")), detail: "cookie.session: must be at least 8 characters"},
		// content type and body
		{name: "undeclared content type", r: rq("POST", "/v1/orders", validOrder, header("Content-Type", "text/plain")),
			status: 415, detail: "the request body must have one of these media types: application/json"},
		{name: "body without content type", r: rq("POST", "/v1/orders", validOrder, header("Content-Type", "")),
			status: 415, detail: "the request body must have one of these media types: application/json"},
		{name: "malformed content type", r: rq("POST", "/v1/orders", validOrder, header("Content-Type", "application/json; charset")),
			status: 415, detail: "the request body must have one of these media types: application/json"},
		{name: "body to an operation without one", r: rq("GET", get, `{"a":1}`), status: 415, detail: "this operation accepts no request body"},
		{name: "compressed body", r: rq("POST", "/v1/orders", validOrder, header("Content-Encoding", "gzip")),
			status: 415, detail: "a content-encoded request body cannot be validated: send it uncompressed"},
		{name: "missing body", r: rq("POST", "/v1/orders", "", header("Content-Type", "application/json")), detail: "body: is required"},
		{name: "malformed JSON", r: rq("POST", "/v1/orders", `{"sku":"ABC-1234",`), detail: "body: malformed JSON"},
		{name: "trailing data", r: rq("POST", "/v1/orders", validOrder+`{}`), detail: "body: malformed JSON"},
		{name: "invalid UTF-8", r: rq("POST", "/v1/orders", `{"sku":"ABC-1234","note":"`+"\xff"+`"}`), detail: "body: malformed JSON"},
		{name: "duplicate member", r: rq("POST", "/v1/orders", `{"quantity":1,"sku":"ABC-1234","email":"a@b.co","quantity":-1}`),
			detail: "body: malformed JSON: duplicate member name"},
		{name: "too deep", r: rq("POST", "/v1/orders", strings.Repeat("[", 65)+strings.Repeat("]", 65)), detail: "body: malformed JSON: nested too deeply"},
		{name: "additionalProperties", r: rq("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":2,"email":"a@b.co","role":"admin"}`),
			detail: "body.role: unexpected property"},
		{name: "unsafe member name", r: rq("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":2,"email":"a@b.co","<script>":1}`),
			detail: "body[?]: unexpected property"},
		{name: "format email", r: rq("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":2,"email":"mary at example"}`),
			detail: "body.email: must be a valid email"},
		{name: "format date-time", r: rq("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":2,"email":"a@b.co","deliver_after":"next tuesday"}`),
			detail: "body.deliver_after: must be a valid date-time"},
		{name: "pattern", r: rq("POST", "/v1/orders", `{"sku":"abc-12","quantity":2,"email":"a@b.co"}`), detail: "body.sku: must match pattern"},
		{name: "minimum", r: rq("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":0,"email":"a@b.co"}`), detail: "body.quantity: must be >= 1"},
		{name: "maximum", r: rq("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":1001,"email":"a@b.co"}`), detail: "body.quantity: must be <= 1000"},
		{name: "maxLength", r: rq("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":1,"email":"a@b.co","note":"`+strings.Repeat("x", 201)+`"}`),
			detail: "body.note: must be at most 200 characters"},
		{name: "type", r: rq("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":"2","email":"a@b.co"}`), detail: "body.quantity: must be an integer"},
		{name: "integer exactness", r: rq("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":1.5,"email":"a@b.co"}`), detail: "body.quantity: must be an integer"},
		{name: "root type", r: rq("POST", "/v1/orders", `[1]`), detail: "body: must be an object"},
		{name: "required", r: rq("POST", "/v1/orders", `{"sku":"ABC-1234"}`), detail: "body.email: is required",
			errors: []string{"body.email: is required", "body.quantity: is required"}},
		{name: "nested array item", r: rq("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":2,"email":"a@b.co","items":[{"sku":"ABC-1234"},{"sku":"ABC-1234","qty":1},{"sku":"abc"}]}`),
			detail: "body.items[2].sku: must match pattern"},
		{name: "items in index order", r: rq("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":2,"email":"a@b.co","items":[{"sku":"x"},{"sku":"x"},{"sku":"x"},{"sku":"x"},{"sku":"x"},{"sku":"x"},{"sku":"x"},{"sku":"x"},{"sku":"x"},{"sku":"x"},{"sku":"x"}]}`),
			detail: "body.items[0].sku: must match pattern"},
		{name: "every location at once", r: rq("POST", "/v1/orders?status=x", `{"sku":"ABC-1234","quantity":0,"email":"a@b.co","extra":true}`, header("X-Tenant", "")),
			detail: "header.X-Tenant: is required",
			errors: []string{"header.X-Tenant: is required", "body.extra: unexpected property", "body.quantity: must be >= 1"}},
	}
	for _, file := range specFiles {
		list, one := stages(t, file, 1<<20)
		for _, tc := range tests {
			t.Run(filepath.Base(file)+"/"+tc.name, func(t *testing.T) {
				st := list
				if tc.one {
					st = one
				}
				_, err := check(st, tc.r())
				p := denial(t, err)
				status := tc.status
				if status == 0 {
					status = http.StatusBadRequest
				}
				wantCode := map[int]string{400: problem.CodeInvalidRequest, 415: problem.CodeUnsupportedMedia}[status]
				if p.Status != status || p.Code != wantCode || p.Detail != tc.detail {
					t.Fatalf("got %d %s %q, want %d %s %q", p.Status, p.Code, p.Detail, status, wantCode, tc.detail)
				}
				if status != 400 {
					return
				}
				if len(p.Errors) == 0 || p.Errors[0].Field+": "+p.Errors[0].Detail != tc.detail {
					t.Fatalf("errors %v do not start with the detail", p.Errors)
				}
				if tc.errors != nil {
					var got []string
					for _, e := range p.Errors {
						got = append(got, e.Field+": "+e.Detail)
					}
					if strings.Join(got, "\n") != strings.Join(tc.errors, "\n") {
						t.Fatalf("errors\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.errors, "\n"))
					}
				}
			})
		}
	}
}

func TestRequestValid(t *testing.T) {
	for _, file := range specFiles {
		list, one := stages(t, file, 1<<20)
		for _, tc := range []struct {
			name string
			st   pipeline.Stage
			r    *http.Request
		}{
			{"list", list, req("GET", "/v1/orders?status=open&limit=100", "")},
			{"list HEAD", list, req("HEAD", "/v1/orders?status=shipped", "")},
			{"one", one, req("GET", "/v1/orders/42", "")},
			{"one, non-canonical path", one, req("GET", "/v1/./orders/42", "")},
			{"create", list, req("POST", "/v1/orders", validOrder)},
			{"create, charset and +json-free type", list, req("POST", "/v1/orders", validOrder, header("Content-Type", "Application/JSON; charset=utf-8"))},
			{"nullable note", list, req("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":1,"email":"a@b.co","note":null}`)},
			{"huge exact integer within bounds", list, req("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":1000.0,"email":"a@b.co"}`)},
			{"empty body, Content-Type set", one, req("GET", "/v1/orders/1", "", header("Content-Type", "application/json"))},
		} {
			t.Run(filepath.Base(file)+"/"+tc.name, func(t *testing.T) {
				x, err := check(tc.st, tc.r)
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if len(x.Findings) != 0 {
					t.Fatalf("findings %v", x.Findings)
				}
			})
		}
	}
}

// TestProblemBody: what the client receives for a violation, through the
// gateway's one error writer.
func TestProblemBody(t *testing.T) {
	list, _ := stages(t, specFiles[0], 1<<20)
	r := req("POST", "/v1/orders?status=x", `{"sku":"ABC-1234","quantity":0,"email":"a@b.co"}`, header("X-Tenant", ""))
	_, err := check(list, r)
	rec := httptest.NewRecorder()
	problem.Write(rec, r, "rid-7", err)
	var body struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
		Detail string `json:"detail"`
		Errors []struct {
			Field  string `json:"field"`
			Detail string `json:"detail"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 400 || body.Code != "invalid-request" || body.Detail != "header.X-Tenant: is required" || len(body.Errors) != 2 ||
		body.Errors[1].Field != "body.quantity" || body.Errors[1].Detail != "must be >= 1" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
