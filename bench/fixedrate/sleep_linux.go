//go:build linux

package main

import (
	"syscall"
	"time"
)

// preciseSleepInit lowers the calling thread's timer slack (default 50µs)
// to 1ns; best effort. The caller must have locked its OS thread.
func preciseSleepInit() {
	const prSetTimerslack = 29 // PR_SET_TIMERSLACK, linux/prctl.h
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, 1, 0)
}

// preciseSleep blocks the calling OS thread in nanosleep(2), which wakes
// within microseconds of the deadline; Go's timers may wake up to a
// millisecond late when the runtime is otherwise idle.
func preciseSleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for {
		err := syscall.Nanosleep(&ts, &ts)
		if err != syscall.EINTR {
			return
		}
	}
}
