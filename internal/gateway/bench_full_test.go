package gateway

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/audit"
	"github.com/apiguard/apiguard/internal/authn/apikey"
	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/store/backend"
)

// BenchmarkFullPolicy is bench/run's full-policy row in process: POST
// /v1/orders with a 201-byte JSON body through API-key auth, scopes, a
// GCRA limit that never rejects, OpenAPI request and response
// validation, injection inspection, response masking, security headers
// and the audit file.
func BenchmarkFullPolicy(b *testing.B) {
	order, err := os.ReadFile("../../bench/data/order.json")
	if err != nil {
		b.Fatal(err)
	}
	created := []byte(`{"id":"ord_2001","status":"accepted","total":{"amount":4999,"currency":"EUR"},"items":2}` + "\n")
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write(created)
	}))
	b.Cleanup(up.Close)
	spec, _ := filepath.Abs("../../bench/data/orders.openapi.yaml")
	dir := b.TempDir()
	y := `server: {listen: "127.0.0.1:0", admin: ""}
store: sqlite:data/apiguard.db
identities: {api_key: {}}
upstreams:
  app: {url: "` + up.URL + `"}
defaults:
  auth: [api_key]
  waf: block
  response: {mask: [pan, ssn, secrets]}
routes:
  - {name: create-order, methods: [POST], path: /v1/orders, upstream: app, scopes: ['orders:write'], openapi: "` + spec + `",
     rate_limit: {rate: 1000000, per: 1s, burst: 1000000, key: identity}}
`
	path := filepath.Join(dir, "apiguard.yaml")
	if err := os.WriteFile(path, []byte(y), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	st, err := backend.Open(cfg.StoreDSN())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	is, err := apikey.Issue(context.Background(), st, apikey.Spec{Name: "bench", Scopes: []string{"orders:write"}}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	key := is.Key.Plaintext()
	aw, err := audit.Open(audit.Options{File: filepath.Join(dir, "audit.jsonl")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { aw.Close() })
	g, err := New(cfg, "", Deps{Store: st, Audit: aw, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { g.Plan().Close(); g.defense.stop() })
	b.ReportAllocs()
	b.SetBytes(int64(len(order)))
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			req := httptest.NewRequest("POST", "/v1/orders", bytes.NewReader(order))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-API-Key", key)
			clear(w.h)
			g.ServeHTTP(w, req)
		}
	})
}
