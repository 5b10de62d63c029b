package problem

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// ContentType is the media type of every error body (RFC 9457).
const ContentType = "application/problem+json"

// TypePrefix prefixes each code to form the problem "type" URI.
const TypePrefix = "urn:apiguard:problem:"

type body struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Code      string       `json:"code"`
	RequestID string       `json:"request_id"`
	Errors    []FieldError `json:"errors,omitempty"`
}

// Write answers err as problem+json. A non-*Error err is answered as a
// generic 500 (fail closed). It returns the *Error it wrote so the caller
// can log and audit the full cause. Header values of the denial are set;
// a body is not written for HEAD requests.
func Write(w http.ResponseWriter, r *http.Request, requestID string, err error) *Error {
	p := As(err)
	h := w.Header()
	for k, v := range p.Header {
		h[k] = v
	}
	h.Del("Content-Encoding")
	h.Del("Content-Length")
	h.Set("Content-Type", ContentType)
	h.Set("Cache-Control", "no-store")
	title := p.Title
	if title == "" {
		title = http.StatusText(p.Status)
	}
	// Not HTML-escaped: a problem document is never HTML (nosniff is
	// always set), and "must be >= 1" should read as written.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body{
		Type: TypePrefix + p.Code, Title: title, Status: p.Status, Detail: p.Detail,
		Code: p.Code, RequestID: requestID, Errors: p.Errors,
	}); err != nil { // cannot happen with these field types; stay closed anyway
		buf.Reset()
		buf.WriteString(`{"status":500,"code":"internal"}` + "\n")
	}
	b := buf.Bytes()
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(p.Status)
	if r == nil || r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
	return p
}
