package redis

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

func TestOpenCreatesPrivateSecrets(t *testing.T) {
	d, c := openTemp(t)
	for name, want := range map[string]os.FileMode{c.dir: 0o700 | os.ModeDir,
		filepath.Join(c.dir, "hmac.key"): 0o600, filepath.Join(c.dir, "master.key"): 0o600} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(name), fi.Mode(), want)
		}
	}
	if err := d.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d.Close() != nil || d.Close() != nil {
		t.Fatal("Close twice failed")
	}
}

func TestOpenRefusesLooseSecretFile(t *testing.T) {
	c := newCluster(t)
	c.open(t).Close()
	for _, name := range []string{"hmac.key", "master.key"} {
		path := filepath.Join(c.dir, name)
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(c.srv.URL(), WithSecretsDir(c.dir)); err == nil || !strings.Contains(err.Error(), "group or others") {
			t.Fatalf("Open with a 0644 %s: %v", name, err)
		}
		os.Chmod(path, 0o600)
	}
}

// Without WithSecretsDir the directory is $APIGUARD_SECRETS_DIR, else
// ./secrets.
func TestSecretsDirectory(t *testing.T) {
	c := newCluster(t)
	dir := filepath.Join(t.TempDir(), "from-env")
	t.Setenv(SecretsDirEnv, dir)
	s, err := Open(c.srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, "hmac.key")); err != nil {
		t.Fatalf("hmac.key not in $%s: %v", SecretsDirEnv, err)
	}
	t.Setenv(SecretsDirEnv, "")
	wd := t.TempDir()
	t.Chdir(wd)
	copySecrets(t, dir, filepath.Join(wd, DefaultSecretsDir))
	s, err = Open(c.srv.URL())
	if err != nil {
		t.Fatalf("Open with ./secrets holding the same secrets: %v", err)
	}
	s.Close()
}

func TestSecretsFromEnvironment(t *testing.T) {
	c := newCluster(t)
	hmacKey, masterKey := strings.Repeat("01", 32), strings.Repeat("02", 32)
	t.Setenv(HMACKeyEnv, hmacKey)
	t.Setenv(store.MasterKeyEnv, masterKey)
	d := c.open(t)
	if _, err := os.Stat(c.dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the secrets directory was created although both keys come from the environment: %v", err)
	}
	raw, _ := hex.DecodeString(hmacKey)
	if d.Hasher().Sum("agk_x") != store.NewHasher(raw).Sum("agk_x") {
		t.Fatal("the hasher does not use APIGUARD_HMAC_KEY")
	}
	mustCreate(t, d, testKey(d, "aaaaaaaa"), []byte("seed"))
	if ids := sealedUnder(t, c); len(ids) != 1 || ids[0] != d.sec.ring.CurrentID() {
		t.Fatalf("sealed under %v", ids)
	}
	for _, bad := range []string{"short", strings.Repeat("zz", 32)} {
		t.Setenv(HMACKeyEnv, bad)
		if _, err := Open(c.srv.URL(), WithSecretsDir(c.dir)); err == nil || strings.Contains(err.Error(), bad) {
			t.Fatalf("a malformed %s: %v", HMACKeyEnv, err)
		}
	}
	// Another HMAC key than the store's is refused.
	t.Setenv(HMACKeyEnv, strings.Repeat("03", 32))
	if _, err := Open(c.srv.URL(), WithSecretsDir(c.dir)); !errors.Is(err, ErrSecretsMismatch) || !strings.Contains(err.Error(), HMACKeyEnv) {
		t.Fatalf("another HMAC key: %v, want ErrSecretsMismatch naming %s", err, HMACKeyEnv)
	}
}

