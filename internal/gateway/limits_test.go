package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/pipeline"
)

func TestBodyLimit(t *testing.T) {
	e := newEnv(t, echo(), nil) // max_body: 1KiB
	resp, body := e.do("POST", "/v1/orders", strings.NewReader(strings.Repeat("a", 1024)))
	if resp.StatusCode != 200 || decodeEcho(t, body).BodyLen != 1024 {
		t.Fatalf("a body at the limit must pass: %d %s", resp.StatusCode, body)
	}
	resp, body = e.do("POST", "/v1/orders", strings.NewReader(strings.Repeat("a", 1025)))
	mustProblem(t, resp, body, 413, "payload-too-large")

	// A streamed (chunked) body with no Content-Length is cut while
	// streaming, not buffered whole.
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 64; i++ {
			if _, err := pw.Write(bytes.Repeat([]byte("b"), 512)); err != nil {
				return
			}
		}
		pw.Close()
	}()
	resp, body = e.do("POST", "/v1/orders", pr)
	mustProblem(t, resp, body, 413, "payload-too-large")
}

func TestHeaderLimit(t *testing.T) {
	e := newEnv(t, echo(), nil) // max_header: 4KiB
	resp, body := e.do("GET", "/v1/orders", nil, "X-Big", strings.Repeat("h", 5000))
	mustProblem(t, resp, body, 431, "header-too-large")
	resp, _ = e.do("GET", "/v1/orders", nil, "X-Small", strings.Repeat("h", 1000))
	if resp.StatusCode != 200 {
		t.Fatalf("small headers refused: %d", resp.StatusCode)
	}
}

func TestSlowClientIsCut(t *testing.T) {
	e := newEnv(t, echo(), func(y string) string {
		return strings.Replace(y, "max_header: 4KiB", "max_header: 4KiB, read_header_timeout: 200ms", 1)
	})
	conn := dialTLS(t, e)
	defer conn.Close()
	io.WriteString(conn, "GET /v1/orders HTTP/1.1\r\nHost: x\r\n") // never finishes the headers
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, err := io.ReadAll(conn)
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the gateway kept a slowloris connection open: %v", err)
	}
	if time.Since(start) > 4*time.Second {
		t.Fatal("connection not closed by read_header_timeout")
	}
}

type panicStage struct{}

func (panicStage) Name() string { return "boom" }
func (panicStage) Check(context.Context, *pipeline.Exchange) error {
	panic("secret internal state 0xdeadbeef")
}

type errStage struct{ err error }

func (errStage) Name() string                                      { return "err" }
func (s errStage) Check(context.Context, *pipeline.Exchange) error { return s.err }

func TestPanicRecovered(t *testing.T) {
	e := newEnv(t, echo(), nil)
	e.gw.Plan().routes[0].Chain.Inspect = []pipeline.Stage{panicStage{}}
	resp, body := e.do("GET", "/v1/orders", nil)
	p := mustProblem(t, resp, body, 500, "internal")
	if strings.Contains(string(body), "deadbeef") || strings.Contains(string(body), "goroutine") {
		t.Fatalf("panic detail leaked: %s", body)
	}
	if resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatal("security headers missing on a 500")
	}
	_ = p
	// The gateway still serves afterwards.
	if resp, _ := e.do("GET", "/v1/orders/1", nil); resp.StatusCode != 200 {
		t.Fatalf("gateway broken after a panic: %d", resp.StatusCode)
	}
}

func TestStageErrorFailsClosed(t *testing.T) {
	var hit atomic.Bool
	e := newEnv(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit.Store(true) }), nil)
	e.gw.Plan().routes[0].Chain.Inspect = []pipeline.Stage{errStage{errors.New("db down at 10.1.2.3")}}
	resp, body := e.do("GET", "/v1/orders", nil)
	mustProblem(t, resp, body, 500, "internal")
	if hit.Load() || strings.Contains(string(body), "10.1.2.3") {
		t.Fatalf("an erroring stage let the request through or leaked: hit=%v %s", hit.Load(), body)
	}
}

func TestMaxInFlight(t *testing.T) {
	entered, release := make(chan struct{}, 4), make(chan struct{})
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			entered <- struct{}{}
			<-release
		}
	}), func(y string) string {
		return strings.Replace(y, "app: {url: \"", "app: {max_in_flight: 2, url: \"", 1)
	})
	done := make(chan int, 2)
	for i := 0; i < 2; i++ {
		go func() {
			resp, err := e.client.Get(e.base + "/slow")
			if err != nil {
				done <- 0
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
	}
	<-entered
	<-entered
	resp, body := e.do("GET", "/v1/orders", nil)
	mustProblem(t, resp, body, 503, "unavailable")
	if resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("Retry-After = %q", resp.Header.Get("Retry-After"))
	}
	close(release)
	for i := 0; i < 2; i++ {
		if s := <-done; s != 200 {
			t.Fatalf("in-flight request: %d", s)
		}
	}
	if resp, _ := e.do("GET", "/v1/orders", nil); resp.StatusCode != 200 {
		t.Fatalf("slots not released: %d", resp.StatusCode)
	}
}
