// Command vulnerable-api serves a DELIBERATELY VULNERABLE example API (see
// package app and README.md): the showcase target of `apiguard scan`, and
// the upstream of examples/apiguard.yaml.
//
//	go run ./examples/vulnerable-api [-listen 127.0.0.1:9001] [-tls-listen 127.0.0.1:9443]
//
// The same API is served twice: over plain HTTP on -listen (tls.missing)
// and over weak TLS on -tls-listen (tls.weak: TLS 1.0 accepted, no HSTS,
// a self-signed certificate made at start; "" turns it off). Non-loopback
// addresses are refused unless -allow-remote is given: anyone who can
// reach the API can read and change all of its data.
package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/apiguard/apiguard/examples/vulnerable-api/app"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9001", "plain-HTTP address")
	tlsListen := flag.String("tls-listen", "127.0.0.1:9443", `weak-TLS address ("" for none)`)
	allowRemote := flag.Bool("allow-remote", false, "allow non-loopback addresses (dangerous)")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(2, "unexpected argument %q", flag.Arg(0))
	}
	for _, addr := range []string{*listen, *tlsListen} {
		if addr != "" && !*allowRemote && !loopback(addr) {
			fail(2, "%s is not a loopback address: this API is deliberately vulnerable (use -allow-remote to insist)", addr)
		}
	}

	h := app.NewHandler() // one state behind both listeners
	errs := make(chan error, 2)
	// DELIBERATELY VULNERABLE (tls.missing): plain HTTP.
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fail(1, "%v", err)
	}
	fmt.Printf("vulnerable-api: DELIBERATELY VULNERABLE example API on http://%s\n", ln.Addr())
	go func() { errs <- serve(ln, h) }()

	if *tlsListen != "" {
		cfg, err := app.WeakTLSConfig()
		if err != nil {
			fail(1, "%v", err)
		}
		tln, err := net.Listen("tcp", *tlsListen)
		if err != nil {
			fail(1, "%v", err)
		}
		fmt.Printf("vulnerable-api: and on https://%s (weak TLS, self-signed)\n", tln.Addr())
		go func() { errs <- serve(tls.NewListener(tln, cfg), h) }()
	}
	fail(1, "%v", <-errs)
}

func serve(ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// loopback reports whether addr's host is localhost or a loopback IP.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "vulnerable-api: "+format+"\n", args...)
	os.Exit(code)
}
