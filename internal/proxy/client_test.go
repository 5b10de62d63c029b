package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// rawUpstream accepts connections and hands each to serve, so a test can
// answer with bytes no well-behaved server would send.
func rawUpstream(t *testing.T, serve func(n int, c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveRaw(t, ln, serve)
}

// serveRaw hands each connection accepted on ln to serve (n counts them).
func serveRaw(t *testing.T, ln net.Listener, serve func(n int, c net.Conn)) string {
	t.Cleanup(func() { ln.Close() })
	go func() {
		for n := 0; ; n++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(n int) { defer c.Close(); serve(n, c) }(n)
		}
	}()
	return ln.Addr().String()
}

func newTestClient(addr string) *Client {
	return NewClient(addr, ClientOptions{Timeout: 2 * time.Second, DialTimeout: time.Second, MaxIdle: 8, IdleTimeout: time.Minute})
}

func get(path string) *Request {
	orig := httptest.NewRequest(http.MethodGet, path, nil)
	return &Request{Method: http.MethodGet, RequestURI: path, Header: http.Header{}, Original: orig}
}

func post(path, body string) *Request {
	orig := httptest.NewRequest(http.MethodPost, path, nil)
	return &Request{Method: http.MethodPost, RequestURI: path, Header: http.Header{}, Body: strings.NewReader(body), ContentLength: int64(len(body)), Original: orig}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return string(b)
}

// countingServer is an httptest server that counts the connections it
// accepted.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func TestClientReusesOneConnection(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Got", r.Method+" "+r.URL.RequestURI()+" "+string(b))
		io.WriteString(w, "ok")
	})
	c := newTestClient(srv.Listener.Addr().String())
	for i := 0; i < 10; i++ {
		req := get("/a?b=1")
		if i%2 == 1 {
			req = post("/p", "body")
		}
		resp, err := c.Do(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, resp); got != "ok" {
			t.Fatalf("body %q", got)
		}
		want := "GET /a?b=1" // the value is trimmed
		if i%2 == 1 {
			want = "POST /p body"
		}
		if got := resp.Header.Get("X-Got"); got != want {
			t.Fatalf("upstream saw %q, want %q", got, want)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("%d connections for 10 sequential requests, want 1", n)
	}
}

func TestClientFramingIsItsOwn(t *testing.T) {
	type seen struct {
		cl   int64
		te   []string
		body string
		hdr  http.Header
	}
	got := make(chan seen, 1)
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.ContentLength, r.TransferEncoding, string(b), r.Header}
	})
	c := newTestClient(srv.Listener.Addr().String())
	cases := []struct {
		name    string
		length  int64
		wantCL  int64
		chunked bool
	}{
		{"known length", 3, 3, false},
		{"unknown length is chunked", -1, -1, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := post("/p", "abc")
			req.ContentLength = tc.length
			// A client's own framing must never reach the upstream.
			req.Header = http.Header{"Content-Length": {"999"}, "Transfer-Encoding": {"identity"}, "Connection": {"close"}, "Upgrade": {"x"}, "Expect": {"100-continue"}, "X-Keep": {"yes"}}
			resp, err := c.Do(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			readAll(t, resp)
			s := <-got
			if s.body != "abc" || s.cl != tc.wantCL || (len(s.te) > 0) != tc.chunked {
				t.Fatalf("upstream saw body %q length %d te %v", s.body, s.cl, s.te)
			}
			for _, h := range []string{"Connection", "Upgrade", "Expect"} {
				if s.hdr.Get(h) != "" {
					t.Errorf("%s reached the upstream", h)
				}
			}
			if s.hdr.Get("X-Keep") != "yes" {
				t.Error("an ordinary header was dropped")
			}
		})
	}
}

