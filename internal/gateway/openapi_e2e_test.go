package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

const ordersSpec = `openapi: 3.1.0
info: {title: Orders, version: "1"}
servers: [{url: /v1}]
paths:
  /orders:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [sku, quantity]
              properties:
                sku: {type: string, pattern: '^[A-Z]{3}-[0-9]{4}$'}
                quantity: {type: integer, minimum: 1}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                properties:
                  id: {type: integer}
                  sku: {type: string}
                  quantity: {type: integer}
  /orders/{orderId}:
    parameters:
      - {name: orderId, in: path, required: true, schema: {type: integer, minimum: 1}}
    get:
      responses:
        "200": {description: one order, content: {application/json: {schema: {type: object}}}}
    put:
      requestBody:
        content: {application/json: {schema: {type: object}}}
      responses:
        "200": {description: updated}
`

// openAPIYAML validates create-order and get-order against ordersSpec;
// create-order blocks responses that break the spec when block is set.
func openAPIYAML(dir string, block bool) func(string) string {
	return func(y string) string {
		mode := "report"
		if block {
			mode = "block"
		}
		y = strings.Replace(y, "  - {name: create-order, methods: [POST], path: /v1/orders, upstream: app}",
			"  - {name: create-order, methods: [POST], path: /v1/orders, upstream: app, openapi: orders.yaml, response_validation: "+mode+"}", 1)
		return strings.Replace(y, `  - {name: get-order, methods: [GET, PUT], path: "/v1/orders/{id}", upstream: app}`,
			`  - {name: get-order, methods: [GET, PUT], path: "/v1/orders/{id}", upstream: app, openapi: orders.yaml}`, 1)
	}
}

// orderUpstream answers a created order, with an undocumented field when
// the request asks for it (a data leak the response validation sees).
func orderUpstream(received *[]byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*received = b
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		if r.URL.Query().Get("leak") != "" {
			io.WriteString(w, `{"id":1,"sku":"ABC-1234","quantity":2,"internal_cost":3}`)
			return
		}
		io.WriteString(w, `{"id":1,"sku":"ABC-1234","quantity":2}`)
	})
}

func newOpenAPIEnv(t *testing.T, block bool, received *[]byte) *env {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "orders.yaml"), ordersSpec)
	return newEnv(t, orderUpstream(received), func(y string) string {
		y = openAPIYAML(dir, block)(y)
		return strings.ReplaceAll(y, "openapi: orders.yaml", "openapi: "+filepath.Join(dir, "orders.yaml"))
	})
}

