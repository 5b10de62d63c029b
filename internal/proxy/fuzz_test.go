package proxy

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// scriptedConn is a connection whose upstream answers with fixed bytes.
type scriptedConn struct {
	r       *bytes.Reader
	written int
}

func (c *scriptedConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *scriptedConn) Write(p []byte) (int, error)      { c.written += len(p); return len(p), nil }
func (c *scriptedConn) Close() error                     { return nil }
func (c *scriptedConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *scriptedConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *scriptedConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptedConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptedConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzClientAnswer feeds arbitrary upstream answers to the client: it
// must never panic, never hand back an interim (1xx) answer, and never
// read more than the header cap before the body.
func FuzzClientAnswer(f *testing.F) {
	for _, seed := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: 1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nokabc",
		"HTTP/1.1 101 Switching Protocols\r\n\r\n",
		"HTTP/1.0 204 No Content\r\nConnection: close\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nffffffffffffffff\r\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, answer []byte) {
		c := NewClient("upstream:80", ClientOptions{Timeout: time.Second, MaxIdle: 1, IdleTimeout: time.Minute})
		cn := newConn(&scriptedConn{r: bytes.NewReader(answer)})
		resp, err := c.exchange(context.Background(), cn, get("/x"))
		if err != nil {
			return
		}
		if resp.StatusCode < 200 {
			t.Fatalf("an interim answer %d was returned", resp.StatusCode)
		}
		if cn.lim.read > MaxResponseHeaderBytes+int64(cn.br.Size()) {
			t.Fatalf("read %d bytes before the body", cn.lim.read)
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		if strings.Contains(resp.Header.Get("Content-Length"), ",") {
			t.Fatalf("a conflicting Content-Length was accepted: %q", resp.Header.Get("Content-Length"))
		}
	})
}
