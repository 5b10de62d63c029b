package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	rlredis "github.com/apiguard/apiguard/internal/ratelimit/redis"
	"github.com/apiguard/apiguard/internal/store"
)

// DefaultPrefix starts every key the store writes.
const DefaultPrefix = "apiguard:"

// Layout is the version of the key layout this package reads and writes
// (recorded in <prefix>meta; a newer one is refused).
const Layout = "1"

// openTimeout bounds Open's one round trip.
const openTimeout = 5 * time.Second

// Store is a store.Store in Redis. It is safe for concurrent use, also by
// many processes on one server.
type Store struct {
	c      *goredis.Client
	sec    *secrets
	prefix string
	// names of the fixed keys
	keysSet, totpsSet, revKey, metaKey, totpPrefix string

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// Option configures Open.
type Option func(*options)

type options struct {
	prefix     string
	secretsDir string
}

// WithPrefix sets the prefix of every key (default DefaultPrefix).
func WithPrefix(p string) Option { return func(o *options) { o.prefix = p } }

// WithSecretsDir sets the directory of hmac.key and master.key instead
// of $APIGUARD_SECRETS_DIR or DefaultSecretsDir.
func WithSecretsDir(dir string) Option { return func(o *options) { o.secretsDir = dir } }

// Open returns the store in the Redis server of dsn (redis:// or
// rediss://, with its password in it: config.StoreDSN). It loads the
// secrets (see the package documentation), then, in one round trip,
// records their ids in Redis on first use or checks them against the
// recorded ones (ErrSecretsMismatch), so it fails when the server cannot
// be reached. Errors never contain the password.
func Open(dsn string, opts ...Option) (*Store, error) {
	o := options{prefix: DefaultPrefix}
	for _, opt := range opts {
		opt(&o)
	}
	c, err := rlredis.NewClient(dsn)
	if err != nil { // its message is the rate limiter's, never the URL
		return nil, errors.New("redis store: " + strings.TrimPrefix(err.Error(), "ratelimit: "))
	}
	sec, err := loadSecrets(o.secretsDir)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("redis store: %w", err)
	}
	s := &Store{c: c, sec: sec, prefix: o.prefix,
		keysSet: o.prefix + "keys", totpsSet: o.prefix + "totps", revKey: o.prefix + "rev",
		metaKey: o.prefix + "meta", totpPrefix: o.prefix + "totp:"}
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	if err := s.register(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return s, nil
}

// register records the layout and the secrets' ids, or checks them.
func (s *Store) register(ctx context.Context) error {
	mk := s.sec.ring.CurrentID()
	got, err := registerScript.Run(ctx, s.c, []string{s.metaKey}, s.metaArgs(mk)...).StringSlice()
	if err != nil {
		return s.fail("open", err)
	}
	if len(got) != 3 {
		return errors.New("redis store: open: unexpected script reply")
	}
	switch {
	case got[0] != Layout:
		return s.verdict("layout")
	case got[1] != s.sec.hmacID:
		return fmt.Errorf("%w (its id is %s, the store's %s)", s.verdict("hmac"), s.sec.hmacID, got[1])
	case got[2] != mk:
		return fmt.Errorf("%w (its id is %s, the store's %s)", s.verdict("mk"), mk, got[2])
	}
	return nil
}

// metaArgs are the layout and secret ids the scripts compare with
// <prefix>meta.
func (s *Store) metaArgs(masterKeyID string) []any {
	return []any{Layout, s.sec.hmacID, masterKeyID}
}

func (s *Store) key(id string) string  { return s.prefix + "key:" + id }
func (s *Store) totp(id string) string { return s.totpPrefix + id }

// Keys implements store.Store.
func (s *Store) Keys() store.Keys { return keys{s} }

// TOTP implements store.Store.
func (s *Store) TOTP() store.TOTP { return totps{s} }

// Hasher implements store.Store.
func (s *Store) Hasher() *store.Hasher { return s.sec.hasher }

// Revision implements store.Store: one GET of the counter that every
// create, revoke and rotate INCRs in its script (0 when it does not exist
// yet).
func (s *Store) Revision(ctx context.Context) (uint64, error) {
	v, err := s.c.Get(ctx, s.revKey).Result()
	if errors.Is(err, goredis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, s.fail("revision", err)
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("redis store: revision %q is not a counter", v)
	}
	return n, nil
}

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.c.Ping(ctx).Err(); err != nil {
		return s.fail("ping", err)
	}
	return nil
}

// Close implements store.Store. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.c.Close() })
	return s.closeErr
}

// fail wraps an error of the client. Its messages name the server's
// address, never the password.
func (s *Store) fail(op string, err error) error {
	return fmt.Errorf("redis store: %s: %w", op, err)
}

// verdict maps a script's refusal to an error ("ok" is nil).
func (s *Store) verdict(res string) error {
	switch res {
	case "ok":
		return nil
	case "layout":
		return fmt.Errorf("redis store: the data under %q has a newer layout than this apiguard knows (%s): upgrade apiguard", s.prefix, Layout)
	case "hmac":
		return fmt.Errorf("redis store: %w: the HMAC key (%s) is not the one this store was set up with; every process must use the same hmac.key or %s",
			ErrSecretsMismatch, s.sec.hmacFrom, HMACKeyEnv)
	case "mk":
		return fmt.Errorf("redis store: %w: the master key (%s) is not the one the store's TOTP seeds are sealed under; copy master.key (and its backups) from the host that last ran `keys rekey`, or set %s",
			ErrSecretsMismatch, s.sec.masterFrom, store.MasterKeyEnv)
	}
	return fmt.Errorf("redis store: unexpected script reply %q", res)
}
