package proxy

import (
	"crypto/tls"
	"errors"
	"os"
	"syscall"
	"time"
)

// alive probes a pooled connection without blocking before it is reused:
// a connection the upstream has closed (EOF, reset) or that holds bytes
// nobody asked for is not used again. Unsolicited bytes are never
// tolerated, on TLS neither: they would be read as the answer to the next
// request (an upstream that sends a body to HEAD or a wrong
// Content-Length would otherwise hand one client's answer to another).
// The probe also narrows the race with an upstream's idle timeout to
// microseconds, which matters for requests that cannot be retried (a POST
// may not be sent twice).
func (cn *conn) alive() bool {
	if cn.br.Buffered() > 0 {
		return false
	}
	nc := cn.nc
	tc, isTLS := nc.(*tls.Conn)
	if isTLS {
		nc = tc.NetConn()
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
	err := cn.raw.Read(cn.probeFn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The last exchange's deadline passed while the connection sat
		// in the pool: it says nothing about the connection.
		_ = cn.nc.SetReadDeadline(time.Time{})
		err = cn.raw.Read(cn.probeFn)
	}
	if err != nil {
		return false
	}
	switch {
	case errors.Is(cn.probeErr, syscall.EAGAIN): // nothing to read, still open
	case cn.probeErr != nil || cn.probeN == 0:
		return false // reset or closed by the upstream
	default:
		return false // bytes nobody asked for
	}
	return !isTLS || cn.tlsClean()
}

// tlsClean reports that no decrypted bytes wait inside the TLS layer (a
// record read in part by the last exchange): a read that may not wait
// must time out at once. The exchange sets the read deadline again.
func (cn *conn) tlsClean() bool {
	_ = cn.nc.SetReadDeadline(time.Unix(1, 0))
	_, err := cn.br.Peek(1)
	return errors.Is(err, os.ErrDeadlineExceeded)
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
