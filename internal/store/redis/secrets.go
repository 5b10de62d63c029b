package redis

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apiguard/apiguard/internal/store"
)

// Where the secrets come from (see the package documentation).
const (
	// HMACKeyEnv may hold the server secret of the key hash (32 bytes in
	// hex or base64) instead of the hmac.key file.
	HMACKeyEnv = "APIGUARD_HMAC_KEY"
	// SecretsDirEnv names the directory of hmac.key and master.key.
	SecretsDirEnv = "APIGUARD_SECRETS_DIR"
	// DefaultSecretsDir is the secrets directory when neither
	// WithSecretsDir nor SecretsDirEnv names one; relative to the
	// working directory.
	DefaultSecretsDir = "secrets"
)

// ErrSecretsMismatch is returned when this process's HMAC key or master
// key is not the one the store was set up with: every replica and the
// CLI must share them.
var ErrSecretsMismatch = errors.New("secrets differ from the store's")

// secrets are the process's share of what every process must agree on.
type secrets struct {
	hasher *store.Hasher
	hmacID string
	ring   *store.Keyring
	// hmacFrom and masterFrom say where they were read, for errors.
	hmacFrom, masterFrom string
}

// loadSecrets reads the HMAC key and opens the keyring: from the
// environment, else from files in dir (default: $APIGUARD_SECRETS_DIR,
// else DefaultSecretsDir), created when missing.
func loadSecrets(dir string) (*secrets, error) {
	if dir == "" {
		dir = os.Getenv(SecretsDirEnv)
	}
	if dir == "" {
		dir = DefaultSecretsDir
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("secrets directory: %w", err)
	}
	hmacEnv, masterEnv := os.Getenv(HMACKeyEnv), os.Getenv(store.MasterKeyEnv)
	if hmacEnv == "" || masterEnv == "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("secrets directory: %w", err)
		}
	}
	sec := &secrets{hmacFrom: HMACKeyEnv, masterFrom: store.MasterKeyEnv}
	var key []byte
	if hmacEnv != "" {
		if key, err = store.DecodeSecret(hmacEnv); err != nil {
			return nil, fmt.Errorf("%s: %w", HMACKeyEnv, err)
		}
	} else {
		sec.hmacFrom = filepath.Join(dir, store.HMACKeyFile)
		if key, err = store.LoadOrCreateSecret(sec.hmacFrom); err != nil {
			return nil, fmt.Errorf("hmac key: %w", err)
		}
	}
	sec.hasher, sec.hmacID = store.NewHasher(key), hmacKeyID(key)
	clear(key)
	if masterEnv == "" {
		sec.masterFrom = filepath.Join(dir, store.MasterKeyFile)
	}
	if sec.ring, err = store.OpenKeyring(dir); err != nil {
		return nil, err
	}
	return sec, nil
}

// hmacKeyID is the public id of an HMAC key, recorded in Redis: 16 hex
// digits of a domain-separated SHA-256, as store.MasterKeyID.
func hmacKeyID(raw []byte) string {
	sum := sha256.Sum256(append([]byte("apiguard hmac key id v1\x00"), raw...))
	return hex.EncodeToString(sum[:8])
}

// seedAAD binds a sealed seed to its enrolment; the same as the sqlite
// store's, so both seal seeds identically.
func seedAAD(enrolmentID string) []byte { return []byte("apiguard totp seed\x00" + enrolmentID) }
