// Package telemetry holds the gateway's logger and Prometheus metrics.
//
// Metrics are labelled by route name and status code only, never by raw
// path, header or identity: a label set an attacker can grow at will is a
// memory exhaustion vector, and a label may not carry a secret.
package telemetry

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the gateway's metric set, on its own registry.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	denials  *prometheus.CounterVec
	reloads  *prometheus.CounterVec
	upstream *prometheus.CounterVec
	inflight prometheus.Gauge
	jwks     *prometheus.CounterVec
	versions *prometheus.CounterVec
	alerts   *prometheus.CounterVec
	openapi  *prometheus.CounterVec
	storeErr *prometheus.CounterVec
}

// NewMetrics registers the metric set on a fresh registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apiguard_requests_total", Help: "Requests answered, by route name and HTTP status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "apiguard_request_duration_seconds", Help: "Time from request to response headers, by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		denials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apiguard_denials_total", Help: "Requests the gateway answered itself, by route and problem code.",
		}, []string{"route", "reason"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apiguard_config_reloads_total", Help: "Configuration reloads by result (ok, error).",
		}, []string{"result"}),
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apiguard_upstream_errors_total", Help: "Upstream failures by upstream and kind (error, timeout, status_5xx).",
		}, []string{"upstream", "kind"}),
		jwks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apiguard_jwks_refreshes_total", Help: "JWKS fetches by result (ok, error).",
		}, []string{"result"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "apiguard_requests_in_flight", Help: "Requests being served.",
		}),
		versions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apiguard_version_requests_total",
			Help: "Requests to versioned routes, by API version (the route path's first segment, e.g. v0) and whether the route is deprecated.",
		}, []string{"version", "deprecated"}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apiguard_alerts_total", Help: "Anomaly alerts raised, by detector.",
		}, []string{"detector"}),
		storeErr: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apiguard_store_errors_total", Help: "Failed calls to the store (SQLite or Redis), by what needed it (ratelimit, quota, blocks).",
		}, []string{"use"}),
		openapi: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apiguard_openapi_response_violations_total",
			Help: "Upstream responses that do not match their OpenAPI operation (undocumented fields, status or type), by route.",
		}, []string{"route"}),
	}
	m.Registry.MustRegister(m.requests, m.duration, m.denials, m.reloads, m.upstream, m.inflight, m.jwks, m.versions, m.alerts, m.openapi, m.storeErr,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// RouteMetrics are the pre-resolved per-route observers, so the hot path
// does no label hashing for the histogram.
type RouteMetrics struct {
	m        *Metrics
	route    string
	duration prometheus.Observer
	// byStatus caches the request counter of each status code, resolved
	// on first use, so the hot path does no label hashing.
	byStatus [600]atomic.Pointer[prometheus.Counter]
	// version counts the route's requests by API version; nil when the
	// route's path names no version.
	version prometheus.Counter
}

// ForRoute resolves the per-route observers once, at plan compile time.
func (m *Metrics) ForRoute(route string) *RouteMetrics {
	return &RouteMetrics{m: m, route: route, duration: m.duration.WithLabelValues(route)}
}

// ForVersionedRoute is ForRoute for a route of an API version (e.g.
// "v0"), counted in apiguard_version_requests_total.
func (m *Metrics) ForVersionedRoute(route, version string, deprecated bool) *RouteMetrics {
	rm := m.ForRoute(route)
	if version != "" {
		rm.version = m.versions.WithLabelValues(version, strconv.FormatBool(deprecated))
	}
	return rm
}

// Observe records one answered request.
func (rm *RouteMetrics) Observe(status int, d time.Duration) {
	rm.counter(status).Inc()
	rm.duration.Observe(d.Seconds())
	if rm.version != nil {
		rm.version.Inc()
	}
}

// OpenAPIResponseViolation counts a response that broke its route's
// OpenAPI operation.
func (m *Metrics) OpenAPIResponseViolation(route string) { m.openapi.WithLabelValues(route).Inc() }

// StoreError counts a failed store call made for use.
func (m *Metrics) StoreError(use string) { m.storeErr.WithLabelValues(use).Inc() }

// Alert counts an anomaly alert of detector.
func (m *Metrics) Alert(detector string) { m.alerts.WithLabelValues(detector).Inc() }

// AuditStats are the audit writer's figures the metrics expose.
type AuditStats struct {
	QueueDepth, QueueCapacity                  int
	Written, Rejected, WriteErrors, Lost, Rots uint64
}

// WatchAudit exposes the audit writer's queue and counters, read from
// stats at scrape time (nothing on the request path).
func (m *Metrics) WatchAudit(stats func() AuditStats) {
	gauge := func(name, help string, f func(AuditStats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return f(stats()) })
	}
	counter := func(name, help string, f func(AuditStats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return f(stats()) })
	}
	m.Registry.MustRegister(
		gauge("apiguard_audit_queue_depth", "Audit records waiting to be written.", func(s AuditStats) float64 { return float64(s.QueueDepth) }),
		gauge("apiguard_audit_queue_capacity", "Capacity of the audit queue.", func(s AuditStats) float64 { return float64(s.QueueCapacity) }),
		counter("apiguard_audit_records_total", "Audit records written.", func(s AuditStats) float64 { return float64(s.Written) }),
		counter("apiguard_audit_rejected_total", "Requests refused (503) because the audit queue stayed full.", func(s AuditStats) float64 { return float64(s.Rejected) }),
		counter("apiguard_audit_write_errors_total", "Failed audit writes, fsyncs and rotations (retried).", func(s AuditStats) float64 { return float64(s.WriteErrors) }),
		counter("apiguard_audit_lost_total", "Accepted audit records that could not be written by shutdown.", func(s AuditStats) float64 { return float64(s.Lost) }),
		counter("apiguard_audit_rotations_total", "Audit file rotations.", func(s AuditStats) float64 { return float64(s.Rots) }),
	)
}

func (rm *RouteMetrics) counter(status int) prometheus.Counter {
	if status < 0 || status >= len(rm.byStatus) {
		return rm.m.requests.WithLabelValues(rm.route, statusText(status))
	}
	if c := rm.byStatus[status].Load(); c != nil {
		return *c
	}
	c := rm.m.requests.WithLabelValues(rm.route, statusText(status))
	rm.byStatus[status].Store(&c)
	return c
}

// Denied records a denial by problem code.
func (rm *RouteMetrics) Denied(code string) { rm.m.denials.WithLabelValues(rm.route, code).Inc() }

// Reload counts a reload by result ("ok" or "error").
func (m *Metrics) Reload(result string) { m.reloads.WithLabelValues(result).Inc() }

// UpstreamError counts an upstream failure of kind error|timeout|status_5xx.
func (m *Metrics) UpstreamError(upstream, kind string) {
	m.upstream.WithLabelValues(upstream, kind).Inc()
}

// JWKSRefresh counts a JWKS fetch.
func (m *Metrics) JWKSRefresh(ok bool) {
	if ok {
		m.jwks.WithLabelValues("ok").Inc()
		return
	}
	m.jwks.WithLabelValues("error").Inc()
}

// InFlight adjusts the in-flight gauge by delta.
func (m *Metrics) InFlight(delta float64) { m.inflight.Add(delta) }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

var statusStrings = func() (s [600]string) {
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

func statusText(code int) string {
	if code >= 0 && code < len(statusStrings) {
		return statusStrings[code]
	}
	return strconv.Itoa(code)
}
