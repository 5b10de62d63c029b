package gateway

import (
	"errors"
	"net/http"

	"github.com/apiguard/apiguard/internal/problem"
)

// limitBody refuses a declared body over max and cuts a streamed one at
// max: the body is never buffered whole. Reading past the limit fails with
// *http.MaxBytesError, which the proxy's error handler answers 413.
func limitBody(w http.ResponseWriter, r *http.Request, max int64) error {
	if r.ContentLength > max {
		return problem.PayloadTooLarge(max)
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, max)
	}
	return nil
}

func isBodyTooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}
