// Command fixedrate is a small open-loop HTTP load generator: it sends GET
// requests on a fixed schedule (N per second) over at most M keep-alive
// connections for D seconds and reports latency percentiles in microseconds.
//
// Open loop means the schedule does not wait for the server: request i is
// due at start + i/N whatever happened before. Latency is measured from that
// scheduled time to the end of the response body, so when the server (or a
// full connection pool) stalls, the requests that queue behind the stall are
// charged for their wait. Closed-loop tools that time from the actual send
// undercount exactly those stalls ("coordinated omission"); the actual-send
// "service time" is printed too, for comparison.
//
//	go run ./bench/fixedrate -url http://127.0.0.1:9001/v1/orders -rate 1000 -conns 16 -duration 10s
//
// Every request is the same unless asked otherwise: -method and -body-file
// set the method and body, -H adds a header (repeatable); -urls-file takes
// the URLs from a file (one per line, used in turn), and -vary-header NAME
// with -vary-file FILE sets that header to the file's lines in turn (e.g.
// a different API key per request).
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type job struct {
	at     time.Time // scheduled send time
	record bool      // false during warm-up
}

type result struct {
	lat     time.Duration // from scheduled send to end of body
	lag     time.Duration // from scheduled send to actual send (generator or connection-pool wait)
	sent    time.Time     // actual send
	svc     time.Duration // from actual send to end of body
	status  int           // 0 on transport error
	errText string
}

