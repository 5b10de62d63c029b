package gateway

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	gojwt "github.com/golang-jwt/jwt/v5"
)

// TestForwardResponseHopHeaders: what describes the upstream's connection
// stays there, and trailers reach the client.
func TestForwardResponseHopHeaders(t *testing.T) {
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Connection", "X-Internal-Route")
		h.Set("X-Internal-Route", "db-7")
		h.Set("Keep-Alive", "timeout=5")
		h.Set("Trailer", "X-Checksum")
		h.Set("Content-Type", "application/x-ndjson")
		io.WriteString(w, "{}\n")
		h.Set("X-Checksum", "abc")
	}), nil)
	resp, err := e.client.Get(e.base + "/v1/orders")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "{}\n" {
		t.Fatalf("body %q", body)
	}
	for _, k := range []string{"X-Internal-Route", "Keep-Alive"} {
		if v := resp.Header.Get(k); v != "" {
			t.Errorf("%s reached the client: %q", k, v)
		}
	}
	if got := resp.Trailer.Get("X-Checksum"); got != "abc" {
		t.Errorf("trailer X-Checksum = %q, want abc", got)
	}
}

// TestForwardChunkedRequestBody: a body of unknown length is streamed to
// the upstream whole, under the gateway's own framing.
func TestForwardChunkedRequestBody(t *testing.T) {
	e := newEnv(t, echo(), nil)
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 20; i++ { // 800 bytes: the harness's max_body is 1 KiB
			io.WriteString(pw, strings.Repeat("x", 40))
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", e.base+"/v1/orders", pr)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := decodeEcho(t, body); resp.StatusCode != 200 || got.BodyLen != 800 {
		t.Fatalf("upstream received %d bytes (headers %v)", got.BodyLen, got.Header)
	}
}

// TestForwardRefusesHeaderInjection: a signed token can say anything in
// its claims; a subject with a line break cannot add a header to the
// upstream request.
func TestForwardRefusesHeaderInjection(t *testing.T) {
	var injected atomic.Bool
	f := newJWTFixture(t)
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Admin") != "" {
			injected.Store(true)
		}
	}), f.yaml)
	tok := f.token(t, func(c gojwt.MapClaims) { c["sub"] = "alice\r\nX-Admin: yes" })
	resp, body := e.do("GET", "/j/orders", nil, "Authorization", "Bearer "+tok)
	// Authentication refuses it first; the upstream client would refuse
	// it too (proxy.TestClientRefusesHeaderInjection).
	mustProblem(t, resp, body, 401, "unauthenticated")
	if injected.Load() {
		t.Fatal("the upstream received an injected header")
	}
	if strings.Contains(string(body), "X-Admin") {
		t.Fatalf("the error body echoes the subject: %s", body)
	}
}
