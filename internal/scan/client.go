package scan

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Errors a Client returns instead of sending.
var (
	// ErrBudget means the request budget (--max-requests) is spent.
	ErrBudget = errors.New("request budget exhausted")
	// ErrDestructive means the request was refused by the destructive-method
	// guard (DELETE, or PUT/PATCH on an object the scan did not create,
	// without --allow-destructive).
	ErrDestructive = errors.New("destructive request not allowed without --allow-destructive")
)

// ClientOptions configure a Client.
type ClientOptions struct {
	Target           *url.URL
	MaxRequests      int           // default 2000
	Rate             float64       // requests per second; default 50
	Timeout          time.Duration // per request; default 10s
	Retries          int           // on transport errors only; default 1
	Insecure         bool          // skip TLS verification (only when asked)
	AllowDestructive bool
	Header           http.Header // extra headers on every request (--header)
	// Transport overrides the HTTP transport (tests); nil = a fresh one.
	Transport http.RoundTripper
}

// bodyLimit bounds how much of a response body is read and kept.
const bodyLimit = 64 << 10

// Client is the only thing that sends requests. It is safe for concurrent
// use.
type Client struct {
	opts   ClientOptions
	http   *http.Client
	pace   *pacer
	sent   atomic.Int64
	budget int64

	mu      sync.Mutex
	log     []*Exchange
	owned   map[string]bool // paths of objects this scan created
	limited bool            // a 429 was seen
	phase   string
}

