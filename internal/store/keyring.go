package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// MasterKeyEnv names the environment variable that may hold the master
// key (32 bytes in base64 or hex) instead of the master.key file.
const MasterKeyEnv = "APIGUARD_MASTER_KEY"

// ErrMasterKeyFromEnv is returned by a rotation while the master key is
// set by MasterKeyEnv: the variable is the operator's to change.
var ErrMasterKeyFromEnv = errors.New("the master key is set by " + MasterKeyEnv + ": rekey only rotates a master.key file")

// Keyring seals and opens recoverable secrets (TOTP seeds) with
// AES-256-GCM under a master key. Each sealed value is stored with the id
// of the key that sealed it; keys rotated out stay readable through their
// backup files (master.key.<id>), and a key rotated by another process is
// picked up from disk when a record names it. Safe for concurrent use.
type Keyring struct {
	dir     string
	fromEnv bool

	mu      sync.Mutex
	current *masterKey
	byID    map[string]*masterKey
}

type masterKey struct {
	id   string
	raw  []byte
	aead cipher.AEAD
}

// OpenKeyring returns the keyring of a store whose secret files live in
// dir. The master key comes from MasterKeyEnv when set, else from
// dir/master.key, which is created (0600, crypto/rand) on first use.
func OpenKeyring(dir string) (*Keyring, error) {
	k := &Keyring{dir: dir, byID: map[string]*masterKey{}}
	var raw []byte
	var err error
	if env := os.Getenv(MasterKeyEnv); env != "" {
		k.fromEnv = true
		if raw, err = DecodeSecret(env); err != nil {
			return nil, fmt.Errorf("%s: %w", MasterKeyEnv, err)
		}
	} else if raw, err = LoadOrCreateSecret(k.path(MasterKeyFile)); err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	mk, err := newMasterKey(raw)
	if err != nil {
		return nil, err
	}
	k.current = mk
	k.byID[mk.id] = mk
	return k, nil
}

func newMasterKey(raw []byte) (*masterKey, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	return &masterKey{id: MasterKeyID(raw), raw: raw, aead: aead}, nil
}

// MasterKeyID derives the public id of a master key: 16 hex digits of a
// domain-separated SHA-256, which reveals nothing useful about the key.
func MasterKeyID(raw []byte) string {
	sum := sha256.Sum256(append([]byte("apiguard master key id v1\x00"), raw...))
	return hex.EncodeToString(sum[:8])
}

func (k *Keyring) path(name string) string { return filepath.Join(k.dir, name) }

// CurrentID returns the id of the key that seals new secrets.
func (k *Keyring) CurrentID() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.refreshLocked()
	return k.current.id
}

// Seal encrypts plaintext under the current master key, bound to aad.
// It returns the key's id, to be stored beside the sealed value.
func (k *Keyring) Seal(aad, plaintext []byte) (keyID string, sealed []byte, err error) {
	k.mu.Lock()
	k.refreshLocked() // another process may have rotated the key
	mk := k.current
	k.mu.Unlock()
	sealed, err = mk.seal(aad, plaintext)
	return mk.id, sealed, err
}

// Open decrypts a value sealed under the master key keyID with aad.
func (k *Keyring) Open(keyID string, aad, sealed []byte) ([]byte, error) {
	mk, err := k.lookup(keyID)
	if err != nil {
		return nil, err
	}
	ns := mk.aead.NonceSize()
	if len(sealed) < ns {
		return nil, fmt.Errorf("sealed value under master key %s is truncated", keyID)
	}
	pt, err := mk.aead.Open(nil, sealed[:ns], sealed[ns:], aad)
	if err != nil {
		return nil, fmt.Errorf("open sealed value under master key %s: %w", keyID, err)
	}
	return pt, nil
}

