package store

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestLoadOrCreateSecretCreates0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), HMACKeyFile)
	a, err := LoadOrCreateSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != SecretSize {
		t.Fatalf("secret has %d bytes", len(a))
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Fatalf("mode %04o, want 0600", perm)
	}
	b, err := LoadOrCreateSecret(path)
	if err != nil || !bytes.Equal(a, b) {
		t.Fatalf("second load: %v, equal=%v", err, bytes.Equal(a, b))
	}
}

func TestLoadOrCreateSecretConcurrentCreatorsAgree(t *testing.T) {
	path := filepath.Join(t.TempDir(), MasterKeyFile)
	const n = 8
	got := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			b, err := LoadOrCreateSecret(path)
			if err != nil {
				t.Error(err)
			}
			got[i] = b
		})
	}
	wg.Wait()
	for i := 1; i < n; i++ {
		if !bytes.Equal(got[0], got[i]) {
			t.Fatal("concurrent creators ended with different secrets")
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func TestReadSecretFileRefusesLooseModes(t *testing.T) {
	dir := t.TempDir()
	for _, mode := range []os.FileMode{0o640, 0o604, 0o660, 0o644, 0o700 | 0o004} {
		path := filepath.Join(dir, "k")
		os.Remove(path)
		if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(make([]byte, 32))), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // umask-proof
			t.Fatal(err)
		}
		if _, err := ReadSecretFile(path); !errors.Is(err, ErrInsecureFile) {
			t.Errorf("mode %04o: err = %v, want ErrInsecureFile", mode, err)
		}
		if _, err := LoadOrCreateSecret(path); !errors.Is(err, ErrInsecureFile) {
			t.Errorf("mode %04o: LoadOrCreateSecret err = %v, want ErrInsecureFile", mode, err)
		}
	}
}

func TestDecodeSecret(t *testing.T) {
	raw := bytes.Repeat([]byte{0xab}, 32)
	for _, s := range []string{
		hex.EncodeToString(raw), base64.StdEncoding.EncodeToString(raw) + "\n",
		base64.RawURLEncoding.EncodeToString(raw), "  " + base64.RawStdEncoding.EncodeToString(raw),
	} {
		b, err := DecodeSecret(s)
		if err != nil || !bytes.Equal(b, raw) {
			t.Errorf("DecodeSecret(%q) = %x, %v", s, b, err)
		}
	}
	for _, s := range []string{"", "short", hex.EncodeToString(raw[:31]), base64.StdEncoding.EncodeToString(raw[:16])} {
		if _, err := DecodeSecret(s); err == nil {
			t.Errorf("DecodeSecret(%q) accepted", s)
		}
	}
}