// A process whose secrets are not the store's is refused at Open: with
// another hmac.key every key would be refused, with another master.key
// no seed could be read.
func TestOpenRefusesOtherSecrets(t *testing.T) {
	c := newCluster(t)
	c.open(t)
	other := filepath.Join(t.TempDir(), "other")
	_, err := Open(c.srv.URL(), WithSecretsDir(other))
	if !errors.Is(err, ErrSecretsMismatch) || !strings.Contains(err.Error(), "HMAC") || !strings.Contains(err.Error(), other) {
		t.Fatalf("Open with another hmac.key: %v", err)
	}
	// Same hmac.key, another master.key.
	if err := os.Remove(filepath.Join(other, "hmac.key")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(c.dir, "hmac.key"))
	os.WriteFile(filepath.Join(other, "hmac.key"), b, 0o600)
	_, err = Open(c.srv.URL(), WithSecretsDir(other))
	if !errors.Is(err, ErrSecretsMismatch) || !strings.Contains(err.Error(), "master key") {
		t.Fatalf("Open with another master.key: %v", err)
	}
	// Another prefix is another store: its own secrets are fine.
	if s, err := Open(c.srv.URL(), WithSecretsDir(other), WithPrefix("other:")); err != nil {
		t.Fatalf("another prefix: %v", err)
	} else {
		s.Close()
	}
}

func TestOpenRefusesAnotherLayout(t *testing.T) {
	d, c := openTemp(t)
	c.client(t).HSet(context.Background(), d.metaKey, "layout", "2")
	if _, err := Open(c.srv.URL(), WithSecretsDir(c.dir)); err == nil || !strings.Contains(err.Error(), "upgrade") {
		t.Fatalf("Open on a newer layout: %v", err)
	}
	if err := d.Keys().Create(context.Background(), testKey(d, "aaaaaaaa"), nil); err == nil || !strings.Contains(err.Error(), "upgrade") {
		t.Fatalf("Create on a newer layout: %v", err)
	}
}

