package injection

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/apiguard/apiguard/internal/problem"
)

// bodyKind is how a request body is inspected.
type bodyKind uint8

const (
	bodyNone bodyKind = iota
	bodyJSON
	bodyForm
)

// bodyKindOf chooses from Content-Type: application/json, any +json type
// and text/json are JSON; application/x-www-form-urlencoded is a form;
// without a Content-Type, a body is sniffed as JSON by the caller. Other
// types (multipart, XML, text, binary) are not inspected.
func bodyKindOf(ct string) (bodyKind, bool) {
	if ct == "" {
		return bodyNone, true
	}
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	switch {
	case strings.EqualFold(mt, "application/json"), strings.EqualFold(mt, "text/json"),
		len(mt) > 5 && strings.EqualFold(mt[len(mt)-5:], "+json"):
		return bodyJSON, false
	case strings.EqualFold(mt, "application/x-www-form-urlencoded"):
		return bodyForm, false
	}
	return bodyNone, false
}

// replayBody gives the upstream the bytes inspection read, then the rest
// of the original body; closing it closes the original.
type replayBody struct {
	buf  []byte
	rest io.Reader
	orig io.Closer
}

func (b *replayBody) Read(p []byte) (int, error) {
	if len(b.buf) > 0 {
		n := copy(p, b.buf)
		b.buf = b.buf[n:]
		return n, nil
	}
	return b.rest.Read(p)
}

func (b *replayBody) Close() error { return b.orig.Close() }

// errReader fails with the error reading the original body failed with,
// so that the proxy sees (and classifies) it as if nothing had been read
// in between.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

var prefixPool = sync.Pool{New: func() any { return new([]byte) }}

// body reads up to the body limit of a JSON or form body, puts the body
// back together for the upstream and inspects what it read. This is the
// one place in the pipeline where a stage replaces the request's Body:
// the bytes are the same, in the same order. It returns a problem for a
// body over max_body (413) found while reading.
func (sc *scanner) body(r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil
	}
	kind, sniff := bodyKindOf(r.Header.Get("Content-Type"))
	if kind == bodyNone && !sniff {
		return nil
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		sc.partial = "body not inspected: content-encoding " + quoteName(ce)
		return nil
	}
	limit := sc.st.o.bodyLimit
	data, more, err := readPrefix(r.Body, r.ContentLength, limit)
	orig := r.Body
	var rest io.Reader = orig
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return problem.PayloadTooLarge(mbe.Limit)
		}
		rest = errReader{err}
	}
	r.Body = &replayBody{buf: data, rest: rest, orig: orig}
	if sniff {
		if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
			kind = bodyJSON
		} else {
			return nil
		}
	}
	if !sc.deadline.IsZero() { // reading is not inspection
		sc.deadline = sc.st.o.now().Add(sc.st.o.timeBudget)
	}
	switch kind {
	case bodyJSON:
		sc.jsonBody(data, more)
	case bodyForm: // a field cut by the limit is inspected as far as it goes
		sc.pairs(bytesString(data), locForm)
	}
	if more && !sc.done() {
		sc.partial = "body inspected up to " + strconv.Itoa(limit) + " bytes"
	}
	return nil
}

// readPrefix reads up to limit bytes of body. more reports that the body
// may go on past them. The returned slice is the caller's. A body that
// ends before its declared length keeps its io.ErrUnexpectedEOF, so that
// the upstream sees the same failure.
func readPrefix(body io.Reader, contentLength int64, limit int) (data []byte, more bool, err error) {
	if contentLength > 0 && contentLength <= int64(limit) {
		data = make([]byte, contentLength)
		n, err := io.ReadFull(body, data)
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return data[:n], false, err
	}
	bp := prefixPool.Get().(*[]byte)
	defer prefixPool.Put(bp)
	if cap(*bp) < limit {
		*bp = make([]byte, limit)
	}
	buf := (*bp)[:limit]
	n, err := io.ReadFull(body, buf)
	switch {
	case err == nil:
		more = true
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		err = nil // the body ended within the limit
		if contentLength > 0 && int64(n) < contentLength {
			err = io.ErrUnexpectedEOF
		}
	}
	return bytes.Clone(buf[:n]), more, err
}

// jsonBody walks a JSON body; what cannot be tokenized is inspected raw
// from where tokenizing stopped.
func (sc *scanner) jsonBody(data []byte, truncated bool) {
	w := &sc.json
	w.data, w.pos, w.stack, w.trunc = data, 0, w.stack[:0], truncated
	err := w.walk(sc)
	if err != nil && !sc.done() {
		loc := location{kind: locBody, index: w.pos}
		sc.value(bytesString(data[w.pos:]), &loc)
	}
	w.data = nil
}
