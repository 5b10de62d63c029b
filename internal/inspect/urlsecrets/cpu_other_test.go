//go:build !linux

package urlsecrets

func threadCPU() int64 { return -1 }
