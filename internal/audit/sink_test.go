package audit

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// collector is an HTTP endpoint that keeps what it is sent.
type collector struct {
	mu      sync.Mutex
	lines   []string
	auth    []string
	failing bool
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failing {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	c.auth = append(c.auth, r.Header.Get("Authorization"))
	if r.Header.Get("Content-Type") != "application/x-ndjson" {
		http.Error(w, "type", http.StatusUnsupportedMediaType)
		return
	}
	sc := bufio.NewScanner(r.Body)
	for sc.Scan() {
		c.lines = append(c.lines, sc.Text())
	}
}

func TestHTTPSinkShipsEveryWrittenRecord(t *testing.T) {
	col := &collector{}
	srv := httptest.NewServer(col)
	defer srv.Close()
	sink := HTTPSink(srv.Client(), srv.URL, "siem-token", ShipperOptions{MaxBatch: 2048})
	path := tempFile(t)
	w := openT(t, Options{File: path, Sinks: []Sink{sink}})
	for i := range 50 {
		if err := w.SubmitWait(context.Background(), sample(i)); err != nil {
			t.Fatal(err)
		}
	}
	closeT(t, w) // closes the sink: everything pending is sent
	file := readLines(t, path)
	col.mu.Lock()
	defer col.mu.Unlock()
	if len(col.lines) != 50 {
		t.Fatalf("shipped %d of 50 records", len(col.lines))
	}
	for i, l := range file {
		if string(bytes.TrimSuffix(l, []byte("\n"))) != col.lines[i] {
			t.Fatalf("record %d differs:\nfile %s\nsink %s", i, l, col.lines[i])
		}
	}
	if len(col.auth) < 2 || col.auth[0] != "Bearer siem-token" {
		t.Fatalf("batches %d, auth %q: want several batches with the token", len(col.auth), col.auth)
	}
	if sent, dropped := sink.Stats(); sent != 50 || dropped != 0 {
		t.Fatalf("sent %d dropped %d", sent, dropped)
	}
}

// A failing collector loses shipped copies (counted), never a record of
// the file, and never blocks the writer.
func TestSinkFailureNeverBlocksTheFile(t *testing.T) {
	col := &collector{failing: true}
	srv := httptest.NewServer(col)
	defer srv.Close()
	sink := HTTPSink(srv.Client(), srv.URL, "", ShipperOptions{QueueBytes: 4096})
	path := tempFile(t)
	w := openT(t, Options{File: path, Sinks: []Sink{sink}})
	for i := range 40 {
		if err := w.SubmitWait(context.Background(), sample(i)); err != nil {
			t.Fatal(err)
		}
	}
	err := w.Close()
	if err == nil || !strings.Contains(err.Error(), "records not shipped") {
		t.Fatalf("Close = %v, want the shipping loss reported", err)
	}
	mustVerify(t, 40, path)
	if sent, dropped := sink.Stats(); sent != 0 || dropped != 40 {
		t.Fatalf("sent %d dropped %d", sent, dropped)
	}
}

func TestShipperBatchesWholeLines(t *testing.T) {
	var mu sync.Mutex
	var batches []string
	s := NewShipper(func(_ context.Context, b []byte) error {
		mu.Lock()
		batches = append(batches, string(b))
		mu.Unlock()
		return nil
	}, ShipperOptions{MaxBatch: 10})
	s.Ship([]byte("aaaa\nbbbb\ncccccccccccccc\nd\n"))
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"aaaa\nbbbb\n", "cccccccccccccc\n", "d\n"}
	if strings.Join(batches, "|") != strings.Join(want, "|") {
		t.Fatalf("batches %q, want %q", batches, want)
	}
}

func TestWriterSinkReportsWriteErrors(t *testing.T) {
	s := WriterSink(failingWriter{}, ShipperOptions{})
	s.Ship([]byte("x\n"))
	if err := s.Close(context.Background()); err == nil {
		t.Fatal("a failing writer's loss was not reported")
	}
	var buf bytes.Buffer
	s = WriterSink(&buf, ShipperOptions{})
	s.Ship([]byte("x\ny\n"))
	if err := s.Close(context.Background()); err != nil || buf.String() != "x\ny\n" {
		t.Fatalf("%v %q", err, buf.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

var _ io.Writer = failingWriter{}
