//go:build !linux

package jwt

func threadCPU() int64 { return -1 }
