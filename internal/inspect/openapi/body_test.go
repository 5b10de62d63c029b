package openapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/apiguard/apiguard/internal/inspect/injection"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

// upstream records what a real reverse proxy delivered to it.
type upstream struct {
	body          []byte
	contentLength int64
}

// proxyTo sends r (after the stages) through httputil.ReverseProxy to a
// test server and returns what the server received.
func proxyTo(t *testing.T, r *http.Request) upstream {
	t.Helper()
	var got upstream
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.body, _ = io.ReadAll(r.Body)
		got.contentLength = r.ContentLength
	}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	rec := httptest.NewRecorder()
	httputil.NewSingleHostReverseProxy(target).ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		t.Fatalf("proxy answered %d", rec.Code)
	}
	return got
}

func TestBodyReachesUpstreamUnchanged(t *testing.T) {
	s := mustLoad(t, specFiles[1])
	st := mustOperation(t, s, "/v1/orders", "POST").RequestStage(1 << 20)
	waf, err := injection.NewStage(injection.ModeBlock)
	if err != nil {
		t.Fatal(err)
	}
	// Odd spacing and escapes: the upstream must get these bytes, not a
	// re-encoding of the parsed value.
	body := "{ \"sku\" : \"ABC-1234\",\n\t\"quantity\": 2e0, \"email\":\"m\\u0061ry@example.com\", \"note\": \"caf\u00e9\" }"
	for _, tc := range []struct {
		name   string
		stages []pipeline.Stage
		length int64 // request ContentLength: -1 is chunked
	}{
		{"alone", []pipeline.Stage{st}, int64(len(body))},
		{"alone, chunked", []pipeline.Stage{st}, -1},
		{"then the injection filter", []pipeline.Stage{st, waf}, int64(len(body))},
		{"after the injection filter, chunked", []pipeline.Stage{waf, st}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := req("POST", "/v1/orders", body)
			r.ContentLength = tc.length
			if tc.length < 0 {
				r.Body = io.NopCloser(iotest.OneByteReader(strings.NewReader(body)))
			}
			x := &pipeline.Exchange{In: r}
			for _, s := range tc.stages {
				if err := s.Check(context.Background(), x); err != nil {
					t.Fatalf("%s: %v", s.Name(), err)
				}
			}
			if r.ContentLength != int64(len(body)) && tc.length >= 0 {
				t.Fatalf("ContentLength = %d", r.ContentLength)
			}
			got := proxyTo(t, r)
			if string(got.body) != body {
				t.Fatalf("upstream got %q", got.body)
			}
			if tc.stages[0] == st && got.contentLength != int64(len(body)) {
				t.Fatalf("upstream Content-Length = %d", got.contentLength)
			}
		})
	}
}

func TestGetBodyReplays(t *testing.T) {
	list, _ := stages(t, specFiles[0], 1<<20)
	r := req("POST", "/v1/orders", validOrder)
	if _, err := check(list, r); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		rc, err := r.GetBody()
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(rc); string(b) != validOrder {
			t.Fatalf("GetBody gave %q", b)
		}
	}
}

func TestBodyTooLarge(t *testing.T) {
	list, _ := stages(t, specFiles[0], 64)
	long := `{"sku":"ABC-1234","quantity":2,"email":"a@b.co","note":"` + strings.Repeat("x", 100) + `"}`
	for _, tc := range []struct {
		name  string
		r     func() *http.Request
		limit int64
	}{
		{"declared length", func() *http.Request { return req("POST", "/v1/orders", long) }, 64},
		{"chunked", func() *http.Request {
			r := req("POST", "/v1/orders", long)
			r.ContentLength = -1
			return r
		}, 64},
		{"cut by the gateway's MaxBytesReader", func() *http.Request {
			r := req("POST", "/v1/orders", long)
			r.ContentLength = -1
			r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 50)
			return r
		}, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := check(list, tc.r())
			p := denial(t, err)
			if want := problem.PayloadTooLarge(tc.limit); p.Status != 413 || p.Code != problem.CodePayloadTooLarge || p.Detail != want.Detail {
				t.Fatalf("got %d %s %q", p.Status, p.Code, p.Detail)
			}
		})
	}
	// At the bound exactly: validated, not refused.
	r := req("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":2,"email":"a@b.co"}`)
	st := mustOperation(t, mustLoad(t, specFiles[0]), "/v1/orders", "POST").RequestStage(r.ContentLength)
	if _, err := check(st, r); err != nil {
		t.Fatalf("a body of exactly maxBody: %v", err)
	}
}

func TestBodyReadError(t *testing.T) {
	list, _ := stages(t, specFiles[0], 1<<20)
	r := req("POST", "/v1/orders", validOrder)
	r.Body = io.NopCloser(io.MultiReader(strings.NewReader(validOrder[:10]), iotest.ErrReader(io.ErrUnexpectedEOF)))
	p := denial(t, errOf(check(list, r)))
	if p.Status != 400 || p.Detail != "the request body could not be read" {
		t.Fatalf("got %d %q", p.Status, p.Detail)
	}
}

// TestDetailsHideValues: no detail, error or cause repeats what the
// client sent, wherever it was sent.
func TestDetailsHideValues(t *testing.T) {
	const secret = "sk_live_Zx81Qq"
	list, one := stages(t, specFiles[1], 1<<20)
	for _, tc := range []struct {
		name string
		st   pipeline.Stage
		r    *http.Request
	}{
		{"path", one, req("GET", "/v1/orders/"+secret, "")},
		{"query enum", list, req("GET", "/v1/orders?status="+secret, "")},
		{"query type", list, req("GET", "/v1/orders?status=open&limit="+secret, "")},
		{"header", list, req("GET", "/v1/orders?status=open", "", header("X-Tenant", secret))},
		{"body pattern", list, req("POST", "/v1/orders", `{"sku":"`+secret+`","quantity":2,"email":"a@b.co"}`)},
		{"body format", list, req("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":2,"email":"`+secret+`"}`)},
		{"body type", list, req("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":"`+secret+`","email":"a@b.co"}`)},
		{"body enum-free member name", list, req("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":1,"email":"a@b.co","`+secret+`!":1}`)},
		{"body malformed", list, req("POST", "/v1/orders", `{"sku":"`+secret)},
		{"content type", list, req("POST", "/v1/orders", validOrder, header("Content-Type", "application/"+secret))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := denial(t, errOf(check(tc.st, tc.r)))
			all := p.Detail + " " + p.Error()
			for _, e := range p.Errors {
				all += " " + e.Field + " " + e.Detail
			}
			if strings.Contains(all, secret) {
				t.Fatalf("the value is repeated: %s", all)
			}
		})
	}
}

func errOf(_ *pipeline.Exchange, err error) error { return err }
