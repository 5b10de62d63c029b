package urlsecrets

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/apiguard/apiguard/internal/pipeline"
)

const typicalQuery = "q=100%25+cotton+t-shirt&sort=-rating&page=2&per_page=50&filter=verified&lang=en-US&utm_source=newsletter&utm_campaign=spring-sale"

// BenchmarkCheck measures the stage on a typical query and path.
func BenchmarkCheck(b *testing.B) {
	s := NewStage()
	x := &pipeline.Exchange{In: httptest.NewRequest(http.MethodGet, "/v1/products/ABC-123/reviews?"+typicalQuery, nil)}
	ctx := context.Background()
	measure(b, func() {
		if err := s.Check(ctx, x); err != nil {
			b.Fatal(err)
		}
	})
}

// measure runs f b.N times on one locked OS thread and reports its CPU
// time per operation besides the wall time.
func measure(b *testing.B, f func()) {
	b.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	start := threadCPU()
	for b.Loop() {
		f()
	}
	if end := threadCPU(); start >= 0 && end >= 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkRedact measures Redact on a typical query (nothing to redact)
// and on one with a token.
func BenchmarkRedact(b *testing.B) {
	for name, q := range map[string]string{"clean": typicalQuery, "token": typicalQuery + "&access_token=" + testJWT} {
		b.Run(name, func(b *testing.B) {
			measure(b, func() { Redact(q) })
		})
	}
}
