package scan

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// recorder is a target that records when each request arrived.
type recorder struct {
	mu    sync.Mutex
	times []time.Time
	seen  []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.times = append(r.times, time.Now())
	r.seen = append(r.seen, req.Method+" "+req.URL.RequestURI())
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func newClient(t *testing.T, h http.Handler, o ClientOptions) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	o.Target = u
	return NewClient(o)
}

func TestClientBudget(t *testing.T) {
	rec := &recorder{}
	c := newClient(t, rec, ClientOptions{MaxRequests: 5, Rate: 1000})
	var errs int
	for range 8 {
		if _, err := c.Do(context.Background(), Request{Path: "/x"}); errors.Is(err, ErrBudget) {
			errs++
		}
	}
	if len(rec.times) != 5 || errs != 3 || c.Sent() != 5 || c.Remaining() != 0 {
		t.Fatalf("target saw %d, budget errors %d, sent %d", len(rec.times), errs, c.Sent())
	}
}

// TestClientRate checks the spacing the target saw, with a generous
// tolerance and no sleeping in the test.
func TestClientRate(t *testing.T) {
	rec := &recorder{}
	const rate, n = 40.0, 21
	c := newClient(t, rec, ClientOptions{Rate: rate})
	var wg sync.WaitGroup
	for range n { // concurrent callers must still be paced
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = c.Do(context.Background(), Request{Path: "/"}) }()
	}
	wg.Wait()
	if len(rec.times) != n {
		t.Fatalf("target saw %d", len(rec.times))
	}
	first, last := rec.times[0], rec.times[0]
	for _, ts := range rec.times {
		if ts.After(last) {
			last = ts
		}
		if ts.Before(first) {
			first = ts
		}
	}
	span := last.Sub(first)
	want := time.Duration(float64(n-1) / rate * float64(time.Second))
	if span < want*8/10 {
		t.Fatalf("%d requests in %v: faster than %v/s (want at least %v)", n, span, rate, want)
	}
}

func TestClientDestructiveGuard(t *testing.T) {
	rec := &recorder{}
	c := newClient(t, rec, ClientOptions{Rate: 1000})
	ctx := context.Background()
	for _, r := range []Request{{Method: "DELETE", Path: "/a/1"}, {Method: "PUT", Path: "/a/1"}, {Method: "PATCH", Path: "/a/1"}} {
		if _, err := c.Do(ctx, r); !errors.Is(err, ErrDestructive) {
			t.Fatalf("%s: %v", r.Method, err)
		}
	}
	c.MarkOwned("/a/2")
	if _, err := c.Do(ctx, Request{Method: "PATCH", Path: "/a/2", Body: []byte("{}")}); err != nil {
		t.Fatalf("PATCH on an owned object: %v", err)
	}
	if _, err := c.Do(ctx, Request{Method: "DELETE", Path: "/a/2"}); !errors.Is(err, ErrDestructive) {
		t.Fatalf("DELETE needs --allow-destructive even on owned objects: %v", err)
	}
	if len(rec.seen) != 1 {
		t.Fatalf("target saw %v", rec.seen)
	}
	c2 := newClient(t, rec, ClientOptions{Rate: 1000, AllowDestructive: true})
	if _, err := c2.Do(ctx, Request{Method: "DELETE", Path: "/a/1"}); err != nil {
		t.Fatal(err)
	}
}

func TestClientRetriesTransportErrorsOnly(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close() // a transport error
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
	})
	c := newClient(t, h, ClientOptions{Rate: 1000, Retries: 2})
	x, err := c.Do(context.Background(), Request{Path: "/"})
	if err != nil || x.Status != 500 || calls != 2 || c.Sent() != 2 {
		t.Fatalf("err %v, calls %d, sent %d", err, calls, c.Sent())
	}
}

func TestClientCancelStopsAtOnce(t *testing.T) {
	rec := &recorder{}
	c := newClient(t, rec, ClientOptions{Rate: 0.5}) // one request per 2s
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := c.Do(ctx, Request{Path: "/"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := c.Do(ctx, Request{Path: "/"}); done <- err }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("a cancelled scan kept waiting for its rate slot")
	}
}

func TestResolveKeepsBasePath(t *testing.T) {
	u, _ := url.Parse("http://h:1/api/?x=1")
	c := NewClient(ClientOptions{Target: u})
	got, err := c.Resolve("/v1/orders/a%2Fb?q=1")
	if err != nil || got.String() != "http://h:1/api/v1/orders/a%2Fb?q=1" {
		t.Fatalf("%v %v", got, err)
	}
}
