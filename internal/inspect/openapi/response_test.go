package openapi

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

const validOrderResponse = `{"id":42,"sku":"ABC-1234","quantity":2,"email":"mary@example.com","status":"open","created_at":"2026-11-27T10:00:00Z"}`

// leakyOrder carries fields the API does not document.
const leakyOrder = `{"id":42,"sku":"ABC-1234","quantity":2,"status":"open","password_hash":"$2b$12$hunter2hunter2","internal":{"cost":3}}`

// resp builds an upstream response as net/http's client returns one.
func resp(status int, contentType, body string, mods ...func(*http.Response)) *http.Response {
	r := &http.Response{
		StatusCode:    status,
		Header:        http.Header{},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
	}
	if body == "" {
		r.Body = http.NoBody
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	for _, m := range mods {
		m(r)
	}
	return r
}

func chunked(r *http.Response) { r.ContentLength = -1 }

func gzipped(r *http.Response) {
	b, _ := io.ReadAll(r.Body)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	r.Body = io.NopCloser(bytes.NewReader(buf.Bytes()))
	r.ContentLength = int64(buf.Len())
	r.Header.Set("Content-Encoding", "gzip")
}

func filterOf(t testing.TB, o *Operation, mode string, opts ...Option) pipeline.ResponseFilter {
	t.Helper()
	f, err := o.ResponseFilter(mode, opts...)
	if err != nil || f == nil || f.Name() != "openapi" {
		t.Fatalf("ResponseFilter(%q) = %v, %v", mode, f, err)
	}
	return f
}

func TestResponseValidation(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		one      bool // GET /v1/orders/{id}, else /v1/orders
		resp     func() *http.Response
		findings []string // report mode; none: valid
	}{
		{name: "valid", method: "GET", one: true, resp: func() *http.Response { return resp(200, "application/json", validOrderResponse) }},
		{name: "valid, chunked", method: "GET", one: true, resp: func() *http.Response {
			return resp(200, "application/json; charset=utf-8", validOrderResponse, chunked)
		}},
		{name: "valid list", method: "GET", resp: func() *http.Response {
			return resp(200, "application/json", `{"items":[`+validOrderResponse+`,`+validOrderResponse+`]}`)
		}},
		{name: "leaked fields", method: "GET", one: true, resp: func() *http.Response { return resp(200, "application/json", leakyOrder) },
			findings: []string{"openapi-response: body.internal: unexpected property", "openapi-response: body.password_hash: unexpected property"}},
		{name: "leaked field in a list item", method: "GET", resp: func() *http.Response {
			return resp(200, "application/json", `{"items":[`+validOrderResponse+`,`+leakyOrder+`]}`)
		}, findings: []string{"openapi-response: body.items[1].internal: unexpected property", "openapi-response: body.items[1].password_hash: unexpected property"}},
		{name: "leaked field, gzip", method: "GET", one: true, resp: func() *http.Response { return resp(200, "application/json", leakyOrder, gzipped) },
			findings: []string{"openapi-response: body.internal: unexpected property", "openapi-response: body.password_hash: unexpected property"}},
		{name: "schema violation", method: "POST", resp: func() *http.Response {
			return resp(201, "application/json", `{"id":"42","sku":"ABC-1234","quantity":2,"status":"lost"}`)
		}, findings: []string{"openapi-response: body.id: must be an integer", "openapi-response: body.status: must be one of: open, shipped, cancelled"}},
		{name: "malformed JSON", method: "GET", one: true, resp: func() *http.Response { return resp(200, "application/json", `{"id":`) },
			findings: []string{"openapi-response: body: malformed JSON"}},
		{name: "undocumented status", method: "GET", one: true, resp: func() *http.Response { return resp(500, "application/json", `{"error":"db down"}`) },
			findings: []string{"openapi-response: status: status code 500 is not documented"}},
		{name: "default response", method: "POST", resp: func() *http.Response {
			return resp(409, "application/problem+json", `{"title":"conflict","status":409}`)
		}},
		{name: "documented empty response", method: "POST", resp: func() *http.Response { return resp(204, "", "") }},
		{name: "empty body, chunked", method: "GET", one: true, resp: func() *http.Response { return resp(404, "", "", chunked) }},
		{name: "body where none is documented", method: "GET", one: true, resp: func() *http.Response { return resp(404, "application/json", `{"id":42}`) },
			findings: []string{"openapi-response: body: is not documented for this status"}},
		{name: "undocumented content type", method: "GET", one: true, resp: func() *http.Response { return resp(200, "text/html", "<p>42</p>") },
			findings: []string{"openapi-response: header.Content-Type: must be one of the documented media types: application/json, text/csv"}},
		{name: "missing content type", method: "GET", one: true, resp: func() *http.Response { return resp(200, "", validOrderResponse) },
			findings: []string{"openapi-response: header.Content-Type: must be one of the documented media types: application/json, text/csv"}},
		{name: "non-JSON type: content type only", method: "GET", one: true, resp: func() *http.Response { return resp(200, "text/csv", "id,sku\n42,anything goes") }},
		{name: "HEAD", method: "HEAD", one: true, resp: func() *http.Response { return resp(200, "application/json", "") }},
		{name: "other content encoding", method: "GET", one: true, resp: func() *http.Response {
			return resp(200, "application/json", "\x1b\x00\x00", func(r *http.Response) { r.Header.Set("Content-Encoding", "br") })
		}, findings: []string{`openapi-response: not validated: content-encoding "br"`}},
		{name: "partial content", method: "GET", one: true, resp: func() *http.Response { return resp(206, "application/json", `{"id":4`) },
			findings: []string{"openapi-response: status: status code 206 is not documented"}},
	}
	for _, file := range specFiles {
		s := mustLoad(t, file)
		list := mustOperation(t, s, "/v1/orders", "GET", "POST")
		one := mustOperation(t, s, "/v1/orders/{id}", "GET")
		for _, tc := range tests {
			t.Run(filepath.Base(file)+"/"+tc.name, func(t *testing.T) {
				o := list
				if tc.one {
					o = one
				}
				var counted atomic.Int32
				report := filterOf(t, o, ModeReport, WithCounter(func(route string) {
					if route == "orders" {
						counted.Add(1)
					}
				}))
				block := filterOf(t, o, ModeBlock)

				// Report: findings, and the body passes unchanged.
				r := tc.resp()
				orig := snapshot(t, r)
				x := &pipeline.Exchange{In: req(tc.method, "/v1/orders/42", ""), Route: "orders"}
				if err := report.Filter(x, r); err != nil {
					t.Fatalf("report: %v", err)
				}
				if strings.Join(x.Findings, "\n") != strings.Join(tc.findings, "\n") {
					t.Fatalf("findings\n%s\nwant\n%s", strings.Join(x.Findings, "\n"), strings.Join(tc.findings, "\n"))
				}
				if want := int32(min(len(tc.findings), 1)); counted.Load() != want {
					t.Fatalf("counted %d, want %d", counted.Load(), want)
				}
				if got := snapshot(t, r); got != orig {
					t.Fatalf("the response changed:\n%s\nwas\n%s", got, orig)
				}

				// Block: the same response is refused exactly when it has findings.
				x = &pipeline.Exchange{In: req(tc.method, "/v1/orders/42", ""), Route: "orders"}
				err := block.Filter(x, tc.resp())
				if len(tc.findings) == 0 {
					if err != nil {
						t.Fatalf("block: %v", err)
					}
					return
				}
				p := denial(t, err)
				if p.Status != 502 || p.Code != problem.CodeUpstreamError || !strings.Contains(p.Cause.Error(), tc.findings[0]) {
					t.Fatalf("block: %d %s, cause %v", p.Status, p.Code, p.Cause)
				}
			})
		}
	}
}

