package totp

import (
	"context"
	"encoding/base32"
	"errors"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/apiguard/apiguard/internal/store"
	"github.com/apiguard/apiguard/internal/store/sqlite"
)

var seed = []byte("12345678901234567890") // the RFC 6238 SHA-1 test seed

// RFC 6238 Appendix B, SHA-1 column, last 6 digits.
func TestCodeMatchesRFC6238Vectors(t *testing.T) {
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1234567890: "005924", 2000000000: "279037"} {
		got, err := Code(seed, time.Unix(unix, 0))
		if err != nil || got != want {
			t.Errorf("Code at %d = %q, %v; want %q", unix, got, err, want)
		}
	}
}

type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// setup opens a real store with key "enrolled0" (TOTP) and "plain000".
func setup(t *testing.T) (*sqlite.DB, string, *clock) {
	t.Helper()
	t.Setenv(store.MasterKeyEnv, "")
	path := filepath.Join(t.TempDir(), "apiguard.db")
	d := open(t, path)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for id, s := range map[string][]byte{"enrolled0": seed, "plain000": nil} {
		if err := d.Keys().Create(ctx, store.Key{ID: id, Name: id, Created: now}, s); err != nil {
			t.Fatal(err)
		}
	}
	c := &clock{}
	c.Set(now.Add(10 * time.Second)) // mid-step
	return d, path, c
}

func open(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	d, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// codeAtOffset is the code of step offset from c's, computed with
// pquerna/otp's own API.
func codeAtOffset(t *testing.T, c *clock, offset int) string {
	t.Helper()
	code, err := totp.GenerateCode(base32.StdEncoding.EncodeToString(seed), c.Now().Add(time.Duration(offset)*Period))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestVerifyAcceptsOnce(t *testing.T) {
	d, _, c := setup(t)
	v := NewVerifier(d, WithClock(c.Now))
	ctx := context.Background()
	code := codeAtOffset(t, c, 0)
	if err := v.Verify(ctx, "enrolled0", code); err != nil {
		t.Fatalf("valid code: %v", err)
	}
	if err := v.Verify(ctx, "enrolled0", code); !errors.Is(err, ErrReplayed) {
		t.Fatalf("same code again: %v, want ErrReplayed", err)
	}
	c.Advance(20 * time.Second) // next step: the used code is still in the window
	if err := v.Verify(ctx, "enrolled0", code); !errors.Is(err, ErrReplayed) {
		t.Fatalf("same code in the next step: %v, want ErrReplayed", err)
	}
	if err := v.Verify(ctx, "enrolled0", codeAtOffset(t, c, 0)); err != nil {
		t.Fatalf("next step's code: %v", err)
	}
}

func TestVerifyWindow(t *testing.T) {
	for _, tc := range []struct {
		offset int
		want   error
	}{{-2, ErrInvalid}, {-1, nil}, {0, nil}, {1, nil}, {2, ErrInvalid}} {
		d, _, c := setup(t)
		v := NewVerifier(d, WithClock(c.Now))
		if err := v.Verify(context.Background(), "enrolled0", codeAtOffset(t, c, tc.offset)); !errors.Is(err, tc.want) {
			t.Errorf("offset %d: %v, want %v", tc.offset, err, tc.want)
		}
	}
}

func TestVerifyRefusesOlderStepAfterNewer(t *testing.T) {
	d, _, c := setup(t)
	v := NewVerifier(d, WithClock(c.Now))
	ctx := context.Background()
	older, newer := codeAtOffset(t, c, -1), codeAtOffset(t, c, 0)
	if older == newer {
		t.Skip("adjacent codes collide for this seed and time")
	}
	if err := v.Verify(ctx, "enrolled0", newer); err != nil {
		t.Fatal(err)
	}
	if err := v.Verify(ctx, "enrolled0", older); !errors.Is(err, ErrReplayed) {
		t.Fatalf("an older, unused code after a newer one: %v, want ErrReplayed", err)
	}
}

func TestVerifyInvalidCodes(t *testing.T) {
	d, _, c := setup(t)
	v := NewVerifier(d, WithClock(c.Now))
	ctx := context.Background()
	good := codeAtOffset(t, c, 0)
	wrong := []byte(good)
	wrong[5] = '0' + (wrong[5]-'0'+1)%10
	for _, code := range []string{"", "12345", "1234567", "12345a", " " + good[:5], good + " ", "１２３４５６", string(wrong)} {
		if err := v.Verify(ctx, "enrolled0", code); !errors.Is(err, ErrInvalid) {
			t.Errorf("Verify(%q) = %v, want ErrInvalid", code, err)
		}
	}
	if err := v.Verify(ctx, "enrolled0", good); err != nil {
		t.Fatalf("invalid attempts burned the valid code: %v", err)
	}
	if err := v.Verify(ctx, "plain000", good); !errors.Is(err, ErrNotEnrolled) {
		t.Fatalf("unenrolled key: %v", err)
	}
	if err := v.Verify(ctx, "unknown00", good); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
}

func TestVerifyRaceAcrossGatewaysAdmitsOne(t *testing.T) {
	d, path, c := setup(t)
	verifiers := []*Verifier{NewVerifier(d, WithClock(c.Now)), NewVerifier(open(t, path), WithClock(c.Now))}
	code := codeAtOffset(t, c, 0)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			err := verifiers[i%2].Verify(context.Background(), "enrolled0", code)
			if err == nil {
				ok.Add(1)
			} else if !errors.Is(err, ErrReplayed) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d of 10 concurrent uses accepted, want 1", ok.Load())
	}
}

func TestRekeyKeepsTOTPWorking(t *testing.T) {
	d, path, c := setup(t)
	gateway := NewVerifier(d, WithClock(c.Now)) // loaded the old master key
	if _, err := open(t, path).Rekey(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := gateway.Verify(context.Background(), "enrolled0", codeAtOffset(t, c, 0)); err != nil {
		t.Fatalf("after rekey by another process: %v", err)
	}
}

func TestURIAndSeed(t *testing.T) {
	s, err := NewSeed()
	if err != nil || len(s) != SeedSize {
		t.Fatalf("NewSeed = %d bytes, %v", len(s), err)
	}
	uri, err := URI("ci (AbCd1234)", s)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" {
		t.Fatalf("URI %q: %v", uri, err)
	}
	q := u.Query()
	if q.Get("secret") != base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(s) ||
		q.Get("issuer") != Issuer || q.Get("digits") != "6" || q.Get("period") != "30" {
		t.Fatalf("URI query %v", q)
	}
}
