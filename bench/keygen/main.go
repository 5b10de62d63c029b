// Command keygen creates many API keys through a running gateway's admin
// API (POST /api/keys with the admin bearer token), several at a time, and
// appends each new key to a file, one per line. It is how the benchmark's
// growth mode gets to 100,000 keys: `apiguard keys create` opens the store
// and starts a process per key (tens of milliseconds each), while the admin
// API is the product's public surface for creating keys on a live gateway.
//
//	go run ./bench/keygen -admin http://127.0.0.1:9090 -token-file secrets/admin.token \
//	    -n 1000 -scopes orders:read,orders:write -out keys.txt
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	admin := flag.String("admin", "", "admin listener base URL (http://127.0.0.1:PORT)")
	tokenFile := flag.String("token-file", "", "file holding the admin bearer token")
	n := flag.Int("n", 100, "keys to create")
	scopes := flag.String("scopes", "", "comma-separated scopes of every key")
	prefix := flag.String("name", "bench", "key name prefix (name-<i>)")
	out := flag.String("out", "", "append the keys here, one per line")
	par := flag.Int("parallel", 8, "requests in flight")
	timeout := flag.Duration("timeout", 10*time.Minute, "give up after this long")
	flag.Parse()

	u, err := url.Parse(*admin)
	switch {
	case *admin == "" || err != nil || u.Scheme != "http" || u.Host == "":
		usagef("-admin must be http://host:port")
	case *tokenFile == "" || *out == "":
		usagef("-token-file and -out are required")
	case *n < 1 || *par < 1:
		usagef("-n and -parallel must be >= 1")
	}
	tok, err := os.ReadFile(*tokenFile)
	if err != nil {
		fatalf("%v", err)
	}
	token := strings.TrimRight(string(tok), "\r\n")
	var sc []string
	for s := range strings.SplitSeq(*scopes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			sc = append(sc, s)
		}
	}

	f, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		fatalf("%v", err)
	}
	w := bufio.NewWriter(f)

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *par, MaxConnsPerHost: *par}}
	endpoint := strings.TrimRight(*admin, "/") + "/api/keys"

	var next atomic.Int64
	var mu sync.Mutex
	var firstErr error
	var failed atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range *par {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(*n) || ctx.Err() != nil || failed.Load() > 0 {
					return
				}
				key, err := create(ctx, client, endpoint, token, fmt.Sprintf("%s-%d", *prefix, i), sc)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					failed.Add(1)
				} else {
					_, _ = w.WriteString(key + "\n")
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := w.Flush(); err != nil {
		fatalf("%v", err)
	}
	if err := f.Close(); err != nil {
		fatalf("%v", err)
	}
	el := time.Since(start)
	if firstErr != nil {
		fatalf("after %s: %v", el.Round(time.Millisecond), firstErr)
	}
	if ctx.Err() != nil {
		fatalf("timed out after %s", el.Round(time.Millisecond))
	}
	fmt.Printf("created=%d seconds=%.2f per_second=%.0f\n", *n, el.Seconds(), float64(*n)/el.Seconds())
}

func create(ctx context.Context, c *http.Client, endpoint, token, name string, scopes []string) (string, error) {
	body, _ := json.Marshal(map[string]any{"name": name, "scopes": scopes})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("POST %s: %s: %.300s", endpoint, resp.Status, b)
	}
	var v struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.Key == "" {
		return "", fmt.Errorf("POST %s: no key in the answer: %.300s", endpoint, b)
	}
	return v.Key, nil
}

func usagef(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "keygen: "+format+"\n", args...)
	flag.Usage()
	os.Exit(2)
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "keygen: "+format+"\n", args...)
	os.Exit(1)
}
