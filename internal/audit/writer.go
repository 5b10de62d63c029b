package audit

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Errors of Submit and SubmitWait.
var (
	// ErrQueueFull: the queue stayed full for Options.BlockTimeout. The
	// record was not accepted; the gateway answers 503 (fail closed).
	ErrQueueFull = errors.New("audit: queue full")
	// ErrClosed: the Writer is closed.
	ErrClosed = errors.New("audit: writer closed")
)

// Writer appends records to the audit file. Submit and SubmitWait are
// safe for concurrent use; one goroutine redacts, hashes, chains and
// writes, draining whatever is queued into one write(2). SubmitWait
// writes from its caller's goroutine instead when the writer is idle,
// saving two goroutine hand-offs per record (see writeDirect).
//
// An accepted record is never dropped silently: when a write fails the
// writer retries the same bytes (backing off up to 1s) while the queue
// fills and Submit fails closed; only Close gives up, and then says how
// many records it could not write.
type Writer struct {
	opts Options
	red  *Redactor
	q    chan item
	// unwritten counts the records handed to the queue that the writing
	// goroutine has not finished with yet (queued, or taken from the
	// queue and waiting for state). writeDirect writes only when it is
	// zero, so a record never overtakes one submitted before it.
	unwritten atomic.Int64

	mu     sync.RWMutex // Submit holds it shared; Close exclusively
	closed bool

	quit     chan struct{} // closed by Close: drain and stop
	done     chan struct{} // closed by the loop when it stopped
	closeErr error

	recovery Recovery
	lastHash atomic.Pointer[string]
	stats    counters

	// state guards everything below it: the writing goroutine holds it
	// for each batch, and SubmitWait's direct path (see writeDirect)
	// holds it to write one record from the caller's goroutine.
	state sync.Mutex
	f     *os.File
	size  int64
	// alloc is where the reserved blocks end (see reserve); noPrealloc:
	// the file system cannot reserve.
	alloc      int64
	noPrealloc bool
	start      time.Time // time of the file's first record (its age)
	last       string    // hash of the last record written
	dirty      bool      // written since the last fsync
	garbage    bool      // a failed write may have left bytes past size
	rotateWait time.Time // no rotation attempt before (after a failure)
	pend       pending
	lost       int   // records Close could not write
	lostErr    error // why

	// writeHook, when set (tests), runs before each write(2) and can
	// fail it.
	writeHook func(p []byte) error
}

type item struct {
	rec  *Record
	done chan error // nil for Submit
}

type counters struct {
	written, rejected, writeErrors, lost, rotations atomic.Uint64
}

// Stats are the writer's counters, for metrics.
type Stats struct {
	// QueueDepth is the number of records waiting to be written.
	QueueDepth, QueueCapacity int
	// Written counts records handed to the kernel (write(2) returned).
	Written uint64
	// Rejected counts Submit calls refused (ErrQueueFull, ErrClosed).
	Rejected uint64
	// WriteErrors counts failed write, fsync and rotation attempts.
	WriteErrors uint64
	// Lost counts accepted records that Close could not write (0 unless
	// the file system failed until shutdown).
	Lost uint64
	// Rotations counts completed rotations.
	Rotations uint64
}

// Open opens (or creates, 0600) the active audit file, continues the
// chain of the records already there (or of the newest rotated file)
// and starts the writing goroutine. The file is locked against a second
// writer. A torn last record is cut off and reported in Recovery and the
// log; a last record that does not verify is an error.
func Open(opts Options) (*Writer, error) {
	if opts.File == "" {
		return nil, errors.New("audit: no file")
	}
	if _, err := ParseSyncPolicy(string(opts.Sync)); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	f, size, start, rec, err := openActive(opts.File)
	if err != nil {
		return nil, errors.New("audit: " + err.Error())
	}
	if size > 0 && start.IsZero() {
		start = opts.Now()
	}
	w := &Writer{
		opts: opts, red: NewRedactor(opts.Redact), q: make(chan item, opts.QueueSize),
		quit: make(chan struct{}), done: make(chan struct{}),
		recovery: rec, f: f, size: size, start: start, last: rec.LastHash,
	}
	w.lastHash.Store(&rec.LastHash)
	if rec.TornBytes > 0 {
		opts.Logger.Warn("audit: cut off an incomplete last record (torn write); the chain continues from the last complete one",
			"file", opts.File, "offset", rec.TornOffset, "bytes", rec.TornBytes)
	}
	if rec.From != "" && rec.From != opts.File {
		opts.Logger.Info("audit: chain continues from a rotated file", "file", rec.From)
	}
	go w.loop()
	return w, nil
}

