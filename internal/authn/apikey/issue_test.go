package apikey

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

func TestIssue(t *testing.T) {
	st, _ := openStore(t)
	c := newClock()
	iss := issue(t, st, c, Spec{Name: "ci", Scopes: []string{"b", "a", "b"}, TTL: 30 * 24 * time.Hour, TOTP: true})
	rec, err := st.Keys().Get(context.Background(), iss.Key.ID())
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID != iss.Record.ID || rec.Name != "ci" || !slices.Equal(rec.Scopes, []string{"a", "b"}) ||
		!rec.Expires.Equal(c.Now().Add(30*24*time.Hour)) || !rec.TOTP {
		t.Fatalf("stored %+v", rec)
	}
	if rec.Hash != st.Hasher().Sum(iss.Key.Plaintext()) {
		t.Fatal("the stored hash is not HMAC(hmac.key, key)")
	}
	u, err := url.Parse(iss.TOTPURI)
	if err != nil || u.Scheme != "otpauth" || u.Query().Get("secret") == "" || !strings.Contains(u.Path, rec.ID) {
		t.Fatalf("TOTP URI %q: %v", iss.TOTPURI, err)
	}
	if plain := issue(t, st, c, Spec{Name: "plain"}); plain.TOTPURI != "" || !plain.Record.Expires.IsZero() {
		t.Fatalf("a key without --totp or --expires: %+v", plain)
	}
}

func TestSpecValidation(t *testing.T) {
	for _, s := range []Spec{
		{}, {Name: "a\nb"}, {Name: strings.Repeat("n", MaxNameLen+1)}, {Name: "ok", Scopes: []string{"has space"}},
		{Name: "ok", Scopes: []string{""}}, {Name: "ok", Scopes: []string{`q"uote`}}, {Name: "ok", TTL: -time.Second},
		{Name: "ok", Scopes: make([]string, MaxScopes+1)},
	} {
		if err := s.Validate(); !errors.Is(err, ErrInvalidSpec) {
			t.Errorf("Validate(%+v) = %v, want ErrInvalidSpec", s, err)
		}
	}
	if err := (&Spec{Name: "CI – nightly ✓", Scopes: []string{"orders:read", "https://api.example/x"}}).Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestPlaintextKeyIsInNoFileBesideTheStore(t *testing.T) {
	st, path := openStore(t)
	c := newClock()
	iss := issue(t, st, c, Spec{Name: "ci", TOTP: true})
	rot, err := Rotate(context.Background(), st, iss.Record.ID, time.Hour, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	a := New(st, "", WithClock(c.Now), WithLogger(discard))
	for _, k := range []Key{iss.Key, rot.Key} {
		if _, err := a.Authenticate(context.Background(), exchange("X-API-Key", k.Plaintext())); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	st.Close()
	dir := filepath.Dir(path)
	if len(filesContaining(t, dir, []byte("CREATE TABLE api_keys"))) == 0 {
		t.Fatal("control: the scan does not see the database's own content")
	}
	for _, k := range []Key{iss.Key, rot.Key} {
		secret := k.Plaintext()[len(Prefix)+IDLen:]
		for _, needle := range []string{k.Plaintext(), secret, secret[:12], secret[12:]} {
			if found := filesContaining(t, dir, []byte(needle)); len(found) > 0 {
				t.Errorf("plaintext key material in %v", found)
			}
		}
	}
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

func TestRotateErrors(t *testing.T) {
	st, _ := openStore(t)
	c := newClock()
	iss := issue(t, st, c, Spec{Name: "ci"})
	ctx := context.Background()
	if _, err := Rotate(ctx, st, "nope0000", 0, c.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := Rotate(ctx, st, iss.Record.ID, -time.Second, c.Now()); !errors.Is(err, ErrInvalidSpec) {
		t.Fatalf("negative grace: %v", err)
	}
	if err := st.Keys().Revoke(ctx, iss.Record.ID, c.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := Rotate(ctx, st, iss.Record.ID, 0, c.Now()); !errors.Is(err, store.ErrRevoked) {
		t.Fatalf("revoked: %v", err)
	}
}

func TestQuotaSpec(t *testing.T) {
	for _, q := range []store.Quota{{Limit: 0, Per: "day"}, {Limit: -1, Per: "day"}, {Limit: 5}, {Limit: 5, Per: "week"},
		{Limit: MaxQuota + 1, Per: "month"}} {
		if err := (&Spec{Name: "ok", Quota: q}).Validate(); !errors.Is(err, ErrInvalidSpec) {
			t.Errorf("quota %+v: %v, want ErrInvalidSpec", q, err)
		}
	}
	for s, want := range map[string]store.Quota{"100/day": {Limit: 100, Per: "day"}, "5/month": {Limit: 5, Per: "month"}} {
		if q, err := ParseQuota(s); err != nil || q != want {
			t.Errorf("ParseQuota(%q) = %+v, %v", s, q, err)
		}
	}
	for _, s := range []string{"", "5", "5/", "/day", "x/day", "+5/day", "-5/day", "0/month", "5/hour"} {
		if _, err := ParseQuota(s); !errors.Is(err, ErrInvalidSpec) {
			t.Errorf("ParseQuota(%q) = %v, want ErrInvalidSpec", s, err)
		}
	}
}
