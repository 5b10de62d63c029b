package gateway

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/apiguard/apiguard/internal/anomaly"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/apiguard/apiguard/internal/audit"
	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/proxy"
	"github.com/apiguard/apiguard/internal/ratelimit"
	"github.com/apiguard/apiguard/internal/route"
	"github.com/apiguard/apiguard/internal/store"
	"github.com/apiguard/apiguard/internal/telemetry"
	"github.com/apiguard/apiguard/internal/tracing"
)

// Plan is one compiled configuration: everything a request needs, built
// once at load. A Plan is immutable after Compile; reload builds a new one
// and swaps a pointer, so a request sees one plan from start to end.
type Plan struct {
	Config    *config.Config
	table     *route.Table[*Route]
	routes    []*Route
	upstreams map[string]*proxy.Upstream
	trusted   []netip.Prefix
	tls       *tls.Config // nil: plain HTTP
	hsts      string
	hstsValue []string // nil: no HSTS header
	maxBody   int64
	maxHeader int64
	writeFor  time.Duration // write deadline beyond the upstream timeout
	// apiKeyHeader is never forwarded upstream.
	apiKeyHeader string
	unrouted     *telemetry.RouteMetrics
	// specs are the OpenAPI documents the routes validate against.
	specs specCache
	// anomaly is the detectors' configuration of this plan (the engine
	// itself outlives plans).
	anomaly  anomaly.Config
	closers  []io.Closer
	starters []func(context.Context) error
	ready    []func() bool
}

// Route is a compiled route: its ready-built pipeline and proxy.
type Route struct {
	Name         string
	Public       bool
	Scopes       []string
	Chain        pipeline.Chain
	upstream     *proxy.Upstream
	proxy        *httputil.ReverseProxy
	stripHeaders []string
	forwardToken bool
	stripPrefix  string
	metrics      *telemetry.RouteMetrics
	// extraHeaders are set on every response of this route (deprecation).
	extraHeaders http.Header
	sunset       time.Time
	// version is the API version the route's path names (see apiVersion);
	// deprecated is set when the route has a deprecation policy. Both go
	// into the audit record and apiguard_version_requests_total.
	version    string
	deprecated bool
	// limit is the route's rate-limit stage (nil: none), for the
	// RateLimit-Policy of answers refused before the limit phase.
	limit *ratelimit.Stage
}

// apiVersion is the first segment of a route path when it names a
// version: "v" and digits, optionally ".digits" (/v1/orders -> "v1",
// /v2.1/x -> "v2.1"); else "".
func apiVersion(path string) string {
	seg, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if len(seg) < 2 || (seg[0] != 'v' && seg[0] != 'V') {
		return ""
	}
	dot := false
	for i := 1; i < len(seg); i++ {
		switch c := seg[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 1 && i < len(seg)-1:
			dot = true
		default:
			return ""
		}
	}
	return strings.ToLower(seg)
}

// Deps are the long-lived parts a plan is compiled against: they survive
// reloads (the store, metrics, the logger).
type Deps struct {
	Logger  *slog.Logger
	Metrics *telemetry.Metrics
	Now     func() time.Time
	// Blocks are the blocks in force (anomaly detectors, admin API); set
	// by New when a store is open.
	Blocks *anomaly.BlockList
	// Tracer records a span per request and propagates it upstream; nil
	// (the default) turns tracing off at no cost.
	Tracer *tracing.Tracer
	// Store holds API keys, TOTP enrolments and revocations. It is opened
	// once per process (its DSN cannot change on reload) and closed by the
	// caller after Shutdown. Nil only where no plan needs it (check).
	Store store.Store
	// Audit receives one record per request and the gateway's events. It
	// is opened once per process (audit.file cannot change on reload) and
	// closed by the caller after Shutdown. Nil: no audit log.
	Audit *audit.Writer
	// Limiter and Quotas hold rate-limit and quota state: one per process
	// (in memory, or shared by every replica through Redis), so budgets
	// survive reloads. Nil: a fresh in-memory limiter.
	Limiter ratelimit.Limiter
	Quotas  ratelimit.QuotaCounter
	// Probes are extra readiness checks (e.g. the Redis that holds rate
	// limits): /readyz answers 503 while one fails.
	Probes []func(context.Context) error
	// CheckOnly compiles without live resources (no store): for `check`,
	// whose plans are never served.
	CheckOnly bool
}