// Submit queues rec to be written and returns at once. rec belongs to
// the writer from then on (it sets Type, Time, the hashes, and redacts):
// the caller must not touch it again. When the queue is full Submit
// waits up to Options.BlockTimeout, then returns ErrQueueFull.
//
// A crash of the process loses the records still queued; use SubmitWait
// where a record must be in the kernel before the caller goes on.
func (w *Writer) Submit(rec *Record) error { return w.enqueue(item{rec: rec}) }

var waiters = sync.Pool{New: func() any { return make(chan error, 1) }}

// SubmitWaitFor is SubmitWait bounded by timeout instead of a context:
// the timer exists only when the record has to wait for the writing
// goroutine (the direct path needs none), which saves the request path a
// context and a timer per record.
func (w *Writer) SubmitWaitFor(rec *Record, timeout time.Duration) error {
	if ok, err := w.writeDirect(rec); ok {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return w.submitWaitQueued(ctx, rec)
}

// SubmitWait is Submit, then waits until rec was handed to the kernel
// with write(2) (and fsynced under SyncEvery): from then on a crash of
// the process does not lose it. It returns the write's error, or ctx's
// when ctx ends first (rec is still written). The caller may read
// rec.Hash after a nil return.
//
// The gateway calls it before its handler returns, so that a client
// never holds a complete response whose record a crash could lose.
func (w *Writer) SubmitWait(ctx context.Context, rec *Record) error {
	if ok, err := w.writeDirect(rec); ok {
		return err
	}
	return w.submitWaitQueued(ctx, rec)
}

// submitWaitQueued hands rec to the writing goroutine and waits.
func (w *Writer) submitWaitQueued(ctx context.Context, rec *Record) error {
	done := waiters.Get().(chan error)
	if err := w.enqueue(item{rec: rec, done: done}); err != nil {
		waiters.Put(done)
		return err
	}
	select {
	case err := <-done:
		waiters.Put(done)
		return err
	case <-ctx.Done():
		return ctx.Err() // done is left to the collector: the writer still sends to it
	}
}

func (w *Writer) enqueue(it item) error {
	if it.rec == nil {
		return errors.New("audit: nil record")
	}
	if it.rec.Time.IsZero() {
		it.rec.Time = w.opts.Now()
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		w.stats.rejected.Add(1)
		return ErrClosed
	}
	w.unwritten.Add(1)
	select {
	case w.q <- it:
		return nil
	default:
	}
	if w.opts.BlockTimeout > 0 {
		t := time.NewTimer(w.opts.BlockTimeout)
		defer t.Stop()
		select {
		case w.q <- it:
			return nil
		case <-t.C:
		}
	}
	w.unwritten.Add(-1)
	w.stats.rejected.Add(1)
	return ErrQueueFull
}

// Close stops accepting records, writes every queued one, fsyncs and
// closes the file. It returns an error when records could not be
// written. It is safe to call more than once.
func (w *Writer) Close() error {
	w.mu.Lock()
	first := !w.closed
	w.closed = true
	w.mu.Unlock()
	if first {
		close(w.quit)
	}
	<-w.done
	return w.closeErr
}

// Stats returns the counters.
func (w *Writer) Stats() Stats {
	return Stats{
		QueueDepth: len(w.q), QueueCapacity: cap(w.q),
		Written: w.stats.written.Load(), Rejected: w.stats.rejected.Load(),
		WriteErrors: w.stats.writeErrors.Load(), Lost: w.stats.lost.Load(),
		Rotations: w.stats.rotations.Load(),
	}
}

// LastHash returns the hash of the last record written: the value to
// anchor elsewhere (see the package documentation).
func (w *Writer) LastHash() string { return *w.lastHash.Load() }

// Recovery says where the chain continued from when the writer opened.
func (w *Writer) Recovery() Recovery { return w.recovery }