// snapshot reads resp's body and puts it back, with the response's
// framing, for comparison.
func snapshot(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return strconv.Itoa(r.StatusCode) + " " + strconv.FormatInt(r.ContentLength, 10) + " " + r.Header.Get("Content-Type") + " " + r.Header.Get("Content-Encoding") + "\n" + string(b)
}

func TestResponseOverBound(t *testing.T) {
	o := mustOperation(t, mustLoad(t, specFiles[0]), "/v1/orders/{id}", "GET")
	body := `{"id":42,"sku":"ABC-1234","quantity":2,"status":"open","email":"` + strings.Repeat("m", 100) + `@example.com"}`
	for _, mods := range [][]func(*http.Response){nil, {chunked}, {gzipped}} {
		r := resp(200, "application/json", body, mods...)
		orig := snapshot(t, r)
		x := &pipeline.Exchange{In: req("GET", "/v1/orders/42", "")}
		if err := filterOf(t, o, ModeReport, WithMaxResponseBody(64)).Filter(x, r); err != nil {
			t.Fatal(err)
		}
		if len(x.Findings) != 1 || !strings.HasPrefix(x.Findings[0], "openapi-response: not validated: body over 64 bytes") {
			t.Fatalf("findings %v", x.Findings)
		}
		if got := snapshot(t, r); got != orig {
			t.Fatalf("the response changed:\n%s", got)
		}
		p := denial(t, filterOf(t, o, ModeBlock, WithMaxResponseBody(64)).Filter(x, resp(200, "application/json", body, mods...)))
		if p.Status != 502 {
			t.Fatalf("block: %d", p.Status)
		}
	}
}

