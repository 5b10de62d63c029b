package cli

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/authn/apikey"
	"github.com/apiguard/apiguard/internal/store"
	"github.com/apiguard/apiguard/internal/store/backend"
	"github.com/apiguard/apiguard/internal/totp"
)

var keysNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// keysEnv runs `apiguard keys` against a real SQLite store in a
// temporary directory (the configuration loader is bypassed: -c names a
// file that is never read).
type keysEnv struct {
	t   *testing.T
	dsn string
}

func newKeysEnv(t *testing.T) *keysEnv {
	t.Setenv(store.MasterKeyEnv, "")
	return &keysEnv{t: t, dsn: "sqlite:" + filepath.Join(t.TempDir(), "data", "apiguard.db")}
}

func (e *keysEnv) run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	k := &keysCmd{ctx: context.Background(), stdout: &out, stderr: &errOut, now: func() time.Time { return keysNow },
		open: func(string) (store.Store, error) { return backend.Open(e.dsn) }}
	code = k.run(args)
	return code, out.String(), errOut.String()
}

func (e *keysEnv) store() store.Store {
	st, err := backend.Open(e.dsn)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { st.Close() })
	return st
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// assertKeyWorks checks that plaintext is a well-formed key whose hash
// is stored under its id.
func (e *keysEnv) assertKeyWorks(plaintext string) store.Key {
	e.t.Helper()
	k, err := apikey.Parse(plaintext)
	if err != nil {
		e.t.Fatalf("printed key %q: %v", plaintext, err)
	}
	st := e.store()
	rec, err := st.Keys().Get(context.Background(), k.ID())
	if err != nil || !st.Hasher().Verify(plaintext, rec.Hash) {
		e.t.Fatalf("printed key is not stored: %v", err)
	}
	return rec
}

func TestKeysCreatePrintsTheKeyLast(t *testing.T) {
	e := newKeysEnv(t)
	code, out, errOut := e.run("create", "-c", "apiguard.yaml", "--name", "ci", "--scopes", "orders:read, orders:write", "--expires", "30d")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	rec := e.assertKeyWorks(lastLine(out))
	if rec.Name != "ci" || strings.Join(rec.Scopes, ",") != "orders:read,orders:write" ||
		!rec.Expires.Equal(keysNow.Add(30*24*time.Hour)) || rec.TOTP {
		t.Fatalf("stored %+v", rec)
	}
	if strings.Count(out, lastLine(out)) != 1 {
		t.Fatal("the key is printed more than once")
	}
}

