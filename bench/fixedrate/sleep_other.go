//go:build !linux

package main

import "time"

func preciseSleepInit() {}

// preciseSleep falls back to the Go timer elsewhere (up to ~1ms late).
func preciseSleep(d time.Duration) { time.Sleep(d) }
