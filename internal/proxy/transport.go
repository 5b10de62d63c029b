// Package proxy builds the connections from the gateway to its upstreams
// and classifies what can go wrong on them.
//
// Each upstream gets its own Client (an HTTP/1.1 client that runs each
// exchange on the request's goroutine over pooled keep-alive connections;
// see Client for why and for what it guarantees) and an http.Transport for
// what Client does not carry (protocol upgrades), both bounded by the
// upstream's timeout. An https upstream is verified against
// the system roots or its ca_file, and may present a client certificate
// (mTLS to the upstream), so traffic stays encrypted behind the gateway.
package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync/atomic"
	"time"

	"github.com/apiguard/apiguard/internal/config"
)

// Upstream is a compiled upstream: its target and its transport.
type Upstream struct {
	Name    string
	Target  *url.URL
	Timeout time.Duration
	// Transport carries what Client does not: protocol upgrades
	// (WebSocket) through httputil.ReverseProxy.
	Transport *http.Transport
	// Client carries every other exchange (see Client).
	Client *Client
	// MaxInFlight bounds concurrent requests to this upstream (0: none).
	MaxInFlight int64
	inFlight    atomic.Int64
}

// Acquire takes one of the upstream's in-flight slots. It never waits: it
// reports false at once when all are taken, so excess load is shed
// instead of queueing without bound. Every true must be paired with
// Release.
func (u *Upstream) Acquire() bool {
	if u.MaxInFlight <= 0 {
		return true
	}
	if u.inFlight.Add(1) > u.MaxInFlight {
		u.inFlight.Add(-1)
		return false
	}
	return true
}

// Release returns a slot taken by Acquire.
func (u *Upstream) Release() {
	if u.MaxInFlight > 0 {
		u.inFlight.Add(-1)
	}
}

// NewUpstream compiles u. It reads ca_file and the client certificate now,
// so a bad file is a load-time error, not a request-time one.
func NewUpstream(name string, u config.Upstream) (*Upstream, error) {
	target, err := url.Parse(u.URL)
	if err != nil {
		return nil, fmt.Errorf("upstreams.%s.url: %w", name, err)
	}
	timeout := time.Duration(u.Timeout)
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	tr, err := newTransport(name, u, timeout)
	if err != nil {
		return nil, err
	}
	client := NewClient(hostPort(target), ClientOptions{
		Timeout:     timeout,
		DialTimeout: min(timeout, 10*time.Second),
		MaxIdle:     tr.MaxIdleConnsPerHost,
		IdleTimeout: tr.IdleConnTimeout,
		TLS:         tlsFor(target, tr),
	})
	return &Upstream{Name: name, Target: target, Timeout: timeout, Transport: tr, Client: client, MaxInFlight: int64(u.MaxInFlight)}, nil
}

// CloseIdle closes the upstream's idle connections; its plan is done.
func (u *Upstream) CloseIdle() {
	u.Transport.CloseIdleConnections()
	u.Client.CloseIdle()
}

// hostPort is the target's host:port, with the scheme's default port.
func hostPort(target *url.URL) string {
	if target.Port() != "" {
		return target.Host
	}
	if target.Scheme == "https" {
		return net.JoinHostPort(target.Hostname(), "443")
	}
	return net.JoinHostPort(target.Hostname(), "80")
}

func tlsFor(target *url.URL, tr *http.Transport) *tls.Config {
	if target.Scheme != "https" {
		return nil
	}
	return tr.TLSClientConfig
}

func newTransport(name string, u config.Upstream, timeout time.Duration) (*http.Transport, error) {
	dialer := &net.Dialer{Timeout: min(timeout, 10*time.Second), KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                  nil, // never route upstream traffic through an environment proxy
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           1024,
		MaxIdleConnsPerHost:    256,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    min(timeout, 10*time.Second),
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
		// The gateway must see plain bodies to inspect them; it asks for
		// what the client asked for and never decompresses by itself.
		DisableCompression: true,
	}
	tlsConf, err := upstreamTLS(name, u)
	if err != nil {
		return nil, err
	}
	tr.TLSClientConfig = tlsConf
	return tr, nil
}

func upstreamTLS(name string, u config.Upstream) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if u.CAFile != "" {
		pem, err := os.ReadFile(u.CAFile)
		if err != nil {
			return nil, fmt.Errorf("upstreams.%s.ca_file: %w", name, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("upstreams.%s.ca_file: no PEM certificate found", name)
		}
		conf.RootCAs = pool
	}
	if u.CertFile != "" || u.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(u.CertFile, u.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("upstreams.%s.cert_file: %w", name, err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
}

// IsTimeout reports whether err is the upstream exceeding its timeout
// (dial, TLS handshake, response headers, or the exchange deadline).
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
