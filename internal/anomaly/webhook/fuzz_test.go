package webhook

import (
	"net/http"
	"testing"
	"time"
)

// FuzzVerify: headers and bodies from anyone never verify without the
// secret (and never panic); the genuine signature always does.
func FuzzVerify(f *testing.F) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Unix(1_800_000_000, 0)
	f.Add("1800000000", "sha256=00", []byte(`{"alerts":[]}`))
	f.Add("", "", []byte{})
	f.Add("1800000000", Sign(secret, now.Unix(), []byte("x")), []byte("y"))
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, sig)
		if err := Verify(secret, h, body, now, 5*time.Minute); err == nil && sig != Sign(secret, parseTS(ts), body) {
			t.Fatalf("forged signature %q accepted for %q", sig, body)
		}
		h.Set(HeaderTimestamp, "1800000000")
		h.Set(HeaderSignature, Sign(secret, now.Unix(), body))
		if err := Verify(secret, h, body, now, 5*time.Minute); err != nil {
			t.Fatalf("genuine signature refused: %v", err)
		}
	})
}

func parseTS(s string) int64 {
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int64(c-'0')
	}
	return n
}