func main() {
	target := flag.String("url", "", "URL to GET (http:// or https://, loopback)")
	rate := flag.Float64("rate", 1000, "requests per second")
	conns := flag.Int("conns", 16, "maximum concurrent connections (and requests in flight)")
	duration := flag.Duration("duration", 10*time.Second, "measured duration")
	warmup := flag.Duration("warmup", time.Second, "warm-up at the same rate before measuring (not recorded)")
	timeout := flag.Duration("timeout", 5*time.Second, "per-request timeout")
	insecure := flag.Bool("insecure", false, "skip TLS certificate verification (self-signed benchmark certificates)")
	format := flag.String("format", "text", "output: text, or kv (one line of key=value for scripts)")
	method := flag.String("method", http.MethodGet, "request method")
	bodyFile := flag.String("body-file", "", "send this file as the request body")
	var headers headerFlags
	flag.Var(&headers, "H", "add a request header 'Name: value' (repeatable)")
	urlsFile := flag.String("urls-file", "", "take the URLs from this file, one per line, in turn (instead of -url)")
	varyHeader := flag.String("vary-header", "", "set this header to the lines of -vary-file in turn")
	varyFile := flag.String("vary-file", "", "values for -vary-header, one per line")
	flag.Parse()

	var urls []string
	if *urlsFile != "" {
		var err error
		if urls, err = readLines(*urlsFile); err != nil {
			usagef("-urls-file: %v", err)
		}
		if *target == "" {
			*target = urls[0]
		}
	}
	var varyValues []string
	if (*varyHeader == "") != (*varyFile == "") {
		usagef("-vary-header and -vary-file go together")
	}
	if *varyFile != "" {
		var err error
		if varyValues, err = readLines(*varyFile); err != nil {
			usagef("-vary-file: %v", err)
		}
	}
	var body []byte
	if *bodyFile != "" {
		var err error
		if body, err = os.ReadFile(*bodyFile); err != nil {
			usagef("-body-file: %v", err)
		}
	}
	for _, t := range append([]string{*target}, urls...) {
		if u, err := url.Parse(t); t == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			usagef("-url (and each line of -urls-file) must be an http:// or https:// URL")
		}
	}
	if len(urls) == 0 {
		urls = []string{*target}
	}
	spec := &reqSpec{method: strings.ToUpper(*method), body: body, header: http.Header{},
		urls: urls, varyHeader: http.CanonicalHeaderKey(*varyHeader), varyValues: varyValues}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		spec.header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}

	switch {
	case *rate <= 0 || math.IsInf(*rate, 0) || math.IsNaN(*rate):
		usagef("-rate must be > 0")
	case *conns < 1:
		usagef("-conns must be >= 1")
	case *duration <= 0 || *warmup < 0 || *timeout <= 0:
		usagef("-duration and -timeout must be > 0, -warmup >= 0")
	case *format != "text" && *format != "kv":
		usagef("-format must be text or kv")
	}

	interval := time.Duration(float64(time.Second) / *rate)
	if interval <= 0 {
		usagef("-rate too high")
	}
	warmN := int(warmup.Seconds() * *rate)
	total := int(duration.Seconds() * *rate)
	if total < 1 {
		usagef("-duration * -rate must be at least one request")
	}

	tr := &http.Transport{
		MaxConnsPerHost:     *conns,
		MaxIdleConns:        *conns,
		MaxIdleConnsPerHost: *conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		// HTTP/1.1 only, like wrk, so TLS runs compare with the plain ones.
		TLSNextProto:    map[string]func(string, *tls.Conn) http.RoundTripper{},
		TLSClientConfig: &tls.Config{InsecureSkipVerify: *insecure}, //nolint:gosec // opt-in, benchmark certificates
	}
	client := &http.Client{
		Transport: tr,
		Timeout:   *timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}

	// The whole run is bounded: schedule + one request timeout + slack.
	deadline := *warmup + *duration + *timeout + 2*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()

	jobs := make(chan job, warmN+total)
	results := make([]result, 0, total)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range *conns {
		wg.Go(func() {
			buf := make([]byte, 32<<10)
			for {
				var j job
				var ok bool
				select {
				case j, ok = <-jobs:
				case <-ctx.Done():
					return
				}
				if !ok {
					return
				}
				r := do(ctx, client, spec, buf)
				r.lat = time.Since(j.at)
				r.lag = r.sent.Sub(j.at)
				if j.record {
					mu.Lock()
					results = append(results, r)
					mu.Unlock()
				}
			}
		})
	}

	// The schedule: request i is due at start + i*interval. A dedicated
	// OS thread sleeps until each due time with a high-resolution sleep
	// (Go's own timers can fire up to ~1ms late when the process is idle,
	// which would be charged to the server), then hands the request to a
	// worker. When the scheduler falls behind (a busy CPU), overdue requests
	// are released at once and keep their original due times, so the delay
	// is charged, not hidden.
	start := time.Now().Add(10 * time.Millisecond)
	sched := make(chan struct{})
	go func() {
		defer close(sched)
		runtime.LockOSThread() // the thread is discarded when this goroutine exits
		preciseSleepInit()
		for i := 0; i < warmN+total; i++ {
			at := start.Add(time.Duration(i) * interval)
			if d := time.Until(at); d > 0 {
				preciseSleep(d)
			}
			select {
			case jobs <- job{at: at, record: i >= warmN}:
			case <-ctx.Done():
				return
			}
		}
	}()
	<-sched
	close(jobs)
	wg.Wait()
	tr.CloseIdleConnections()

	report(*format, spec.method+" "+*target, *rate, *conns, *duration, total, results)
}

// reqSpec describes the requests to send.
type reqSpec struct {
	method     string
	body       []byte // nil: no body
	header     http.Header
	urls       []string // used in turn
	varyHeader string   // "" or a header set to varyValues in turn
	varyValues []string
	n          atomic.Uint64
}

func (s *reqSpec) newRequest(ctx context.Context) (*http.Request, error) {
	i := s.n.Add(1) - 1
	var body io.Reader
	if s.body != nil {
		body = bytes.NewReader(s.body)
	}
	req, err := http.NewRequestWithContext(ctx, s.method, s.urls[i%uint64(len(s.urls))], body)
	if err != nil {
		return nil, err
	}
	for k, v := range s.header {
		req.Header[k] = v
	}
	if s.varyHeader != "" {
		req.Header.Set(s.varyHeader, s.varyValues[i%uint64(len(s.varyValues))])
	}
	return req, nil
}

// headerFlags collects repeated -H flags.
type headerFlags []string

