package sqlite

import (
	"bytes"
	"context"
	"encoding/base32"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/apiguard/apiguard/internal/store"
)

func TestSeedIsSealedAtRest(t *testing.T) {
	d, path := openTemp(t)
	seed := []byte("\x01\x02plain-seed-marker\x03\x04")
	mustCreate(t, d, testKey(d, "aaaaaaaa"), seed)
	mustCreate(t, d, testKey(d, "bbbbbbbb"), nil)
	got, err := d.TOTP().Seed(context.Background(), "aaaaaaaa")
	if err != nil || !bytes.Equal(got, seed) {
		t.Fatalf("Seed = %q, %v", got, err)
	}
	if _, err := d.TOTP().Seed(context.Background(), "bbbbbbbb"); !errors.Is(err, store.ErrNotEnrolled) {
		t.Fatalf("Seed of an unenrolled key: %v", err)
	}
	if _, err := d.TOTP().Seed(context.Background(), "nope0000"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Seed of an unknown key: %v", err)
	}
	dir := filepath.Dir(path)
	check := func() {
		if len(filesContaining(t, dir, []byte("CREATE TABLE totp"))) == 0 {
			t.Fatal("control: the scan does not see the database's own content")
		}
		for _, needle := range [][]byte{seed, []byte("plain-seed-marker"),
			[]byte(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(seed))} {
			if found := filesContaining(t, dir, needle); len(found) > 0 {
				t.Errorf("plaintext seed in %v", found)
			}
		}
	}
	check() // with the WAL
	d.Close()
	check() // checkpointed into the database file
}

// filesContaining lists the files under dir whose bytes contain needle.
func filesContaining(t *testing.T, dir string, needle []byte) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, needle) {
			found = append(found, filepath.Base(p))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func TestMarkUsedAcceptsEachStepOnceAndOnlyForward(t *testing.T) {
	d, _ := openTemp(t)
	ctx := context.Background()
	mustCreate(t, d, testKey(d, "aaaaaaaa"), []byte("seed"))
	mustCreate(t, d, testKey(d, "bbbbbbbb"), nil)
	steps := []struct {
		step int64
		used bool
	}{{100, false}, {100, true}, {99, true}, {101, false}, {101, true}, {0, true}, {200, false}}
	for _, s := range steps {
		used, err := d.TOTP().MarkUsed(ctx, "aaaaaaaa", s.step)
		if err != nil || used != s.used {
			t.Fatalf("MarkUsed(%d) = %v, %v; want %v", s.step, used, err, s.used)
		}
	}
	if _, err := d.TOTP().MarkUsed(ctx, "bbbbbbbb", 1); !errors.Is(err, store.ErrNotEnrolled) {
		t.Fatalf("unenrolled: %v", err)
	}
	if _, err := d.TOTP().MarkUsed(ctx, "nope0000", 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
}

func TestMarkUsedRaceAdmitsOne(t *testing.T) {
	d, path := openTemp(t)
	other := openAt(t, path)
	mustCreate(t, d, testKey(d, "aaaaaaaa"), []byte("seed"))
	var wg sync.WaitGroup
	var mu sync.Mutex
	fresh := 0
	for i := range 16 {
		h := d
		if i%2 == 1 {
			h = other
		}
		wg.Go(func() {
			used, err := h.TOTP().MarkUsed(context.Background(), "aaaaaaaa", 42)
			if err != nil {
				t.Error(err)
			}
			if !used {
				mu.Lock()
				fresh++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if fresh != 1 {
		t.Fatalf("%d of 16 concurrent uses of one step were accepted, want 1", fresh)
	}
}

func TestRekeyKeepsSeedsReadable(t *testing.T) {
	d, path := openTemp(t)
	gateway := openAt(t, path) // a running gateway that loaded the old key
	ctx := context.Background()
	mustCreate(t, d, testKey(d, "aaaaaaaa"), []byte("seed-a"))
	mustCreate(t, d, testKey(d, "bbbbbbbb"), []byte("seed-b"))
	if _, err := gateway.TOTP().Seed(ctx, "aaaaaaaa"); err != nil {
		t.Fatal(err)
	}
	oldID := d.ring.CurrentID()
	res, err := d.Rekey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.OldKeyID != oldID || res.NewKeyID == oldID || res.Resealed != 2 ||
		res.Backup != filepath.Join(filepath.Dir(path), "master.key."+oldID) {
		t.Fatalf("Rekey = %+v (old %s)", res, oldID)
	}
	var ids []string
	rows, _ := d.sql.Query(`SELECT DISTINCT master_key_id FROM totp`)
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != 1 || ids[0] != res.NewKeyID {
		t.Fatalf("records sealed under %v, want only %s", ids, res.NewKeyID)
	}
	for _, h := range []*DB{d, gateway, openAt(t, path)} {
		for id, want := range map[string]string{"aaaaaaaa": "seed-a", "bbbbbbbb": "seed-b"} {
			if seed, err := h.TOTP().Seed(ctx, id); err != nil || string(seed) != want {
				t.Fatalf("after rekey: Seed(%s) = %q, %v", id, seed, err)
			}
		}
	}
	// The old key is only in the backup; master.key holds the new one.
	mk, err := store.ReadSecretFile(filepath.Join(filepath.Dir(path), "master.key"))
	if err != nil || store.MasterKeyID(mk) != res.NewKeyID {
		t.Fatalf("master.key: %v", err)
	}
	// A second rekey works from the rotated state.
	if res2, err := gateway.Rekey(ctx); err != nil || res2.OldKeyID != res.NewKeyID {
		t.Fatalf("second rekey by another handle: %+v, %v", res2, err)
	}
	if seed, err := d.TOTP().Seed(ctx, "aaaaaaaa"); err != nil || string(seed) != "seed-a" {
		t.Fatalf("after second rekey: %q, %v", seed, err)
	}
}

func TestRekeyRefusedWithEnvironmentKey(t *testing.T) {
	t.Setenv(store.MasterKeyEnv, strings.Repeat("ab", 32))
	d := openAt(t, filepath.Join(t.TempDir(), "a.db"))
	mustCreate(t, d, testKey(d, "aaaaaaaa"), []byte("seed"))
	if _, err := d.Rekey(context.Background()); !errors.Is(err, store.ErrMasterKeyFromEnv) {
		t.Fatalf("Rekey = %v, want ErrMasterKeyFromEnv", err)
	}
	if seed, err := d.TOTP().Seed(context.Background(), "aaaaaaaa"); err != nil || string(seed) != "seed" {
		t.Fatalf("Seed = %q, %v", seed, err)
	}
}
