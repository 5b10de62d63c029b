package backend

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/store"
	redisstore "github.com/apiguard/apiguard/internal/store/redis"
	"github.com/apiguard/apiguard/internal/testutil/redistest"
)

func TestOpenSQLite(t *testing.T) {
	t.Setenv(store.MasterKeyEnv, "")
	st, err := Open("sqlite:" + filepath.Join(t.TempDir(), "apiguard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// redisEnv points the redis store's secrets at a temporary directory.
func redisEnv(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "secrets")
	t.Setenv(redisstore.SecretsDirEnv, dir)
	t.Setenv(redisstore.HMACKeyEnv, "")
	t.Setenv(store.MasterKeyEnv, "")
	return dir
}

func TestOpenRedis(t *testing.T) {
	redisEnv(t)
	srv := redistest.Start(t)
	for _, dsn := range []string{srv.URL(), "REDIS://" + srv.Addr + "/0"} {
		st, err := Open(dsn)
		if err != nil {
			t.Fatalf("Open(%q): %v", dsn, err)
		}
		if _, ok := st.(*redisstore.Store); !ok {
			t.Fatalf("Open(%q) = %T, want the redis store", dsn, st)
		}
		if err := st.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
		st.Close()
	}
}

func TestOpenErrors(t *testing.T) {
	redisEnv(t)
	for _, dsn := range []string{"redis://:hunter2@127.0.0.1:1/0", "rediss://user:hunter2@127.0.0.1:1/1",
		"redis://:hunter2@127.0.0.1:1/notadb", "postgres://u:hunter2@h/db", "", "sqlite:",
		"sqlite://u:hunter2@data/x.db", "/just/a/path"} {
		st, err := Open(dsn)
		if err == nil {
			st.Close()
			t.Fatalf("Open(%q) succeeded", dsn)
		}
		if st != nil {
			t.Fatalf("Open(%q) returned a non-nil store (%T) with its error", dsn, st)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("Open(%q): the error shows the password: %v", dsn, err)
		}
		if strings.HasPrefix(dsn, "postgres") && !errors.Is(err, store.ErrUnsupported) {
			t.Fatalf("Open(%q) = %v, want ErrUnsupported", dsn, err)
		}
	}
}
