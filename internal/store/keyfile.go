package store

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// File names of the secrets kept beside a store.
const (
	// HMACKeyFile holds the server secret of the API key hash.
	HMACKeyFile = "hmac.key"
	// MasterKeyFile holds the current master key; rotated-out keys are
	// kept beside it as MasterKeyFile + "." + their id.
	MasterKeyFile = "master.key"
)

// SecretSize is the size in bytes of every generated secret.
const SecretSize = 32

// ErrInsecureFile is returned for a secret file that group or others may
// access: it is refused, never used.
var ErrInsecureFile = errors.New("secret file is accessible by group or others")

// LoadOrCreateSecret reads the secret in path, first creating it with
// SecretSize bytes from crypto/rand (mode 0600) when it does not exist.
// Concurrent creators (the CLI and a gateway starting together) agree on
// one secret: the file appears atomically and only once.
func LoadOrCreateSecret(path string) ([]byte, error) {
	b, err := ReadSecretFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return b, err
	}
	secret, err := NewSecret()
	if err != nil {
		return nil, err
	}
	if err := createSecretFile(path, secret); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	return ReadSecretFile(path) // ours, or the one a concurrent creator won with
}

// NewSecret returns SecretSize bytes from crypto/rand.
func NewSecret() ([]byte, error) {
	b := make([]byte, SecretSize)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("generate secret: %w", err)
	}
	return b, nil
}

// ReadSecretFile reads a secret written as base64 or hex. It refuses a
// file that is not regular or that group or others may access.
func ReadSecretFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%s has mode %04o: %w (chmod 600 it)", path, perm, ErrInsecureFile)
	}
	text, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b, err := DecodeSecret(string(text))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// DecodeSecret decodes a SecretSize-byte secret written as hex or base64
// (standard or URL alphabet, padded or not), ignoring surrounding space.
func DecodeSecret(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*SecretSize {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == SecretSize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("not a %d-byte secret in hex or base64", SecretSize)
}

// createSecretFile writes secret to path with mode 0600, failing with
// fs.ErrExist when path exists. The content is complete before the name
// appears (temporary file, then a hard link), so a reader never sees a
// partial secret.
func createSecretFile(path string, secret []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // CreateTemp made it 0600
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(secret) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a new directory entry durable (best effort).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
