package gateway

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// deprecationYAML adds a deprecated v0 route (sunset far ahead) and a
// retired one (sunset passed).
func deprecationYAML(y string) string {
	return y + `  - {name: orders-v0, methods: [GET], path: /v0/orders, upstream: app, deprecation: {since: 2026-01-01, sunset: 2099-01-01, link: "https://docs.example.test/migrate-v1"}}
  - {name: orders-beta, methods: [GET], path: /beta/orders, upstream: app, deprecation: {since: 2020-01-01, sunset: 2021-01-01}}
`
}

func TestDeprecationHeadersAndSunset(t *testing.T) {
	var upstreamHits int
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		upstreamHits++
		w.Write([]byte(`{}`))
	}), deprecationYAML)

	resp, _ := e.do("GET", "/v0/orders", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("deprecated route: %d", resp.StatusCode)
	}
	for name, want := range map[string]string{
		"Deprecation": "@1767225600", // 2026-01-01T00:00:00Z, RFC 9745
		"Sunset":      "Thu, 01 Jan 2099 00:00:00 GMT",
		"Link":        `<https://docs.example.test/migrate-v1>; rel="deprecation"`,
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if resp, _ := e.do("GET", "/v1/orders", nil); resp.Header.Get("Deprecation") != "" || resp.Header.Get("Sunset") != "" {
		t.Fatal("a current route carries deprecation headers")
	}

	hits := upstreamHits
	resp, body := e.do("GET", "/beta/orders", nil)
	if resp.StatusCode != 410 || !strings.Contains(string(body), `"code":"sunset"`) || resp.Header.Get("Sunset") == "" {
		t.Fatalf("retired route: %d %s (Sunset %q)", resp.StatusCode, body, resp.Header.Get("Sunset"))
	}
	if upstreamHits != hits {
		t.Fatal("a retired route reached the upstream")
	}

	// Who still calls the old version: the audit record and the metric.
	var v0 map[string]any
	for _, r := range readAudit(t, e.auditFile) {
		if r["route"] == "orders-v0" {
			v0 = r
		}
		if r["route"] == "list-orders" && (r["deprecated"] != nil || r["version"] != "v1") {
			t.Errorf("current route's record: deprecated=%v version=%v", r["deprecated"], r["version"])
		}
	}
	if v0 == nil || v0["deprecated"] != true || v0["version"] != "v0" {
		t.Fatalf("deprecated route's audit record: %v", v0)
	}
	m := e.metricsText()
	for _, want := range []string{`apiguard_version_requests_total{deprecated="true",version="v0"} 1`,
		`apiguard_version_requests_total{deprecated="false",version="v1"} 1`,
		"apiguard_audit_queue_capacity 4096", "apiguard_audit_records_total "} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestAPIVersion(t *testing.T) {
	for path, want := range map[string]string{
		"/v1/orders": "v1", "/V2/x": "v2", "/v2.1/x": "v2.1", "/v0": "v0",
		"/orders": "", "/v/x": "", "/vx/x": "", "/v1./x": "", "/v.1/x": "", "/v1.2.3/x": "", "/": "", "/version/x": "",
	} {
		if got := apiVersion(path); got != want {
			t.Errorf("apiVersion(%q) = %q, want %q", path, got, want)
		}
	}
}

// metricsText scrapes the admin listener's /metrics.
func (e *env) metricsText() string {
	e.t.Helper()
	resp, err := http.Get("http://" + e.gw.Addr.Admin + "/metrics")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
