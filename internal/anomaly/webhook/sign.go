package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers of a delivery.
const (
	// HeaderSignature is "sha256=" + the lowercase hex HMAC-SHA256, under
	// the shared secret, of the timestamp, ".", and the raw body.
	HeaderSignature = "X-Apiguard-Signature"
	// HeaderTimestamp is the Unix time (seconds) the delivery was signed:
	// receivers refuse stale ones, so a captured request cannot be
	// replayed later.
	HeaderTimestamp = "X-Apiguard-Timestamp"
	// HeaderDelivery identifies the delivery; retries keep it, so a
	// receiver can drop duplicates.
	HeaderDelivery = "X-Apiguard-Delivery"
)

// ErrSignature: a delivery whose signature or timestamp does not verify.
var ErrSignature = errors.New("webhook signature does not verify")

// Sign returns the HeaderSignature value of body signed at unix time ts.
func Sign(secret []byte, ts int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify is what a receiver does: it checks the signature of body (in
// constant time) and that the timestamp is within tolerance of now.
// Errors wrap ErrSignature.
func Verify(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(h.Get(HeaderTimestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: no valid %s", ErrSignature, HeaderTimestamp)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp %s from now (tolerance %s)", ErrSignature, d, tolerance)
	}
	got := h.Get(HeaderSignature)
	if !strings.HasPrefix(got, "sha256=") || !hmac.Equal([]byte(got), []byte(Sign(secret, ts, body))) {
		return fmt.Errorf("%w: signature mismatch", ErrSignature)
	}
	return nil
}
