package mask

import (
	"compress/gzip"
	"io"
	"sync"
	"sync/atomic"
)

// chunk is how much new input a stream reads at most per round, on top of
// the Window it holds back.
const chunk = 32 << 10

// buffers are the per-body buffers, recycled once a body has been read to
// its end.
type buffers struct {
	in  []byte
	out []byte
}

var bufferPool = sync.Pool{New: func() any {
	return &buffers{in: make([]byte, chunk+Window), out: make([]byte, 0, chunk+Window)}
}}

var gzipPool sync.Pool // *gzip.Reader

// stream is the masking reader: it reads src in rounds, masks what it can
// decide and holds back the undecided tail (at most Window bytes).
type stream struct {
	src    io.Reader
	gz     bool // src is gzip-compressed
	gzr    *gzip.Reader
	e      engine
	bufs   *buffers
	pos, w int    // b[pos:w) is read and not yet consumed
	pend   []byte // output not yet returned
	eof    bool   // src is at its end
	err    error  // returned once pend is empty
	done   bool
	onDone func(*stream)
	counts [numClasses]atomic.Int64
	ended  atomic.Bool
}

func newStream(src io.Reader, r *rules, k Kind) *stream {
	s := &stream{src: src, e: newEngine(r, k)}
	s.e.counts = &s.counts
	return s
}

// Read returns masked bytes.
func (s *stream) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for len(s.pend) == 0 {
		if s.done {
			s.finish()
			return 0, s.err
		}
		s.round()
	}
	n := copy(p, s.pend)
	s.pend = s.pend[n:]
	return n, nil
}

// round reads once from src and masks what can be decided.
func (s *stream) round() {
	if s.bufs == nil {
		s.bufs = bufferPool.Get().(*buffers)
		s.e.out = s.bufs.out[:0]
	}
	b := s.bufs.in
	if s.pos > lookbehind && len(b)-s.w < chunk/2 { // little room left: drop what was consumed
		drop := s.pos - lookbehind
		s.w = copy(b, b[drop:s.w])
		s.e.base += int64(drop)
		s.pos = lookbehind
	}
	if !s.eof {
		n, err := s.read(b[s.w:])
		s.w += n
		switch {
		case err == io.EOF:
			s.eof = true
		case err != nil:
			// Fail without the held-back tail: it may hold the start of
			// a secret that the end of the input would have decided.
			s.err, s.done = err, true
			return
		}
	}
	start := s.pos
	s.e.begin(start)
	s.pos = s.e.process(b, start, s.w, s.eof)
	s.pend = s.e.result(b, start, s.pos)
	if s.eof && s.pos == s.w {
		s.err, s.done = io.EOF, true
	}
}

// read reads from src, through a gzip reader when it is compressed.
func (s *stream) read(p []byte) (int, error) {
	if !s.gz {
		return s.src.Read(p)
	}
	if s.gzr == nil {
		zr, _ := gzipPool.Get().(*gzip.Reader)
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(s.src)
		} else {
			err = zr.Reset(s.src)
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
		s.gzr = zr
	}
	return s.gzr.Read(p)
}

// finish recycles the buffers (the body is at its end: Read will not use
// them again) and reports once.
func (s *stream) finish() {
	if s.bufs != nil {
		s.bufs.out = s.e.out[:0]
		bufferPool.Put(s.bufs)
		s.bufs, s.e.out, s.pend = nil, nil, nil
	}
	if s.gzr != nil {
		if s.err == io.EOF {
			gzipPool.Put(s.gzr)
		}
		s.gzr = nil
	}
	s.end()
}

// end calls onDone once, at the end of the body or when it is closed.
func (s *stream) end() {
	if s.onDone != nil && s.ended.CompareAndSwap(false, true) {
		s.onDone(s)
	}
}

// Counts returns the number of values masked so far.
func (s *stream) Counts() Counts {
	return Counts{
		PAN:     int(s.counts[classPAN].Load()),
		SSN:     int(s.counts[classSSN].Load()),
		Secrets: int(s.counts[classSecrets].Load()),
	}
}

// body is a masked response body: Close closes the upstream body.
type body struct {
	*stream
	c io.Closer
}

// Close closes the upstream body. It may be called while a Read is
// blocked (it unblocks it) and does not touch the buffers.
func (b body) Close() error {
	err := b.c.Close()
	b.end()
	return err
}
