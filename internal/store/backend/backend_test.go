package backend

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/store"
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

func TestOpenUnsupported(t *testing.T) {
	for _, dsn := range []string{"redis://:hunter2@127.0.0.1:6379/0", "rediss://user:hunter2@h:6380/1", "postgres://u:hunter2@h/db", "", "sqlite:", "sqlite://data/x.db", "/just/a/path"} {
		st, err := Open(dsn)
		if err == nil {
			st.Close()
			t.Fatalf("Open(%q) succeeded", dsn)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("Open(%q): the error shows the password: %v", dsn, err)
		}
		if strings.HasPrefix(dsn, "redis") && (!errors.Is(err, store.ErrUnsupported) || !strings.Contains(err.Error(), "not yet supported")) {
			t.Fatalf("Open(%q) = %v, want a clear ErrUnsupported", dsn, err)
		}
	}
}
