package audit

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 123456000, time.UTC)

// sample returns a full request record.
func sample(i int) *Record {
	return &Record{
		Time:      t0.Add(time.Duration(i) * time.Millisecond),
		Type:      TypeRequest,
		RequestID: "req-" + string(rune('a'+i%26)),
		ClientIP:  netip.MustParseAddr("203.0.113.7"),
		Method:    "POST", Route: "orders.create", Path: "/v1/orders",
		Status: 201, Identity: Identity{Subject: "k7Hq2xYz", Auth: "api_key", KeyID: "k7Hq2xYz"},
		Scopes: []string{"orders:read", "orders:write"}, UpstreamStatus: 201,
		DurationMS: 12.3456, BytesIn: 42, BytesOut: 118,
	}
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func tempFile(t testing.TB) string {
	return filepath.Join(t.TempDir(), "data", "audit.jsonl")
}

func openT(t testing.TB, o Options) *Writer {
	t.Helper()
	w, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func submitAll(t testing.TB, w *Writer, recs ...*Record) {
	t.Helper()
	for _, r := range recs {
		if err := w.Submit(r); err != nil {
			t.Fatal(err)
		}
	}
}

func closeT(t testing.TB, w *Writer) {
	t.Helper()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func readLines(t testing.TB, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
}

func writeLines(t testing.TB, path string, lines [][]byte) {
	t.Helper()
	b := append(bytes.Join(lines, []byte("\n")), '\n')
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func mustVerify(t testing.TB, want int, paths ...string) Result {
	t.Helper()
	res, err := Verify(paths...)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || res.Records != want {
		t.Fatalf("verify %v: %d records, failure %v; want %d intact", paths, res.Records, res.Failure, want)
	}
	return res
}
