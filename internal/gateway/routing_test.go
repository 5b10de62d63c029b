package gateway

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestRouting(t *testing.T) {
	// Routing alone: the injection filter (which refuses dot-segments in
	// the raw path, see TestInspectionEndToEnd) is off here.
	e := newEnv(t, echo(), func(y string) string {
		return strings.Replace(y, "defaults:\n  auth: none\n", "defaults:\n  auth: none\n  waf: off\n", 1)
	})
	cases := []struct {
		name, method, path string
		status             int
		code               string // problem code for denials
		upstreamPath       string // what the upstream must receive
	}{
		{"exact", "GET", "/v1/orders", 200, "", "/v1/orders"},
		{"param", "GET", "/v1/orders/42", 200, "", "/v1/orders/42"},
		{"literal beats param", "GET", "/v1/orders/special", 200, "", "/v1/orders/special"},
		{"second method", "PUT", "/v1/orders/42", 200, "", "/v1/orders/42"},
		{"HEAD via GET", "HEAD", "/v1/orders", 200, "", ""},
		{"trailing slash", "GET", "/v1/orders/", 200, "", "/v1/orders"},
		{"double slash", "GET", "/v1//orders", 200, "", "/v1/orders"},
		{"encoded letter", "GET", "/v1/%6frders", 200, "", "/v1/orders"},
		{"unrouted", "GET", "/admin", 404, "not-found", ""},
		{"prefix only", "GET", "/v1", 404, "not-found", ""},
		{"deeper than any route", "GET", "/v1/orders/1/2", 404, "not-found", ""},
		{"dot-dot escapes route", "GET", "/v1/orders/../../admin", 404, "not-found", ""},
		{"encoded dot-dot", "GET", "/v1/orders/%2e%2e/%2e%2e/admin", 404, "not-found", ""},
		{"dot-dot resolved into a route", "GET", "/v1/x/../orders", 200, "", "/v1/orders"},
		{"above root", "GET", "/..", 400, "invalid-request", ""},
		{"encoded slash", "GET", "/v1/orders%2F1", 400, "invalid-request", ""},
		{"encoded NUL", "GET", "/v1/orders/1%00", 400, "invalid-request", ""},
		{"double encoding", "GET", "/v1/orders/%252e%252e", 400, "invalid-request", ""},
		{"case sensitive", "GET", "/V1/ORDERS", 404, "not-found", ""},
		{"wrong method", "DELETE", "/v1/orders/42", 405, "method-not-allowed", ""},
		{"wrong method on collection", "PATCH", "/v1/orders", 405, "method-not-allowed", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.do(tc.method, tc.path, nil)
			if tc.code != "" {
				if tc.method == "HEAD" {
					t.Fatal("bad case")
				}
				mustProblem(t, resp, body, tc.status, tc.code)
				return
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.upstreamPath != "" {
				if got := decodeEcho(t, body).Path; got != tc.upstreamPath {
					t.Fatalf("upstream saw %q, want %q", got, tc.upstreamPath)
				}
			}
		})
	}
}

func TestMethodNotAllowedListsAllow(t *testing.T) {
	e := newEnv(t, echo(), nil)
	resp, body := e.do("DELETE", "/v1/orders", nil)
	mustProblem(t, resp, body, 405, "method-not-allowed")
	if got := resp.Header.Get("Allow"); got != "GET, HEAD, POST" {
		t.Fatalf("Allow = %q, want %q", got, "GET, HEAD, POST")
	}
}

func TestUnroutedNeverReachesUpstream(t *testing.T) {
	var hits atomic.Int64
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }), nil)
	for _, p := range []string{"/admin", "/v1/orders/%2e%2e/%2e%2e/admin", "/.env", "/v1/orders/1/2"} {
		resp, body := e.do("GET", p, nil)
		if resp.StatusCode < 400 {
			t.Fatalf("%s: status %d %s", p, resp.StatusCode, body)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("upstream was reached %d times by unrouted requests", hits.Load())
	}
}
