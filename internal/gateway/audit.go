package gateway

import (
	"context"
	"io"
	"time"

	"github.com/apiguard/apiguard/internal/audit"
)

// auditSaturated reports whether the audit queue is full: a request is
// then refused up front (503) rather than served without its record.
func (g *Gateway) auditSaturated() bool {
	if g.deps.Audit == nil {
		return false
	}
	st := g.deps.Audit.Stats()
	return st.QueueDepth >= st.QueueCapacity
}

// auditRequest writes the request's record before the handler returns,
// so a crash loses only the records of requests still in flight.
func (g *Gateway) auditRequest(s *exchangeState, status int, d time.Duration) {
	w := g.deps.Audit
	if w == nil {
		return
	}
	r := s.x.In
	rec := &audit.Record{
		Time: s.x.Start, Type: audit.TypeRequest, RequestID: s.x.RequestID, ClientIP: s.x.ClientIP,
		Method: r.Method, Route: s.x.Route, Path: s.auditPath(), Query: r.URL.RawQuery,
		Status: status, UpstreamStatus: s.upstreamStatus, BytesIn: s.bytesIn(), BytesOut: s.rec.bytes,
		Findings: s.x.Findings,
	}
	rec.SetDuration(d)
	if rt := s.route; rt != nil {
		rec.Deprecated, rec.Version = rt.deprecated, rt.version
	}
	if s.problem != nil {
		rec.Code = s.problem.Code
		if s.problem.Cause != nil {
			rec.Detail = s.problem.Cause.Error()
		}
	}
	if p := s.x.Principal; p != nil {
		rec.Identity = audit.Identity{Subject: p.Subject, Auth: p.Method, KeyID: p.KeyID}
		rec.Scopes = p.Scopes
	}
	if err := w.SubmitWaitFor(rec, time.Second); err != nil {
		g.log.Error("audit record not written", "request_id", s.x.RequestID, "error", err.Error())
	}
}

// auditEvent records a non-request event (reload, admin action) in the
// same chain, and returns once it is written.
func (g *Gateway) auditEvent(typ, detail string) {
	if w := g.deps.Audit; w != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := w.SubmitWait(ctx, &audit.Record{Time: g.now(), Type: typ, Detail: detail}); err != nil {
			g.log.Error("audit event not written", "type", typ, "error", err.Error())
		}
	}
}

// auditPath is the routed (normalised) path when the request was routed,
// else what the client sent.
func (s *exchangeState) auditPath() string {
	if s.route != nil {
		return unescapePath(s.escapedPath)
	}
	return s.x.In.URL.EscapedPath()
}

func (s *exchangeState) bytesIn() int64 {
	if s.body != nil {
		return s.body.n
	}
	return 0
}

// countingBody counts the request body bytes read (for the audit record).
type countingBody struct {
	io.ReadCloser
	n int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n += int64(n)
	return n, err
}
