package audit

import (
	"os"
	"syscall"
)

// fallocKeepSize is FALLOC_FL_KEEP_SIZE: allocate without changing the
// file's size, so readers (verify, tail, a shipper) never see the
// reserved space.
const fallocKeepSize = 1

// preallocate reserves the blocks of [off, off+n) of f ahead of the writes
// that fill them. It reports false where the file system cannot.
func preallocate(f *os.File, off, n int64) bool {
	return syscall.Fallocate(int(f.Fd()), fallocKeepSize, off, n) == nil
}