func TestClientRefusesHeaderInjection(t *testing.T) {
	var requests atomic.Int64
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) { requests.Add(1) })
	c := newTestClient(srv.Listener.Addr().String())
	cases := []struct {
		name string
		mod  func(*Request)
	}{
		{"CRLF in a value", func(r *Request) { r.Header["X-Apiguard-Subject"] = []string{"a\r\nX-Admin: 1"} }},
		{"LF in a value", func(r *Request) { r.Header["X-Sub"] = []string{"a\nb"} }},
		{"NUL in a value", func(r *Request) { r.Header["X-Sub"] = []string{"a\x00b"} }},
		{"space in a name", func(r *Request) { r.Header["X Sub"] = []string{"a"} }},
		{"CRLF in the path", func(r *Request) { r.RequestURI = "/a\r\nX-Admin: 1" }},
		{"space in the path", func(r *Request) { r.RequestURI = "/a HTTP/1.1" }},
		{"bad method", func(r *Request) { r.Method = "GET /x" }},
		{"bad host", func(r *Request) { r.Host = "a\r\nb" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := get("/ok")
			tc.mod(req)
			if _, err := c.Do(context.Background(), req); !errors.Is(err, errBadHeader) {
				t.Fatalf("err = %v, want errBadHeader", err)
			}
		})
	}
	resp, err := c.Do(context.Background(), get("/ok"))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if n := requests.Load(); n != 1 {
		t.Fatalf("the upstream saw %d requests, want only the valid one", n)
	}
}

// readRequest reads one request and its body from the connection.
func readRequest(_ net.Conn, br *bufio.Reader) error {
	req, err := http.ReadRequest(br)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, req.Body)
	return err
}

func TestClientAnswers(t *testing.T) {
	cases := []struct {
		name     string
		answer   string
		wantErr  bool
		wantBody string
	}{
		{"1xx skipped", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, "ok"},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false, "ok"},
		{"conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nokabc", true, ""},
		{"unasked 101", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", true, ""},
		{"garbage", "HTTP/1.1 OK fine\r\n\r\n", true, ""},
		{"header over the cap", "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("a", MaxResponseHeaderBytes+8<<10) + "\r\n\r\n", true, ""},
		{"closed before answering", "", true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := rawUpstream(t, func(_ int, c net.Conn) {
				if readRequest(c, bufio.NewReader(c)) == nil {
					io.WriteString(c, tc.answer)
				}
			})
			resp, err := newTestClient(addr).Do(context.Background(), get("/x"))
			if tc.wantErr {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("status %d, want an error", resp.StatusCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := readAll(t, resp); got != tc.wantBody || resp.StatusCode != 200 {
				t.Fatalf("status %d body %q", resp.StatusCode, got)
			}
		})
	}
}

// TestClientStaleConnection: the upstream closes a keep-alive connection
// after answering. A POST (which must never be sent twice) has to go out
// on a new connection, found by the probe before the write.
func TestClientStaleConnection(t *testing.T) {
	closed := make(chan struct{}, 4)
	var posts atomic.Int64
	addr := rawUpstream(t, func(_ int, c net.Conn) {
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		if req.Method == http.MethodPost {
			posts.Add(1)
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		c.Close()
		closed <- struct{}{}
	})
	c := newTestClient(addr)
	resp, err := c.Do(context.Background(), get("/first"))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	<-closed // the upstream has closed the pooled connection
	resp, err = c.Do(context.Background(), post("/second", "x"))
	if err != nil {
		t.Fatalf("POST on a stale pooled connection: %v", err)
	}
	readAll(t, resp)
	if n := posts.Load(); n != 1 {
		t.Fatalf("the upstream saw %d POSTs, want 1", n)
	}
}

// TestClientRetry: a reused connection that the upstream drops after
// reading the request (nothing answered) is retried once for a GET and
// never for a POST.
func TestClientRetry(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			var seen atomic.Int64
			addr := rawUpstream(t, func(n int, c net.Conn) {
				br := bufio.NewReader(c)
				for i := 0; readRequest(c, br) == nil; i++ {
					if n > 0 || i > 0 {
						seen.Add(1)
					}
					if n == 0 && i == 1 {
						return // read, then dropped without an answer
					}
					io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
			})
			c := newTestClient(addr)
			resp, err := c.Do(context.Background(), get("/warm"))
			if err != nil {
				t.Fatal(err)
			}
			readAll(t, resp)
			req := get("/again")
			if method == http.MethodPost {
				req = post("/again", "x")
			}
			resp, err = c.Do(context.Background(), req)
			if method == http.MethodGet {
				if err != nil {
					t.Fatalf("GET not retried: %v", err)
				}
				readAll(t, resp)
				if n := seen.Load(); n != 2 {
					t.Fatalf("upstream saw the GET %d times, want 2 (dropped, then retried)", n)
				}
				return
			}
			if err == nil {
				resp.Body.Close()
				t.Fatal("a POST was retried after the upstream read it")
			}
			if n := seen.Load(); n != 1 {
				t.Fatalf("upstream saw the POST %d times, want 1", n)
			}
		})
	}
}

func TestClientUnfinishedBodyIsNotReused(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 100<<10))
	})
	c := newTestClient(srv.Listener.Addr().String())
	for i := 0; i < 3; i++ {
		resp, err := c.Do(context.Background(), get("/big"))
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 10)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close() // must not drain 100 KiB, must not pool the connection
	}
	if n := conns.Load(); n != 3 {
		t.Fatalf("%d connections, want 3 (a half-read answer's connection is closed)", n)
	}
}

