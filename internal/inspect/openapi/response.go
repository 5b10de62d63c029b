package openapi

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

// maxFindings caps the findings one response adds to the exchange.
const maxFindings = 8

// findingPrefix starts every finding of the filter.
const findingPrefix = "openapi-response: "

// ResponseFilter returns the response filter ("openapi") for a route's
// response_validation mode: ModeReport (also for "") appends findings to
// the exchange and lets the response through, ModeBlock answers 502
// upstream-error instead of a response with any finding, ModeOff returns a
// nil filter and no error. Any other mode is an error. See the package
// documentation for what is checked.
func (o *Operation) ResponseFilter(mode string, opts ...Option) (pipeline.ResponseFilter, error) {
	var block bool
	switch mode {
	case ModeReport, "":
	case ModeBlock:
		block = true
	case ModeOff:
		return nil, nil
	default:
		return nil, fmt.Errorf("openapi: unknown response_validation mode %q (want report, block or off)", mode)
	}
	f := &responseFilter{o: o, block: block, opt: filterOptions{maxBody: DefaultMaxResponseBody}}
	for _, opt := range opts {
		opt(&f.opt)
	}
	return f, nil
}

type responseFilter struct {
	o     *Operation
	block bool
	opt   filterOptions
}

// Name identifies the filter in logs, metrics and the admin API.
func (*responseFilter) Name() string { return "openapi" }

// Filter validates resp against the operation of x.In's method. It puts
// back what it reads of resp.Body and changes nothing else.
func (f *responseFilter) Filter(x *pipeline.Exchange, resp *http.Response) error {
	mt := f.o.methods[x.In.Method]
	if mt == nil {
		return nil
	}
	var v violations
	notValidated := f.check(x.In.Method, mt, resp, &v)
	if len(v.list) == 0 && notValidated == "" {
		return nil
	}
	if f.opt.count != nil {
		f.opt.count(x.Route)
	}
	findings := make([]string, 0, len(v.list)+1)
	for _, e := range v.list {
		findings = append(findings, findingPrefix+e.Field+": "+e.Detail)
	}
	if notValidated != "" {
		findings = append(findings, findingPrefix+"not validated: "+notValidated)
	}
	if f.block {
		cause := strings.Join(findings, "; ")
		if v.more {
			cause += "; and more"
		}
		return problem.UpstreamError(errors.New(cause))
	}
	if len(findings) > maxFindings {
		n := len(findings) - maxFindings
		more := findingPrefix + strconv.Itoa(n) + " more findings"
		if v.more {
			more += " (and others not counted)"
		}
		findings = append(findings[:maxFindings], more)
	}
	x.Findings = append(x.Findings, findings...)
	return nil
}

// check adds resp's violations to v and returns why its body could not
// be validated ("" when it was, or needed not be).
func (f *responseFilter) check(reqMethod string, mt *method, resp *http.Response, v *violations) string {
	doc := mt.responses.lookup(resp.StatusCode)
	if doc == nil {
		v.add("status", "status code "+strconv.Itoa(resp.StatusCode)+" is not documented")
		return ""
	}
	if !mayHaveBody(reqMethod, resp) {
		return ""
	}
	if empty, err := emptyBody(resp); empty || err != nil {
		return "" // a failing body fails on its way to the client
	}
	if len(doc.media) == 0 {
		v.add("body", "is not documented for this status")
		return ""
	}
	typ, sub, ok := parseContentType(resp.Header.Get("Content-Type"))
	var e *mediaEntry
	if ok {
		e, ok = findMedia(doc.media, typ, sub)
	}
	if !ok {
		v.add("header.Content-Type", "must be one of the documented media types: "+mediaList(doc.media))
		return ""
	}
	if e.schema == nil || !isJSON(typ, sub) {
		return "" // the content type is all that is checked
	}
	if resp.StatusCode == http.StatusPartialContent {
		return "partial content"
	}
	gz := false
	switch enc := strings.ToLower(strings.TrimSpace(strings.Join(resp.Header.Values("Content-Encoding"), ","))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		gz = true
	default:
		return "content-encoding " + strconv.Quote(truncate(enc, 32))
	}
	data, complete, err := readResponsePrefix(resp, f.opt.maxBody)
	if err != nil {
		return "" // the client will see the upstream's failure
	}
	if !complete {
		return "body over " + strconv.FormatInt(f.opt.maxBody, 10) + " bytes"
	}
	if gz {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			v.add("body", "malformed gzip encoding")
			return ""
		}
		data, err = io.ReadAll(io.LimitReader(zr, f.opt.maxBody+1))
		if err != nil {
			v.add("body", "malformed gzip encoding")
			return ""
		}
		if int64(len(data)) > f.opt.maxBody {
			return "body over " + strconv.FormatInt(f.opt.maxBody, 10) + " bytes decompressed"
		}
	}
	validateJSON(v, e, data)
	return ""
}

// mayHaveBody: 1xx, 204 and 304 responses and answers to HEAD have none.
func mayHaveBody(reqMethod string, resp *http.Response) bool {
	if resp.StatusCode < 200 || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
		return false
	}
	return reqMethod != http.MethodHead && resp.Body != nil && resp.Body != http.NoBody && resp.ContentLength != 0
}

// emptyBody reports whether resp's body is empty, reading one byte when
// its length is unknown (and putting it back).
func emptyBody(resp *http.Response) (bool, error) {
	if resp.ContentLength > 0 {
		return false, nil
	}
	data, complete, err := readResponsePrefix(resp, 0)
	return complete && len(data) == 0, err
}

// readResponsePrefix reads up to limit+1 bytes of resp.Body and puts them
// back in front of the rest. complete reports that the body ended within
// limit bytes.
func readResponsePrefix(resp *http.Response, limit int64) (data []byte, complete bool, err error) {
	orig := resp.Body
	data, err = io.ReadAll(io.LimitReader(orig, limit+1))
	var rest io.Reader = orig
	if err != nil {
		rest = errReader{err}
	}
	resp.Body = &prefixBody{r: io.MultiReader(bytes.NewReader(data), rest), orig: orig}
	return data, err == nil && int64(len(data)) <= limit, err
}

// prefixBody reads the bytes validation read, then the rest of the
// original body; closing it closes the original.
type prefixBody struct {
	r    io.Reader
	orig io.Closer
}

func (b *prefixBody) Read(p []byte) (int, error) { return b.r.Read(p) }
func (b *prefixBody) Close() error               { return b.orig.Close() }

// errReader fails with the error reading the original body failed with.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// mediaList names the documented media types of a response.
func mediaList(media []mediaEntry) string {
	var b strings.Builder
	for i, m := range media {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.typ + "/" + m.sub)
	}
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
