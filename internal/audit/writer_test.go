package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestWriterWritesAVerifiableChain(t *testing.T) {
	path := tempFile(t)
	w := openT(t, Options{File: path})
	if w.Recovery().LastHash != ZeroHash || w.Recovery().From != "" {
		t.Fatalf("new chain: %+v", w.Recovery())
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if err := w.Submit(sample(g*50 + i)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	closeT(t, w)
	res := mustVerify(t, 400, path)
	if res.LastHash != w.LastHash() {
		t.Fatalf("verify ends at %s, writer at %s", res.LastHash, w.LastHash())
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	if dst, _ := os.Stat(filepath.Dir(path)); dst.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v, want 0700", dst.Mode().Perm())
	}
	if s := w.Stats(); s.Written != 400 || s.Rejected != 0 || s.WriteErrors != 0 || s.Lost != 0 {
		t.Fatalf("stats %+v", s)
	}
	lines := readLines(t, path)
	if !bytes.Contains(lines[0], []byte(`"prev_hash":"`+ZeroHash+`"`)) {
		t.Fatalf("first record: %s", lines[0])
	}
}

func TestSubmitWaitReturnsWhenWritten(t *testing.T) {
	for _, policy := range []SyncPolicy{SyncInterval, SyncEvery, SyncNever} {
		t.Run(string(policy), func(t *testing.T) {
			path := tempFile(t)
			w := openT(t, Options{File: path, Sync: policy})
			defer closeT(t, w)
			r := sample(1)
			if err := w.SubmitWait(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			// In the file (the kernel's) before Close: a crash of the process now loses nothing.
			lines := readLines(t, path)
			if len(lines) != 1 || !bytes.Contains(lines[0], []byte(r.Hash)) || len(r.Hash) != 64 {
				t.Fatalf("hash %q, file %s", r.Hash, lines)
			}
		})
	}
}

func TestChainContinuesAcrossRestart(t *testing.T) {
	path := tempFile(t)
	w := openT(t, Options{File: path})
	submitAll(t, w, sample(1), sample(2))
	closeT(t, w)
	last := w.LastHash()

	w = openT(t, Options{File: path})
	if rec := w.Recovery(); rec.LastHash != last || rec.From != path || rec.TornBytes != 0 {
		t.Fatalf("recovery %+v, want last %s", rec, last)
	}
	submitAll(t, w, sample(3))
	closeT(t, w)
	mustVerify(t, 3, path)
	lines := readLines(t, path)
	if !bytes.Contains(lines[2], []byte(`"prev_hash":"`+last+`"`)) {
		t.Fatalf("third record does not chain to %s: %s", last, lines[2])
	}
}

func TestOpenRefusesASecondWriter(t *testing.T) {
	path := tempFile(t)
	w := openT(t, Options{File: path})
	defer closeT(t, w)
	if w2, err := Open(Options{File: path}); err == nil {
		w2.Close()
		t.Fatal("a second writer opened the same file")
	}
}

func TestTornLastLineAfterCrash(t *testing.T) {
	path := tempFile(t)
	w := openT(t, Options{File: path})
	submitAll(t, w, sample(1), sample(2))
	closeT(t, w)
	good, _ := os.ReadFile(path)

	// A crash in the middle of writing the third record.
	torn := []byte(`{"bytes_in":42,"bytes_out":118,"client_ip":"203.0.1`)
	if err := os.WriteFile(path, append(append([]byte{}, good...), torn...), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := Verify(path)
	if err != nil || res.OK() || res.Failure.Line != 3 || res.Failure.Reason != ReasonTorn || res.Records != 2 {
		t.Fatalf("verify before repair: %+v %v", res, err)
	}

	w = openT(t, Options{File: path})
	rec := w.Recovery()
	if rec.TornBytes != int64(len(torn)) || rec.TornOffset != int64(len(good)) || rec.LastHash != w.LastHash() {
		t.Fatalf("recovery %+v", rec)
	}
	submitAll(t, w, sample(3))
	closeT(t, w)
	mustVerify(t, 3, path)
	if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, good) {
		t.Fatal("the good records were not kept")
	}
}

func TestRecordMissingOnlyItsNewlineIsKept(t *testing.T) {
	path := tempFile(t)
	w := openT(t, Options{File: path})
	submitAll(t, w, sample(1), sample(2))
	closeT(t, w)
	b, _ := os.ReadFile(path)
	os.WriteFile(path, bytes.TrimSuffix(b, []byte("\n")), 0o600)
	w = openT(t, Options{File: path})
	if w.Recovery().TornBytes != 0 {
		t.Fatalf("a complete record was cut: %+v", w.Recovery())
	}
	submitAll(t, w, sample(3))
	closeT(t, w)
	mustVerify(t, 3, path)
}

func TestOpenRefusesADamagedLastRecord(t *testing.T) {
	path := tempFile(t)
	w := openT(t, Options{File: path})
	submitAll(t, w, sample(1), sample(2))
	closeT(t, w)
	lines := readLines(t, path)
	lines[1] = bytes.Replace(lines[1], []byte(`"status":201`), []byte(`"status":200`), 1)
	writeLines(t, path, lines)
	if w, err := Open(Options{File: path}); err == nil || !strings.Contains(err.Error(), "damaged") {
		if w != nil {
			w.Close()
		}
		t.Fatalf("Open = %v, want a damaged-record error", err)
	}
}

func TestRotationBySize(t *testing.T) {
	path := tempFile(t)
	clock := &fakeClock{t: t0}
	line, _ := appendLine(nil, func() *Record { r := sample(0); r.PrevHash = ZeroHash; return r }())
	// Three records per file.
	w := openT(t, Options{File: path, MaxSize: int64(3*len(line) + 10), Now: clock.Now})
	for i := range 10 {
		clock.Add(time.Millisecond)
		if err := w.SubmitWait(context.Background(), sample(i)); err != nil {
			t.Fatal(err)
		}
	}
	closeT(t, w)
	files, err := Files(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 4 || files[3] != path {
		t.Fatalf("files %v, want 3 rotated + active", files)
	}
	for _, f := range files[:3] {
		if n := len(readLines(t, f)); n != 3 {
			t.Fatalf("%s has %d records", f, n)
		}
		if !strings.HasPrefix(filepath.Base(f), "audit-20261127T12") || !strings.HasSuffix(f, ".jsonl") {
			t.Fatalf("rotated name %s", f)
		}
		if st, _ := os.Stat(f); st.Mode().Perm() != 0o600 {
			t.Fatalf("%s mode %v", f, st.Mode().Perm())
		}
	}
	mustVerify(t, 10, files...)
	if w.Stats().Rotations != 3 {
		t.Fatalf("stats %+v", w.Stats())
	}
	// The active file alone does not start the chain; from the previous
	// file's last hash it verifies.
	if res, _ := Verify(path); res.OK() || res.Failure.Line != 1 || res.Failure.Reason != ReasonBadStart {
		t.Fatalf("active file alone: %+v", res)
	}
	prev := mustVerify(t, 9, files[:3]...).LastHash
	if res, _ := VerifyFrom(prev, path); !res.OK() || res.Records != 1 {
		t.Fatalf("VerifyFrom: %+v", res)
	}
	// Out of order: broken.
	if res, _ := Verify(files[1], files[0], files[2], files[3]); res.OK() {
		t.Fatal("files out of order verified")
	}
}

func TestRotationByAgeAndRestartAfterRotation(t *testing.T) {
	path := tempFile(t)
	clock := &fakeClock{t: t0}
	w := openT(t, Options{File: path, MaxAge: time.Hour, Now: clock.Now})
	submitAll(t, w, sample(1), sample(2))
	if err := w.SubmitWait(context.Background(), &Record{Type: TypeReload}); err != nil {
		t.Fatal(err)
	}
	clock.Add(2 * time.Hour)
	if err := w.SubmitWait(context.Background(), &Record{Type: TypeAdmin, Detail: "POST /api/reload"}); err != nil {
		t.Fatal(err)
	}
	closeT(t, w)
	files, _ := Files(path)
	if len(files) != 2 || len(readLines(t, files[0])) != 3 || len(readLines(t, files[1])) != 1 {
		t.Fatalf("files %v", files)
	}
	last := w.LastHash()

	// A crash right after a rotation leaves no active file (or an empty
	// one): the chain continues from the newest rotated file.
	rotated := RotatedName(path, clock.Now().Add(time.Minute))
	if err := os.Rename(path, rotated); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w = openT(t, Options{File: path, MaxAge: time.Hour, Now: clock.Now})
	if rec := w.Recovery(); rec.LastHash != last || rec.From != rotated {
		t.Fatalf("recovery %+v, want %s from %s", rec, last, rotated)
	}
	submitAll(t, w, sample(3))
	closeT(t, w)
	files, _ = Files(path)
	mustVerify(t, 5, files...)
}

// A record the writing goroutine has taken from the queue, but not yet
// written, must not be overtaken by a SubmitWait on the direct path: the
// file's order is the order of submission. The test holds the writer's
// state so the goroutine waits with the record in hand, then lets
// SubmitWait race it for the lock.
func TestSubmitWaitNeverOvertakesATakenRecord(t *testing.T) {
	path := tempFile(t)
	w := openT(t, Options{File: path, Sync: SyncInterval, SyncInterval: time.Hour})
	const rounds = 20
	for i := range rounds {
		w.state.Lock()
		submitAll(t, w, &Record{Type: TypeRequest, RequestID: fmt.Sprintf("queued-%d", i)})
		for len(w.q) > 0 { // wait until the goroutine holds it
			runtime.Gosched()
		}
		w.state.Unlock()
		if err := w.SubmitWait(context.Background(), &Record{Type: TypeRequest, RequestID: fmt.Sprintf("direct-%d", i)}); err != nil {
			t.Fatal(err)
		}
		// When SubmitWait returns, its record and every one submitted
		// before it are in the file, in that order.
		lines := readLines(t, path)
		if len(lines) != 2*(i+1) {
			t.Fatalf("round %d: %d records in the file, want %d: a record was overtaken", i, len(lines), 2*(i+1))
		}
		for j, want := range []string{fmt.Sprintf(`"queued-%d"`, i), fmt.Sprintf(`"direct-%d"`, i)} {
			if line := lines[2*i+j]; !bytes.Contains(line, []byte(want)) {
				t.Fatalf("record %d is %s, want %s: a record was overtaken", 2*i+j, line, want)
			}
		}
	}
	closeT(t, w)
	mustVerify(t, 2*rounds, path)
}

// gate blocks the writer's writes until released.
type gate struct {
	ch      chan struct{}
	entered chan struct{}
	once    sync.Once
}

func newGate() *gate { return &gate{ch: make(chan struct{}), entered: make(chan struct{}, 1)} }

func (g *gate) hook(p []byte) error {
	select {
	case g.entered <- struct{}{}:
	default:
	}
	<-g.ch
	return nil
}

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

func TestQueueFullFailsClosedAndDropsNothing(t *testing.T) {
	path := tempFile(t)
	w := openT(t, Options{File: path, QueueSize: 4, BlockTimeout: 20 * time.Millisecond})
	g := newGate()
	w.writeHook = g.hook // set before the first record: the loop reads it only when writing
	defer g.open()

	accepted := 0
	submit := func() error {
		err := w.Submit(sample(accepted))
		if err == nil {
			accepted++
		}
		return err
	}
	if err := submit(); err != nil { // taken by the writer, stuck in write
		t.Fatal(err)
	}
	<-g.entered
	for range 4 { // fills the queue
		if err := submit(); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	if err := submit(); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("Submit on a full queue = %v, want ErrQueueFull", err)
	}
	if d := time.Since(start); d < 20*time.Millisecond || d > 2*time.Second {
		t.Fatalf("Submit waited %v, want about BlockTimeout", d)
	}
	if s := w.Stats(); s.Rejected != 1 || s.QueueDepth != 4 || s.QueueCapacity != 4 {
		t.Fatalf("stats %+v", s)
	}

	// A Submit blocked on the full queue succeeds when room appears in time.
	w2done := make(chan error, 1)
	w.opts.BlockTimeout = 5 * time.Second
	go func() { w2done <- w.Submit(sample(99)) }()
	time.Sleep(20 * time.Millisecond) // let it block
	g.open()
	if err := <-w2done; err != nil {
		t.Fatalf("blocked Submit: %v", err)
	}
	accepted++
	closeT(t, w)
	mustVerify(t, accepted, path) // every accepted record is there
	if s := w.Stats(); s.Written != uint64(accepted) || s.Lost != 0 {
		t.Fatalf("stats %+v, accepted %d", s, accepted)
	}
	if err := w.Submit(sample(1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Submit after Close = %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestWriteErrorsAreRetriedNotDropped(t *testing.T) {
	path := tempFile(t)
	w := openT(t, Options{File: path})
	var fails atomic.Int32
	fails.Store(3)
	w.writeHook = func([]byte) error {
		if fails.Add(-1) >= 0 {
			return errors.New("disk full")
		}
		return nil
	}
	for i := range 5 {
		if err := w.Submit(sample(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.SubmitWait(context.Background(), sample(5)); err != nil {
		t.Fatal(err)
	}
	closeT(t, w)
	mustVerify(t, 6, path)
	if s := w.Stats(); s.WriteErrors != 3 || s.Written != 6 || s.Lost != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestCloseReportsRecordsItCouldNotWrite(t *testing.T) {
	path := tempFile(t)
	w := openT(t, Options{File: path})
	g := newGate()
	w.writeHook = func(p []byte) error {
		g.hook(p)
		return errors.New("EIO")
	}
	submitAll(t, w, sample(2)) // taken by the writer, held in its first write
	<-g.entered
	done := make(chan error, 1)
	go func() { done <- w.SubmitWait(context.Background(), sample(1)) }()
	for w.Stats().QueueDepth != 1 {
		time.Sleep(time.Millisecond)
	}
	g.open() // every write fails from now on
	err := w.Close()
	if err == nil || !strings.Contains(err.Error(), "2 records could not be written") {
		t.Fatalf("Close = %v", err)
	}
	if err := <-done; err == nil {
		t.Fatal("SubmitWait of an unwritten record returned nil")
	}
	if s := w.Stats(); s.Lost != 2 || s.Written != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// SubmitWait writes from the caller's goroutine when the writer is idle
// and hands off to the writing goroutine otherwise: both paths together
// must still produce one unbroken chain with every record in it.
func TestSubmitAndSubmitWaitInterleaveIntoOneChain(t *testing.T) {
	for _, policy := range []SyncPolicy{SyncInterval, SyncEvery} {
		t.Run(string(policy), func(t *testing.T) {
			path := tempFile(t)
			w := openT(t, Options{File: path, Sync: policy})
			var wg sync.WaitGroup
			for g := range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 40 {
						var err error
						if (g+i)%2 == 0 {
							err = w.SubmitWait(context.Background(), sample(g*40+i))
						} else {
							err = w.Submit(sample(g*40 + i))
						}
						if err != nil {
							t.Error(err)
						}
					}
				}()
			}
			wg.Wait()
			closeT(t, w)
			mustVerify(t, 240, path)
			if s := w.Stats(); s.Written != 240 || s.Lost != 0 {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}

// A write that fails on SubmitWait's direct path is retried with the
// same bytes, not dropped and not duplicated.
func TestSubmitWaitRetriesAFailedDirectWrite(t *testing.T) {
	path := tempFile(t)
	w := openT(t, Options{File: path})
	var fails atomic.Int32
	fails.Store(2)
	w.writeHook = func([]byte) error {
		if fails.Add(-1) >= 0 {
			return errors.New("disk full")
		}
		return nil
	}
	r := sample(1)
	if err := w.SubmitWait(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if err := w.SubmitWait(context.Background(), sample(2)); err != nil {
		t.Fatal(err)
	}
	closeT(t, w)
	mustVerify(t, 2, path)
	if s := w.Stats(); s.WriteErrors != 2 || s.Written != 2 || s.Lost != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestSubmitWaitForBothPaths(t *testing.T) {
	path := tempFile(t)
	w := openT(t, Options{File: path, Sync: SyncEvery}) // SyncEvery always takes the queue
	if err := w.SubmitWaitFor(sample(1), time.Second); err != nil {
		t.Fatal(err)
	}
	closeT(t, w)
	w = openT(t, Options{File: path}) // idle: the direct path
	if err := w.SubmitWaitFor(sample(2), time.Second); err != nil {
		t.Fatal(err)
	}
	closeT(t, w)
	mustVerify(t, 2, path)
}
