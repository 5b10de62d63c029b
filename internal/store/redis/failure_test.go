package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

// No error shows the password: not a bad URL, not a refused password,
// not a server that went away.
func TestErrorsNeverShowPassword(t *testing.T) {
	c := newCluster(t)
	const pw, wrong = "s3cret-Pw-4711", "wr0ng-Pw-0815"
	if err := c.client(t).ConfigSet(context.Background(), "requirepass", pw).Err(); err != nil {
		t.Fatal(err)
	}
	url := func(p string) string { return "redis://:" + p + "@" + c.srv.Addr + "/0" }
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		if strings.Contains(err.Error(), pw) || strings.Contains(err.Error(), wrong) {
			t.Fatalf("%s: the error shows the password: %v", what, err)
		}
	}
	for _, dsn := range []string{url(wrong), "redis://:" + pw + "@" + c.srv.Addr + "/notadb",
		"redis://:" + pw + "@[::1/0", "redis://:" + pw + "@127.0.0.1:1/0", "rediss://u:" + pw + "@127.0.0.1:1/0"} {
		_, err := Open(dsn, WithSecretsDir(c.dir))
		check("Open", err)
	}
	s, err := Open(url(pw), WithSecretsDir(c.dir))
	if err != nil {
		t.Fatalf("Open with the password: %v", err)
	}
	defer s.Close()
	mustCreate(t, s, testKey(s, "aaaaaaaa"), nil)
	c.srv.Kill()
	_, err = s.Keys().Get(context.Background(), "aaaaaaaa")
	check("Get with the server down", err)
	check("Ping with the server down", s.Ping(context.Background()))
}

// With the server down every operation fails (fast, no panic); after a
// restart on the same address the same handles work again.
func TestServerDownThenBack(t *testing.T) {
	c := newCluster(t)
	d, other := c.open(t), c.open(t)
	ctx := context.Background()
	mustCreate(t, d, testKey(d, "aaaaaaaa"), []byte("seed"))
	revBefore := revision(t, other)
	c.srv.Kill()
	ops := map[string]func() error{
		"Ping":     func() error { return d.Ping(ctx) },
		"Revision": func() error { _, err := d.Revision(ctx); return err },
		"Get":      func() error { _, err := d.Keys().Get(ctx, "aaaaaaaa"); return err },
		"List":     func() error { _, err := d.Keys().List(ctx); return err },
		"Create":   func() error { return d.Keys().Create(ctx, testKey(d, "bbbbbbbb"), []byte("s")) },
		"Revoke":   func() error { return d.Keys().Revoke(ctx, "aaaaaaaa", t0) },
		"Rotate": func() error {
			return d.Keys().Rotate(ctx, store.Rotation{OldID: "aaaaaaaa", Next: testKey(d, "cccccccc"), At: t0})
		},
		"Touch":    func() error { return d.Keys().TouchLastUsed(ctx, []store.Usage{{ID: "aaaaaaaa", At: t0}}) },
		"Seed":     func() error { _, err := d.TOTP().Seed(ctx, "aaaaaaaa"); return err },
		"MarkUsed": func() error { _, err := d.TOTP().MarkUsed(ctx, "aaaaaaaa", 1); return err },
		"Rekey":    func() error { _, err := d.Rekey(ctx); return err },
	}
	for name, op := range ops {
		start := time.Now()
		err := op()
		if err == nil || errors.Is(err, store.ErrNotFound) {
			t.Fatalf("%s with the server down: %v", name, err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s took %v to fail", name, took)
		}
		if !strings.HasPrefix(err.Error(), "redis store: ") {
			t.Errorf("%s: error %q does not say it is the redis store", name, err)
		}
	}
	// The failed rekey left no staged key behind (nothing was written).
	staged, _ := filepath.Glob(filepath.Join(c.dir, "master.key.*"))
	for _, f := range staged {
		b, err := store.ReadSecretFile(f)
		if err != nil || filepath.Base(f) != "master.key."+store.MasterKeyID(b) || store.MasterKeyID(b) != d.sec.ring.CurrentID() {
			t.Errorf("left behind by a failed rekey: %s", filepath.Base(f))
		}
	}
	if _, err := Open(c.srv.URL(), WithSecretsDir(c.dir)); err == nil {
		t.Fatal("Open with the server down succeeded")
	}

	c.srv.Restart() // empty: nothing is persisted in tests
	// The client dials again on its own (go-redis retries a failing dial
	// in the background about once a second).
	took := eventually(t, 10*time.Second, func() bool { return d.Ping(ctx) == nil && other.Ping(ctx) == nil })
	t.Logf("recovered %v after the restart", took.Round(time.Millisecond))
	if r := revision(t, other); r != 0 {
		t.Fatalf("revision of an empty server = %d", r)
	}
	mustCreate(t, d, testKey(d, "bbbbbbbb"), []byte("seed-b"))
	if r := revision(t, other); r == 0 || r == revBefore {
		t.Fatalf("revision after the restart %d (before %d): must differ from every earlier one", r, revBefore)
	}
	if k := mustGet(t, other, "bbbbbbbb"); !k.TOTP {
		t.Fatalf("%+v", k)
	}
	if used, err := other.TOTP().MarkUsed(ctx, "bbbbbbbb", 1); used || err != nil {
		t.Fatalf("MarkUsed after the restart = %v, %v", used, err)
	}
	// The restarted server has recorded these secrets again: others are refused.
	if _, err := Open(c.srv.URL(), WithSecretsDir(filepath.Join(t.TempDir(), "x"))); !errors.Is(err, ErrSecretsMismatch) {
		t.Fatalf("Open with other secrets after the restart: %v", err)
	}
}

// A server that accepts connections but never answers: operations fail
// within the client's timeouts.
func TestUnresponsiveServerTimesOut(t *testing.T) {
	c := newCluster(t)
	d := c.open(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	start := time.Now()
	_, err = Open(fmt.Sprintf("redis://%s/0", l.Addr()), WithSecretsDir(c.dir))
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("Open on a silent server: %v after %v", err, time.Since(start))
	}
	_, err = d.Keys().Get(context.Background(), "aaaaaaaa") // the good server still answers
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
}
