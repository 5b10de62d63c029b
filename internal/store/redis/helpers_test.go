package redis

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	rlredis "github.com/apiguard/apiguard/internal/ratelimit/redis"
	"github.com/apiguard/apiguard/internal/store"
	"github.com/apiguard/apiguard/internal/testutil/redistest"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// cluster is one Redis server and one secrets directory: the handles
// opened on it are replicas (or the CLI) of one deployment.
type cluster struct {
	srv *redistest.Server
	dir string
}

// newCluster starts a redis-server and picks a secrets directory. The
// secrets come from files: the environment variables are cleared.
func newCluster(t testing.TB) *cluster {
	t.Helper()
	t.Setenv(store.MasterKeyEnv, "")
	t.Setenv(HMACKeyEnv, "")
	t.Setenv(SecretsDirEnv, "")
	return &cluster{srv: redistest.Start(t), dir: filepath.Join(t.TempDir(), "secrets")}
}

// open opens a handle, closed at cleanup.
func (c *cluster) open(t testing.TB, opts ...Option) *Store {
	t.Helper()
	s, err := Open(c.srv.URL(), append([]Option{WithSecretsDir(c.dir)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// client is a plain client on the server, to look at what is stored.
func (c *cluster) client(t testing.TB) *goredis.Client {
	t.Helper()
	cl, err := rlredis.NewClient(c.srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// openTemp opens a handle on a new cluster.
func openTemp(t testing.TB) (*Store, *cluster) {
	t.Helper()
	c := newCluster(t)
	return c.open(t), c
}

func testKey(s *Store, id string) store.Key {
	return store.Key{ID: id, Name: "ci " + id, Hash: s.Hasher().Sum("agk_" + id), Scopes: []string{"orders:read", "orders:write"}, Created: t0}
}

func mustCreate(t testing.TB, s *Store, k store.Key, seed []byte) {
	t.Helper()
	if err := s.Keys().Create(context.Background(), k, seed); err != nil {
		t.Fatal(err)
	}
}

func mustGet(t testing.TB, s *Store, id string) store.Key {
	t.Helper()
	k, err := s.Keys().Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func revision(t testing.TB, s *Store) uint64 {
	t.Helper()
	r, err := s.Revision(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// eventually polls cond until it holds, failing after within.
func eventually(t testing.TB, within time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("condition not met within %v", within)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// TestMain keeps go-redis's own reconnection messages out of the test
// output.
func TestMain(m *testing.M) {
	rlredis.SetLogger(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}
