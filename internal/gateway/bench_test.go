package gateway

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/audit"
	"github.com/apiguard/apiguard/internal/config"
)

// benchUpstream answers a small JSON body, like bench/upstream.
func benchUpstream(b *testing.B) *httptest.Server {
	body := []byte(`{"orders":[{"id":1,"item":"coffee beans","quantity":2,"status":"shipped"}]}`)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	b.Cleanup(up.Close)
	return up
}

// benchGateway compiles a plain-HTTP gateway with public routes in front
// of up (not listening: requests go through ServeHTTP directly).
func benchGateway(b *testing.B, upURL string) *Gateway {
	return benchGatewayDeps(b, upURL, Deps{})
}

func benchGatewayDeps(b *testing.B, upURL string, d Deps) *Gateway {
	dir := b.TempDir()
	y := `server: {listen: "127.0.0.1:0", admin: ""}
upstreams:
  app: {url: "` + upURL + `"}
defaults: {auth: none, waf: off, block_secrets_in_url: false, response: {mask: []}}
routes:
  - {name: list-orders, methods: [GET], path: /v1/orders, upstream: app}
  - {name: get-order, methods: [GET], path: "/v1/orders/{id}", upstream: app}
`
	path := filepath.Join(dir, "apiguard.yaml")
	if err := os.WriteFile(path, []byte(y), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	d.Logger = slog.New(slog.DiscardHandler)
	g, err := New(cfg, "", d)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { g.Plan().Close() })
	return g
}

// discardWriter is a minimal ResponseWriter that keeps nothing.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// Flush is supported, as by the real server's writer.
func (w *discardWriter) Flush() {}

// SetWriteDeadline is supported, as by the real server's writer.
func (w *discardWriter) SetWriteDeadline(time.Time) error { return nil }

func runHandler(b *testing.B, h http.Handler, path string) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			req := httptest.NewRequest("GET", path, nil)
			req.RemoteAddr = "127.0.0.1:40000"
			clear(w.h)
			h.ServeHTTP(w, req)
		}
	})
}

// BenchmarkPublicRoute measures a request through the gateway against the
// same request through a bare httputil.ReverseProxy to the same upstream:
// the difference is what the gateway adds.
func BenchmarkPublicRoute(b *testing.B) {
	up := benchUpstream(b)
	b.Run("bare-reverseproxy", func(b *testing.B) {
		target, _ := url.Parse(up.URL)
		rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target); pr.SetXForwarded() },
			Transport: &http.Transport{MaxIdleConnsPerHost: 256}, BufferPool: bufferPool}
		runHandler(b, rp, "/v1/orders")
	})
	b.Run("apiguard", func(b *testing.B) {
		runHandler(b, benchGateway(b, up.URL), "/v1/orders")
	})
	b.Run("apiguard-audit", func(b *testing.B) {
		aw, err := audit.Open(audit.Options{File: filepath.Join(b.TempDir(), "audit.jsonl")})
		if err != nil {
			b.Fatal(err)
		}
		defer aw.Close()
		runHandler(b, benchGatewayDeps(b, up.URL, Deps{Audit: aw}), "/v1/orders")
	})
	b.Run("apiguard-param", func(b *testing.B) {
		runHandler(b, benchGateway(b, up.URL), "/v1/orders/42")
	})
	b.Run("apiguard-404", func(b *testing.B) {
		runHandler(b, benchGateway(b, up.URL), "/nope")
	})
}
