package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/ratelimit"
	"github.com/apiguard/apiguard/internal/route"
	"github.com/apiguard/apiguard/internal/tracing"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/net/http/httpguts"
)

// exchangeState is everything one request carries through the gateway,
// allocated once per request.
type exchangeState struct {
	x           pipeline.Exchange
	gateway     *Gateway
	plan        *Plan
	route       *Route
	escapedPath string
	rec         recorder
	problem     *problem.Error
	ridValue    []string
	body        *countingBody
	// upstreamStatus is the status the upstream answered (0: none).
	upstreamStatus int
	// span is the request's trace span; nil when tracing is off.
	span trace.Span
	// params are the matched route's path parameters.
	params route.Params
}

type stateKey struct{}

func stateFrom(ctx context.Context) *exchangeState {
	s, _ := ctx.Value(stateKey{}).(*exchangeState)
	return s
}

// ServeHTTP is the API listener's handler: route, run the pipeline, proxy.
// Every denial leaves through deny, the single error exit.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	plan := g.plan.Load()
	s := &exchangeState{plan: plan, gateway: g}
	s.rec.ResponseWriter = w
	s.x = pipeline.Exchange{In: r, Start: g.now(), RequestID: requestID(r), ClientIP: clientIP(r, plan.trusted)}
	if tr := g.deps.Tracer; tr != nil {
		ctx, span := tr.Start(r)
		s.span, r = span, r.WithContext(ctx)
		s.x.In = r
	}
	g.inflight.Add(1)
	g.metrics.InFlight(1)
	defer func() {
		g.metrics.InFlight(-1)
		g.inflight.Add(-1)
		abort := false
		if v := recover(); v != nil {
			abort = g.recoverPanic(s, v)
		}
		g.finish(s) // metrics and the audit record, aborted streams included
		if abort {
			panic(http.ErrAbortHandler)
		}
	}()
	g.handle(s, r)
}

func (g *Gateway) handle(s *exchangeState, r *http.Request) {
	w := &s.rec
	if g.draining.Load() {
		w.Header().Set("Connection", "close")
		g.deny(s, problem.Unavailable("the gateway is shutting down", nil))
		return
	}
	if g.auditSaturated() {
		g.deny(s, problem.Unavailable("the audit log cannot keep up", nil))
		return
	}
	if headerSize(r) > s.plan.maxHeader {
		g.deny(s, problem.HeaderTooLarge())
		return
	}
	if bl := g.deps.Blocks; bl != nil {
		if p := bl.Deny(s.x.ClientIP, ""); p != nil { // before anything else: a blocked IP learns nothing
			g.deny(s, p)
			return
		}
	}
	res := s.plan.table.Lookup(r.Method, r.URL.EscapedPath())
	switch res.Status {
	case route.BadPath:
		g.deny(s, problem.BadRequest("the request path is not acceptable"))
		return
	case route.NotFound:
		g.deny(s, problem.NotFound())
		return
	case route.MethodNotAllowed:
		g.deny(s, problem.MethodNotAllowed(res.Allow))
		return
	}
	rt := res.Value
	s.route, s.x.Route, s.escapedPath, s.params = rt, rt.Name, res.EscapedPath, res.Params
	if !rt.sunset.IsZero() && !s.x.Start.Before(rt.sunset) {
		g.deny(s, problem.New(http.StatusGone, problem.CodeSunset, "this API version has been retired"))
		return
	}
	if err := limitBody(s.rec.ResponseWriter, r, s.plan.maxBody); err != nil {
		g.deny(s, err)
		return
	}
	if r.Body != nil && r.Body != http.NoBody {
		s.body = &countingBody{ReadCloser: r.Body}
		r.Body = s.body
	}
	ctx := context.WithValue(r.Context(), stateKey{}, s)
	if err := rt.Chain.Run(ctx, &s.x); err != nil {
		g.deny(s, err)
		return
	}
	if !rt.upstream.Acquire() {
		g.deny(s, problem.Unavailable("the upstream is at its concurrency limit", nil))
		return
	}
	defer rt.upstream.Release()
	deadline := setDeadlines(w, r, rt.upstream.Timeout+s.plan.writeFor)
	if isUpgrade(r) {
		rt.proxy.ServeHTTP(w, r.WithContext(ctx))
		return
	}
	s.plan.forward(g.deps, rt, w, r.WithContext(ctx), deadline)
}

