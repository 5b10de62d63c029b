package redis

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/store"
)

func TestRekeyKeepsSeedsReadable(t *testing.T) {
	c := newCluster(t)
	d := c.open(t)
	gateway := c.open(t) // a running gateway that loaded the old key
	ctx := context.Background()
	mustCreate(t, d, testKey(d, "aaaaaaaa"), []byte("seed-a"))
	mustCreate(t, d, testKey(d, "bbbbbbbb"), []byte("seed-b"))
	mustCreate(t, d, testKey(d, "cccccccc"), nil)
	if _, err := gateway.TOTP().Seed(ctx, "aaaaaaaa"); err != nil {
		t.Fatal(err)
	}
	if _, err := gateway.TOTP().MarkUsed(ctx, "aaaaaaaa", 500); err != nil {
		t.Fatal(err)
	}
	oldID := d.sec.ring.CurrentID()
	res, err := d.Rekey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.OldKeyID != oldID || res.NewKeyID == oldID || res.Resealed != 2 ||
		res.Backup != filepath.Join(c.dir, "master.key."+oldID) {
		t.Fatalf("Rekey = %+v (old %s)", res, oldID)
	}
	if ids := sealedUnder(t, c); !slices.Equal(ids, []string{res.NewKeyID}) {
		t.Fatalf("records sealed under %v, want only %s", ids, res.NewKeyID)
	}
	if mk, _ := c.client(t).HGet(ctx, d.metaKey, "master_key_id").Result(); mk != res.NewKeyID {
		t.Fatalf("meta records master key %s, want %s", mk, res.NewKeyID)
	}
	for _, h := range []*Store{d, gateway, c.open(t)} {
		for id, want := range map[string]string{"aaaaaaaa": "seed-a", "bbbbbbbb": "seed-b"} {
			if seed, err := h.TOTP().Seed(ctx, id); err != nil || string(seed) != want {
				t.Fatalf("after rekey: Seed(%s) = %q, %v", id, seed, err)
			}
		}
	}
	// Used steps survive the rekey.
	if used, err := d.TOTP().MarkUsed(ctx, "aaaaaaaa", 500); !used || err != nil {
		t.Fatalf("MarkUsed of a step used before the rekey = %v, %v", used, err)
	}
	mk, err := store.ReadSecretFile(filepath.Join(c.dir, "master.key"))
	if err != nil || store.MasterKeyID(mk) != res.NewKeyID {
		t.Fatalf("master.key: %v", err)
	}
	// The gateway's keyring follows the file: new keys are sealed under
	// the new key and the second rekey works from the rotated state.
	mustCreate(t, gateway, testKey(gateway, "dddddddd"), []byte("seed-d"))
	res2, err := gateway.Rekey(ctx)
	if err != nil || res2.OldKeyID != res.NewKeyID || res2.Resealed != 3 {
		t.Fatalf("second rekey by another handle: %+v, %v", res2, err)
	}
	for id, want := range map[string]string{"aaaaaaaa": "seed-a", "dddddddd": "seed-d"} {
		if seed, err := d.TOTP().Seed(ctx, id); err != nil || string(seed) != want {
			t.Fatalf("after the second rekey: Seed(%s) = %q, %v", id, seed, err)
		}
	}
	entries, _ := os.ReadDir(c.dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp") || e.Name() == "master.key."+res2.NewKeyID {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// sealedUnder lists the master key ids the enrolments name.
func sealedUnder(t *testing.T, c *cluster) []string {
	t.Helper()
	ctx := context.Background()
	cl := c.client(t)
	var ids []string
	for _, k := range cl.Keys(ctx, "apiguard:totp:*").Val() {
		id := cl.HGet(ctx, k, "master_key_id").Val()
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// A replica whose secrets directory was not updated after a rekey
// elsewhere cannot read the re-sealed seeds nor seal new ones under its
// old key; once the files are copied it works again, without a restart,
// and a process that starts with the old files is refused.
func TestRekeySeenByAReplicaOnceTheFilesAreCopied(t *testing.T) {
	c := newCluster(t)
	cli := c.open(t)
	ctx := context.Background()
	mustCreate(t, cli, testKey(cli, "aaaaaaaa"), []byte("seed-a"))
	otherDir := filepath.Join(t.TempDir(), "replica-secrets")
	copySecrets(t, c.dir, otherDir)
	replica := c.open(t, WithSecretsDir(otherDir))
	res, err := cli.Rekey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := replica.TOTP().Seed(ctx, "aaaaaaaa"); err == nil || !strings.Contains(err.Error(), res.NewKeyID) {
		t.Fatalf("Seed without the new key: %v", err)
	}
	err = replica.Keys().Create(ctx, testKey(replica, "bbbbbbbb"), []byte("seed-b"))
	if !errors.Is(err, ErrSecretsMismatch) {
		t.Fatalf("Create with a seed under the old key: %v, want ErrSecretsMismatch", err)
	}
	if _, err := Open(c.srv.URL(), WithSecretsDir(otherDir)); !errors.Is(err, ErrSecretsMismatch) {
		t.Fatalf("Open with the old master key: %v, want ErrSecretsMismatch", err)
	}
	copySecrets(t, c.dir, otherDir)
	if seed, err := replica.TOTP().Seed(ctx, "aaaaaaaa"); err != nil || string(seed) != "seed-a" {
		t.Fatalf("Seed once master.key is copied: %q, %v", seed, err)
	}
	mustCreate(t, replica, testKey(replica, "bbbbbbbb"), []byte("seed-b"))
	if ids := sealedUnder(t, c); !slices.Equal(ids, []string{res.NewKeyID}) {
		t.Fatalf("records sealed under %v, want only %s", ids, res.NewKeyID)
	}
}

// copySecrets copies every secret file of src into dst (0600).
func copySecrets(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(dst, ".copy")
		if err := os.WriteFile(tmp, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dst, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRekeyRefusedWithEnvironmentKey(t *testing.T) {
	c := newCluster(t)
	t.Setenv(store.MasterKeyEnv, strings.Repeat("ab", 32))
	d := c.open(t)
	mustCreate(t, d, testKey(d, "aaaaaaaa"), []byte("seed"))
	if _, err := d.Rekey(context.Background()); !errors.Is(err, store.ErrMasterKeyFromEnv) {
		t.Fatalf("Rekey = %v, want ErrMasterKeyFromEnv", err)
	}
	if seed, err := d.TOTP().Seed(context.Background(), "aaaaaaaa"); err != nil || string(seed) != "seed" {
		t.Fatalf("Seed = %q, %v", seed, err)
	}
}

// The rekey script refuses to write when an enrolment was added after
// the read, and a retried call that landed is recognised.
func TestRekeyScriptGuards(t *testing.T) {
	d, c := openTemp(t)
	ctx := context.Background()
	mustCreate(t, d, testKey(d, "aaaaaaaa"), []byte("seed-a"))
	old := d.sec.ring.CurrentID()
	run := func(n int, seeds ...any) string {
		keys := []string{d.totpsSet, d.metaKey}
		for range seeds {
			keys = append(keys, d.totp("aaaaaaaa"))
		}
		res, err := rekeyScript.Run(ctx, c.client(t), keys, append([]any{n, old, "00000000000000ff"}, seeds...)...).Text()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := run(0); res != "changed" {
		t.Fatalf("with an enrolment unseen: %q, want changed", res)
	}
	if mk := sealedUnder(t, c); !slices.Equal(mk, []string{old}) {
		t.Fatalf("a refused rekey wrote: %v", mk)
	}
	if res := run(1, "sealed"); res != "ok" {
		t.Fatalf("rekey: %q", res)
	}
	if res := run(1, "sealed"); res != "ok" {
		t.Fatalf("retried rekey: %q, want ok", res)
	}
}
