package gateway

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/apiguard/apiguard/internal/tracing"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

const clientTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

// traceEcho remembers the traceparent each upstream request carried.
type traceEcho struct {
	mu   sync.Mutex
	seen []string
}

func (h *traceEcho) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.seen = append(h.seen, r.Header.Get("Traceparent"))
	h.mu.Unlock()
	w.Write([]byte(`{}`))
}

func (h *traceEcho) last() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seen[len(h.seen)-1]
}

func TestTracingContinuesTheClientsTraceToTheUpstream(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tr, err := tracing.New(tracing.Options{Exporter: exp, SampleRatio: 1})
	if err != nil {
		t.Fatal(err)
	}
	up := &traceEcho{}
	e := newEnvDeps(t, up, nil, func(d *Deps) { d.Tracer = tr })
	if resp, _ := e.do("GET", "/v1/orders", nil, "Traceparent", clientTraceparent); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	e.do("GET", "/nowhere", nil)
	if err := tr.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := up.last()
	parts := strings.Split(got, "-")
	if len(parts) != 4 || parts[1] != "4bf92f3577b34da6a3ce929d0e0e4736" || parts[2] == "00f067aa0ba902b7" {
		t.Fatalf("upstream traceparent %q: want the client's trace with the gateway's span as parent", got)
	}
	spans := exp.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	s := spans[0]
	if s.Name != "GET list-orders" || s.Parent.SpanID().String() != "00f067aa0ba902b7" ||
		s.SpanContext.SpanID().String() != parts[2] {
		t.Fatalf("span %q parent %s id %s", s.Name, s.Parent.SpanID(), s.SpanContext.SpanID())
	}
	attrs := map[string]string{}
	for _, a := range append(s.Attributes, spans[1].Attributes...) {
		attrs[string(a.Key)] += a.Value.Emit() + ";"
	}
	if attrs["http.route"] != "list-orders;" || attrs["http.response.status_code"] != "200;404;" ||
		attrs["apiguard.problem.code"] != "not-found;" {
		t.Fatalf("attributes %v", attrs)
	}
	for _, a := range s.Attributes {
		if strings.Contains(a.Value.Emit(), "/v1/orders") {
			t.Fatalf("a raw path leaked into span attribute %s", a.Key)
		}
	}
}

func TestTracingOffPassesTheClientsTraceparentThrough(t *testing.T) {
	up := &traceEcho{}
	e := newEnv(t, up, nil)
	e.do("GET", "/v1/orders", nil, "Traceparent", clientTraceparent)
	if got := up.last(); got != clientTraceparent {
		t.Fatalf("upstream got %q", got)
	}
}
