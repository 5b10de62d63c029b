// Command upstream is the benchmark's stand-in API: a plain Go HTTP server
// on loopback that answers GET /v1/orders and GET /v1/health with a fixed,
// ~200-byte JSON body. It does no work per request beyond writing that body,
// so whatever a proxy in front of it adds is what the benchmark measures.
//
//	go run ./bench/upstream -addr 127.0.0.1:9001
//
// For the full-policy and growth rows it also answers:
//
//   - POST /v1/orders (and POST /v1/orders/{id}): reads and discards the
//     request body, answers 201 with a fixed ~90-byte JSON body;
//   - GET /v1/blob/{size}: a JSON body of exactly size bytes (1 to 16 MiB;
//     a "data" string of lowercase letters, nothing a masking filter would
//     touch), for response-size growth, built once per size and cached;
//   - GET /v1/r/{n}: the orders body, for the growth mode's generated routes.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
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
	mux.HandleFunc("POST /v1/orders", create)
	mux.HandleFunc("POST /v1/orders/{id}", create)
	mux.HandleFunc("GET /v1/blob/{size}", blob)
	mux.HandleFunc("GET /v1/r/{n}", serve(ordersBody)) // the growth mode's generated routes

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

// create drains the request body (a proxy must have sent all of it) and
// answers 201 with a fixed body.
func create(w http.ResponseWriter, r *http.Request) {
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{createdLength}
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(createdBody)
}

var (
	createdBody   = []byte(`{"id":"ord_2001","status":"accepted","total":{"amount":4999,"currency":"EUR"},"items":2}` + "\n")
	createdLength = strconv.Itoa(len(createdBody))

	blobMu    sync.Mutex
	blobCache = map[int][]byte{}
)

// blob answers a JSON document of exactly {size} bytes.
func blob(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("size"))
	if err != nil || n < 1 || n > 16<<20 {
		http.Error(w, "size: 1 to 16777216", http.StatusBadRequest)
		return
	}
	blobMu.Lock()
	b, ok := blobCache[n]
	if !ok {
		b = makeBlob(n)
		blobCache[n] = b
	}
	blobMu.Unlock()
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	_, _ = w.Write(b)
}

// makeBlob builds {"data":"abcd..."} padded to n bytes (a smaller n gets
// a run of spaces, still n bytes).
func makeBlob(n int) []byte {
	const head, tail = `{"data":"`, `"}`
	if n < len(head)+len(tail) {
		return bytes.Repeat([]byte(" "), n)
	}
	b := make([]byte, 0, n)
	b = append(b, head...)
	for i := 0; len(b) < n-len(tail); i++ {
		// words of 7 letters and a space: no digit runs (cards, SSNs),
		// no long token-like strings
		if i%8 == 7 {
			b = append(b, ' ')
		} else {
			b = append(b, byte('a'+i%26))
		}
	}
	return append(b, tail...)
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "upstream: "+format+"\n", args...)
	os.Exit(2)
}
