package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/demo"
)

// serveDemo runs the demo upstream and a gateway in front of it, both on
// loopback, and prints what to try.
func serveDemo(ctx context.Context, log *slog.Logger, stdout, stderr io.Writer) int {
	upstream, stopUpstream, err := demo.Upstream()
	if err != nil {
		fmt.Fprintf(stderr, "apiguard serve --demo: %v\n", err)
		return exitUsage
	}
	defer stopUpstream()
	s, err := demo.Prepare(upstream, loopback("8443"), loopback("8080"), loopback("9090"))
	if err != nil {
		fmt.Fprintf(stderr, "apiguard serve --demo: %v\n", err)
		return exitUsage
	}
	defer os.RemoveAll(s.Dir)
	cfg, err := config.Parse(demo.Config(s), s.Dir)
	if err != nil {
		fmt.Fprintf(stderr, "apiguard serve --demo: built-in configuration: %v\n", err)
		return exitUsage
	}
	key, err := demo.IssueKey(ctx, s)
	if err != nil {
		fmt.Fprintf(stderr, "apiguard serve --demo: demo key: %v\n", err)
		return exitUsage
	}
	printDemo(stdout, s, key)
	return serveConfig(ctx, log, cfg, "", stdout, stderr)
}

// loopback returns 127.0.0.1:port when that port is free, else a free
// port chosen by the system.
func loopback(port string) string {
	addr := net.JoinHostPort("127.0.0.1", port)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "127.0.0.1:0"
		}
	}
	addr = ln.Addr().String()
	_ = ln.Close()
	return addr
}

func printDemo(w io.Writer, s demo.Settings, key string) {
	api := "https://" + s.Listen
	c := "curl -s --cacert " + s.CertFile
	k := c + " -H 'X-API-Key: " + key + "'"
	fmt.Fprintf(w, `apiguard demo
  gateway:  %[1]s   (self-signed certificate: %[2]s)
  redirect: http://%[3]s   (answers 308 to https)
  admin:    http://%[4]s   (/healthz, /readyz, /metrics)
  upstream: %[5]s   (the demo orders API, loopback only)

Demo API key (scopes orders:read orders:write; shown once):
  %[7]s

Try:
  %[6]s %[1]s/v1/health                          # 200: a public route (auth: none)
  %[6]s %[1]s/v1/orders                          # 401 unauthenticated: no credentials
  %[8]s %[1]s/v1/orders                # 200: authenticated, banner headers stripped
  %[8]s -X POST %[1]s/v1/orders/1/refund   # 403 forbidden: the key lacks orders:refund
  %[8]s -H 'Content-Type: application/json' -d '{"item":"coffee","quantity":2}' %[1]s/v1/orders   # 201: validated against the route's OpenAPI operation
  %[8]s -H 'Content-Type: application/json' -d '{"item":"coffee","quantity":0,"is_admin":true}' %[1]s/v1/orders   # 400 invalid-request: body.is_admin, body.quantity
  %[8]s "%[1]s/v1/orders?q=1%%27%%20OR%%20%%271%%27=%%271"   # 403 blocked: SQL injection in the query
  %[8]s "%[1]s/v1/orders?api_key=%[7]s"   # 400 secret-in-url: credentials never belong in URLs
  %[8]s -i %[1]s/v0/orders             # 200 with Deprecation, Sunset and Link headers
  %[8]s %[1]s/admin                    # 404 not-found: deny by default, nothing unrouted reaches the upstream
  %[8]s %[1]s/v1/orders/%%2e%%2e/admin   # 404: encoded dot-segments are resolved before routing
  %[8]s -X DELETE %[1]s/v1/orders/1    # 405 method-not-allowed, with Allow
  curl -si http://%[3]s/v1/orders                # 308 to https
  curl -s http://%[4]s/metrics | grep apiguard_requests_total
With your own configuration, create keys with: apiguard keys create -c apiguard.yaml --name NAME --scopes orders:read
Stop with Ctrl-C.
`, api, s.CertFile, s.Redirect, s.Admin, s.Upstream, c, key, k)
}
