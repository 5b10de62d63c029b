// Package backend opens the store a configuration names. It is the one
// place that knows every backend: an explicit switch on the DSN scheme,
// no registration by init() side effects. (It cannot live in package
// store itself: the backends import store for its contracts.)
package backend

import (
	"fmt"
	"strings"

	"github.com/apiguard/apiguard/internal/store"
	redisstore "github.com/apiguard/apiguard/internal/store/redis"
	"github.com/apiguard/apiguard/internal/store/sqlite"
)

// Open opens the store named by dsn:
//
//	sqlite:PATH                 the embedded database at PATH
//	redis://HOST:PORT/DB        a Redis server shared by every replica
//	rediss://HOST:PORT/DB       the same over TLS
//
// A redis DSN carries its password (config.StoreDSN); the redis store
// reads its secrets from the environment or APIGUARD_SECRETS_DIR (see
// package store/redis). Errors never include the DSN's password.
func Open(dsn string) (store.Store, error) {
	scheme, rest, ok := strings.Cut(dsn, ":")
	if !ok || rest == "" {
		return nil, fmt.Errorf("store %q: want sqlite:PATH or redis://HOST:PORT/DB", redact(dsn))
	}
	switch strings.ToLower(scheme) {
	case "sqlite":
		if strings.HasPrefix(rest, "//") { // sqlite://data/x.db would silently mean /data/x.db
			return nil, fmt.Errorf("store %q: write sqlite:PATH, without //", redact(dsn))
		}
		return opened(sqlite.Open(rest))
	case "redis", "rediss":
		return opened(redisstore.Open(dsn))
	}
	return nil, fmt.Errorf("store %q: %w: unknown scheme %q", redact(dsn), store.ErrUnsupported, scheme)
}

// opened returns a backend's result as a store.Store, with a nil
// interface (not a typed nil pointer) on error.
func opened[S store.Store](st S, err error) (store.Store, error) {
	if err != nil {
		return nil, err
	}
	return st, nil
}

// redact hides the userinfo of a URL-shaped DSN.
func redact(dsn string) string {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return dsn
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		rest = "[REDACTED]@" + rest[at+1:]
	}
	return scheme + "://" + rest
}
