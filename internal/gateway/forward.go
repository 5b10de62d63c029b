package gateway

import (
	"errors"
	"io"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/apiguard/apiguard/internal/proxy"
)

// forward sends an exchange that is not a protocol upgrade to the route's
// upstream through proxy.Client (on this goroutine, over a pooled
// connection) and copies the hardened answer back. It does what
// httputil.ReverseProxy does for such an exchange: hop-by-hop headers
// dropped both ways (and those the Connection header names), the same
// rewrite, the same response hooks, trailers passed on, streamed answers
// flushed as they come; every failure leaves through proxyError.
func (p *Plan) forward(d Deps, rt *Route, w http.ResponseWriter, in *http.Request, deadline time.Time) {
	out := new(http.Request)
	*out = *in
	u := *in.URL
	out.URL = &u
	out.Header = withoutHopHeaders(in.Header)
	p.rewrite(rt, in, out)
	var body io.Reader
	if in.Body != nil && in.Body != http.NoBody {
		body = in.Body
	}
	uri := out.URL.RawPath
	if uri == "" {
		uri = out.URL.Path
	}
	if out.URL.RawQuery != "" {
		uri += "?" + out.URL.RawQuery
	}
	resp, err := rt.upstream.Client.Do(in.Context(), &proxy.Request{
		Method: out.Method, RequestURI: uri, Host: rt.upstream.Target.Host,
		Header: out.Header, Body: body, ContentLength: in.ContentLength,
		BodyDeadline: deadline, Original: out,
	})
	if err != nil {
		var be *proxy.BodyError
		if errors.As(err, &be) && !isBodyTooLarge(err) {
			err = errClientBody{be}
		}
		p.proxyError(d, rt, in, err)
		return
	}
	defer resp.Body.Close() // the upstream's own body, also if a filter panics
	resp.Request = out
	// Before the gateway sets its own headers: an upstream must not be
	// able to name them in its Connection header and have them removed.
	dropHopHeaders(resp.Header)
	// Decided on the upstream's answer, before the filters: a masked body
	// has no length any more, but one the upstream sent whole is no stream
	// and needs no flush per read (the server then writes it in one go).
	streamed := resp.ContentLength == -1 || isEventStream(resp.Header)
	if err := p.modifyResponse(rt, resp); err != nil {
		resp.Body.Close()
		p.proxyError(d, rt, in, err)
		return
	}
	p.copyResponse(w, resp, streamed)
}

// errClientBody is a request body the client failed to deliver.
type errClientBody struct{ err error }

func (e errClientBody) Error() string { return e.err.Error() }
func (e errClientBody) Unwrap() error { return e.err }

// copyResponse writes the answer's headers, body and trailers, flushing
// every read when the upstream streams it. An upstream
// that fails mid-body aborts the client's stream (a truncated answer must
// not look complete); a client that goes away just ends the copy.
func (p *Plan) copyResponse(w http.ResponseWriter, resp *http.Response, streamed bool) {
	dst := w.Header()
	for k, vv := range resp.Header {
		if prior, ok := dst[k]; ok {
			dst[k] = append(prior, vv...)
		} else {
			dst[k] = vv
		}
	}
	var announced []string
	if len(resp.Trailer) > 0 {
		for k := range resp.Trailer {
			announced = append(announced, k)
		}
		dst["Trailer"] = []string{strings.Join(announced, ", ")}
	}
	w.WriteHeader(resp.StatusCode)
	readErr := copyBody(w, resp.Body, streamed)
	resp.Body.Close()
	if readErr != nil {
		panic(http.ErrAbortHandler)
	}
	for k, vv := range resp.Trailer {
		if slices.Contains(announced, k) {
			dst[k] = vv
		} else {
			dst[http.TrailerPrefix+k] = vv // one the upstream did not announce
		}
	}
}

// copyBody copies the upstream's body to the client, flushing after every
// write when the answer is streamed. It returns only the upstream's read
// errors: a write error means the client left.
func copyBody(w http.ResponseWriter, body io.Reader, streamed bool) error {
	buf := bufferPool.Get()
	defer bufferPool.Put(buf)
	var rc *http.ResponseController
	if streamed {
		rc = http.NewResponseController(w)
	}
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return nil
			}
			if rc != nil {
				_ = rc.Flush()
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func isEventStream(h http.Header) bool {
	ct := h.Get("Content-Type")
	return len(ct) >= 17 && strings.EqualFold(ct[:17], "text/event-stream")
}

// forwardingHeaders are what a client may claim about the hops before it;
// the rewrite sets the X-Forwarded ones from what the gateway vouches for
// (as httputil.ReverseProxy does with a Rewrite hook).
var forwardingHeaders = map[string]bool{
	"Forwarded": true, "X-Forwarded-For": true, "X-Forwarded-Host": true, "X-Forwarded-Proto": true,
}

// withoutHopHeaders copies h without the hop-by-hop headers, the
// client's forwarding headers, and those the Connection header names. Values are shared: the rewrite only replaces
// and deletes entries, never appends to them.
func withoutHopHeaders(h http.Header) http.Header {
	out := make(http.Header, len(h)+8)
	for k, vv := range h {
		if !proxy.HopHeaders[k] && !forwardingHeaders[k] {
			out[k] = vv
		}
	}
	dropConnectionListed(h, out)
	return out
}

// dropHopHeaders deletes from an upstream's answer the headers its
// Connection header names and the hop-by-hop headers.
func dropHopHeaders(h http.Header) {
	dropConnectionListed(h, h)
	for k := range proxy.HopHeaders {
		delete(h, k)
	}
}

// dropConnectionListed deletes from h the headers that conn's Connection
// header names.
func dropConnectionListed(conn, h http.Header) {
	for _, v := range conn["Connection"] {
		for name := range strings.SplitSeq(v, ",") {
			if name = textproto.TrimString(name); name != "" {
				delete(h, textproto.CanonicalMIMEHeaderKey(name))
			}
		}
	}
}
