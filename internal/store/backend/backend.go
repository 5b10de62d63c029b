// Package backend opens the store a configuration names. It is the one
// place that knows every backend: an explicit switch on the DSN scheme,
// no registration by init() side effects. (It cannot live in package
// store itself: the backends import store for its contracts.)
package backend

import (
	"fmt"
	"strings"

	"github.com/apiguard/apiguard/internal/store"
	"github.com/apiguard/apiguard/internal/store/sqlite"
)

// Open opens the store named by dsn:
//
//	sqlite:PATH                 the embedded database at PATH
//	redis://HOST:PORT/DB        not supported yet (store.ErrUnsupported)
//
// Errors never include the DSN's password.
func Open(dsn string) (store.Store, error) {
	scheme, rest, ok := strings.Cut(dsn, ":")
	if !ok || rest == "" {
		return nil, fmt.Errorf("store %q: want sqlite:PATH or redis://HOST:PORT/DB", redact(dsn))
	}
	switch strings.ToLower(scheme) {
	case "sqlite":
		if strings.HasPrefix(rest, "//") { // sqlite://data/x.db would silently mean /data/x.db
			return nil, fmt.Errorf("store %q: write sqlite:PATH, without //", dsn)
		}
		return sqlite.Open(rest)
	case "redis", "rediss":
		return nil, fmt.Errorf("store %s: %w: the redis store is not yet supported in this version", redact(dsn), store.ErrUnsupported)
	}
	return nil, fmt.Errorf("store %q: %w: unknown scheme %q", redact(dsn), store.ErrUnsupported, scheme)
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
