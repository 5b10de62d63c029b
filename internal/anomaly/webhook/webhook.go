// Package webhook delivers anomaly alerts to an HTTP endpoint: batched
// JSON POSTs, HMAC-SHA256 signed with a timestamp (see Sign and Verify),
// from a bounded queue on its own goroutine, so a slow or dead receiver
// never delays a request nor grows memory: alerts that find the queue
// full are dropped and counted.
//
// Body: {"alerts": [<anomaly.Alert as JSON>, ...]}, at most Batch alerts.
// Each batch is tried Attempts times with doubling Backoff; a 2xx answer
// is success; redirects are not followed (the signed body goes only to
// the configured URL).
package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/apiguard/apiguard/internal/anomaly"
)

// MinSecret is the shortest accepted secret, in bytes.
const MinSecret = 32

// Config configures New; zero fields take the defaults shown.
type Config struct {
	// URL receives the POSTs: https, or http only to a loopback host
	// unless AllowHTTP.
	URL       string
	AllowHTTP bool
	// Secret is the HMAC key shared with the receiver (at least
	// MinSecret bytes; read it from a file, never inline).
	Secret []byte
	// Timeout bounds one POST (5s).
	Timeout time.Duration
	// Queue bounds the alerts waiting (256); Batch bounds one POST (50).
	Queue, Batch int
	// Attempts per batch (3), Backoff before the second (1s, doubling).
	Attempts int
	Backoff  time.Duration
	// Client sends the POSTs (a client with Timeout and no redirects).
	Client *http.Client
	// Now is the clock of the timestamp (time.Now).
	Now func() time.Time
	// Logger reports failed deliveries (slog.Default()).
	Logger *slog.Logger
}

// Webhook is an anomaly.Sink that queues alerts for Run.
type Webhook struct {
	cfg                   Config
	q                     chan anomaly.Alert
	sent, failed, dropped atomic.Uint64
}

var _ anomaly.Sink = (*Webhook)(nil)

// New checks cfg and returns a webhook; start Run to deliver.
func New(cfg Config) (*Webhook, error) {
	if err := checkURL(cfg.URL, cfg.AllowHTTP); err != nil {
		return nil, err
	}
	if len(cfg.Secret) < MinSecret {
		return nil, fmt.Errorf("webhook: the secret must be at least %d bytes", MinSecret)
	}
	cfg = withDefaults(cfg)
	return &Webhook{cfg: cfg, q: make(chan anomaly.Alert, cfg.Queue)}, nil
}

func withDefaults(c Config) Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Queue, 256)
	def(&c.Batch, 50)
	def(&c.Attempts, 3)
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	if c.Backoff <= 0 {
		c.Backoff = time.Second
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: c.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

func checkURL(raw string, allowHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return errors.New("webhook: url must be an absolute http(s) URL without credentials")
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme != "http":
		return fmt.Errorf("webhook: url scheme %q (want https)", u.Scheme)
	case allowHTTP || isLoopback(u.Hostname()):
		return nil
	}
	return errors.New("webhook: plain http is only allowed to a loopback host (the alerts would travel unencrypted)")
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Alert implements anomaly.Sink: it queues a without waiting, or drops
// it when the queue is full.
func (w *Webhook) Alert(_ context.Context, a anomaly.Alert) {
	select {
	case w.q <- a:
	default:
		w.dropped.Add(1)
	}
}

// Stats counts alerts delivered, given up after every attempt, and
// dropped on a full queue.
type Stats struct{ Sent, Failed, Dropped uint64 }

// Stats returns the counters.
func (w *Webhook) Stats() Stats {
	return Stats{Sent: w.sent.Load(), Failed: w.failed.Load(), Dropped: w.dropped.Load()}
}

// Run delivers queued alerts until ctx is done: each POST carries what
// is queued (up to Batch), so batches grow when the receiver is slow.
func (w *Webhook) Run(ctx context.Context) {
	batch := make([]anomaly.Alert, 0, w.cfg.Batch)
	for {
		select {
		case <-ctx.Done():
			return
		case a := <-w.q:
			batch = append(batch[:0], a)
		}
		w.deliver(ctx, w.fill(batch))
	}
}

// fill appends the queued alerts to batch, without waiting, up to Batch.
func (w *Webhook) fill(batch []anomaly.Alert) []anomaly.Alert {
	for len(batch) < w.cfg.Batch {
		select {
		case a := <-w.q:
			batch = append(batch, a)
		default:
			return batch
		}
	}
	return batch
}

// deliver POSTs one batch, retrying, and counts the outcome.
func (w *Webhook) deliver(ctx context.Context, batch []anomaly.Alert) {
	body, err := json.Marshal(struct {
		Alerts []anomaly.Alert `json:"alerts"`
	}{batch})
	if err != nil {
		w.failed.Add(uint64(len(batch)))
		w.cfg.Logger.Error("webhook: encoding alerts", "err", err)
		return
	}
	id := deliveryID()
	backoff := w.cfg.Backoff
	for attempt := 1; ; attempt++ {
		err = w.post(ctx, id, body)
		if err == nil {
			w.sent.Add(uint64(len(batch)))
			return
		}
		if attempt == w.cfg.Attempts || !sleep(ctx, backoff) {
			break
		}
		backoff *= 2
	}
	w.failed.Add(uint64(len(batch)))
	w.cfg.Logger.Warn("webhook: alerts not delivered", "alerts", len(batch), "attempts", w.cfg.Attempts, "err", err)
}

// post sends the body once, signed now.
func (w *Webhook) post(ctx context.Context, id string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts := w.cfg.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "apiguard-webhook")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(w.cfg.Secret, ts, body))
	req.Header.Set(HeaderDelivery, id)
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook: receiver answered %s", resp.Status)
	}
	return nil
}

// sleep waits d or until ctx is done; false when ctx is done.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func deliveryID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}