func TestRevisionChangesOnAuthRelevantWritesOnly(t *testing.T) {
	c := newCluster(t)
	d := c.open(t)
	other := c.open(t) // another replica's view
	ctx := context.Background()
	r0 := revision(t, other)
	mustCreate(t, d, testKey(d, "aaaaaaaa"), nil)
	r1 := revision(t, other)
	if r1 == r0 {
		t.Fatal("create did not change the revision")
	}
	if err := d.Keys().TouchLastUsed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := d.Keys().TouchLastUsed(ctx, []store.Usage{{ID: "aaaaaaaa", At: t0}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.TOTP().MarkUsed(ctx, "aaaaaaaa", 1); !errors.Is(err, store.ErrNotEnrolled) {
		t.Fatal(err)
	}
	if revision(t, other) != r1 {
		t.Fatal("last-used updates changed the revision")
	}
	if err := d.Keys().Revoke(ctx, "aaaaaaaa", t0); err != nil {
		t.Fatal(err)
	}
	r2 := revision(t, other)
	if r2 == r1 {
		t.Fatal("revoke did not change the revision")
	}
	if err := d.Keys().Revoke(ctx, "aaaaaaaa", t0); err != nil || revision(t, other) != r2 {
		t.Fatalf("revoking again: %v (revision changed: %v)", err, revision(t, other) != r2)
	}
	mustCreate(t, d, testKey(d, "bbbbbbbb"), nil)
	r3 := revision(t, other)
	if err := d.Keys().Rotate(ctx, store.Rotation{OldID: "bbbbbbbb", Next: testKey(d, "cccccccc"), At: t0}); err != nil {
		t.Fatal(err)
	}
	if revision(t, other) == r3 {
		t.Fatal("rotate did not change the revision")
	}
	r4 := revision(t, other)
	if err := d.Keys().Rotate(ctx, store.Rotation{OldID: "bbbbbbbb", Next: testKey(d, "dddddddd"), At: t0}); err == nil || revision(t, other) != r4 {
		t.Fatalf("a refused rotation: %v (revision changed: %v)", err, revision(t, other) != r4)
	}
}

// The key layout is the one the package documentation describes.
func TestKeyLayout(t *testing.T) {
	d, c := openTemp(t)
	ctx := context.Background()
	k := testKey(d, "aaaaaaaa")
	k.Expires = t0.Add(time.Hour)
	mustCreate(t, d, k, []byte("seed"))
	if err := d.Keys().Rotate(ctx, store.Rotation{OldID: "aaaaaaaa", Next: testKey(d, "bbbbbbbb"), At: t0, GraceUntil: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	d.Keys().Revoke(ctx, "bbbbbbbb", t0)
	d.Keys().TouchLastUsed(ctx, []store.Usage{{ID: "aaaaaaaa", At: t0}})
	d.TOTP().MarkUsed(ctx, "aaaaaaaa", 9)
	cl := c.client(t)
	names := cl.Keys(ctx, "*").Val()
	slices.Sort(names)
	want := []string{"apiguard:key:aaaaaaaa", "apiguard:key:bbbbbbbb", "apiguard:keys", "apiguard:meta",
		"apiguard:rev", "apiguard:totp:aaaaaaaa", "apiguard:totps"}
	if !slices.Equal(names, want) {
		t.Fatalf("keys %v, want %v", names, want)
	}
	fields := func(k string) string {
		m := cl.HGetAll(ctx, k).Val()
		var f []string
		for name := range m {
			f = append(f, name)
		}
		slices.Sort(f)
		return strings.Join(f, " ")
	}
	for k, want := range map[string]string{
		"apiguard:key:aaaaaaaa":  "created expires grace_until hash last_used name op rotated_to scopes totp_id",
		"apiguard:key:bbbbbbbb":  "created hash name op revoked_at scopes totp_id",
		"apiguard:totp:aaaaaaaa": "last_step master_key_id seed",
		"apiguard:meta":          "hmac_key_id layout master_key_id",
	} {
		if got := fields(k); got != want {
			t.Errorf("%s fields %q, want %q", k, got, want)
		}
	}
	if m := cl.HGetAll(ctx, "apiguard:key:aaaaaaaa").Val(); m["created"] != fmt.Sprint(t0.UnixNano()) || m["scopes"] != `["orders:read","orders:write"]` {
		t.Errorf("record %q", m)
	}
	if ids := cl.SMembers(ctx, "apiguard:totps").Val(); !slices.Equal(ids, []string{"aaaaaaaa"}) {
		t.Errorf("totps %v", ids)
	}
}

// Two replicas write at once while a third polls and lists.
func TestConcurrentHandles(t *testing.T) {
	c := newCluster(t)
	handles := []*Store{c.open(t), c.open(t), c.open(t)}
	var wg sync.WaitGroup
	for i, h := range handles[:2] {
		wg.Go(func() {
			ctx := context.Background()
			for j := range 50 {
				k := testKey(h, fmt.Sprintf("h%d%06d", i, j))
				if err := h.Keys().Create(ctx, k, []byte("seed")); err != nil {
					t.Error(err)
					return
				}
				if j%2 == 0 {
					if err := h.Keys().Revoke(ctx, k.ID, t0); err != nil {
						t.Error(err)
						return
					}
				}
				if err := h.Keys().TouchLastUsed(ctx, []store.Usage{{ID: k.ID, At: t0}}); err != nil {
					t.Error(err)
					return
				}
				if _, err := h.TOTP().MarkUsed(ctx, k.ID, int64(j)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := handles[2].Revision(context.Background()); err != nil {
				t.Error(err)
				return
			}
			all, err := handles[2].Keys().List(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			if len(all) == 100 {
				return
			}
		}
	})
	wg.Wait()
	all, err := handles[2].Keys().List(context.Background())
	if err != nil || len(all) != 100 {
		t.Fatalf("%d keys, %v; want 100", len(all), err)
	}
	revoked := 0
	for _, k := range all {
		if !k.RevokedAt.IsZero() {
			revoked++
		}
		if !k.TOTP || !k.LastUsed.Equal(t0) {
			t.Fatalf("%+v", k)
		}
	}
	if revoked != 50 {
		t.Fatalf("%d revoked, want 50", revoked)
	}
}