func TestKeysCreateJSONWithTOTP(t *testing.T) {
	e := newKeysEnv(t)
	code, out, _ := e.run("create", "--json", "--totp", "-c", "f", "--name", "ops", "--expires", "1s")
	if code != 0 || strings.Count(out, "\n") != 1 {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	var got struct {
		ID      string `json:"id"`
		Key     string `json:"key"`
		TOTPURI string `json:"totp_uri"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	rec := e.assertKeyWorks(got.Key)
	if rec.ID != got.ID || !rec.TOTP || !strings.HasPrefix(got.TOTPURI, "otpauth://totp/") ||
		!rec.Expires.Equal(keysNow.Add(time.Second)) {
		t.Fatalf("json %+v, stored %+v", got, rec)
	}
	_, out, _ = e.run("create", "--json", "-c", "f", "--name", "plain")
	if !strings.Contains(out, `"totp_uri":""`) {
		t.Fatalf("without --totp: %s", out)
	}
}

func TestKeysUsageErrors(t *testing.T) {
	e := newKeysEnv(t)
	for _, args := range [][]string{
		{}, {"bogus"}, {"create", "--name", "x"}, {"create", "-c", "f"}, {"create", "-c", "f", "--name", "x", "--nope"},
		{"create", "-c", "f", "--name", "x", "--expires", "soon"}, {"create", "-c", "f", "--name", "x", "--expires", "0"},
		{"create", "-c", "f", "--name", "x", "--expires", "-1h"}, {"create", "-c", "f", "--name", "x", "--scopes", `a"b`},
		{"create", "-c", "f", "--name", "x", "extra"}, {"list", "-c", "f", "extra"}, {"revoke", "-c", "f"},
		{"revoke", "-c", "f", "a", "b"}, {"rotate", "-c", "f", "id", "--grace", "forever"}, {"rekey"},
	} {
		code, out, errOut := e.run(args...)
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || strings.Contains(errOut, "goroutine") {
			t.Errorf("keys %v: exit %d, stdout %q, stderr %q; want 2 and one line", args, code, out, errOut)
		}
	}
}

func TestKeysMissingConfigFile(t *testing.T) {
	var out, errOut bytes.Buffer
	code := runKeys(context.Background(), []string{"list", "-c", filepath.Join(t.TempDir(), "nope.yaml")}, &out, &errOut)
	if code != 2 || strings.Count(errOut.String(), "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
}

func TestKeysListNeverShowsKeysOrHashes(t *testing.T) {
	e := newKeysEnv(t)
	_, out, _ := e.run("create", "-c", "f", "--name", "ci", "--scopes", "orders:read")
	key := lastLine(out)
	rec := e.assertKeyWorks(key)
	code, list, _ := e.run("list", "-c", "f")
	if code != 0 || !strings.Contains(list, rec.ID) || !strings.Contains(list, "orders:read") ||
		!strings.Contains(list, "active") || !strings.Contains(list, "LAST USED") {
		t.Fatalf("exit %d, list:\n%s", code, list)
	}
	code, js, _ := e.run("list", "-c", "f", "--json")
	var views []map[string]any
	if err := json.Unmarshal([]byte(js), &views); code != 0 || err != nil || len(views) != 1 || views[0]["id"] != rec.ID ||
		views[0]["status"] != "active" || views[0]["expires"] != nil {
		t.Fatalf("exit %d, json %s: %v", code, js, err)
	}
	for _, s := range []string{list, js} {
		if strings.Contains(s, key[12:]) || strings.Contains(s, hex.EncodeToString(rec.Hash[:8])) {
			t.Fatalf("list shows a key or hash:\n%s", s)
		}
	}
}

func TestKeysRevoke(t *testing.T) {
	e := newKeysEnv(t)
	_, out, _ := e.run("create", "-c", "f", "--name", "ci")
	rec := e.assertKeyWorks(lastLine(out))
	if code, _, errOut := e.run("revoke", rec.ID, "-c", "f"); code != 0 {
		t.Fatalf("revoke: exit %d %s", code, errOut)
	}
	got, _ := e.store().Keys().Get(context.Background(), rec.ID)
	if got.Status(keysNow) != store.StatusRevoked {
		t.Fatalf("status %s", got.Status(keysNow))
	}
	if _, list, _ := e.run("list", "-c", "f"); !strings.Contains(list, "revoked") {
		t.Fatalf("list:\n%s", list)
	}
	code, _, errOut := e.run("revoke", "-c", "f", "nope0000")
	if code != 1 || !strings.Contains(errOut, "no key with id") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("unknown id: exit %d, stderr %q", code, errOut)
	}
}

func TestKeysRotate(t *testing.T) {
	e := newKeysEnv(t)
	_, out, _ := e.run("create", "-c", "f", "--name", "ci", "--scopes", "a")
	old := e.assertKeyWorks(lastLine(out))
	code, out, errOut := e.run("rotate", "-c", "f", old.ID, "--grace", "24h")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errOut)
	}
	next := e.assertKeyWorks(lastLine(out))
	if next.ID == old.ID || next.Name != "ci" || strings.Join(next.Scopes, ",") != "a" {
		t.Fatalf("successor %+v", next)
	}
	got, _ := e.store().Keys().Get(context.Background(), old.ID)
	if got.RotatedTo != next.ID || !got.GraceUntil.Equal(keysNow.Add(24*time.Hour)) {
		t.Fatalf("old after rotate %+v", got)
	}
	code, out, _ = e.run("rotate", "-c", "f", next.ID, "--json")
	var js struct{ ID, Key string }
	if code != 0 || json.Unmarshal([]byte(out), &js) != nil || e.assertKeyWorks(js.Key).ID != js.ID {
		t.Fatalf("rotate --json: exit %d %s", code, out)
	}
	if got, _ := e.store().Keys().Get(context.Background(), next.ID); got.Status(keysNow) != store.StatusRotated {
		t.Fatalf("default grace 0: status %s", got.Status(keysNow))
	}
	if code, _, _ := e.run("rotate", "-c", "f", "nope0000"); code != 1 {
		t.Fatalf("unknown id: exit %d", code)
	}
	if code, _, errOut := e.run("rotate", "-c", "f", old.ID); code != 1 || !strings.Contains(errOut, "rotated") {
		t.Fatalf("rotating twice: exit %d %q", code, errOut)
	}
}

func TestKeysRekeyKeepsTOTP(t *testing.T) {
	e := newKeysEnv(t)
	_, out, _ := e.run("create", "-c", "f", "--name", "ops", "--totp", "--json")
	var js struct {
		ID      string `json:"id"`
		TOTPURI string `json:"totp_uri"`
	}
	if err := json.Unmarshal([]byte(out), &js); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := e.run("rekey", "-c", "f")
	if code != 0 || !strings.Contains(out, "1 TOTP seed(s) re-encrypted") {
		t.Fatalf("rekey: exit %d %q %q", code, out, errOut)
	}
	seed, err := e.store().TOTP().Seed(context.Background(), js.ID)
	if err != nil {
		t.Fatal(err)
	}
	uri, _ := totp.URI("ops ("+js.ID+")", seed)
	if uri != js.TOTPURI {
		t.Fatal("the seed changed across rekey")
	}
}

