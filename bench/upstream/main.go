// Command upstream is the benchmark's stand-in API: a plain Go HTTP server
// on loopback that answers GET /v1/orders and GET /v1/health with a fixed,
// ~200-byte JSON body. It does no work per request beyond writing that body,
// so whatever a proxy in front of it adds is what the benchmark measures.
//
//	go run ./bench/upstream -addr 127.0.0.1:9001
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// The bodies are fixed and contain nothing a response filter would mask
// (no card numbers, SSNs or credential-shaped strings), so a gateway with
// masking on forwards them unchanged and the comparison stays like for like.
var (
	ordersBody = []byte(`{"orders":[{"id":"ord_1001","status":"shipped","total":{"amount":4999,"currency":"EUR"},"items":2},` +
		`{"id":"ord_1002","status":"pending","total":{"amount":1250,"currency":"EUR"},"items":1}],"next":null}` + "\n")
	healthBody = []byte(`{"status":"ok","service":"orders","version":"1.4.2","checks":{"database":"ok","queue":"ok","cache":"ok"},` +
		`"uptime_seconds":86400,"region":"local-loopback","note":"benchmark upstream"}` + "\n")
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "listen address (host:port; port 0 picks a free one)")
	addrFile := flag.String("addr-file", "", "if set, write the bound address to this file once listening")
	flag.Parse()

	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		fatalf("bad -addr %q: %v", *addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fatalf("refusing to listen on %q: the benchmark upstream is loopback-only", *addr)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/orders", serve(ordersBody))
	mux.HandleFunc("GET /v1/health", serve(healthBody))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fatalf("listen %s: %v", *addr, err)
	}
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile, []byte(ln.Addr().String()+"\n"), 0o644); err != nil {
			fatalf("write %s: %v", *addrFile, err)
		}
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          log.New(os.Stderr, "upstream: ", 0),
	}
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
		<-ch
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	fmt.Fprintf(os.Stderr, "upstream: listening on http://%s\n", ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fatalf("serve: %v", err)
	}
}

func serve(body []byte) http.HandlerFunc {
	length := strconv.Itoa(len(body))
	return func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{length}
		_, _ = w.Write(body)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "upstream: "+format+"\n", args...)
	os.Exit(2)
}
