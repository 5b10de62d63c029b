package audit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Sink receives copies of written records for shipping elsewhere
// (stdout, a SIEM's HTTP collector). The file stays the record of
// truth: a sink never slows the writer down or blocks a request, and
// what it cannot take is counted as dropped, not retried forever.
type Sink interface {
	// Ship is called with newline-terminated records just written to the
	// file. It must not block and must not keep lines after returning.
	Ship(lines []byte)
	// Close sends what is pending (bounded by ctx) and stops.
	Close(ctx context.Context) error
}

// ShipperOptions configure a Shipper.
type ShipperOptions struct {
	// QueueBytes bounds what waits to be sent (default 4 MiB); beyond it
	// records are dropped and counted.
	QueueBytes int
	// MaxBatch bounds one send (default 1 MiB).
	MaxBatch int
	// FlushInterval is how long records may wait to be batched (default
	// 1s); a full batch is sent at once.
	FlushInterval time.Duration
}

// Shipper is a Sink that batches lines and hands each batch to send from
// its own goroutine. A failed send is retried once, then its records are
// counted as dropped.
type Shipper struct {
	send func(ctx context.Context, batch []byte) error
	opts ShipperOptions

	mu      sync.Mutex
	pending bytes.Buffer
	kick    chan struct{}
	quit    chan struct{}
	done    chan struct{}

	sent, dropped atomic.Uint64
}

// NewShipper starts a Shipper around send.
func NewShipper(send func(ctx context.Context, batch []byte) error, opts ShipperOptions) *Shipper {
	if opts.QueueBytes <= 0 {
		opts.QueueBytes = 4 << 20
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 1 << 20
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = time.Second
	}
	s := &Shipper{send: send, opts: opts, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

// Ship queues lines, or counts them dropped when the queue is full.
func (s *Shipper) Ship(lines []byte) {
	s.mu.Lock()
	if s.pending.Len()+len(lines) > s.opts.QueueBytes {
		s.mu.Unlock()
		s.dropped.Add(uint64(bytes.Count(lines, []byte{'\n'})))
		return
	}
	s.pending.Write(lines)
	full := s.pending.Len() >= s.opts.MaxBatch
	s.mu.Unlock()
	if full {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}

// Stats returns the records sent and dropped.
func (s *Shipper) Stats() (sent, dropped uint64) { return s.sent.Load(), s.dropped.Load() }

func (s *Shipper) loop() {
	defer close(s.done)
	t := time.NewTicker(s.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-s.kick:
		case <-t.C:
		case <-s.quit:
			return
		}
		s.flush(context.Background())
	}
}

// flush sends everything pending, batch by batch (whole lines only).
func (s *Shipper) flush(ctx context.Context) {
	for {
		batch := s.take()
		if len(batch) == 0 {
			return
		}
		n := uint64(bytes.Count(batch, []byte{'\n'}))
		err := s.send(ctx, batch)
		if err != nil && ctx.Err() == nil {
			err = s.send(ctx, batch)
		}
		if err != nil {
			s.dropped.Add(n)
		} else {
			s.sent.Add(n)
		}
	}
}

// take removes up to MaxBatch bytes of whole lines from pending (one
// longer line alone when it is the first).
func (s *Shipper) take() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.pending.Bytes()
	if len(b) == 0 {
		return nil
	}
	cut := len(b)
	if cut > s.opts.MaxBatch {
		cut = bytes.LastIndexByte(b[:s.opts.MaxBatch], '\n') + 1
		if cut == 0 {
			cut = bytes.IndexByte(b, '\n') + 1
		}
	}
	out := bytes.Clone(b[:cut])
	s.pending.Next(cut)
	return out
}

// Close stops the loop and sends what is pending within ctx; what is
// left is counted as dropped.
func (s *Shipper) Close(ctx context.Context) error {
	close(s.quit)
	<-s.done
	s.flush(ctx)
	if _, dropped := s.Stats(); dropped > 0 {
		return fmt.Errorf("audit sink: %d records not shipped", dropped)
	}
	return nil
}

// WriterSink ships to w (stdout): one write per batch.
func WriterSink(w io.Writer, opts ShipperOptions) *Shipper {
	return NewShipper(func(_ context.Context, batch []byte) error {
		_, err := w.Write(batch)
		return err
	}, opts)
}

// HTTPSink POSTs batches as application/x-ndjson to url, with
// "Authorization: Bearer <token>" when token is not empty. A non-2xx
// answer is a failed send.
func HTTPSink(client *http.Client, url, token string, opts ShipperOptions) *Shipper {
	return NewShipper(func(ctx context.Context, batch []byte) error {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(batch))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-ndjson")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("audit sink: %s answered %d", req.URL.Host, resp.StatusCode)
		}
		return nil
	}, opts)
}
