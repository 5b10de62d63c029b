package gateway

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/audit"
	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/demo"
	"github.com/apiguard/apiguard/internal/store"
	"github.com/apiguard/apiguard/internal/store/backend"
)

// env is a running gateway over real TLS in front of a real upstream.
type env struct {
	t        *testing.T
	dir      string
	gw       *Gateway
	client   *http.Client // HTTP/2
	client1  *http.Client // HTTP/1.1 only
	base     string
	upstream *httptest.Server
	logs     *bytes.Buffer
	cfgPath  string
	store    store.Store // open when the configuration has api_key
	// auditFile is the audit log every env writes.
	auditFile string
}

// baseYAML is the configuration every test starts from; @UP@ is the
// upstream URL, @CERT@/@KEY@ the TLS files.
const baseYAML = `
server:
  listen: "127.0.0.1:0"
  admin: "127.0.0.1:0"
  admin_token_file: admin.token
  tls: {cert_file: "@CERT@", key_file: "@KEY@"}
  limits: {max_body: 1KiB, max_header: 4KiB}
upstreams:
  app: {url: "@UP@", timeout: 2s}
defaults:
  auth: none
routes:
  - {name: list-orders, methods: [GET], path: /v1/orders, upstream: app}
  - {name: get-order, methods: [GET, PUT], path: "/v1/orders/{id}", upstream: app}
  - {name: create-order, methods: [POST], path: /v1/orders, upstream: app}
  - {name: special, methods: [GET], path: /v1/orders/special, upstream: app}
  - {name: slow, methods: [GET], path: /slow, upstream: app}
  - {name: ws, methods: [GET], path: /ws, upstream: app}
`

// newEnv starts an upstream with handler h and a gateway in front of it.
// edit may rewrite the YAML before it is loaded.
func newEnv(t *testing.T, h http.Handler, edit func(string) string) *env {
	t.Helper()
	return newEnvDeps(t, h, edit, nil)
}

// newEnvDeps is newEnv with a hook to set long-lived dependencies (a
// shared limiter, as replicas have).
func newEnvDeps(t *testing.T, h http.Handler, edit func(string) string, setDeps func(*Deps)) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), logs: &bytes.Buffer{}}
	e.upstream = httptest.NewServer(h)
	t.Cleanup(e.upstream.Close)
	cert, key, err := demo.SelfSigned(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(e.dir, "admin.token"), "s3cret-admin-token\n")
	writeFile(t, filepath.Join(e.dir, "idp.secret"), "idp-secret\n")
	y := strings.NewReplacer("@UP@", e.upstream.URL, "@CERT@", cert, "@KEY@", key).Replace(baseYAML)
	if edit != nil {
		y = edit(y)
	}
	e.cfgPath = filepath.Join(e.dir, "apiguard.yaml")
	writeFile(t, e.cfgPath, y)
	cfg, err := config.Load(e.cfgPath)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	log := slog.New(slog.NewJSONHandler(syncWriter{e.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if cfg.Identities.APIKey != nil {
		st, err := backend.Open(cfg.Store)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		e.store = st
	}
	e.auditFile = filepath.Join(e.dir, "audit.jsonl")
	aw, err := audit.Open(audit.Options{File: e.auditFile, Redact: cfg.Audit.Redact, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { aw.Close() })
	deps := Deps{Logger: log, Store: e.store, Audit: aw}
	if setDeps != nil {
		setDeps(&deps)
	}
	e.gw, err = New(cfg, e.cfgPath, deps)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	if err := e.gw.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.gw.Shutdown(ctx)
	})
	e.client = tlsClient(t, cert, true)
	e.client1 = tlsClient(t, cert, false)
	e.base = "https://" + e.gw.Addr.API
	return e
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

type syncWriter struct{ b *bytes.Buffer }

func (w syncWriter) Write(p []byte) (int, error) {
	logMu.Lock()
	defer logMu.Unlock()
	return w.b.Write(p)
}

func tlsClient(t *testing.T, certFile string, h2 bool) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: h2}
	if !h2 {
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// do sends a request and returns the response with its body read.
func (e *env) do(method, path string, body io.Reader, hdr ...string) (*http.Response, []byte) {
	e.t.Helper()
	return e.doWith(e.client, method, path, body, hdr...)
}

// doWith sends a request with client c.
func (e *env) doWith(c *http.Client, method, path string, body io.Reader, hdr ...string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.base+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if strings.HasPrefix(path, "/") && strings.ContainsAny(path, "%") {
		req.URL.RawPath = strings.SplitN(path, "?", 2)[0]
		req.URL.Opaque = "//" + e.gw.Addr.API + req.URL.RawPath
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read body: %v", err)
	}
	return resp, b
}

// problemBody is the decoded RFC 9457 body.
type problemBody struct {
	Type, Title, Detail, Code string
	Status                    int
	RequestID                 string `json:"request_id"`
}

func mustProblem(t *testing.T, resp *http.Response, body []byte, status int, code string) problemBody {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json", ct)
	}
	var p problemBody
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem body %q: %v", body, err)
	}
	if p.Code != code || p.Status != status {
		t.Fatalf("problem = %+v, want code %s status %d", p, code, status)
	}
	if p.RequestID == "" || p.RequestID != resp.Header.Get("X-Request-Id") {
		t.Fatalf("request_id %q does not match X-Request-Id %q", p.RequestID, resp.Header.Get("X-Request-Id"))
	}
	return p
}

// echo is an upstream that reports what it received.
func echo() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Server", "upstream/1.0")
		w.Header().Set("X-Powered-By", "php/5")
		body, _ := io.ReadAll(r.Body)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "path": r.URL.Path, "raw_path": r.URL.RawPath, "query": r.URL.RawQuery,
			"header": r.Header, "body_len": len(body), "host": r.Host,
		})
	})
}

type echoed struct {
	Method, Path, Query, Host string
	RawPath                   string `json:"raw_path"`
	Header                    http.Header
	BodyLen                   int `json:"body_len"`
}

func decodeEcho(t *testing.T, b []byte) echoed {
	t.Helper()
	var e echoed
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("echo body %q: %v", b, err)
	}
	return e
}

var logMu sync.Mutex

func (e *env) logText() string {
	logMu.Lock()
	defer logMu.Unlock()
	return e.logs.String()
}

// openStore opens a second handle on the env's store, as another process
// (the CLI) would.
func openStore(t *testing.T, e *env) store.Store {
	t.Helper()
	st, err := backend.Open(e.gw.Plan().Config.Store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
