package sqlite

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

func TestCreateGetList(t *testing.T) {
	d, _ := openTemp(t)
	ctx := context.Background()
	a := testKey(d, "aaaaaaaa")
	a.Expires = t0.Add(time.Hour)
	mustCreate(t, d, a, nil)
	b := testKey(d, "bbbbbbbb")
	b.Created = t0.Add(time.Second)
	b.Scopes = nil
	mustCreate(t, d, b, []byte("seed-of-b"))

	got := mustGet(t, d, "aaaaaaaa")
	if got.Name != a.Name || got.Hash != a.Hash || !slices.Equal(got.Scopes, a.Scopes) ||
		!got.Created.Equal(a.Created) || !got.Expires.Equal(a.Expires) || got.TOTP ||
		!got.LastUsed.IsZero() || !got.RevokedAt.IsZero() || got.RotatedTo != "" {
		t.Fatalf("Get = %+v, want %+v", got, a)
	}
	if !mustGet(t, d, "bbbbbbbb").TOTP {
		t.Fatal("enrolled key reports TOTP = false")
	}
	for _, dup := range []store.Key{a, mustGet(t, d, "bbbbbbbb")} {
		if err := d.Keys().Create(ctx, dup, []byte("seed")); !errors.Is(err, store.ErrExists) {
			t.Fatalf("duplicate id %s: %v, want ErrExists", dup.ID, err)
		}
	}
	rot := store.Rotation{OldID: "aaaaaaaa", Next: mustGet(t, d, "bbbbbbbb"), At: t0}
	if err := d.Keys().Rotate(ctx, rot); !errors.Is(err, store.ErrExists) {
		t.Fatalf("rotation to a taken id: %v, want ErrExists", err)
	}
	if _, err := d.Keys().Get(ctx, "nope0000"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown id: %v, want ErrNotFound", err)
	}
	all, err := d.Keys().List(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "aaaaaaaa" || all[1].ID != "bbbbbbbb" || all[1].Scopes == nil {
		t.Fatalf("List = %+v, %v", all, err)
	}
}

func TestRevokeAndExpiry(t *testing.T) {
	d, _ := openTemp(t)
	ctx := context.Background()
	k := testKey(d, "aaaaaaaa")
	k.Expires = t0.Add(time.Hour)
	mustCreate(t, d, k, nil)
	got := mustGet(t, d, k.ID)
	if got.Status(t0) != store.StatusActive || got.Status(t0.Add(time.Hour)) != store.StatusExpired {
		t.Fatalf("status at t0 %s, at expiry %s", got.Status(t0), got.Status(t0.Add(time.Hour)))
	}
	if err := d.Keys().Revoke(ctx, k.ID, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := d.Keys().Revoke(ctx, k.ID, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	got = mustGet(t, d, k.ID)
	if !got.RevokedAt.Equal(t0.Add(time.Minute)) || got.Status(t0) != store.StatusRevoked {
		t.Fatalf("after revoke: revoked_at %v, status %s", got.RevokedAt, got.Status(t0))
	}
	if err := d.Keys().Revoke(ctx, "nope0000", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
}

func TestRotateWithGrace(t *testing.T) {
	d, _ := openTemp(t)
	ctx := context.Background()
	mustCreate(t, d, testKey(d, "oldoldol"), []byte("shared seed"))
	next := testKey(d, "newnewne")
	next.TOTP = true
	grace := t0.Add(24 * time.Hour)
	if err := d.Keys().Rotate(ctx, store.Rotation{OldID: "oldoldol", Next: next, At: t0, GraceUntil: grace}); err != nil {
		t.Fatal(err)
	}
	old := mustGet(t, d, "oldoldol")
	if old.RotatedTo != "newnewne" || old.Status(t0) != store.StatusGrace ||
		old.Status(grace) != store.StatusRotated || !old.NotAfter().Equal(grace) {
		t.Fatalf("old after rotate: %+v", old)
	}
	if n := mustGet(t, d, "newnewne"); !n.TOTP || n.Status(t0) != store.StatusActive {
		t.Fatalf("new after rotate: %+v", n)
	}
	seed, err := d.TOTP().Seed(ctx, "newnewne")
	if err != nil || string(seed) != "shared seed" {
		t.Fatalf("successor's seed = %q, %v", seed, err)
	}
	// One successor only; revoked and expired keys cannot be rotated.
	again := store.Rotation{OldID: "oldoldol", Next: testKey(d, "thirdthi"), At: t0}
	if err := d.Keys().Rotate(ctx, again); !errors.Is(err, store.ErrRotated) {
		t.Fatalf("second rotation: %v, want ErrRotated", err)
	}
	if err := d.Keys().Revoke(ctx, "newnewne", t0); err != nil {
		t.Fatal(err)
	}
	again.OldID = "newnewne"
	if err := d.Keys().Rotate(ctx, again); !errors.Is(err, store.ErrRevoked) {
		t.Fatalf("rotating a revoked key: %v, want ErrRevoked", err)
	}
	exp := testKey(d, "expiredx")
	exp.Expires = t0
	mustCreate(t, d, exp, nil)
	again.OldID = "expiredx"
	if err := d.Keys().Rotate(ctx, again); !errors.Is(err, store.ErrExpired) {
		t.Fatalf("rotating an expired key: %v, want ErrExpired", err)
	}
	if _, err := d.Keys().Get(ctx, "thirdthi"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("a refused rotation left its successor behind")
	}
}

func TestTouchLastUsedNeverMovesBack(t *testing.T) {
	d, _ := openTemp(t)
	ctx := context.Background()
	mustCreate(t, d, testKey(d, "aaaaaaaa"), nil)
	later := t0.Add(time.Minute)
	use := []store.Usage{{ID: "aaaaaaaa", At: later}, {ID: "unknown0", At: later}}
	if err := d.Keys().TouchLastUsed(ctx, use); err != nil {
		t.Fatal(err)
	}
	if err := d.Keys().TouchLastUsed(ctx, []store.Usage{{ID: "aaaaaaaa", At: t0}}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, d, "aaaaaaaa").LastUsed; !got.Equal(later) {
		t.Fatalf("last_used = %v, want %v", got, later)
	}
}