// deny is the single error exit: it sets the gateway's headers, writes the
// problem body, and keeps the full cause for the log and audit.
func (g *Gateway) deny(s *exchangeState, err error) {
	w := &s.rec
	if w.wroteHeader {
		// Too late to answer: the response has started. Abort the stream
		// so the client sees a failure, not a truncated success.
		s.problem = problem.As(err)
		panic(http.ErrAbortHandler)
	}
	h := w.Header()
	secureHeaders(h, s, false)
	mergeHeaders(h, s.x.ResponseHeader)
	if rt := s.route; rt != nil {
		mergeHeaders(h, rt.extraHeaders)
		if rt.limit != nil && h[ratelimit.HeaderPolicy] == nil { // refused before the limit phase
			h[ratelimit.HeaderPolicy] = rt.limit.PolicyHeader(s.x.Start)
		}
	}
	s.problem = problem.Write(w, s.x.In, s.x.RequestID, err)
}

// finish records metrics and logs the outcome once per request.
func (g *Gateway) finish(s *exchangeState) {
	status := s.rec.status
	if status == 0 {
		status = http.StatusOK
	}
	rm := s.plan.unrouted
	if s.route != nil {
		rm = s.route.metrics
	}
	d := g.now().Sub(s.x.Start)
	rm.Observe(status, d)
	g.auditRequest(s, status, d)
	g.observe(s, status)
	p := s.problem
	if s.span != nil {
		code := ""
		if p != nil {
			code = p.Code
		}
		tracing.End(s.span, s.x.In.Method, s.x.Route, status, code)
	}
	if p == nil {
		return
	}
	rm.Denied(p.Code)
	level := slog.LevelDebug
	if p.Status >= 500 {
		level = slog.LevelWarn
	}
	if g.log.Enabled(context.Background(), level) {
		attrs := []slog.Attr{
			slog.String("request_id", s.x.RequestID), slog.String("route", s.x.Route),
			slog.String("client_ip", s.x.ClientIP.String()), slog.Int("status", p.Status),
			slog.String("code", p.Code),
		}
		if p.Cause != nil {
			attrs = append(attrs, slog.String("cause", p.Cause.Error()))
		}
		g.log.LogAttrs(context.Background(), level, "request denied", attrs...)
	}
}

// recoverPanic turns a panic into a 500 with nothing internal in it. It
// reports whether the response must instead be aborted (re-raising
// http.ErrAbortHandler after the request is recorded): when the panic is
// itself an abort of a stream, or the response had already started.
func (g *Gateway) recoverPanic(s *exchangeState, v any) (abort bool) {
	if v == http.ErrAbortHandler {
		if s.problem == nil {
			s.problem = problem.UpstreamError(errors.New("response stream aborted"))
		}
		return true
	}
	g.log.Error("panic serving request", "request_id", s.x.RequestID, "route", s.x.Route, "panic", v)
	if s.rec.wroteHeader {
		s.problem = problem.Internal(errors.New("panic after the response started"))
		return true
	}
	g.deny(s, problem.Internal(errors.New("panic")))
	return false
}

// setDeadlines bounds how long a slow client may take to read the answer.
// Upgraded connections (WebSocket) live as long as both sides keep them.
func setDeadlines(w http.ResponseWriter, r *http.Request, d time.Duration) time.Time {
	rc := http.NewResponseController(w)
	if isUpgrade(r) {
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		return time.Time{}
	}
	deadline := time.Now().Add(d)
	_ = rc.SetWriteDeadline(deadline)
	return deadline
}

// isUpgrade reports a protocol upgrade (WebSocket): an Upgrade header and
// the upgrade token in Connection, as httputil.ReverseProxy decides. Only
// such a request loses its deadlines and goes through ReverseProxy; an
// Upgrade header alone is an ordinary request.
func isUpgrade(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" && httpguts.HeaderValuesContainsToken(r.Header["Connection"], "upgrade")
}

func mergeHeaders(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}
