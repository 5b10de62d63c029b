package injection

import "syscall"

// threadCPU is the CPU time of the calling OS thread, in ns: benchmarks
// report it besides wall time, which contention on a shared machine
// inflates.
func threadCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
