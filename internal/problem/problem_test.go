package problem

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		status int
		code   string
		header string
	}{
		{"denial", Forbidden("no"), 403, CodeForbidden, ""},
		{"challenge", Unauthenticated("x", true), 401, CodeUnauthenticated, `Bearer realm="apiguard", error="invalid_token"`},
		{"wrapped denial", errWrap{NotFound()}, 404, CodeNotFound, ""},
		{"plain error fails closed", errors.New("dial tcp 10.0.0.7:5432: refused"), 500, CodeInternal, ""},
		{"upstream", UpstreamError(errors.New("secret upstream detail")), 502, CodeUpstreamError, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			p := Write(rec, httptest.NewRequest("GET", "/", nil), "rid-1", tc.err)
			if rec.Code != tc.status || p.Status != tc.status {
				t.Fatalf("status %d", rec.Code)
			}
			if rec.Header().Get("Content-Type") != ContentType || rec.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("headers %v", rec.Header())
			}
			if tc.header != "" && rec.Header().Get("WWW-Authenticate") != tc.header {
				t.Fatalf("WWW-Authenticate %q", rec.Header().Get("WWW-Authenticate"))
			}
			var b map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
				t.Fatal(err)
			}
			if b["code"] != tc.code || b["request_id"] != "rid-1" || b["type"] != TypePrefix+tc.code || b["status"] != float64(tc.status) {
				t.Fatalf("body %v", b)
			}
			if s := rec.Body.String(); strings.Contains(s, "10.0.0.7") || strings.Contains(s, "secret") {
				t.Fatalf("internal detail leaked: %s", s)
			}
		})
	}
}

func TestWriteHEADHasNoBody(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, httptest.NewRequest("HEAD", "/", nil), "r", NotFound())
	if rec.Code != 404 || rec.Body.Len() != 0 {
		t.Fatalf("%d %q", rec.Code, rec.Body.String())
	}
}

type errWrap struct{ e *Error }

func (w errWrap) Error() string { return "wrapped: " + w.e.Error() }
func (w errWrap) Unwrap() error { return w.e }

var _ = http.StatusOK
