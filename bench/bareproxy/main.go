// Command bareproxy is the benchmark's baseline: net/http/httputil.ReverseProxy
// with nothing in front of it or around it, so the table can show what the
// Go standard library costs on its own and what apiguard adds on top.
//
//	go run ./bench/bareproxy -listen 127.0.0.1:9100 -upstream http://127.0.0.1:9001
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9100", "listen address (loopback only)")
	upstream := flag.String("upstream", "http://127.0.0.1:9001", "upstream base URL (http://host:port)")
	idle := flag.Int("max-idle-per-host", 128, "Transport.MaxIdleConnsPerHost: keep at least as many as the load's connections")
	certFile := flag.String("tls-cert", "", "serve HTTPS with this certificate (PEM); plain HTTP when empty")
	keyFile := flag.String("tls-key", "", "private key for -tls-cert (PEM)")
	pool := flag.Bool("buffer-pool", true, "reuse the 32KiB copy buffers (ReverseProxy.BufferPool); false allocates one per request")
	flag.Parse()

	target, err := url.Parse(*upstream)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		fatalf("bad -upstream %q: want http://host:port", *upstream)
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		fatalf("bad -listen %q: %v", *listen, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fatalf("refusing to listen on %q: the benchmark is loopback-only", *listen)
	}
	if (*certFile == "") != (*keyFile == "") {
		fatalf("-tls-cert and -tls-key go together")
	}

	// The default transport keeps only 2 idle connections per host, which
	// under 64 concurrent clients would make the proxy open and close
	// upstream connections all the time; raise it to match the load.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = *idle * 2
	tr.MaxIdleConnsPerHost = *idle
	tr.IdleConnTimeout = 90 * time.Second

	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded()
		},
		Transport: tr,
		ErrorLog:  log.New(os.Stderr, "bareproxy: ", 0),
	}
	if *pool {
		// Without a pool, ReverseProxy allocates a 32KiB buffer for every
		// response body it copies: at thousands of requests per second the
		// garbage collector then dominates the profile. A pool is the one
		// standard-library knob every production Go proxy sets.
		rp.BufferPool = newBufferPool(32 << 10)
	}

	srv := &http.Server{
		Addr:              *listen,
		Handler:           rp,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          log.New(os.Stderr, "bareproxy: ", 0),
	}
	if *certFile != "" {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fatalf("listen %s: %v", *listen, err)
	}
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
		<-ch
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	fmt.Fprintf(os.Stderr, "bareproxy: %s://%s -> %s\n", scheme, ln.Addr(), target)
	if *certFile != "" {
		err = srv.ServeTLS(ln, *certFile, *keyFile)
	} else {
		err = srv.Serve(ln)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		fatalf("serve: %v", err)
	}
}

// bufferPool is an httputil.BufferPool backed by a sync.Pool.
type bufferPool struct{ p sync.Pool }

func newBufferPool(size int) *bufferPool {
	return &bufferPool{p: sync.Pool{New: func() any { b := make([]byte, size); return &b }}}
}

func (bp *bufferPool) Get() []byte  { return *bp.p.Get().(*[]byte) }
func (bp *bufferPool) Put(b []byte) { bp.p.Put(&b) }

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bareproxy: "+format+"\n", args...)
	os.Exit(2)
}