func (mk *masterKey) seal(aad, plaintext []byte) ([]byte, error) {
	nonce := make([]byte, mk.aead.NonceSize(), mk.aead.NonceSize()+len(plaintext)+mk.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return mk.aead.Seal(nonce, nonce, plaintext, aad), nil
}

// lookup finds the master key keyID, reading master.key and the backup
// master.key.<id> from disk when it is not known yet.
func (k *Keyring) lookup(keyID string) (*masterKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if mk, ok := k.byID[keyID]; ok {
		return mk, nil
	}
	k.refreshLocked()
	if mk, ok := k.byID[keyID]; ok {
		return mk, nil
	}
	if !validKeyID(keyID) {
		return nil, fmt.Errorf("invalid master key id %q", keyID)
	}
	var refused error // e.g. a backup readable by others
	for _, name := range []string{MasterKeyFile + "." + keyID, MasterKeyFile} {
		raw, err := ReadSecretFile(k.path(name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) && refused == nil {
			refused = err
		}
		if err != nil || MasterKeyID(raw) != keyID {
			continue
		}
		mk, err := newMasterKey(raw)
		if err != nil {
			return nil, err
		}
		k.byID[keyID] = mk
		return mk, nil
	}
	if refused != nil {
		return nil, fmt.Errorf("master key %s: %w", keyID, refused)
	}
	return nil, fmt.Errorf("master key %s is not available (neither %s nor %s.%s holds it)",
		keyID, MasterKeyFile, MasterKeyFile, keyID)
}

// refreshLocked adopts master.key as the current key when another
// process rotated it. Errors keep the key in memory: a rotation that is
// half-way is still readable through the backup files.
func (k *Keyring) refreshLocked() {
	if k.fromEnv {
		return
	}
	raw, err := ReadSecretFile(k.path(MasterKeyFile))
	if err != nil || MasterKeyID(raw) == k.current.id {
		return
	}
	if mk, err := newMasterKey(raw); err == nil {
		k.current = mk
		k.byID[mk.id] = mk
	}
}

func validKeyID(id string) bool {
	if len(id) != 16 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

// KeyRotation is a master key rotation in progress: the new key is on
// disk (master.key.<newid>) but not yet current. Re-encrypt with Seal,
// then Commit once the re-encrypted records are committed, or Abort.
type KeyRotation struct {
	ring      *Keyring
	old, next *masterKey
	newPath   string
	backup    string
}

// BeginRotation generates a new master key and writes it, and a backup of
// the current key, beside the store. It fails with ErrMasterKeyFromEnv
// when the master key comes from the environment.
func (k *Keyring) BeginRotation() (*KeyRotation, error) {
	if k.fromEnv {
		return nil, ErrMasterKeyFromEnv
	}
	k.mu.Lock()
	k.refreshLocked()
	old := k.current
	k.mu.Unlock()
	raw, err := NewSecret()
	if err != nil {
		return nil, err
	}
	next, err := newMasterKey(raw)
	if err != nil {
		return nil, err
	}
	r := &KeyRotation{ring: k, old: old, next: next,
		newPath: k.path(MasterKeyFile + "." + next.id),
		backup:  k.path(MasterKeyFile + "." + old.id)}
	if err := createSecretFile(r.backup, old.raw); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("back up master key: %w", err)
	}
	if err := createSecretFile(r.newPath, raw); err != nil {
		return nil, fmt.Errorf("write new master key: %w", err)
	}
	return r, nil
}

// OldID and NewID name the keys of the rotation.
func (r *KeyRotation) OldID() string { return r.old.id }

// NewID is the id of the key being introduced.
func (r *KeyRotation) NewID() string { return r.next.id }

// Backup is the file that keeps the old key.
func (r *KeyRotation) Backup() string { return r.backup }

// Seal encrypts plaintext under the new key.
func (r *KeyRotation) Seal(aad, plaintext []byte) ([]byte, error) {
	return r.next.seal(aad, plaintext)
}

// Commit makes the new key current: master.key is replaced atomically.
// Until then master.key.<newid> keeps the new key readable.
func (r *KeyRotation) Commit() error {
	if err := os.Rename(r.newPath, r.ring.path(MasterKeyFile)); err != nil {
		return fmt.Errorf("install new master key: %w", err)
	}
	syncDir(r.ring.dir)
	r.ring.mu.Lock()
	r.ring.current = r.next
	r.ring.byID[r.next.id] = r.next
	r.ring.mu.Unlock()
	return nil
}

// Abort discards the new key; call it only when no record was committed
// under it.
func (r *KeyRotation) Abort() { _ = os.Remove(r.newPath) }
