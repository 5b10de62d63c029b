package openapi

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"

	"github.com/apiguard/apiguard/internal/pipeline"
)

// rewindBody is a request or response body that each iteration rewinds,
// so that the benchmarks measure validation, not building requests.
type rewindBody struct{ bytes.Reader }

func (*rewindBody) Close() error { return nil }

// BenchmarkRequest: a typical POST (an order of five fields, with a
// header and a cookie parameter), a GET with query, header and cookie
// parameters, and a POST with two violations.
func BenchmarkRequest(b *testing.B) {
	for _, file := range specFiles {
		list, _ := stages(b, file, 1<<20)
		for _, tc := range []struct {
			name, method, target, body string
		}{
			{"POST order", "POST", "/v1/orders", validOrder},
			{"GET list", "GET", "/v1/orders?status=open&limit=20", ""},
			{"POST invalid", "POST", "/v1/orders", `{"sku":"abc","quantity":0,"email":"a@b.co","note":"x"}`},
		} {
			b.Run(filepath.Base(file)+"/"+tc.name, func(b *testing.B) {
				r := req(tc.method, tc.target, tc.body)
				body := &rewindBody{}
				x := &pipeline.Exchange{In: r}
				b.ReportAllocs()
				for b.Loop() {
					if tc.body != "" {
						body.Reset([]byte(tc.body))
						r.Body, r.ContentLength = body, int64(len(tc.body))
					}
					err := list.Check(b.Context(), x)
					if (err != nil) != (tc.name == "POST invalid") {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkResponse: the order a POST creates, as the upstream sends it.
func BenchmarkResponse(b *testing.B) {
	for _, file := range specFiles {
		o := mustOperation(b, mustLoad(b, file), "/v1/orders", "POST")
		f := filterOf(b, o, ModeReport)
		b.Run(filepath.Base(file)+"/201 order", func(b *testing.B) {
			x := &pipeline.Exchange{In: req("POST", "/v1/orders", "")}
			r := resp(201, "application/json", validOrderResponse)
			body := &rewindBody{}
			b.ReportAllocs()
			for b.Loop() {
				body.Reset([]byte(validOrderResponse))
				r.Body = body
				if err := f.Filter(x, r); err != nil || len(x.Findings) != 0 {
					b.Fatal(err, x.Findings)
				}
				io.Copy(io.Discard, r.Body)
			}
		})
	}
}

// The bench's document and body (bench/run sends this order).
const (
	benchSpec  = "../../../bench/data/orders.openapi.yaml"
	benchOrder = "../../../bench/data/order.json"
)

// BenchmarkValidateJSON: the bench's order against its schema, by the
// full path alone (decodeJSON and the library, all there was before the
// fast path) and by validateJSON (the fast path, which finds it valid).
func BenchmarkValidateJSON(b *testing.B) {
	o := mustOperation(b, mustLoad(b, benchSpec), "/v1/orders", "POST")
	e := &o.methods["POST"].body.media[0]
	body := mustRead(b, benchOrder)
	for _, c := range []struct {
		name string
		f    func(*violations, *mediaEntry, []byte)
	}{{"full", validateJSONFull}, {"fast", validateJSON}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			var v violations
			for b.Loop() {
				v = violations{}
				c.f(&v, e, body)
				if len(v.list) != 0 {
					b.Fatal(v.list)
				}
			}
		})
	}
}