func TestOpenAPIRequestValidation(t *testing.T) {
	var received []byte
	e := newOpenAPIEnv(t, false, &received)
	json := "application/json"
	for _, c := range []struct {
		name, path, ctype, body string
		status                  int
		code, detail            string
	}{
		{"valid", "/v1/orders", json, `{"sku":"ABC-1234","quantity":2}`, 201, "", ""},
		{"below minimum", "/v1/orders", json, `{"sku":"ABC-1234","quantity":0}`, 400, "invalid-request", "body.quantity: must be >= 1"},
		{"pattern", "/v1/orders", json, `{"sku":"' OR 1=1 --","quantity":2}`, 400, "invalid-request", "body.sku: must match pattern"},
		{"mass assignment", "/v1/orders", json, `{"sku":"ABC-1234","quantity":2,"role":"admin"}`, 400, "invalid-request", "body.role: unexpected property"},
		{"missing field", "/v1/orders", json, `{"sku":"ABC-1234"}`, 400, "invalid-request", "body.quantity: is required"},
		{"malformed", "/v1/orders", json, `{"sku":`, 400, "invalid-request", "body"},
		{"undeclared type", "/v1/orders", "text/plain", `sku=ABC-1234`, 415, "unsupported-media-type", ""},
		{"path parameter", "/v1/orders/abc", "", "", 400, "invalid-request", "path.orderId"},
	} {
		t.Run(c.name, func(t *testing.T) {
			received = nil
			method := "POST"
			if c.body == "" {
				method = "GET"
			}
			var hdr []string
			if c.ctype != "" {
				hdr = []string{"Content-Type", c.ctype}
			}
			resp, body := e.do(method, c.path, strings.NewReader(c.body), hdr...)
			if c.status == 201 {
				if resp.StatusCode != 201 || string(received) != c.body {
					t.Fatalf("%d %s; upstream received %q", resp.StatusCode, body, received)
				}
				return
			}
			mustProblem(t, resp, body, c.status, c.code)
			if received != nil {
				t.Fatalf("a refused request reached the upstream: %q", received)
			}
			if !strings.Contains(string(body), c.detail) {
				t.Fatalf("detail lacks %q: %s", c.detail, body)
			}
			if strings.Contains(string(body), "OR 1=1") || strings.Contains(string(body), "admin\"") {
				t.Fatalf("the client's value is echoed: %s", body)
			}
		})
	}
	// All violations are listed.
	resp, body := e.do("POST", "/v1/orders", strings.NewReader(`{"sku":"x","quantity":0,"is_admin":true}`), "Content-Type", json)
	var p struct {
		Errors []struct{ Field, Detail string } `json:"errors"`
	}
	if resp.StatusCode != 400 || jsonUnmarshal(body, &p) != nil || len(p.Errors) != 3 {
		t.Fatalf("errors array: %d %s", resp.StatusCode, body)
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func TestOpenAPIResponseValidation(t *testing.T) {
	var received []byte
	order := strings.NewReader(`{"sku":"ABC-1234","quantity":2}`)
	t.Run("report", func(t *testing.T) {
		e := newOpenAPIEnv(t, false, &received)
		resp, body := e.do("POST", "/v1/orders?leak=1", order, "Content-Type", "application/json")
		if resp.StatusCode != 201 || !strings.Contains(string(body), "internal_cost") {
			t.Fatalf("report mode changed the answer: %d %s", resp.StatusCode, body)
		}
		if m := e.metricsText(); !strings.Contains(m, `apiguard_openapi_response_violations_total{route="create-order"} 1`) {
			t.Fatalf("violation not counted:\n%s", grepLines(m, "openapi"))
		}
		if a := e.auditText(); !strings.Contains(a, "openapi-response: body.internal_cost: unexpected property") {
			t.Fatalf("violation not in the audit record:\n%s", a)
		}
	})
	t.Run("block", func(t *testing.T) {
		e := newOpenAPIEnv(t, true, &received)
		resp, body := e.do("POST", "/v1/orders?leak=1", strings.NewReader(`{"sku":"ABC-1234","quantity":2}`), "Content-Type", "application/json")
		mustProblem(t, resp, body, 502, "upstream-error")
		if strings.Contains(string(body), "internal_cost") {
			t.Fatal("the undocumented field leaked")
		}
		resp, _ = e.do("POST", "/v1/orders", strings.NewReader(`{"sku":"ABC-1234","quantity":2}`), "Content-Type", "application/json")
		if resp.StatusCode != 201 {
			t.Fatalf("a conforming answer was blocked: %d", resp.StatusCode)
		}
	})
}

// A body larger than server.limits.max_validated_body on an OpenAPI
// route is refused (413), never passed on unvalidated.
func TestOpenAPIRefusesBodiesTooLargeToValidate(t *testing.T) {
	var received []byte
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "orders.yaml"), ordersSpec)
	e := newEnv(t, orderUpstream(&received), func(y string) string {
		y = strings.Replace(y, "limits: {max_body: 1KiB,", "limits: {max_validated_body: 128, max_body: 1KiB,", 1)
		y = openAPIYAML(dir, false)(y)
		return strings.ReplaceAll(y, "openapi: orders.yaml", "openapi: "+filepath.Join(dir, "orders.yaml"))
	})
	big := `{"sku":"ABC-1234","quantity":2` + strings.Repeat(" ", 200) + `}`
	resp, body := e.do("POST", "/v1/orders", strings.NewReader(big), "Content-Type", "application/json")
	mustProblem(t, resp, body, 413, "payload-too-large")
	if received != nil {
		t.Fatal("an unvalidated body reached the upstream")
	}
	if resp, _ := e.do("POST", "/v1/orders", strings.NewReader(`{"sku":"ABC-1234","quantity":2}`), "Content-Type", "application/json"); resp.StatusCode != 201 {
		t.Fatalf("a small body: %d", resp.StatusCode)
	}
}
