package sqlite

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

const helperEnv = "APIGUARD_SQLITE_TEST_HELPER"

// TestHelperProcess is the "CLI" of TestConcurrentProcesses: run as a
// separate process, it writes to the database the parent is using.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process only")
	}
	d := openAt(t, path)
	if err := writeMany(d, "c", 50); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// writeMany creates n keys with the id prefix p, revoking every other
// one and touching last-used times, as the CLI and gateway do.
func writeMany(d *DB, p string, n int) error {
	ctx := context.Background()
	for i := range n {
		k := testKey(d, fmt.Sprintf("%s%07d", p, i))
		if err := d.Keys().Create(ctx, k, []byte("seed")); err != nil {
			return err
		}
		if i%2 == 0 {
			if err := d.Keys().Revoke(ctx, k.ID, t0); err != nil {
				return err
			}
		}
		if err := d.Keys().TouchLastUsed(ctx, []store.Usage{{ID: k.ID, At: t0}}); err != nil {
			return err
		}
		if _, err := d.TOTP().MarkUsed(ctx, k.ID, int64(i)); err != nil {
			return err
		}
	}
	return nil
}

// TestConcurrentProcesses runs a writer in another process (locks
// between processes are not the same as between connections of one) and
// two handles here, all on one database at once.
func TestConcurrentProcesses(t *testing.T) {
	d, path := openTemp(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	out := make(chan error, 1)
	var outBuf syncBuffer
	cmd.Stdout, cmd.Stderr = &outBuf, &outBuf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { out <- cmd.Wait() }()

	other := openAt(t, path)
	var wg sync.WaitGroup
	for i, h := range []*DB{d, other} {
		wg.Go(func() {
			if err := writeMany(h, fmt.Sprintf("h%d", i), 50); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Go(func() { // a gateway polling and reading meanwhile
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := d.Revision(context.Background()); err != nil {
				t.Error(err)
				return
			}
			if _, err := d.Keys().List(context.Background()); err != nil {
				t.Error(err)
				return
			}
			if n := countKeys(t, d); n == 150 {
				return
			}
		}
	})
	wg.Wait()
	select {
	case err := <-out:
		if err != nil {
			t.Fatalf("helper process: %v\n%s", err, outBuf.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("helper process did not finish")
	}
	if n := countKeys(t, d); n != 150 {
		t.Fatalf("%d keys, want 150", n)
	}
	var revoked int
	d.sql.QueryRow(`SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL`).Scan(&revoked)
	if revoked != 75 {
		t.Fatalf("%d revoked, want 75", revoked)
	}
}

func countKeys(t *testing.T, d *DB) int {
	var n int
	if err := d.sql.QueryRow(`SELECT count(*) FROM api_keys`).Scan(&n); err != nil {
		t.Error(err)
	}
	return n
}

type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}
