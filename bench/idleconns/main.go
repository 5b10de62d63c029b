// Command idleconns holds many idle keep-alive connections open against a
// server, so that the server's memory per idle connection can be measured:
// it opens -n TCP connections, sends one HTTP/1.1 request on each (at most
// -parallel at a time) and reads the answer, then leaves them all idle.
// When every connection has been answered it writes a line to -ready-file;
// it then holds them until -hold has passed or it receives SIGTERM/SIGINT,
// checks how many the server closed in the meantime, and prints one line of
// key=value:
//
//	opened=10000 answered=10000 non2xx=0 failed=0 closed_by_server=0 open_seconds=1.9 held_seconds=12.0
//
//	go run ./bench/idleconns -addr 127.0.0.1:8080 -path /v1/orders -H 'X-API-Key: agk_...' -n 10000 -hold 60s -ready-file ready
//
// Each connection costs the client a file descriptor: raise `ulimit -n`.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type headerFlags []string

func (h *headerFlags) String() string { return strings.Join(*h, ", ") }
func (h *headerFlags) Set(v string) error {
	if name, _, ok := strings.Cut(v, ":"); !ok || strings.TrimSpace(name) == "" {
		return errors.New("want 'Name: value'")
	}
	*h = append(*h, v)
	return nil
}

func main() {
	addr := flag.String("addr", "", "server host:port (loopback)")
	path := flag.String("path", "/", "request path")
	n := flag.Int("n", 10000, "connections to open and hold")
	par := flag.Int("parallel", 32, "connections being opened and answered at once")
	hold := flag.Duration("hold", 60*time.Second, "hold the idle connections this long at most (SIGTERM ends it earlier)")
	readyFile := flag.String("ready-file", "", "write a line here once every connection is answered and idle")
	timeout := flag.Duration("timeout", 10*time.Second, "per-connection dial + request timeout")
	var headers headerFlags
	flag.Var(&headers, "H", "add a request header 'Name: value' (repeatable)")
	flag.Parse()

	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		usagef("bad -addr %q: %v", *addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		usagef("refusing -addr %q: loopback only", *addr)
	}
	if *n < 1 || *par < 1 || !strings.HasPrefix(*path, "/") {
		usagef("-n and -parallel must be >= 1, -path must start with /")
	}
	var req strings.Builder
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: apiguard-bench-idleconns\r\n", *path, *addr)
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		fmt.Fprintf(&req, "%s: %s\r\n", strings.TrimSpace(name), strings.TrimSpace(value))
	}
	req.WriteString("\r\n")
	raw := []byte(req.String())

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-sigs; cancel() }()

	conns := make([]net.Conn, *n)
	var answered, non2xx, failed atomic.Int64
	var firstErr atomic.Value
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range *par {
		wg.Go(func() {
			d := net.Dialer{Timeout: *timeout}
			for {
				i := int(next.Add(1) - 1)
				if i >= *n || ctx.Err() != nil {
					return
				}
				c, status, err := open(ctx, &d, *addr, raw, *timeout)
				switch {
				case err != nil:
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				case status < 200 || status > 299:
					non2xx.Add(1)
				}
				answered.Add(1)
				conns[i] = c
			}
		})
	}
	wg.Wait()
	openSecs := time.Since(start).Seconds()
	if *readyFile != "" {
		line := fmt.Sprintf("answered=%d failed=%d\n", answered.Load(), failed.Load())
		if err := os.WriteFile(*readyFile, []byte(line), 0o644); err != nil {
			fatalf("%v", err)
		}
	}
	held := time.Now()
	select {
	case <-ctx.Done():
	case <-time.After(*hold):
	}
	heldSecs := time.Since(held).Seconds()

	// A connection the server closed reads EOF at once; an open idle one
	// times out. Checked 64 at a time, so that 10,000 take well under a second.
	var closed, opened atomic.Int64
	var cwg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for _, c := range conns {
		if c == nil {
			continue
		}
		opened.Add(1)
		sem <- struct{}{}
		cwg.Go(func() {
			defer func() { <-sem }()
			buf := make([]byte, 1)
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Millisecond))
			if _, err := c.Read(buf); err != nil {
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					closed.Add(1)
				}
			}
			_ = c.Close()
		})
	}
	cwg.Wait()
	fmt.Printf("opened=%d answered=%d non2xx=%d failed=%d closed_by_server=%d open_seconds=%.1f held_seconds=%.1f\n",
		opened.Load(), answered.Load(), non2xx.Load(), failed.Load(), closed.Load(), openSecs, heldSecs)
	if e, _ := firstErr.Load().(string); e != "" {
		fmt.Fprintf(os.Stderr, "idleconns: first error: %s\n", e)
	}
}

// open dials addr, sends one request and reads the whole answer, leaving
// the connection idle; it returns the connection and the status.
func open(ctx context.Context, d *net.Dialer, addr string, raw []byte, timeout time.Duration) (net.Conn, int, error) {
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, 0, err
	}
	_ = c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write(raw); err != nil {
		c.Close()
		return nil, 0, err
	}
	br := bufio.NewReaderSize(c, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		c.Close()
		return nil, 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		c.Close()
		return nil, 0, err
	}
	if resp.Close || br.Buffered() > 0 {
		c.Close()
		return nil, 0, fmt.Errorf("the server did not keep the connection open (status %d)", resp.StatusCode)
	}
	_ = c.SetDeadline(time.Time{})
	return c, resp.StatusCode, nil
}

func usagef(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "idleconns: "+format+"\n", args...)
	flag.Usage()
	os.Exit(2)
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "idleconns: "+format+"\n", args...)
	os.Exit(1)
}