func (h *headerFlags) String() string { return strings.Join(*h, ", ") }
func (h *headerFlags) Set(v string) error {
	if name, _, ok := strings.Cut(v, ":"); !ok || strings.TrimSpace(name) == "" {
		return errors.New("want 'Name: value'")
	}
	*h = append(*h, v)
	return nil
}

// readLines returns the non-empty lines of a file (at least one).
func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no lines")
	}
	return out, nil
}

func do(ctx context.Context, c *http.Client, spec *reqSpec, buf []byte) result {
	req, err := spec.newRequest(ctx)
	t0 := time.Now()
	if err != nil {
		return result{sent: t0, errText: err.Error()}
	}
	resp, err := c.Do(req)
	if err != nil {
		return result{sent: t0, svc: time.Since(t0), errText: shortErr(err)}
	}
	_, err = io.CopyBuffer(io.Discard, resp.Body, buf)
	resp.Body.Close()
	r := result{sent: t0, svc: time.Since(t0), status: resp.StatusCode}
	if err != nil {
		r.status, r.errText = 0, shortErr(err)
	}
	return r
}

func shortErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

func report(format, target string, rate float64, conns int, duration time.Duration, planned int, rs []result) {
	var ok, non2xx, errs int
	firstErr := ""
	lat := make([]time.Duration, 0, len(rs))
	svc := make([]time.Duration, 0, len(rs))
	lag := make([]time.Duration, 0, len(rs))
	for _, r := range rs {
		switch {
		case r.status == 0:
			errs++
			if firstErr == "" {
				firstErr = r.errText
			}
			continue
		case r.status >= 200 && r.status < 300:
			ok++
		default:
			non2xx++
		}
		lat = append(lat, r.lat)
		svc = append(svc, r.svc)
		lag = append(lag, r.lag)
	}
	slices.Sort(lat)
	slices.Sort(svc)
	slices.Sort(lag)
	unsent := planned - len(rs)
	achieved := float64(len(rs)-errs) / duration.Seconds()

	p := func(s []time.Duration, q float64) int64 { return pct(s, q).Microseconds() }
	if format == "kv" {
		fmt.Printf("planned=%d done=%d ok=%d non2xx=%d errors=%d unsent=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d svc_p50_us=%d svc_p99_us=%d lag_p50_us=%d lag_p99_us=%d\n",
			planned, len(rs), ok, non2xx, errs, unsent, achieved,
			p(lat, 50), p(lat, 90), p(lat, 99), p(lat, 99.9), p(lat, 100), p(svc, 50), p(svc, 99), p(lag, 50), p(lag, 99))
		if firstErr != "" {
			fmt.Fprintf(os.Stderr, "fixedrate: first error: %s\n", firstErr)
		}
		return
	}
	fmt.Printf("fixedrate: %s at %.0f req/s over <= %d connections for %s (open loop)\n", target, rate, conns, duration)
	fmt.Printf("  requests: %d planned, %d answered 2xx, %d other status, %d errors, %d not sent; %.1f answered/s\n",
		planned, ok, non2xx, errs, unsent, achieved)
	if firstErr != "" {
		fmt.Printf("  first error: %s\n", firstErr)
	}
	if len(lat) == 0 {
		fmt.Println("  no responses: no latency to report")
		return
	}
	fmt.Printf("  latency from scheduled send (µs): p50 %d  p90 %d  p99 %d  p99.9 %d  max %d\n",
		p(lat, 50), p(lat, 90), p(lat, 99), p(lat, 99.9), p(lat, 100))
	fmt.Printf("  service time from actual send (µs): p50 %d  p99 %d\n", p(svc, 50), p(svc, 99))
	fmt.Printf("  send lag behind schedule (µs): p50 %d  p99 %d  (the generator's own timing plus waits for a free connection)\n", p(lag, 50), p(lag, 99))
}

// pct is the nearest-rank percentile of a sorted slice.
func pct(s []time.Duration, q float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	i := int(math.Ceil(q/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func usagef(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "fixedrate: "+format+"\n", args...)
	flag.Usage()
	os.Exit(2)
}