func TestResponseFindingsCapped(t *testing.T) {
	o := mustOperation(t, mustLoad(t, specFiles[1]), "/v1/orders/{id}", "GET")
	var b strings.Builder
	b.WriteString(`{"id":42,"sku":"ABC-1234","quantity":2,"status":"open"`)
	for i := range 30 {
		b.WriteString(`,"f` + strconv.Itoa(i) + `":1`)
	}
	b.WriteString("}")
	x := &pipeline.Exchange{In: req("GET", "/v1/orders/42", "")}
	if err := filterOf(t, o, ModeReport).Filter(x, resp(200, "application/json", b.String())); err != nil {
		t.Fatal(err)
	}
	if len(x.Findings) != maxFindings+1 || x.Findings[0] != "openapi-response: body.f0: unexpected property" ||
		x.Findings[maxFindings] != "openapi-response: 12 more findings (and others not counted)" {
		t.Fatalf("findings %q", x.Findings)
	}
}

func TestResponseFindingsHideValues(t *testing.T) {
	o := mustOperation(t, mustLoad(t, specFiles[0]), "/v1/orders/{id}", "GET")
	const secret = "4111111111111111"
	body := `{"id":42,"sku":"` + secret + `","quantity":2,"status":"open","email":"` + secret + `"}`
	x := &pipeline.Exchange{In: req("GET", "/v1/orders/42", "")}
	if err := filterOf(t, o, ModeReport).Filter(x, resp(200, "application/json", body)); err != nil {
		t.Fatal(err)
	}
	err := filterOf(t, o, ModeBlock).Filter(x, resp(200, "application/json", body))
	all := strings.Join(x.Findings, " ") + " " + err.Error()
	if len(x.Findings) != 2 || strings.Contains(all, secret) {
		t.Fatalf("findings %q, error %v", x.Findings, err)
	}
}

func TestResponseFilterModes(t *testing.T) {
	o := mustOperation(t, mustLoad(t, specFiles[0]), "/v1/orders", "GET")
	if f, err := o.ResponseFilter(ModeOff); f != nil || err != nil {
		t.Errorf("off: %v, %v", f, err)
	}
	if f, err := o.ResponseFilter(""); f == nil || err != nil {
		t.Errorf("default: %v, %v", f, err)
	}
	if _, err := o.ResponseFilter("Block"); err == nil {
		t.Error("an unknown mode was accepted")
	}
}

func TestResponseRangesAndPartial(t *testing.T) {
	o := mustOperation(t, mustLoad(t, "testdata/ranges.yaml"), "/reports/{name}", "GET")
	f := filterOf(t, o, ModeReport)
	for _, tc := range []struct {
		status   int
		body     string
		findings string
	}{
		{200, `{"rows":3}`, ""},
		{203, `{"rows":3,"owner":"x"}`, "openapi-response: body.owner: unexpected property"},
		{206, `{"rows":`, "openapi-response: not validated: partial content"},
		{302, "", "openapi-response: status: status code 302 is not documented"},
	} {
		x := &pipeline.Exchange{In: req("GET", "/reports/q3", "")}
		if err := f.Filter(x, resp(tc.status, "application/vnd.report+json", tc.body)); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(x.Findings, "\n"); got != tc.findings {
			t.Errorf("%d: findings %q, want %q", tc.status, got, tc.findings)
		}
	}
}