func TestKeysRekeyRefusedWithEnvironmentKey(t *testing.T) {
	e := newKeysEnv(t)
	t.Setenv(store.MasterKeyEnv, strings.Repeat("ab", 32))
	code, _, errOut := e.run("rekey", "-c", "f")
	if code != 1 || !strings.Contains(errOut, store.MasterKeyEnv) || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// TestKeysThroughTheConfigFile runs the real command: the store is the
// one the configuration names.
func TestKeysThroughTheConfigFile(t *testing.T) {
	t.Setenv(store.MasterKeyEnv, "")
	cfg := writeConfig(t, "store: sqlite:data/keys.db\n")
	var out, errOut bytes.Buffer
	if code := runKeys(context.Background(), []string{"create", "-c", cfg, "--name", "ci"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	key := lastLine(out.String())
	st, err := backend.Open("sqlite:" + filepath.Join(filepath.Dir(cfg), "data", "keys.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	k, err := apikey.Parse(key)
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := st.Keys().Get(context.Background(), k.ID()); err != nil || !st.Hasher().Verify(key, rec.Hash) {
		t.Fatalf("the key is not in the configured store: %v", err)
	}

	bad := writeConfig(t, "store: sqlite:data/keys.db\nbogus_field: 1\nalso_bogus: 2\n")
	out.Reset()
	errOut.Reset()
	code := runKeys(context.Background(), []string{"list", "-c", bad}, &out, &errOut)
	if code != 2 || strings.Count(errOut.String(), "\n") != 1 {
		t.Fatalf("invalid configuration: exit %d, stderr %q", code, errOut.String())
	}
}

func TestKeysCreateWithQuota(t *testing.T) {
	e := newKeysEnv(t)
	for _, tc := range []struct {
		flag string
		want store.Quota
	}{{"100/day", store.Quota{Limit: 100, Per: "day"}}, {"5/month", store.Quota{Limit: 5, Per: "month"}}} {
		code, out, errOut := e.run("create", "-c", "f", "--name", "q", "--quota", tc.flag)
		if code != 0 || errOut != "" || !strings.Contains(out, "quota: "+tc.flag) {
			t.Fatalf("--quota %s: exit %d, stdout %q, stderr %q", tc.flag, code, out, errOut)
		}
		if rec := e.assertKeyWorks(lastLine(out)); rec.Quota != tc.want {
			t.Fatalf("--quota %s stored %+v", tc.flag, rec.Quota)
		}
	}
	code, out, _ := e.run("create", "-c", "f", "--name", "none")
	if code != 0 || !strings.Contains(out, "quota: -") {
		t.Fatalf("without --quota: exit %d, %q", code, out)
	}
	if rec := e.assertKeyWorks(lastLine(out)); !rec.Quota.IsZero() {
		t.Fatalf("without --quota stored %+v", rec.Quota)
	}
	_, list, _ := e.run("list", "-c", "f")
	if !strings.Contains(list, "QUOTA") || !strings.Contains(list, "100/day") || !strings.Contains(list, "5/month") {
		t.Fatalf("list:\n%s", list)
	}
	_, js, _ := e.run("list", "-c", "f", "--json")
	var views []struct {
		Name  string  `json:"name"`
		Quota *string `json:"quota"`
	}
	if err := json.Unmarshal([]byte(js), &views); err != nil || len(views) != 3 {
		t.Fatalf("%v: %s", err, js)
	}
	for _, v := range views {
		if (v.Name == "none") != (v.Quota == nil) {
			t.Fatalf("list --json: %s", js)
		}
	}

	for _, bad := range []string{"100", "/day", "0/day", "-1/day", "+5/day", "5/week", "5/Day", "1.5/day",
		"2147483648/day", "99999999999999999999/day", "5/day/x", " 5/day"} {
		code, out, errOut := e.run("create", "-c", "f", "--name", "x", "--quota", bad)
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "--quota") {
			t.Errorf("--quota %q: exit %d, stdout %q, stderr %q; want 2 and one line", bad, code, out, errOut)
		}
	}
}

func TestKeysRotateKeepsQuota(t *testing.T) {
	e := newKeysEnv(t)
	_, out, _ := e.run("create", "-c", "f", "--name", "q", "--quota", "7/day")
	old := e.assertKeyWorks(lastLine(out))
	code, out, errOut := e.run("rotate", "-c", "f", old.ID)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if rec := e.assertKeyWorks(lastLine(out)); rec.Quota != (store.Quota{Limit: 7, Per: "day"}) {
		t.Fatalf("successor quota %+v", rec.Quota)
	}
}
