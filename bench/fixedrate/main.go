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
package main

import (
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
	"sync"
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
	flag.Parse()

	u, err := url.Parse(*target)
	switch {
	case *target == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		usagef("-url must be an http:// or https:// URL")
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
				r := do(ctx, client, *target, buf)
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

	report(*format, *target, *rate, *conns, *duration, total, results)
}

func do(ctx context.Context, c *http.Client, target string, buf []byte) result {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
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
	fmt.Printf("fixedrate: GET %s at %.0f req/s over <= %d connections for %s (open loop)\n", target, rate, conns, duration)
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
