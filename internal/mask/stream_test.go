package mask

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"
)

// genReader generates a JSON array of size bytes without allocating:
// records cycle through templates, some with data to mask.
type genReader struct {
	left    int
	pending []byte
	i       int
	recs    [][]byte
}

func newGenReader(size int) *genReader {
	g := &genReader{left: size, pending: []byte("[")}
	for _, r := range []string{
		`{"id":1234567,"at":"2026-01-15T10:20:30Z","amount":1999.95,"note":"the parcel was delivered to the front door"},`,
		`{"id":1234568,"pan":"4111111111111111","ssn":"123-45-6789","password":"hunter2"},`,
		`{"id":1234569,"uuid":"123e4567-e89b-12d3-a456-426614174000","phone":"+1 555-123-4567","tags":["a","b"]},`,
		`{"id":1234570,"session":"` + fakeJWT + `","n":5500000000000004},`,
	} {
		g.recs = append(g.recs, []byte(r))
	}
	return g
}

func (g *genReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && g.left > 0 {
		if len(g.pending) == 0 {
			if g.left <= len(g.recs[0])+1 {
				g.pending = []byte(`{}]`)[:min(3, g.left)]
			} else {
				g.pending = g.recs[g.i%len(g.recs)]
				g.i++
			}
		}
		k := copy(p[n:], g.pending[:min(len(g.pending), g.left)])
		g.pending, g.left, n = g.pending[k:], g.left-k, n+k
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// leakWriter counts masked values and fails on any unmasked one, across
// write boundaries, without allocating.
type leakWriter struct {
	t      *testing.T
	n      int
	buf    []byte
	cards  int
	redact int
}

var leaks = [][]byte{[]byte("4111111111111111"), []byte("5500000000000004"), []byte("123-45-6789"), []byte("hunter2"), []byte(fakeJWT[:40])}

func (w *leakWriter) Write(p []byte) (int, error) {
	const keep = 64
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), cap(w.buf)-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
		w.n += k
		for _, l := range leaks {
			if bytes.Contains(w.buf, l) {
				w.t.Fatalf("%s leaked", l)
			}
		}
		tail := len(w.buf) - keep
		w.cards += bytes.Count(w.buf[:tail], []byte("****"))
		w.redact += bytes.Count(w.buf[:tail], []byte(Redacted))
		w.buf = w.buf[:copy(w.buf, w.buf[tail:])]
	}
	return n, nil
}

// TestLargeBodyBoundedMemory streams 50 MB (8 MB with -short or -race)
// through the masker: everything is masked and the memory allocated
// stays under 1 MiB whatever the size.
func TestLargeBodyBoundedMemory(t *testing.T) {
	size := 50 << 20
	if testing.Short() || raceEnabled {
		size = 8 << 20
	}
	f := allClasses(t)
	w := &leakWriter{t: t, buf: make([]byte, 0, 64<<10)}
	copyBuf := make([]byte, 32<<10)
	src := newGenReader(size)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	r := f.NewReader(src, JSON)
	for {
		n, err := r.Read(copyBuf)
		_, _ = w.Write(copyBuf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&m1)
	w.cards += bytes.Count(w.buf, []byte("****"))
	w.redact += bytes.Count(w.buf, []byte(Redacted))
	records := src.i
	if want := records/4*2 + records%4/2; w.cards < want-1 || w.cards > want+1 {
		t.Errorf("%d cards masked in %d records", w.cards, records)
	}
	if want := (records + 2) / 4 * 3; w.redact < want-3 || w.redact > want+3 {
		t.Errorf("%d values redacted in %d records, want about %d", w.redact, records, want)
	}
	alloc := m1.TotalAlloc - m0.TotalAlloc
	t.Logf("%d MB in, %d MB out, %d records, %d bytes allocated", size>>20, w.n>>20, records, alloc)
	if alloc > 1<<20 {
		t.Fatalf("%d bytes allocated for a %d MB stream", alloc, size>>20)
	}
}

// TestStreamAllocs: a body allocates a fixed amount (reader and body
// structs; buffers come from a pool), never per read.
func TestStreamAllocs(t *testing.T) {
	f := allClasses(t)
	data := sampleJSON(256 << 10)
	buf := make([]byte, 32<<10)
	src := bytes.NewReader(data)
	allocs := testing.AllocsPerRun(20, func() {
		src.Reset(data)
		if _, err := io.CopyBuffer(io.Discard, onlyReader{f.NewReader(src, JSON)}, buf); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 4 {
		t.Fatalf("%.1f allocations per 256 KiB body", allocs)
	}
}

func TestReadAfterEOF(t *testing.T) {
	f := allClasses(t)
	r := f.NewReader(bytes.NewReader([]byte("x 4111111111111111")), Text)
	out, err := io.ReadAll(r)
	if err != nil || string(out) != "x ****1111" {
		t.Fatal(string(out), err)
	}
	for i := 0; i < 2; i++ {
		if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF {
			t.Fatal(n, err)
		}
	}
	if n, err := r.Read(nil); n != 0 || err != nil {
		t.Fatal(n, err)
	}
}

// TestUpstreamError: a failed upstream read ends the body with that
// error, without the held-back tail (which may hold part of a secret).
func TestUpstreamError(t *testing.T) {
	f := allClasses(t)
	boom := fmt.Errorf("boom")
	src := io.MultiReader(bytes.NewReader([]byte(pad+"ghp_abc")), &errReader{boom})
	out, err := io.ReadAll(f.NewReader(src, Text))
	if err != boom {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("ghp_")) || len(out) > len(pad) {
		t.Fatalf("%d bytes, tail %q", len(out), out[max(0, len(out)-10):])
	}
}

type errReader struct{ err error }

func (r *errReader) Read([]byte) (int, error) { return 0, r.err }
