package openapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/apiguard/apiguard/internal/problem"
)

// readRequestBody reads the whole request body, at most limit bytes, and
// puts a reader of exactly those bytes back on r.Body (ContentLength and
// GetBody set to match), so that the upstream and later stages read what
// the client sent. A body over limit is a 413; a body that ends early or
// fails is a 400 (the client is gone or broke its framing: nothing could
// be forwarded anyway).
func readRequestBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, problem.PayloadTooLarge(limit)
	}
	var data []byte
	var err error
	if r.ContentLength > 0 {
		data = make([]byte, r.ContentLength)
		var n int
		n, err = io.ReadFull(r.Body, data)
		data = data[:n]
	} else {
		data, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err == nil && int64(len(data)) > limit {
			return nil, problem.PayloadTooLarge(limit)
		}
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, problem.PayloadTooLarge(mbe.Limit)
		}
		return nil, problem.BadRequest("the request body could not be read").WithCause(err)
	}
	replay(r, data)
	return data, nil
}

// replay puts data back as r's body.
func replay(r *http.Request, data []byte) {
	r.Body = &replayBody{Reader: bytes.NewReader(data), orig: r.Body}
	r.ContentLength = int64(len(data))
	r.GetBody = func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}
}

// replayBody reads the bytes validation read; closing it closes the
// original body.
type replayBody struct {
	*bytes.Reader
	orig io.Closer
}

func (b *replayBody) Close() error { return b.orig.Close() }

// encoded reports whether a Content-Encoding other than identity applies.
func encoded(h http.Header) bool {
	for _, v := range h.Values("Content-Encoding") {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "identity") {
				return true
			}
		}
	}
	return false
}
