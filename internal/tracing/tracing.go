// Package tracing is the gateway's optional OpenTelemetry tracing: one
// server span per request, continued from the client's W3C traceparent
// and propagated to the upstream, exported over OTLP/HTTP.
//
// Tracing is off unless configured: the gateway then holds a nil
// *Tracer and pays nothing per request. A client's traceparent still
// reaches the upstream unchanged when tracing is off (it is an ordinary
// end-to-end header); when tracing is on, the upstream receives the
// gateway's span as its parent instead.
//
// Span attributes are the route name, method, status and problem code:
// never a path with ids in it, a query, a header value or an identity,
// so a trace backend holds nothing an audit log would redact.
package tracing

import (
	"context"
	"errors"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"
)

// Options configure a Tracer.
type Options struct {
	// Endpoint is the OTLP/HTTP collector URL, e.g.
	// http://127.0.0.1:4318 (spans go to <Endpoint>/v1/traces).
	Endpoint string
	// SampleRatio is the share of new traces recorded (0..1); a trace
	// the client already sampled is followed (parent-based).
	SampleRatio float64
	// ServiceName names the gateway in the backend (default "apiguard").
	ServiceName string
	// Exporter replaces the OTLP exporter (tests).
	Exporter sdktrace.SpanExporter
}

// Tracer starts request spans. A nil *Tracer is valid and does nothing.
type Tracer struct {
	tp     *sdktrace.TracerProvider
	tracer trace.Tracer
	prop   propagation.TraceContext
}

// New builds a Tracer that batches spans to its exporter.
func New(opts Options) (*Tracer, error) {
	exp := opts.Exporter
	if exp == nil {
		if opts.Endpoint == "" {
			return nil, errors.New("tracing: no endpoint")
		}
		var err error
		exp, err = otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(opts.Endpoint+"/v1/traces"))
		if err != nil {
			return nil, err
		}
	}
	name := opts.ServiceName
	if name == "" {
		name = "apiguard"
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(opts.SampleRatio))),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(name))),
	)
	return &Tracer{tp: tp, tracer: tp.Tracer("github.com/apiguard/apiguard")}, nil
}

// Start begins the server span of r, continuing the client's trace when
// r carries a valid traceparent.
func (t *Tracer) Start(r *http.Request) (context.Context, trace.Span) {
	ctx := t.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	return t.tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(semconv.HTTPRequestMethodKey.String(r.Method)))
}

// Inject writes the span of ctx as the traceparent (and tracestate) of
// an upstream request, replacing the client's.
func (t *Tracer) Inject(ctx context.Context, h http.Header) {
	h.Del("Traceparent")
	h.Del("Tracestate")
	t.prop.Inject(ctx, propagation.HeaderCarrier(h))
}

// End finishes a request span with its outcome.
func End(span trace.Span, method, route string, status int, code string) {
	if route != "" {
		span.SetName(method + " " + route)
		span.SetAttributes(semconv.HTTPRoute(route))
	}
	span.SetAttributes(semconv.HTTPResponseStatusCode(status))
	if code != "" {
		span.SetAttributes(attribute.String("apiguard.problem.code", code))
	}
	if status >= 500 {
		span.SetStatus(codes.Error, code)
	}
	span.End()
}

// Shutdown exports what is buffered (bounded by ctx) and stops.
func (t *Tracer) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.tp.Shutdown(ctx)
}

// Flush exports the spans buffered so far.
func (t *Tracer) Flush(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.tp.ForceFlush(ctx)
}
