package tracing

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

// The OTLP/HTTP exporter really sends spans to the collector's
// /v1/traces as protobuf.
func TestOTLPExportReachesTheCollector(t *testing.T) {
	var posts, bytesIn atomic.Int64
	col := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "unexpected", http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(r.Body)
		posts.Add(1)
		bytesIn.Add(int64(len(b)))
	}))
	defer col.Close()
	tr, err := New(Options{Endpoint: col.URL, SampleRatio: 1, ServiceName: "apiguard-test"})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/v1/orders", nil)
	_, span := tr.Start(req)
	End(span, "GET", "list-orders", 200, "")
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if posts.Load() == 0 || bytesIn.Load() == 0 {
		t.Fatalf("collector got %d posts, %d bytes", posts.Load(), bytesIn.Load())
	}
}

func TestSampleRatioZeroRecordsNewTracesNot(t *testing.T) {
	tr, err := New(Options{Endpoint: "http://127.0.0.1:9", SampleRatio: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Shutdown(context.Background())
	_, span := tr.Start(httptest.NewRequest("GET", "/", nil))
	if span.SpanContext().IsSampled() {
		t.Fatal("ratio 0 sampled a new trace")
	}
	// A trace the client sampled is followed (parent-based).
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	_, span = tr.Start(req)
	if !span.SpanContext().IsSampled() || span.SpanContext().TraceID() != mustTraceID(t, "4bf92f3577b34da6a3ce929d0e0e4736") {
		t.Fatal("the client's sampled trace was not followed")
	}
}

func TestNilTracerIsOff(t *testing.T) {
	var tr *Tracer
	if tr.Shutdown(context.Background()) != nil || tr.Flush(context.Background()) != nil {
		t.Fatal("a nil tracer failed")
	}
	if _, err := New(Options{}); err == nil {
		t.Fatal("no endpoint accepted")
	}
}

func mustTraceID(t *testing.T, s string) trace.TraceID {
	id, err := trace.TraceIDFromHex(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