func TestClientTimeoutAndCancel(t *testing.T) {
	release, arrived := make(chan struct{}), make(chan struct{}, 2)
	t.Cleanup(func() { close(release) })
	addr := rawUpstream(t, func(_ int, c net.Conn) {
		readRequest(c, bufio.NewReader(c))
		arrived <- struct{}{}
		<-release // never answers while the test runs
	})
	c := NewClient(addr, ClientOptions{Timeout: 100 * time.Millisecond, DialTimeout: time.Second, MaxIdle: 8, IdleTimeout: time.Minute})
	if _, err := c.Do(context.Background(), get("/slow")); !IsTimeout(err) {
		t.Fatalf("err = %v, want a timeout", err)
	}
	c = NewClient(addr, ClientOptions{Timeout: time.Minute, DialTimeout: time.Second, MaxIdle: 8, IdleTimeout: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	<-arrived // the first request
	go func() {
		<-arrived // the request is in flight: the upstream holds it
		cancel()
	}()
	if _, err := c.Do(ctx, get("/slow")); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("client went away") }

func TestClientBodyErrorIsTheClients(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) })
	c := newTestClient(srv.Listener.Addr().String())
	for _, length := range []int64{10, -1} {
		req := post("/p", "")
		req.Body, req.ContentLength = failingReader{}, length
		_, err := c.Do(context.Background(), req)
		var be *BodyError
		if !errors.As(err, &be) {
			t.Fatalf("length %d: err = %v, want *BodyError", length, err)
		}
	}
	req := post("/p", "abc")
	req.ContentLength = 10 // the client promised more than it sent
	if _, err := c.Do(context.Background(), req); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("short body: err = %v", err)
	}
}

func TestClientTLSUpstream(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	addr := srv.Listener.Addr().String()
	c := NewClient(addr, ClientOptions{Timeout: 2 * time.Second, DialTimeout: time.Second, MaxIdle: 8, IdleTimeout: time.Minute, TLS: &tls.Config{RootCAs: pool, ServerName: "example.com", MinVersion: tls.VersionTLS12}})
	for i := 0; i < 2; i++ {
		resp, err := c.Do(context.Background(), get("/"))
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, resp); got != "HTTP/1.1" {
			t.Fatalf("upstream saw %q", got)
		}
	}
	untrusted := NewClient(addr, ClientOptions{Timeout: 2 * time.Second, DialTimeout: time.Second, MaxIdle: 8, IdleTimeout: time.Minute, TLS: &tls.Config{MinVersion: tls.VersionTLS12}})
	if _, err := untrusted.Do(context.Background(), get("/")); err == nil {
		t.Fatal("an upstream certificate from an unknown CA was accepted")
	}
}

// slowBody hands out size bytes in 4 KiB reads, each after a pause: an
// upload that takes longer than the upstream timeout in total.
type slowBody struct {
	left  int
	pause time.Duration
}

func (b *slowBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	time.Sleep(b.pause) // the client is slow: this is the behaviour under test
	n := min(len(p), 4096, b.left)
	for i := range p[:n] {
		p[i] = 'u'
	}
	b.left -= n
	return n, nil
}

