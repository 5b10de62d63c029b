package introspect

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

// Client credentials with characters that RFC 6749 §2.3.1 form-encoding
// changes, so that a server decoding them checks the encoding.
const (
	testClientID = "apiguard gw:1"
	testSecret   = "s3cr3t:with+plus/slash &amp=%"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// idp is an RFC 7662 endpoint: it checks the client authentication, the
// form and the headers, and answers from a table of tokens (inactive for
// any other token). Its behaviour can be changed per test.
type idp struct {
	*httptest.Server
	t        testing.TB
	hits     atomic.Int64
	mu       sync.Mutex
	answers  map[string]string // token → JSON answer
	handler  http.HandlerFunc  // replaces the normal answer when set
	delay    time.Duration
	gate     chan struct{} // when set, every request waits for it
	badCalls atomic.Int64  // requests that failed the checks
}

func newIdP(t testing.TB) *idp {
	s := &idp{t: t, answers: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *idp) set(tok, answer string) {
	s.mu.Lock()
	s.answers[tok] = answer
	s.mu.Unlock()
}

func (s *idp) override(h http.HandlerFunc) {
	s.mu.Lock()
	s.handler = h
	s.mu.Unlock()
}

func (s *idp) setDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

func (s *idp) setGate(g chan struct{}) {
	s.mu.Lock()
	s.gate = g
	s.mu.Unlock()
}

func (s *idp) serve(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	s.mu.Lock()
	h, delay, gate := s.handler, s.delay, s.gate
	s.mu.Unlock()
	// Check (and so read the body) first: only then does the server
	// notice that the client went away.
	tok, err := s.check(r)
	if err != nil {
		s.badCalls.Add(1)
		s.t.Errorf("introspection request: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if h != nil {
		h(w, r)
		return
	}
	s.mu.Lock()
	ans, ok := s.answers[tok]
	s.mu.Unlock()
	if !ok {
		ans = `{"active":false}`
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, ans)
}

// check verifies the request as RFC 7662 §2.1 and RFC 6749 §2.3.1 say
// and returns the token.
func (s *idp) check(r *http.Request) (string, error) {
	if r.Method != http.MethodPost {
		return "", errors.New("method " + r.Method)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		return "", errors.New("content type " + ct)
	}
	if acc := r.Header.Get("Accept"); acc != "application/json" {
		return "", errors.New("accept " + acc)
	}
	scheme, creds, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || scheme != "Basic" {
		return "", errors.New("no basic authentication")
	}
	raw, err := base64.StdEncoding.DecodeString(creds)
	if err != nil {
		return "", err
	}
	encID, encSecret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", errors.New("no colon in basic credentials")
	}
	id, err1 := url.QueryUnescape(encID)
	secret, err2 := url.QueryUnescape(encSecret)
	if err1 != nil || err2 != nil || id != testClientID || secret != testSecret {
		return "", errors.New("wrong client credentials")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<10))
	if err != nil {
		return "", err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "", err
	}
	if len(form) != 2 || len(form["token"]) != 1 || form.Get("token_type_hint") != "access_token" {
		return "", errors.New("form " + string(body))
	}
	return form.Get("token"), nil
}

// env is an authenticator against an idp with a settable clock.
type env struct {
	a     *Authenticator
	idp   *idp
	clock *clock
	logs  *logBuffer
}

func testConfig(u string) config.Introspection {
	return config.Introspection{
		URL: u, ClientID: testClientID, ClientSecret: config.Secret(testSecret),
		CacheTTL: config.Duration(30 * time.Second), Timeout: config.Duration(2 * time.Second),
	}
}

func newEnv(t testing.TB, mod func(*config.Introspection), opts ...Option) *env {
	e := &env{idp: newIdP(t), clock: newClock(), logs: &logBuffer{}}
	cfg := testConfig(e.idp.URL + "/oauth2/introspect")
	if mod != nil {
		mod(&cfg)
	}
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts = append([]Option{WithClock(e.clock.now), WithLogger(log)}, opts...)
	a, err := New(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	e.a = a
	return e
}

// active is an answer for an active token, expiring in an hour.
func (e *env) active(extra string) string {
	exp := e.clock.now().Add(time.Hour).Unix()
	s := `{"active":true,"sub":"alice","scope":"orders:read orders:write","exp":` + itoa(exp)
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func (e *env) auth(tok string) (*pipeline.Principal, error) {
	return e.a.Authenticate(context.Background(), exchange("Bearer "+tok))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func exchange(authz ...string) *pipeline.Exchange {
	r := httptest.NewRequest(http.MethodGet, "https://api.example.test/v1/orders", nil)
	for _, v := range authz {
		r.Header.Add("Authorization", v)
	}
	return &pipeline.Exchange{In: r}
}

// wantProblem asserts err is a *problem.Error of that status whose cause
// wraps reason (when not nil).
func wantProblem(t testing.TB, err error, status int, reason error) *problem.Error {
	t.Helper()
	var p *problem.Error
	if !errors.As(err, &p) {
		t.Fatalf("got %v, want a %d problem", err, status)
	}
	if p.Status != status {
		t.Fatalf("status %d (%v), want %d", p.Status, err, status)
	}
	if reason != nil && !errors.Is(p.Cause, reason) {
		t.Fatalf("cause %v, want %v", p.Cause, reason)
	}
	return p
}

// logBuffer is a goroutine-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
