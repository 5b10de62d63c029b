package telemetry

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRouteMetrics(t *testing.T) {
	m := NewMetrics()
	rm := m.ForRoute("list-orders")
	rm.Observe(200, time.Millisecond)
	rm.Observe(200, time.Millisecond)
	rm.Observe(404, time.Millisecond)
	rm.Observe(999, time.Millisecond) // outside the cache: still counted
	rm.Denied("not-found")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`apiguard_requests_total{code="200",route="list-orders"} 2`,
		`apiguard_requests_total{code="404",route="list-orders"} 1`,
		`apiguard_requests_total{code="999",route="list-orders"} 1`,
		`apiguard_denials_total{reason="not-found",route="list-orders"} 1`,
		`apiguard_request_duration_seconds_count{route="list-orders"} 4`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("missing %s", want)
		}
	}
}

func BenchmarkObserve(b *testing.B) {
	rm := NewMetrics().ForRoute("r")
	b.ReportAllocs()
	for b.Loop() {
		rm.Observe(200, time.Millisecond)
	}
}
