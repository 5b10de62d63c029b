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
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var buf [1]byte
	var n int
	var perr error
	err = rc.Read(func(fd uintptr) bool {
		n, _, perr = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true // never wait: one probe
	})
	switch {
	case err != nil:
		return false
	case errors.Is(perr, syscall.EAGAIN):
		return true // nothing to read, still open
	case perr != nil || n == 0:
		return false // reset or closed by the upstream
	default:
		// Bytes while idle: garbage on plain HTTP; on TLS possibly a
		// late session ticket, which the next read handles.
		return isTLS
	}
}
