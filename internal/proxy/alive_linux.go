package proxy

import (
	"crypto/tls"
	"errors"
	"syscall"
)

// alive probes a pooled connection without blocking before it is reused:
// a connection the upstream has closed (EOF, reset) or that holds bytes
// nobody asked for is not used again. This narrows the race with an
// upstream's idle timeout to microseconds, which matters for requests
// that cannot be retried (a POST may not be sent twice).
func (cn *conn) alive() bool {
	if cn.br.Buffered() > 0 {
		return false
	}
	nc, isTLS := cn.nc, false
	if tc, ok := nc.(*tls.Conn); ok {
		nc, isTLS = tc.NetConn(), true
	}
	if cn.raw == nil {
		sc, ok := nc.(syscall.Conn)
		if !ok {
			return true
		}
		rc, err := sc.SyscallConn()
		if err != nil {
			return false
		}
		cn.raw = rc
		cn.probeFn = cn.probe
	}
	if err := cn.raw.Read(cn.probeFn); err != nil {
		return false
	}
	switch {
	case errors.Is(cn.probeErr, syscall.EAGAIN):
		return true // nothing to read, still open
	case cn.probeErr != nil || cn.probeN == 0:
		return false // reset or closed by the upstream
	default:
		// Bytes while idle: garbage on plain HTTP; on TLS possibly a
		// late session ticket, which the next read handles.
		return isTLS
	}
}

// probe is the raw read of alive: one non-blocking peek, never a wait.
func (cn *conn) probe(fd uintptr) bool {
	cn.probeN, _, cn.probeErr = syscall.Recvfrom(int(fd), cn.probeBuf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	return true
}

// probeState is what alive keeps per connection, so that probing does
// not allocate.
type probeState struct {
	raw      syscall.RawConn
	probeFn  func(uintptr) bool
	probeBuf [1]byte
	probeN   int
	probeErr error
}
