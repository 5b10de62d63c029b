package store

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestKeyringSealOpen(t *testing.T) {
	t.Setenv(MasterKeyEnv, "")
	ring, err := OpenKeyring(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	id, sealed, err := ring.Seal([]byte("aad"), []byte("seed"))
	if err != nil {
		t.Fatal(err)
	}
	if id != ring.CurrentID() || bytes.Contains(sealed, []byte("seed")) {
		t.Fatalf("id %s (current %s), sealed %x", id, ring.CurrentID(), sealed)
	}
	pt, err := ring.Open(id, []byte("aad"), sealed)
	if err != nil || string(pt) != "seed" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	if _, err := ring.Open(id, []byte("other record"), sealed); err == nil {
		t.Fatal("a sealed value opened under another record's aad")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := ring.Open(id, []byte("aad"), sealed); err == nil {
		t.Fatal("a tampered value opened")
	}
	if _, err := ring.Open("../../etc/pass", []byte("aad"), sealed); err == nil {
		t.Fatal("a bogus key id was accepted")
	}
}

func TestKeyringFromEnv(t *testing.T) {
	raw := bytes.Repeat([]byte{7}, 32)
	t.Setenv(MasterKeyEnv, hex.EncodeToString(raw))
	dir := t.TempDir()
	ring, err := OpenKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ring.CurrentID() != MasterKeyID(raw) {
		t.Fatal("the environment key is not current")
	}
	if _, err := os.Stat(filepath.Join(dir, MasterKeyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("master.key was created although the key comes from the environment")
	}
	if _, err := ring.BeginRotation(); !errors.Is(err, ErrMasterKeyFromEnv) {
		t.Fatalf("BeginRotation = %v, want ErrMasterKeyFromEnv", err)
	}
	t.Setenv(MasterKeyEnv, "not a key")
	if _, err := OpenKeyring(dir); err == nil {
		t.Fatal("a malformed environment key was accepted")
	}
}

func TestKeyringRotationSeenByAnotherRing(t *testing.T) {
	t.Setenv(MasterKeyEnv, "")
	dir := t.TempDir()
	cli, err := OpenKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	gateway, err := OpenKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	oldID := cli.CurrentID()
	rot, err := cli.BeginRotation()
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := rot.Seal([]byte("a"), []byte("s"))
	if err != nil {
		t.Fatal(err)
	}
	// Before Commit the new key is already readable (crash safety).
	if pt, err := gateway.Open(rot.NewID(), []byte("a"), sealed); err != nil || string(pt) != "s" {
		t.Fatalf("uncommitted new key not readable: %v", err)
	}
	if err := rot.Commit(); err != nil {
		t.Fatal(err)
	}
	if gateway.CurrentID() != rot.NewID() || cli.CurrentID() != rot.NewID() {
		t.Fatal("the rotated key is not current")
	}
	backup, err := ReadSecretFile(filepath.Join(dir, MasterKeyFile+"."+oldID))
	if err != nil || MasterKeyID(backup) != oldID {
		t.Fatalf("backup of the old key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, MasterKeyFile+"."+rot.NewID())); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the staged new key file is left after Commit")
	}
}