// NewClient returns a Client for opts, with defaults filled in.
func NewClient(opts ClientOptions) *Client {
	if opts.MaxRequests <= 0 {
		opts.MaxRequests = 2000
	}
	if opts.Rate <= 0 {
		opts.Rate = 50
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Retries < 0 {
		opts.Retries = 0
	}
	rt := opts.Transport
	if rt == nil {
		rt = &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			TLSClientConfig:     &tls.Config{InsecureSkipVerify: opts.Insecure}, //nolint:gosec // only with --insecure
			TLSHandshakeTimeout: 5 * time.Second,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     30 * time.Second,
		}
	}
	return &Client{
		opts:   opts,
		budget: int64(opts.MaxRequests),
		pace:   newPacer(opts.Rate),
		owned:  map[string]bool{},
		http: &http.Client{
			Transport: rt,
			Timeout:   opts.Timeout,
			// Never follow redirects: a check must see what the API answered.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Options returns the client's effective options.
func (c *Client) Options() ClientOptions { return c.opts }

// Sent is the number of requests sent so far (retries included).
func (c *Client) Sent() int { return int(c.sent.Load()) }

// Remaining is how many requests the budget still allows.
func (c *Client) Remaining() int { return max(0, int(c.budget-c.sent.Load())) }

// Take reserves one request of the budget for something that is not an
// HTTP request through Do (a raw TLS handshake), and waits for its slot.
func (c *Client) Take(ctx context.Context) error {
	if c.sent.Add(1) > c.budget {
		c.sent.Add(-1)
		return ErrBudget
	}
	return c.pace.wait(ctx)
}

// SetPhase names the check now sending; exchanges record it.
func (c *Client) SetPhase(name string) {
	c.mu.Lock()
	c.phase = name
	c.mu.Unlock()
}

// MarkOwned records that the scan created the object at path, so PUT and
// PATCH on it are allowed without --allow-destructive.
func (c *Client) MarkOwned(path string) {
	c.mu.Lock()
	c.owned[strings.TrimSuffix(path, "/")] = true
	c.mu.Unlock()
}

// Owned reports whether the scan created the object at path.
func (c *Client) Owned(path string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.owned[strings.TrimSuffix(path, "/")]
}

// RateLimited reports whether any response so far was a 429.
func (c *Client) RateLimited() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.limited
}

// Exchanges returns every exchange recorded so far, oldest first.
func (c *Client) Exchanges() []*Exchange {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*Exchange(nil), c.log...)
}

// Request is one request to send.
type Request struct {
	Method string
	// Path is the escaped path (optionally with ?query) under the target's
	// base URL. URL, when set, is an absolute URL used instead (probing
	// upstreams directly).
	Path   string
	URL    string
	Header http.Header
	Body   []byte
	// Retry429 waits out a short Retry-After and tries once more.
	Retry429 bool
}

// Exchange is a sent request and the response to it, as recorded.
type Exchange struct {
	Phase     string
	Method    string
	URL       *url.URL
	ReqPath   string      // Request.Path as given (relative to the target)
	ReqHeader http.Header // the headers the check set (not --header extras)
	ReqBody   []byte
	Status    int
	Header    http.Header
	Body      []byte // at most bodyLimit bytes
	TLS       *tls.ConnectionState
	Sent      time.Time
	Duration  time.Duration
}

// OK reports a 2xx status.
func (x *Exchange) OK() bool { return x != nil && x.Status >= 200 && x.Status < 300 }

// ContentType is the response's media type, lower-case, without parameters.
func (x *Exchange) ContentType() string {
	ct, _, _ := strings.Cut(x.Header.Get("Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(ct))
}

// PathQuery is the request's path and query as sent.
func (x *Exchange) PathQuery() string { return x.URL.RequestURI() }

// Destructive reports whether method is guarded.
func Destructive(method string) bool {
	switch method {
	case http.MethodDelete, http.MethodPut, http.MethodPatch:
		return true
	}
	return false
}

// Resolve turns a request path into an absolute URL under the target.
func (c *Client) Resolve(p string) (*url.URL, error) {
	rel, err := url.Parse(p)
	if err != nil {
		return nil, fmt.Errorf("bad request path %q: %w", p, err)
	}
	u := *c.opts.Target
	u.RawPath, u.Path, u.RawQuery, u.Fragment = "", "", "", ""
	base := strings.TrimSuffix(c.opts.Target.EscapedPath(), "/")
	escaped := rel.EscapedPath()
	if !strings.HasPrefix(escaped, "/") {
		escaped = "/" + escaped
	}
	full, err := url.Parse(u.String() + base + escaped)
	if err != nil {
		return nil, fmt.Errorf("bad request path %q: %w", p, err)
	}
	full.RawQuery = rel.RawQuery
	return full, nil
}

// Do sends r, honouring the budget, the rate, the destructive guard and
// the per-request timeout, and retries transport errors (each retry is a
// request of the budget). It records and returns the exchange.
func (c *Client) Do(ctx context.Context, r Request) (*Exchange, error) {
	method := strings.ToUpper(r.Method)
	if method == "" {
		method = http.MethodGet
	}
	var u *url.URL
	var err error
	if r.URL != "" {
		u, err = url.Parse(r.URL)
	} else {
		u, err = c.Resolve(r.Path)
	}
	if err != nil {
		return nil, err
	}
	if !c.opts.AllowDestructive && Destructive(method) && (method == http.MethodDelete || !c.Owned(u.Path)) {
		return nil, fmt.Errorf("%s %s: %w", method, u.Path, ErrDestructive)
	}
	attempts := 1 + c.opts.Retries
	retried429 := false
	for i := 0; ; i++ {
		x, err := c.send(ctx, method, u, r)
		if err == nil {
			if x.Status == http.StatusTooManyRequests && r.Retry429 && !retried429 {
				if d, ok := retryAfter(x.Header); ok && d <= 3*time.Second {
					retried429 = true
					if err := sleepCtx(ctx, d); err != nil {
						return x, nil
					}
					continue
				}
			}
			return x, nil
		}
		if errors.Is(err, ErrBudget) || ctx.Err() != nil || i+1 >= attempts {
			return nil, err
		}
	}
}

func retryAfter(h http.Header) (time.Duration, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if err != nil || n < 0 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

// sleepCtx waits d (honouring a server's Retry-After) unless ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *Client) send(ctx context.Context, method string, u *url.URL, r Request) (*Exchange, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if c.sent.Add(1) > c.budget {
		c.sent.Add(-1)
		return nil, ErrBudget
	}
	if err := c.pace.wait(ctx); err != nil {
		return nil, err
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for k, vs := range c.opts.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	for k, vs := range r.Header {
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if r.Body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "apiguard-scan/1")
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u.Redacted(), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, bodyLimit))
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", method, u.Redacted(), err)
	}
	c.mu.Lock()
	x := &Exchange{
		Phase: c.phase, Method: method, URL: u, ReqPath: r.Path, ReqHeader: r.Header.Clone(), ReqBody: r.Body,
		Status: resp.StatusCode, Header: resp.Header, Body: b, TLS: resp.TLS, Sent: start,
		Duration: time.Since(start),
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		c.limited = true
	}
	c.log = append(c.log, x)
	c.mu.Unlock()
	return x, nil
}
