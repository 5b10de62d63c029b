//go:build !linux

package injection

func threadCPU() int64 { return -1 }
