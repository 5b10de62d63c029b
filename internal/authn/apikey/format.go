package apikey

import (
	"crypto/rand"
	"errors"
	"hash/crc32"
	"log/slog"
)

// Key format constants.
const (
	// Prefix starts every key.
	Prefix = "agk_"
	// BodyLen is the number of random base62 characters.
	BodyLen = 32
	// IDLen is the number of leading body characters that form the id.
	IDLen = 8
	// ChecksumLen is the length of the base62 CRC32 suffix.
	ChecksumLen = 6
	// Len is the length of a whole key.
	Len = len(Prefix) + BodyLen + ChecksumLen
)

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ErrMalformed is matched (errors.Is) by every format error.
var ErrMalformed = errors.New("malformed API key")

// Format errors. They never include the key.
var (
	ErrPrefix   error = formatError("API key does not start with " + Prefix)
	ErrLength   error = formatError("API key has the wrong length")
	ErrAlphabet error = formatError("API key has a character outside base62")
	ErrChecksum error = formatError("API key checksum does not match")
)

type formatError string

func (e formatError) Error() string        { return string(e) }
func (e formatError) Is(target error) bool { return target == ErrMalformed }

// Key is a syntactically valid API key. Its String form is redacted.
type Key struct{ s string }

// Generate returns a new key from crypto/rand.
func Generate() (Key, error) {
	var body [BodyLen]byte
	if err := randomBase62(body[:]); err != nil {
		return Key{}, err
	}
	sum := checksum(string(body[:]))
	return Key{s: Prefix + string(body[:]) + string(sum[:])}, nil
}

// randomBase62 fills b with uniform base62 characters (rejection
// sampling: bytes >= 248 would bias the modulo and are drawn again).
func randomBase62(b []byte) error {
	var buf [64]byte
	for i := 0; i < len(b); {
		if _, err := rand.Read(buf[:]); err != nil {
			return err
		}
		for _, r := range buf {
			if r < 248 && i < len(b) {
				b[i] = alphabet[r%62]
				i++
			}
		}
	}
	return nil
}

// Parse checks prefix, length, alphabet and checksum, in that order. It
// does not allocate; the returned Key refers to s.
func Parse(s string) (Key, error) {
	switch {
	case len(s) < len(Prefix) || s[:len(Prefix)] != Prefix:
		return Key{}, ErrPrefix
	case len(s) != Len:
		return Key{}, ErrLength
	}
	rest := s[len(Prefix):]
	for i := 0; i < len(rest); i++ {
		if !isBase62(rest[i]) {
			return Key{}, ErrAlphabet
		}
	}
	if sum := checksum(rest[:BodyLen]); string(sum[:]) != rest[BodyLen:] {
		return Key{}, ErrChecksum
	}
	return Key{s: s}, nil
}

func isBase62(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
}

// checksum is the CRC32 (IEEE) of body in 6 base62 digits, most
// significant first (62^6 > 2^32).
func checksum(body string) (out [ChecksumLen]byte) {
	c := crc32String(body)
	for i := ChecksumLen - 1; i >= 0; i-- {
		out[i] = alphabet[c%62]
		c /= 62
	}
	return out
}

var ieee = crc32.MakeTable(crc32.IEEE)

// crc32String is crc32.ChecksumIEEE over a string, without the copy a
// []byte conversion would cost.
func crc32String(s string) uint32 {
	c := ^uint32(0)
	for i := 0; i < len(s); i++ {
		c = ieee[byte(c)^s[i]] ^ (c >> 8)
	}
	return ^c
}

// ID is the public key id.
func (k Key) ID() string {
	if k.s == "" {
		return ""
	}
	return k.s[len(Prefix) : len(Prefix)+IDLen]
}

// Plaintext is the whole key, secret included. Show it once, store never.
func (k Key) Plaintext() string { return k.s }

// IsZero reports whether k is the zero Key.
func (k Key) IsZero() bool { return k.s == "" }

// String returns the key with its secret redacted: agk_<id>…
func (k Key) String() string {
	if k.s == "" {
		return ""
	}
	return Prefix + k.ID() + "…"
}

// GoString redacts like String.
func (k Key) GoString() string { return "apikey.Key(" + k.String() + ")" }

// LogValue redacts like String.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }
