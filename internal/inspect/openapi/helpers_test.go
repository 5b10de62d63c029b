package openapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

// specFiles are the two versions of the orders API, identical but for
// the OpenAPI version and how "note" is nullable.
var specFiles = []string{"testdata/orders-3.0.yaml", "testdata/orders-3.1.yaml"}

func mustLoad(t testing.TB, file string) *Spec {
	t.Helper()
	s, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustOperation(t testing.TB, s *Spec, path string, methods ...string) *Operation {
	t.Helper()
	o, err := s.Operation(methods, path)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// check runs a stage on r as the gateway would.
func check(st pipeline.Stage, r *http.Request) (*pipeline.Exchange, error) {
	x := &pipeline.Exchange{In: r, Route: "orders", UpstreamHeader: http.Header{}, ResponseHeader: http.Header{}}
	return x, st.Check(context.Background(), x)
}

// denial returns err as a *problem.Error, failing when it is not one.
func denial(t *testing.T, err error) *problem.Error {
	t.Helper()
	var p *problem.Error
	if !errors.As(err, &p) {
		t.Fatalf("err = %v, want a *problem.Error", err)
	}
	return p
}

// req builds a request to the orders API with the headers and cookie the
// operations require, which mods may change.
func req(method, target, body string, mods ...func(*http.Request)) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	r.Header.Set("X-Tenant", "acme-1")
	r.AddCookie(&http.Cookie{Name: "session", Value: "s3ss10n-xyz"})
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for _, m := range mods {
		m(r)
	}
	return r
}

// rq is req deferred, for tables run more than once.
func rq(method, target, body string, mods ...func(*http.Request)) func() *http.Request {
	return func() *http.Request { return req(method, target, body, mods...) }
}

func header(name, value string) func(*http.Request) {
	return func(r *http.Request) {
		if value == "" {
			r.Header.Del(name)
			return
		}
		r.Header.Set(name, value)
	}
}

const validOrder = `{"sku":"ABC-1234","quantity":2,"email":"mary@example.com","deliver_after":"2026-12-01T10:00:00Z","note":"leave at the door"}`

// asProblem is the *problem.Error in err, or nil.
func asProblem(err error) *problem.Error {
	var p *problem.Error
	if errors.As(err, &p) {
		return p
	}
	return nil
}