// TestClientSlowUploadIsNotTheUpstreamsTimeout: the timeout bounds each
// write and the wait for the answer, not how long the client takes to
// send its body (the server's read limits bound that).
func TestClientSlowUploadIsNotTheUpstreamsTimeout(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		io.WriteString(w, strconv.FormatInt(n, 10))
	})
	c := NewClient(srv.Listener.Addr().String(), ClientOptions{Timeout: 150 * time.Millisecond, DialTimeout: time.Second, MaxIdle: 8, IdleTimeout: time.Minute})
	req := post("/upload", "")
	req.Body, req.ContentLength = &slowBody{left: 5 * 4096, pause: 60 * time.Millisecond}, 5*4096
	resp, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatalf("a 300 ms upload under a 150 ms upstream timeout failed: %v", err)
	}
	if got := readAll(t, resp); got != "20480" {
		t.Fatalf("upstream received %s bytes", got)
	}
}

// TestClientNeverReadsUnsolicitedBytes: an upstream that sends more than
// its Content-Length (a body to HEAD, a wrong length, a smuggled second
// answer) must not have the extra bytes read as the answer to the next
// request, over plain TCP or TLS (where they can hide, decrypted, inside
// the TLS layer).
func TestClientNeverReadsUnsolicitedBytes(t *testing.T) {
	evil := "HTTP/1.1 200 OK\r\nContent-Length: 8192\r\n\r\n" + strings.Repeat("a", 8192) +
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nEVIL!"
	serve := func(n int, c net.Conn) {
		br := bufio.NewReader(c)
		for i := 0; readRequest(c, br) == nil; i++ {
			if n == 0 && i == 0 {
				io.WriteString(c, evil) // one write: the extra answer arrives with the first
				continue
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\ngood!")
		}
	}
	for _, useTLS := range []bool{false, true} {
		name := "plain"
		if useTLS {
			name = "tls"
		}
		t.Run(name, func(t *testing.T) {
			var c *Client
			if useTLS {
				srv := httptest.NewUnstartedServer(nil)
				srv.StartTLS() // only for its certificate
				cert := srv.TLS.Certificates[0]
				pool := x509.NewCertPool()
				pool.AddCert(srv.Certificate())
				srv.Close()
				ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, DynamicRecordSizingDisabled: true})
				if err != nil {
					t.Fatal(err)
				}
				c = NewClient(serveRaw(t, ln, serve), ClientOptions{Timeout: 2 * time.Second, DialTimeout: time.Second, MaxIdle: 8, IdleTimeout: time.Minute,
					TLS: &tls.Config{RootCAs: pool, ServerName: "example.com", MinVersion: tls.VersionTLS12}})
			} else {
				c = newTestClient(rawUpstream(t, serve))
			}
			resp, err := c.Do(context.Background(), get("/first"))
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 8192) // reads of 4 KiB or more bypass the client's buffer
			if _, err := io.ReadFull(resp.Body, buf); err != nil {
				t.Fatal(err)
			}
			readAll(t, resp)
			for i := 0; i < 3; i++ {
				resp, err = c.Do(context.Background(), get("/next"))
				if err != nil {
					t.Fatal(err)
				}
				if got := readAll(t, resp); got != "good!" {
					t.Fatalf("request %d was answered %q: bytes the upstream sent unasked were read as its answer", i+2, got)
				}
			}
		})
	}
}

// TestClientKeepsConnectionsIdleLongerThanTheTimeout: the deadline of the
// last exchange passing while a connection sits in the pool does not make
// it look dead.
func TestClientKeepsConnectionsIdleLongerThanTheTimeout(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	c := NewClient(srv.Listener.Addr().String(), ClientOptions{Timeout: 50 * time.Millisecond, DialTimeout: time.Second, MaxIdle: 8, IdleTimeout: time.Minute})
	for i := 0; i < 2; i++ {
		resp, err := c.Do(context.Background(), get("/"))
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		if i == 0 {
			time.Sleep(120 * time.Millisecond) // idle past the timeout: the behaviour under test
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("%d connections: a pooled connection idle past the timeout was dropped", n)
	}
}
