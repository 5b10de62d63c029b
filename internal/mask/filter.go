package mask

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

// The data classes of response.mask.
const (
	ClassPAN     = "pan"
	ClassSSN     = "ssn"
	ClassSecrets = "secrets"
)

// Counts are the number of values masked in a body, per class.
type Counts struct {
	PAN, SSN, Secrets int
}

// Filter masks card numbers, SSNs and credentials in upstream responses.
// It is a pipeline.ResponseFilter and is safe for concurrent use.
type Filter struct {
	r      *rules
	none   bool
	report func(*pipeline.Exchange, Counts)
}

var _ pipeline.ResponseFilter = (*Filter)(nil)

// Option configures a Filter.
type Option func(*Filter)

// WithReport has fn called once per masked body, when it has been read to
// its end, failed or been closed, with what was masked (often nothing).
// fn runs on the goroutine reading or closing the body.
func WithReport(fn func(x *pipeline.Exchange, c Counts)) Option {
	return func(f *Filter) { f.report = fn }
}

// New returns the filter for the classes of response.mask: "pan", "ssn"
// and "secrets". With no class it passes every response untouched.
func New(classes []string, opts ...Option) (*Filter, error) {
	var pan, ssn, secrets bool
	for _, c := range classes {
		switch strings.ToLower(strings.TrimSpace(c)) {
		case ClassPAN:
			pan = true
		case ClassSSN:
			ssn = true
		case ClassSecrets:
			secrets = true
		default:
			return nil, fmt.Errorf("mask: unknown data class %q (want pan, ssn or secrets)", c)
		}
	}
	f := &Filter{r: &rules{pan: pan, ssn: ssn, secrets: secrets}, none: !pan && !ssn && !secrets}
	for _, o := range opts {
		o(f)
	}
	return f, nil
}

// Name identifies the filter in logs, metrics and the admin API.
func (f *Filter) Name() string { return "mask" }

// Filter replaces resp.Body with a masking reader when the response has a
// body of a maskable type (see KindOf). The length of the body changes,
// so Content-Length (and Content-MD5, Digest, Content-Digest,
// Repr-Digest, Accept-Ranges) are removed and resp.ContentLength is -1:
// the server sends it chunked (HTTP/1.1) or in DATA frames (HTTP/2). A
// gzip-encoded body is decompressed and sent as identity. It fails (502
// upstream-error, nothing sent) for a body it cannot inspect: another
// Content-Encoding, a UTF-16 or UTF-32 charset, or a 206 partial response
// (byte offsets of a masked body would not match; AcceptIdentity removes
// Range from the upstream request).
func (f *Filter) Filter(x *pipeline.Exchange, resp *http.Response) error {
	if f.none || resp.Body == nil || resp.Body == http.NoBody || !hasBody(resp) {
		return nil
	}
	k, err := KindOf(resp.Header.Get("Content-Type"))
	if err != nil {
		return problem.UpstreamError(err)
	}
	if k == 0 {
		return nil
	}
	if resp.StatusCode == http.StatusPartialContent {
		return problem.UpstreamError(errors.New("mask: a partial (206) response cannot be masked"))
	}
	gz := false
	switch enc := contentEncoding(resp.Header); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		gz = true
	default:
		return problem.UpstreamError(fmt.Errorf("mask: cannot inspect a body with Content-Encoding %q", enc))
	}
	s := newStream(resp.Body, f.r, k)
	s.gz = gz
	if f.report != nil {
		report := f.report
		s.onDone = func(s *stream) { report(x, s.Counts()) }
	}
	resp.Body = body{stream: s, c: resp.Body}
	h := resp.Header
	for _, name := range [...]string{"Content-Length", "Content-Md5", "Digest", "Content-Digest", "Repr-Digest", "Accept-Ranges"} {
		delete(h, name)
	}
	if gz {
		delete(h, "Content-Encoding")
		resp.Uncompressed = true
	}
	resp.ContentLength = -1
	return nil
}

// hasBody reports whether resp may carry a body worth masking: not an
// informational (101 upgrades keep their connection as the body), 204 or
// 304 response, nor the answer to HEAD.
func hasBody(resp *http.Response) bool {
	if resp.StatusCode < 200 || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
		return false
	}
	return resp.Request == nil || resp.Request.Method != http.MethodHead
}

// contentEncoding returns the lower-cased Content-Encoding ("" when
// absent); several codings come back as one comma-separated string.
func contentEncoding(h http.Header) string {
	v := h.Values("Content-Encoding")
	if len(v) == 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(strings.Join(v, ",")))
}

// AcceptIdentity prepares the upstream request of a masked route: it asks
// for an identity-encoded body (Accept-Encoding: identity), so that the
// body can be inspected without decompressing it, and for the whole
// representation (Range and If-Range removed), since a masked body's byte
// offsets do not match the upstream's.
func AcceptIdentity(h http.Header) {
	h.Set("Accept-Encoding", "identity")
	h.Del("Range")
	h.Del("If-Range")
}

// NewReader returns a reader of r's bytes masked as kind k, with bounded
// memory (about 40 KiB plus the caller's reads) whatever r's length.
func (f *Filter) NewReader(r io.Reader, k Kind) io.Reader {
	if f.none {
		return r
	}
	return newStream(r, f.r, k)
}

// Mask returns b masked as kind k, as the whole of an input. It returns b
// itself when nothing is masked.
func (f *Filter) Mask(b []byte, k Kind) []byte {
	if f.none || len(b) == 0 {
		return b
	}
	s := newStream(nil, f.r, k)
	e := &s.e
	e.begin(0)
	p := e.process(b, 0, len(b), true)
	return e.result(b, 0, p)
}
