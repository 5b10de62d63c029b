// Command floor is the benchmark's measuring stick for apiguard's own
// work: net/http's server and apiguard's upstream client
// (internal/proxy.Client) joined by the least code that proxies a request
// (no routing, no policy, no audit, no headers of its own, no error
// pages). It is not a proxy to deploy: it forwards every header as it
// came. What apiguard's public route costs above it is the gateway's own
// work; what it costs above nginx is the price of net/http's server.
//
//	go run ./bench/floor -listen 127.0.0.1:9100 -upstream http://127.0.0.1:9001
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/apiguard/apiguard/internal/proxy"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9100", "listen address (loopback only)")
	upstream := flag.String("upstream", "http://127.0.0.1:9001", "upstream base URL (http://host:port)")
	flag.Parse()
	target, err := url.Parse(*upstream)
	if err != nil || target.Scheme != "http" || target.Host == "" {
		fatalf("bad -upstream %q: want http://host:port", *upstream)
	}
	if host, _, err := net.SplitHostPort(*listen); err != nil || !net.ParseIP(host).IsLoopback() {
		fatalf("bad -listen %q: want a loopback host:port", *listen)
	}
	client := proxy.NewClient(target.Host, proxy.ClientOptions{
		Timeout: 10 * time.Second, DialTimeout: 5 * time.Second, MaxIdle: 256, IdleTimeout: 90 * time.Second,
	})
	srv := &http.Server{Addr: *listen, Handler: forwarder(client, target.Host), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(os.Stderr, "floor: listening on http://%s, forwarding to %s\n", *listen, target)
	fatalf("%v", srv.ListenAndServe())
}

// forwarder sends each request to the upstream and copies its answer back.
func forwarder(client *proxy.Client, host string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := client.Do(r.Context(), &proxy.Request{Method: r.Method, RequestURI: r.RequestURI, Host: host,
			Header: r.Header, Body: r.Body, ContentLength: r.ContentLength, Original: r})
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		for k, v := range res.Header {
			if !proxy.HopHeaders[k] {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
	})
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "floor: "+format+"\n", args...)
	os.Exit(1)
}
