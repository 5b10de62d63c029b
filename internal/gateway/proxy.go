package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"

	"github.com/apiguard/apiguard/internal/authz"
	"github.com/apiguard/apiguard/internal/mask"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/proxy"
)

var (
	valHTTPS = []string{"https"}
	valHTTP  = []string{"http"}
)

// bufferPool recycles the 32 KiB copy buffers of every route's proxy, so
// a response does not allocate one.
var bufferPool = &copyBuffers{}

type copyBuffers struct{ p sync.Pool }

func (b *copyBuffers) Get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, 32<<10)
}

func (b *copyBuffers) Put(buf []byte) { b.p.Put(&buf) }

// errUpstreamStatus marks an upstream 5xx: its body is never passed on.
var errUpstreamStatus = errors.New("upstream answered with a server error")

// newReverseProxy builds the route's proxy once, at compile time. Its
// hooks read the request's exchange from the context.
func (p *Plan) newReverseProxy(r *Route, d Deps) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite:   func(pr *httputil.ProxyRequest) { p.rewrite(r, pr.In, pr.Out) },
		Transport: r.upstream.Transport,
		// 0: a response of known length is written in as few syscalls as
		// possible; ReverseProxy flushes every write of a streamed
		// (unknown length or text/event-stream) response by itself.
		FlushInterval:  0,
		BufferPool:     bufferPool,
		ModifyResponse: func(resp *http.Response) error { return p.modifyResponse(r, resp) },
		ErrorHandler: func(w http.ResponseWriter, req *http.Request, err error) {
			p.proxyError(d, r, req, err)
		},
		ErrorLog: nil,
	}
}

// rewrite shapes the outbound request: the normalised path (what was
// routed is exactly what the upstream receives), forwarding headers the
// gateway vouches for, and no client-supplied identity or credential.
func (p *Plan) rewrite(r *Route, in, out *http.Request) {
	s := stateFrom(in.Context())
	target := r.upstream.Target
	if s.span != nil {
		s.gateway.deps.Tracer.Inject(in.Context(), out.Header)
	}
	out.URL.Scheme, out.URL.Host = target.Scheme, target.Host
	escaped := s.escapedPath
	if r.stripPrefix != "" {
		escaped = strings.TrimPrefix(escaped, r.stripPrefix)
		if escaped == "" || escaped[0] != '/' {
			escaped = "/" + escaped
		}
	}
	base := strings.TrimSuffix(target.EscapedPath(), "/")
	out.URL.RawPath = base + escaped
	out.URL.Path = unescapePath(out.URL.RawPath)
	out.Host = ""
	h := out.Header
	for k := range h {
		if len(k) > 11 && strings.EqualFold(k[:11], "X-Apiguard-") {
			delete(h, k)
		}
	}
	if p.apiKeyHeader != "" {
		delete(h, p.apiKeyHeader)
	}
	delete(h, authz.OTPHeader)
	if !r.forwardToken || isAPIKeyAuthorization(h) {
		delete(h, "Authorization")
	}
	p.setForwarded(in, out.Header)
	if len(r.Chain.Response) > 0 {
		mask.AcceptIdentity(h) // the filters must see plain bodies
	}
	h["X-Request-Id"] = s.requestIDValue()
	if pr := s.x.Principal; pr != nil {
		h["X-Apiguard-Subject"] = []string{pr.Subject}
		h["X-Apiguard-Auth"] = []string{pr.Method}
		h["X-Apiguard-Scopes"] = []string{strings.Join(pr.Scopes, " ")}
	}
	mergeHeaders(h, s.x.UpstreamHeader)
}

// setForwarded sets X-Forwarded-For/-Proto/-Host. A client's own
// X-Forwarded-For is kept only when the peer is a trusted proxy.
func (p *Plan) setForwarded(in *http.Request, h http.Header) {
	xff := peerHost(in.RemoteAddr)
	if prior := in.Header["X-Forwarded-For"]; len(prior) > 0 && len(p.trusted) > 0 && inPrefixes(peerAddr(in.RemoteAddr), p.trusted) {
		xff = strings.Join(prior, ", ") + ", " + xff
	}
	h["X-Forwarded-For"] = []string{xff}
	if in.TLS != nil {
		h["X-Forwarded-Proto"] = valHTTPS
	} else {
		h["X-Forwarded-Proto"] = valHTTP
	}
	h["X-Forwarded-Host"] = []string{in.Host}
}

// modifyResponse hardens the upstream's answer before any byte of it is
// sent: 5xx replaced, banner headers stripped, security headers set,
// response filters (masking, validation) applied.
func (p *Plan) modifyResponse(r *Route, resp *http.Response) error {
	s := stateFrom(resp.Request.Context())
	s.upstreamStatus = resp.StatusCode
	if resp.StatusCode >= 500 {
		return fmt.Errorf("%w: %d", errUpstreamStatus, resp.StatusCode)
	}
	h := resp.Header
	for _, name := range r.stripHeaders {
		delete(h, name)
	}
	keepCaching := r.Public && h.Get("Cache-Control") != ""
	secureHeaders(h, s, keepCaching)
	mergeHeaders(h, s.x.ResponseHeader)
	mergeHeaders(h, r.extraHeaders)
	return r.Chain.FilterResponse(&s.x, resp)
}

// proxyError classifies a failed exchange with the upstream and answers
// through the gateway's single error exit.
func (p *Plan) proxyError(d Deps, r *Route, req *http.Request, err error) {
	s := stateFrom(req.Context())
	g := s.gateway
	var perr *problem.Error
	switch {
	case errors.As(err, &perr):
	case isBodyTooLarge(err):
		perr = problem.PayloadTooLarge(p.maxBody)
	case errors.Is(err, errUpstreamStatus):
		d.Metrics.UpstreamError(r.upstream.Name, "status_5xx")
		perr = problem.UpstreamError(err)
	case errors.Is(err, context.Canceled) && req.Context().Err() != nil:
		perr = problem.New(499, "client-closed", "the client closed the request").WithCause(err)
	case errors.As(err, new(errClientBody)):
		perr = problem.BadRequest("the request body could not be read").WithCause(err)
	case proxy.IsTimeout(err):
		d.Metrics.UpstreamError(r.upstream.Name, "timeout")
		perr = problem.UpstreamTimeout(err)
	default:
		d.Metrics.UpstreamError(r.upstream.Name, "error")
		perr = problem.UpstreamError(err)
	}
	g.deny(s, perr)
}

func unescapePath(escaped string) string {
	if p, err := url.PathUnescape(escaped); err == nil {
		return p
	}
	return escaped
}

// isAPIKeyAuthorization reports an "Authorization: ApiKey ..." header: an
// API key is never forwarded, even on a forward_token route.
func isAPIKeyAuthorization(h http.Header) bool {
	for _, v := range h["Authorization"] {
		if len(v) >= 7 && strings.EqualFold(v[:7], "ApiKey ") {
			return true
		}
	}
	return false
}
