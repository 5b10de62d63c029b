package policy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/gateway"
	"github.com/apiguard/apiguard/internal/scan"
	"github.com/apiguard/apiguard/internal/store/backend"
)

const gatewayYAML = `
server:
  listen: "127.0.0.1:0"
  admin: ""
upstreams:
  app: {url: "@UP@", timeout: 2s}
identities:
  api_key: {header: X-API-Key}
defaults:
  auth: [api_key]
  rate_limit: {rate: 600, per: 1m, burst: 50, key: identity}
routes:
  - {name: list-orders, methods: [GET], path: /v1/orders, upstream: app}
  - {name: get-order, methods: [GET], path: "/v1/orders/{id}", upstream: app}
  - name: orders-v0
    methods: [GET]
    path: /v0/orders
    upstream: app
    deprecation: {since: 2026-01-01, sunset: 2099-01-01, link: "https://docs.example.test/v1"}
  - name: health
    methods: [GET]
    path: /v1/health
    upstream: app
    auth: none
    rate_limit: {rate: 60, per: 1m, burst: 5, key: ip}
`

// upstream answers everything 200, but /v1/orders* only with an
// X-Apiguard-Subject header: it trusts the gateway's identity headers
// from anyone.
func upstream(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "upstream/1.0")
		if strings.HasPrefix(r.URL.Path, "/v1/orders") && r.Header.Get("X-Apiguard-Subject") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func loadConfig(t *testing.T, up string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "apiguard.yaml")
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(gatewayYAML, "@UP@", up)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func runPolicy(t *testing.T, cfg *config.Config, target string, direct bool) *scan.Result {
	t.Helper()
	s, err := scan.New(scan.Config{Target: target, Ops: Operations(cfg), Client: scan.ClientOptions{Rate: 1000},
		Checks: Checks(cfg, Options{UpstreamDirect: direct})})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func aspects(res *scan.Result) map[string]bool {
	out := map[string]bool{}
	for _, f := range res.Findings {
		out[f.Check] = true
	}
	return out
}

// TestRealGatewayKeepsItsPolicy scans apiguard itself, in front of the
// upstream: every promise holds, so only the upstream-direct probe fires
// (the upstream listens where the scanner can reach it, and trusts
// forged identity headers).
func TestRealGatewayKeepsItsPolicy(t *testing.T) {
	up := upstream(t)
	cfg := loadConfig(t, up.URL)
	st, err := backend.Open(cfg.StoreDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	gw, err := gateway.New(cfg, "", gateway.Deps{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	res := runPolicy(t, cfg, srv.URL, true)
	got := aspects(res)
	for _, f := range res.Findings {
		if f.Check != "policy.upstream-direct" {
			t.Errorf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
		}
	}
	if !got["policy.upstream-direct"] {
		t.Errorf("upstream-direct did not fire: %+v", res.Findings)
	}
	for _, f := range res.Findings {
		if f.Check == "policy.upstream-direct" && !strings.Contains(f.Evidence, "forged") {
			t.Errorf("want the forged identity header finding: %s", f.Evidence)
		}
	}
	if res.Requests > 60 {
		t.Errorf("%d requests", res.Requests)
	}
}

// TestNoGatewayBreaksEveryPromise points the scan at the upstream as if
// it were the gateway.
func TestNoGatewayBreaksEveryPromise(t *testing.T) {
	up := upstream(t)
	cfg := loadConfig(t, up.URL)
	got := aspects(runPolicy(t, cfg, up.URL, false))
	for _, want := range []string{"policy.auth", "policy.headers", "policy.unrouted", "policy.methods", "policy.deprecation",
		"policy.secret-in-url", "policy.waf", "policy.ratelimit"} {
		if !got[want] {
			t.Errorf("%s did not fire; got %v", want, got)
		}
	}
}

func TestNeeded(t *testing.T) {
	r := &config.Route{}
	if needed(r, 50) != 0 {
		t.Fatal("no limit")
	}
	r.RateLimit = &config.RateLimit{Rate: 60, Per: config.Duration(60e9), Burst: 5}
	if n := needed(r, 50); n < 6 || n > 12 {
		t.Fatalf("burst 5 at 1/s, scanning at 50/s: %d", n)
	}
	r.RateLimit = &config.RateLimit{Rate: 100, Per: config.Duration(1e9), Burst: 5}
	if needed(r, 50) != 0 {
		t.Fatal("refill faster than the scan: cannot be proven")
	}
}