// Compile builds a plan from a loaded configuration. Every error names the
// configuration field it comes from; nothing is half-built on error.
func Compile(cfg *config.Config, d Deps) (_ *Plan, err error) {
	p := &Plan{
		Config: cfg, upstreams: map[string]*proxy.Upstream{},
		maxBody: int64(cfg.Server.Limits.MaxBody), maxHeader: int64(cfg.Server.Limits.MaxHeader),
		writeFor: durationOr(cfg.Server.Limits.WriteTimeout, 30*time.Second),
		hsts:     cfg.Server.HSTSValue,
		unrouted: d.Metrics.ForRoute(""), specs: specCache{},
	}
	defer func() {
		if err != nil {
			p.Close() // release what was built before the error
		}
	}()
	if p.trusted, err = parsePrefixes(cfg.Server.TrustedProxies); err != nil {
		return nil, err
	}
	if p.anomaly, err = anomalyConfig(&cfg.Alerts); err != nil {
		return nil, err
	}
	if cfg.Server.TLS != nil {
		if p.tls, err = serverTLS(cfg.Server.TLS); err != nil {
			return nil, err
		}
	} else {
		p.hsts = ""
	}
	if p.hsts != "" {
		p.hstsValue = []string{p.hsts}
	}
	for name, u := range cfg.Upstreams {
		up, err := proxy.NewUpstream(name, u)
		if err != nil {
			return nil, err
		}
		p.upstreams[name] = up
	}
	ids, err := buildIdentities(cfg, d, p)
	if err != nil {
		return nil, err
	}
	if cfg.Identities.APIKey != nil {
		p.apiKeyHeader = http.CanonicalHeaderKey(cfg.Identities.APIKey.Header)
	}
	specs := make([]route.Spec[*Route], 0, len(cfg.Routes))
	for i := range cfg.Routes {
		rc := &cfg.Routes[i]
		r, err := p.compileRoute(i, rc, ids, d)
		if err != nil {
			return nil, err
		}
		p.routes = append(p.routes, r)
		specs = append(specs, route.Spec[*Route]{Name: rc.Name, Methods: rc.Methods, Path: rc.Path, Value: r})
	}
	if p.table, err = route.Build(specs); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Plan) compileRoute(i int, rc *config.Route, ids identitySet, d Deps) (*Route, error) {
	up, ok := p.upstreams[rc.Upstream]
	if !ok {
		return nil, fmt.Errorf("routes[%d].upstream: unknown upstream %q", i, rc.Upstream)
	}
	r := &Route{
		Name: rc.Name, Scopes: rc.Scopes, upstream: up,
		forwardToken: rc.ForwardToken, stripPrefix: rc.StripPrefix,
		version: apiVersion(rc.Path), deprecated: rc.Deprecation != nil,
	}
	r.metrics = d.Metrics.ForVersionedRoute(rc.Name, r.version, r.deprecated)
	if rc.Response != nil {
		for _, h := range rc.Response.StripHeaders {
			r.stripHeaders = append(r.stripHeaders, http.CanonicalHeaderKey(h))
		}
	}
	r.Public = rc.Auth == nil || rc.Auth.None
	chain, err := buildChain(i, rc, ids, d)
	if err != nil {
		return nil, err
	}
	if err := p.addOpenAPI(&chain, i, rc, d); err != nil {
		return nil, err
	}
	r.Chain = chain
	for _, st := range chain.Limit {
		if ls, ok := st.(*ratelimit.Stage); ok && r.limit == nil {
			r.limit = ls
		}
	}
	if rc.Deprecation != nil {
		r.extraHeaders, r.sunset = deprecationHeaders(rc.Deprecation)
	}
	r.proxy = p.newReverseProxy(r, d)
	return r, nil
}

// Routes lists the compiled routes in configuration order.
func (p *Plan) Routes() []*Route { return p.routes }

// start warms up what needs the network (JWKS), bounded by ctx. Failures
// are logged: the parts keep retrying in the background and /readyz
// reports them until they succeed.
func (p *Plan) start(ctx context.Context, log *slog.Logger) {
	for _, f := range p.starters {
		if err := f(ctx); err != nil {
			log.Warn("a plan part is not ready yet; retrying in the background", "error", err.Error())
		}
	}
}

// Ready reports whether every part that must warm up (JWKS) has.
func (p *Plan) Ready() bool {
	for _, f := range p.ready {
		if !f() {
			return false
		}
	}
	return true
}

// Close releases what the plan started (background refreshers) and idle
// upstream connections. In-flight requests on the plan finish normally.
func (p *Plan) Close() {
	for _, c := range p.closers {
		_ = c.Close()
	}
	for _, u := range p.upstreams {
		u.CloseIdle()
	}
}

func parsePrefixes(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for i, s := range list {
		if pfx, err := netip.ParsePrefix(s); err == nil {
			out = append(out, pfx.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("server.trusted_proxies[%d]: not an address or CIDR", i)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// serverTLS builds the listener's TLS settings: the certificate is read
// now (and again at every reload), TLS 1.2 at least, AEAD suites only.
func serverTLS(t *config.TLS) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("server.tls.cert_file: %w", err)
	}
	conf := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		CipherSuites: []uint16{ // TLS 1.2 only; TLS 1.3 suites are all AEAD
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
		NextProtos: []string{"h2", "http/1.1"},
	}
	switch t.MinVersion {
	case "", "1.2":
	case "1.3":
		conf.MinVersion = tls.VersionTLS13
	default:
		return nil, fmt.Errorf("server.tls.min_version: %q is refused (TLS 1.2 or 1.3)", t.MinVersion)
	}
	if t.ClientCAFile != "" {
		cas, err := readCertificates(t.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("server.tls.client_ca_file: %w", err)
		}
		pool := x509.NewCertPool() // never nil: nil would mean the system roots
		for _, c := range cas {
			pool.AddCert(c)
		}
		conf.ClientCAs = pool
		conf.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return conf, nil
}

// readCertificates parses every PEM certificate in path; none is an error.
func readCertificates(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM certificate found")
	}
	return out, nil
}

func durationOr(d config.Duration, def time.Duration) time.Duration {
	if d > 0 {
		return time.Duration(d)
	}
	return def
}

// deprecationHeaders precomputes RFC 9745 Deprecation, RFC 8594 Sunset and
// the deprecation Link.
func deprecationHeaders(d *config.Deprecation) (http.Header, time.Time) {
	h := http.Header{}
	if !d.Since.IsZero() {
		h.Set("Deprecation", fmt.Sprintf("@%d", d.Since.Unix()))
	}
	if !d.Sunset.IsZero() {
		h.Set("Sunset", d.Sunset.UTC().Format(http.TimeFormat))
	}
	if d.Link != "" {
		if u, err := url.Parse(d.Link); err == nil && !strings.ContainsAny(d.Link, "<>\r\n") {
			h.Set("Link", "<"+u.String()+`>; rel="deprecation"`)
		}
	}
	return h, d.Sunset.Time
}
