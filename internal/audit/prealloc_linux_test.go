package audit

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// blocksOf is the space f takes on disk, in bytes.
func blocksOf(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Blocks * 512
}

// TestPreallocation: the active file's blocks are reserved ahead of the
// writes without changing its size (a reader or a crash never sees
// padding), and what was not used is given back at rotation and Close.
func TestPreallocation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	probe := filepath.Join(dir, "probe")
	pf, _ := os.Create(probe)
	ok := preallocate(pf, 0, 1<<20)
	pf.Close()
	if !ok {
		t.Skip("this file system cannot preallocate: the writer falls back to plain appends")
	}
	w, err := Open(Options{File: path, MaxSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.SubmitWait(t.Context(), &Record{Method: "GET", Path: "/v1/orders", Status: 200}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Size() == 0 || fi.Size() > 1024 {
		t.Fatalf("size %d: the reserve must not show in the file's size", fi.Size())
	}
	if got := blocksOf(t, path); got < 32<<10 {
		t.Fatalf("%d bytes on disk for a %d-byte file: nothing was reserved ahead", got, fi.Size())
	}
	if _, err := Verify(path); err != nil {
		t.Fatalf("a preallocated file must verify while written: %v", err)
	}
	for i := 0; i < 400; i++ { // past MaxSize: at least one rotation
		if err := w.SubmitWait(t.Context(), &Record{Method: "GET", Path: "/v1/orders", Status: 200}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "audit*.jsonl"))
	if len(files) < 2 {
		t.Fatalf("no rotation happened: %v", files)
	}
	for _, f := range files {
		fi, _ := os.Stat(f)
		if got := blocksOf(t, f); got > fi.Size()+8<<10 {
			t.Errorf("%s: %d bytes on disk for %d bytes of records: the reserve was not given back", filepath.Base(f), got, fi.Size())
		}
	}
}
