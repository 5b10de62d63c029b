package gateway

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/apiguard/apiguard/internal/config"
)

// startRedirect serves the optional plain-HTTP listener, which only ever
// answers 308 to the same path on https and never proxies anything.
func (g *Gateway) startRedirect(cfg *config.Config) error {
	if cfg.Server.RedirectHTTP == "" || cfg.Server.TLS == nil {
		return nil
	}
	ln, err := net.Listen("tcp", cfg.Server.RedirectHTTP)
	if err != nil {
		return fmt.Errorf("server.redirect_http: %w", err)
	}
	g.Addr.Redirect = ln.Addr().String()
	_, port, _ := net.SplitHostPort(g.Addr.API)
	g.redirect = &http.Server{
		Handler: redirectHandler(port), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: 30 * time.Second,
		MaxHeaderBytes: 16 << 10,
	}
	go g.serve(g.redirect, ln, "redirect")
	return nil
}

// redirectHandler answers 308 to https on the API port, same path and
// query. The host comes from the request but must be a plain host name or
// address (no userinfo, no path tricks); otherwise the answer is 400.
func redirectHandler(httpsPort string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if !validHost(host) {
			http.Error(w, "bad host", http.StatusBadRequest)
			return
		}
		if strings.Contains(host, ":") { // IPv6 literal
			host = "[" + host + "]"
		}
		target := "https://" + host
		if httpsPort != "443" {
			target += ":" + httpsPort
		}
		target += r.URL.RequestURI()
		w.Header().Set("Location", target)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusPermanentRedirect)
	})
}

func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':') {
			return false
		}
	}
	return true
}
