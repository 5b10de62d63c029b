package anomaly

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	rlredis "github.com/apiguard/apiguard/internal/ratelimit/redis"
	"github.com/apiguard/apiguard/internal/store"
	redisstore "github.com/apiguard/apiguard/internal/store/redis"
	"github.com/apiguard/apiguard/internal/store/sqlite"
	"github.com/apiguard/apiguard/internal/testutil/redistest"
)

// sqliteReplicas opens one database file twice: two replicas.
func sqliteReplicas(t *testing.T) (store.Store, store.Store) {
	t.Helper()
	t.Setenv(store.MasterKeyEnv, "")
	path := filepath.Join(t.TempDir(), "apiguard.db")
	return openSQLite(t, path), openSQLite(t, path)
}

func openSQLite(t *testing.T, path string) store.Store {
	t.Helper()
	d, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// redisReplicas starts a redis-server and opens two clients on it: two
// replicas.
func redisReplicas(t *testing.T) (store.Store, store.Store) {
	t.Helper()
	t.Setenv(store.MasterKeyEnv, "")
	t.Setenv(redisstore.HMACKeyEnv, "")
	t.Setenv(redisstore.SecretsDirEnv, "")
	srv, dir := redistest.Start(t), filepath.Join(t.TempDir(), "secrets")
	open := func() store.Store {
		s, err := redisstore.Open(srv.URL(), redisstore.WithSecretsDir(dir))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	return open(), open()
}

// TestMain keeps go-redis's reconnection messages out of the output.
func TestMain(m *testing.M) {
	rlredis.SetLogger(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}
