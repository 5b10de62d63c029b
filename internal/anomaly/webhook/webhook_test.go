package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/anomaly"
)

var (
	t0     = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	secret = []byte("0123456789abcdef0123456789abcdef")
)

// delivery is one POST the receiver got.
type delivery struct {
	header http.Header
	body   []byte
}

// receiver is an httptest server that answers with the statuses given,
// in turn (then 204), and passes on every POST.
func receiver(t *testing.T, statuses ...int) (*httptest.Server, <-chan delivery) {
	t.Helper()
	got := make(chan delivery, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- delivery{r.Header.Clone(), body}
		status := http.StatusNoContent
		if len(statuses) > 0 {
			status, statuses = statuses[0], statuses[1:]
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func start(t *testing.T, cfg Config) *Webhook {
	t.Helper()
	cfg.Secret, cfg.Now, cfg.Backoff = secret, func() time.Time { return t0 }, time.Millisecond
	cfg.Logger = slog.New(slog.DiscardHandler)
	w, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go w.Run(ctx)
	return w
}

func next(t *testing.T, c <-chan delivery) delivery {
	t.Helper()
	select {
	case d := <-c:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery")
		return delivery{}
	}
}

func alert(detector string) anomaly.Alert {
	return anomaly.Alert{Time: t0, Detector: detector, Key: "identity", Subject: "key:k1", Count: 31, Threshold: 30,
		Window: time.Minute, Action: anomaly.ActionAlert}
}

func TestDeliverySignedAndVerifiable(t *testing.T) {
	srv, got := receiver(t)
	w := start(t, Config{URL: srv.URL})
	w.Alert(context.Background(), alert(anomaly.DetectorEnumeration))
	d := next(t, got)
	if err := Verify(secret, d.header, d.body, t0.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	var payload struct{ Alerts []map[string]any }
	if err := json.Unmarshal(d.body, &payload); err != nil || len(payload.Alerts) != 1 ||
		payload.Alerts[0]["detector"] != "enumeration" || payload.Alerts[0]["offender"] != "key:k1" {
		t.Fatalf("payload %s (%v)", d.body, err)
	}
	if d.header.Get(HeaderDelivery) == "" || d.header.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v", d.header)
	}
	for _, tc := range []struct {
		name   string
		secret []byte
		body   []byte
		now    time.Time
	}{
		{"tampered body", secret, append([]byte(nil), append(d.body[:len(d.body)-1:len(d.body)-1], ' ')...), t0},
		{"wrong secret", []byte("another secret of thirty-two bytes"), d.body, t0},
		{"replayed later", secret, d.body, t0.Add(time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := Verify(tc.secret, d.header, tc.body, tc.now, 5*time.Minute); !errors.Is(err, ErrSignature) {
				t.Fatalf("Verify: %v, want ErrSignature", err)
			}
		})
	}
	settle(t, w, got)
	if s := w.Stats(); s.Sent < 1 || s.Failed != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// settle queues one more alert and waits for its POST: the consumer is
// sequential, so every earlier batch's outcome is counted by then.
func settle(t *testing.T, w *Webhook, got <-chan delivery) {
	t.Helper()
	w.Alert(context.Background(), alert("probe"))
	next(t, got)
}

func TestRetryKeepsDeliveryID(t *testing.T) {
	srv, got := receiver(t, 500, 302)
	w := start(t, Config{URL: srv.URL})
	w.Alert(context.Background(), alert(anomaly.DetectorTrafficSpike))
	ids := []string{next(t, got).header.Get(HeaderDelivery), next(t, got).header.Get(HeaderDelivery), next(t, got).header.Get(HeaderDelivery)}
	if ids[0] != ids[1] || ids[1] != ids[2] {
		t.Fatalf("delivery ids %v", ids)
	}
	settle(t, w, got)
	if s := w.Stats(); s.Sent < 1 || s.Failed != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestGivesUpAfterAttempts(t *testing.T) {
	srv, got := receiver(t, 500, 500, 500)
	w := start(t, Config{URL: srv.URL, Attempts: 3})
	w.Alert(context.Background(), alert(anomaly.DetectorTrafficSpike))
	for range 3 {
		next(t, got)
	}
	settle(t, w, got)
	if s := w.Stats(); s.Failed != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// A receiver that hangs fills the bounded queue: further alerts are
// dropped and counted, Alert never waits; what was queued goes out in
// batches once it answers.
func TestBoundedQueueAndBatches(t *testing.T) {
	entered, release := make(chan struct{}, 1), make(chan struct{})
	got := make(chan int, 100)
	var first sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct{ Alerts []json.RawMessage }
		_ = json.NewDecoder(r.Body).Decode(&p)
		first.Do(func() {
			entered <- struct{}{}
			<-release
		})
		got <- len(p.Alerts)
	}))
	defer srv.Close()
	w := start(t, Config{URL: srv.URL, Queue: 8, Batch: 5})
	w.Alert(context.Background(), alert("a"))
	<-entered // the consumer is inside the first POST
	for range 8 + 3 {
		w.Alert(context.Background(), alert("b"))
	}
	if s := w.Stats(); s.Dropped != 3 {
		t.Fatalf("stats %+v, want 3 dropped", s)
	}
	close(release)
	var sizes []int
	for total := 0; total < 9; {
		n := <-got
		sizes = append(sizes, n)
		total += n
	}
	if len(sizes) != 3 || sizes[1] != 5 || sizes[2] != 3 {
		t.Fatalf("batches %v, want [1 5 3]", sizes)
	}
}

func TestNewRefuses(t *testing.T) {
	for _, tc := range []struct{ name, url, want string }{
		{"plain http to a remote host", "http://alerts.example.test/hook", "loopback"},
		{"credentials in the url", "https://user:pw@alerts.example.test/", "credentials"},
		{"relative", "/hook", "absolute"},
		{"other scheme", "ftp://alerts.example.test/", "scheme"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(Config{URL: tc.url, Secret: secret}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := New(Config{URL: "https://alerts.example.test/", Secret: []byte("short")}); err == nil {
		t.Fatal("short secret accepted")
	}
	for _, ok := range []Config{{URL: "https://alerts.example.test/"}, {URL: "http://127.0.0.1:9/"},
		{URL: "http://alerts.internal/", AllowHTTP: true}} {
		ok.Secret = secret
		if _, err := New(ok); err != nil {
			t.Errorf("New(%s): %v", ok.URL, err)
		}
	}
}
