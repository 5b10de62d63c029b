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

// TestForwardUpstreamCannotStripSecurityHeaders: an upstream that names the
// gateway's headers in its Connection header does not get them removed.
func TestForwardUpstreamCannotStripSecurityHeaders(t *testing.T) {
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "Cache-Control, Content-Security-Policy, X-Content-Type-Options, X-Request-Id")
		io.WriteString(w, "{}")
	}), nil)
	resp, _ := e.do("GET", "/v1/orders", nil)
	for k, want := range map[string]string{
		"Cache-Control":           "no-store",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("X-Request-Id was removed")
	}
}

// TestForwardUndeclaredTrailers: trailers the upstream sends without
// announcing them reach the client too.
func TestForwardUndeclaredTrailers(t *testing.T) {
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		io.WriteString(w, "{}\n")
		http.NewResponseController(w).Flush() // chunked: trailers can follow
		w.Header().Set(http.TrailerPrefix+"X-Late", "yes")
	}), nil)
	resp, err := e.client.Get(e.base + "/v1/orders")
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := resp.Trailer.Get("X-Late"); got != "yes" {
		t.Fatalf("undeclared trailer X-Late = %q, want yes", got)
	}
}

func TestIsUpgrade(t *testing.T) {
	cases := []struct {
		name    string
		headers map[string]string
		want    bool
	}{
		{"websocket", map[string]string{"Upgrade": "websocket", "Connection": "Upgrade"}, true},
		{"token among others", map[string]string{"Upgrade": "websocket", "Connection": "keep-alive, upgrade"}, true},
		{"Upgrade without the Connection token", map[string]string{"Upgrade": "x"}, false},
		{"Connection token without Upgrade", map[string]string{"Connection": "upgrade"}, false},
		{"neither", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest("GET", "/", nil)
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if got := isUpgrade(r); got != tc.want {
				t.Fatalf("isUpgrade = %v, want %v", got, tc.want)
			}
		})
	}
}
