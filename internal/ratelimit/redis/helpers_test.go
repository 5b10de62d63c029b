package redis_test

import (
	"strconv"
	"sync/atomic"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/apiguard/apiguard/internal/ratelimit/ratelimittest"
	rlredis "github.com/apiguard/apiguard/internal/ratelimit/redis"
	"github.com/apiguard/apiguard/internal/testutil/redistest"
)

var prefixSeq atomic.Int64

// newClient returns a client for srv with apiguard's options, closed at
// cleanup.
func newClient(t testing.TB, srv *redistest.Server) *goredis.Client {
	t.Helper()
	c, err := rlredis.NewClient(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// uniquePrefix gives each backend of a test fresh state on a shared server.
func uniquePrefix() string { return "t" + strconv.FormatInt(prefixSeq.Add(1), 10) + ":" }

// factory returns backends on one server, each with its own prefix, that
// decide with the suite's clock.
func factory(t *testing.T) ratelimittest.Factory {
	srv := redistest.Start(t)
	c := newClient(t, srv)
	return func(_ *testing.T, clock *ratelimittest.Clock) ratelimittest.Backend {
		return rlredis.New(c, rlredis.WithPrefix(uniquePrefix()), rlredis.WithClock(clock.Nanos))
	}
}
