package store

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
)

const (
	hmacBlock = sha256.BlockSize
	// fastMsg is the longest message Sum hashes without allocating.
	fastMsg = 2 * hmacBlock
)

// Hasher computes HMAC-SHA-256 under the server secret (hmac.key). Its
// Sum does not allocate for messages up to 128 bytes, which keeps API key
// verification off the heap on the request path. It is safe for
// concurrent use.
type Hasher struct {
	key        []byte
	ipad, opad [hmacBlock]byte
}

// NewHasher returns a Hasher for a key of at most 64 bytes (longer keys
// are hashed first, as HMAC specifies).
func NewHasher(key []byte) *Hasher {
	h := &Hasher{key: append([]byte(nil), key...)}
	k := key
	if len(k) > hmacBlock {
		s := sha256.Sum256(k)
		k = s[:]
	}
	copy(h.ipad[:], k)
	copy(h.opad[:], k)
	for i := range h.ipad {
		h.ipad[i] ^= 0x36
		h.opad[i] ^= 0x5c
	}
	return h
}

// Sum returns HMAC-SHA-256(key, msg).
func (h *Hasher) Sum(msg string) [sha256.Size]byte {
	if len(msg) > fastMsg {
		return h.slowSum(msg)
	}
	var in [hmacBlock + fastMsg]byte
	copy(in[:], h.ipad[:])
	n := copy(in[hmacBlock:], msg)
	inner := sha256.Sum256(in[:hmacBlock+n])
	var outer [hmacBlock + sha256.Size]byte
	copy(outer[:], h.opad[:])
	copy(outer[hmacBlock:], inner[:])
	return sha256.Sum256(outer[:])
}

func (h *Hasher) slowSum(msg string) (out [sha256.Size]byte) {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(msg))
	copy(out[:], m.Sum(nil))
	return out
}

// Verify reports in constant time whether msg hashes to want.
func (h *Hasher) Verify(msg string, want [sha256.Size]byte) bool {
	got := h.Sum(msg)
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
