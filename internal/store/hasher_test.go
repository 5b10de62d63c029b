package store

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"testing"
)

func TestHasherMatchesCryptoHMAC(t *testing.T) {
	for _, keyLen := range []int{0, 16, 32, 64, 65, 100} {
		key := []byte(strings.Repeat("k", keyLen))
		h := NewHasher(key)
		for _, n := range []int{0, 1, 42, 55, 56, 64, 127, 128, 129, 300} {
			msg := strings.Repeat("m", n)
			m := hmac.New(sha256.New, key)
			m.Write([]byte(msg))
			var want [32]byte
			copy(want[:], m.Sum(nil))
			if got := h.Sum(msg); got != want {
				t.Fatalf("key %d msg %d: Sum differs from crypto/hmac", keyLen, n)
			}
			if !h.Verify(msg, want) {
				t.Fatalf("key %d msg %d: Verify = false", keyLen, n)
			}
			want[0] ^= 1
			if h.Verify(msg, want) {
				t.Fatalf("key %d msg %d: Verify accepted a wrong hash", keyLen, n)
			}
		}
	}
}

func TestHasherSumDoesNotAllocate(t *testing.T) {
	h := NewHasher([]byte("0123456789abcdef0123456789abcdef"))
	msg := "agk_" + strings.Repeat("a", 38)
	if n := testing.AllocsPerRun(100, func() { _ = h.Verify(msg, [32]byte{}) }); n != 0 {
		t.Fatalf("Verify allocates %v times", n)
	}
}

func BenchmarkHasherVerify(b *testing.B) {
	h := NewHasher([]byte("0123456789abcdef0123456789abcdef"))
	msg := "agk_" + strings.Repeat("a", 38)
	want := h.Sum(msg)
	b.ReportAllocs()
	for b.Loop() {
		if !h.Verify(msg, want) {
			b.Fatal("mismatch")
		}
	}
}
