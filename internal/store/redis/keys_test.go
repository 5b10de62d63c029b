package redis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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
	if err := d.Keys().Create(ctx, store.Key{}, nil); err == nil {
		t.Fatal("a key without an id was created")
	}
}

func TestListOrder(t *testing.T) {
	d, _ := openTemp(t)
	for i, id := range []string{"cccccccc", "aaaaaaaa", "dddddddd", "bbbbbbbb"} {
		k := testKey(d, id)
		k.Created = t0.Add(time.Duration(i/2) * time.Nanosecond) // two pairs with equal times
		mustCreate(t, d, k, nil)
	}
	all, err := d.Keys().List(context.Background())
	var ids []string
	for _, k := range all {
		ids = append(ids, k.ID)
	}
	if want := []string{"aaaaaaaa", "cccccccc", "bbbbbbbb", "dddddddd"}; err != nil || !slices.Equal(ids, want) {
		t.Fatalf("List order %v, %v; want %v (created, then id)", ids, err, want)
	}
	empty, _ := openTemp(t)
	if all, err := empty.Keys().List(context.Background()); err != nil || len(all) != 0 {
		t.Fatalf("empty List = %v, %v", all, err)
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
	// The successor shares the enrolment, so a step used with one key is
	// used for the other.
	if used, err := d.TOTP().MarkUsed(ctx, "oldoldol", 7); used || err != nil {
		t.Fatalf("MarkUsed(old, 7) = %v, %v", used, err)
	}
	if used, err := d.TOTP().MarkUsed(ctx, "newnewne", 7); !used || err != nil {
		t.Fatalf("MarkUsed(new, 7) after the old key used it = %v, %v; want a replay", used, err)
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
	again.At = t0.Add(-time.Nanosecond) // one nanosecond before expiry: still usable
	if err := d.Keys().Rotate(ctx, again); err != nil {
		t.Fatalf("rotating a key a nanosecond before its expiry: %v", err)
	}
	again = store.Rotation{OldID: "nope0000", Next: testKey(d, "fourthfo"), At: t0}
	if err := d.Keys().Rotate(ctx, again); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rotating an unknown key: %v, want ErrNotFound", err)
	}
	if _, err := d.Keys().Get(ctx, "fourthfo"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("a refused rotation left its successor behind")
	}
}

func TestTouchLastUsedNeverMovesBack(t *testing.T) {
	d, c := openTemp(t)
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
	if n, err := c.client(t).Exists(ctx, d.key("unknown0")).Result(); err != nil || n != 0 {
		t.Fatalf("touching an unknown id created a record (%d, %v)", n, err)
	}
	// A nanosecond later still moves it (no rounding through doubles).
	if err := d.Keys().TouchLastUsed(ctx, []store.Usage{{ID: "aaaaaaaa", At: later.Add(1)}}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, d, "aaaaaaaa").LastUsed; !got.Equal(later.Add(1)) {
		t.Fatalf("last_used = %v, want %v", got, later.Add(1))
	}
}

// A batch larger than one script is split, all in one pipeline.
func TestTouchLastUsedLargeBatch(t *testing.T) {
	d, _ := openTemp(t)
	ctx := context.Background()
	var use []store.Usage
	for i := range 2*touchBatch + 3 {
		id := fmt.Sprintf("k%07d", i)
		if i%100 == 0 {
			mustCreate(t, d, testKey(d, id), nil)
		}
		use = append(use, store.Usage{ID: id, At: t0.Add(time.Duration(i))})
	}
	if err := d.Keys().TouchLastUsed(ctx, use); err != nil {
		t.Fatal(err)
	}
	all, err := d.Keys().List(ctx)
	if err != nil || len(all) != 11 {
		t.Fatalf("List = %d keys, %v", len(all), err)
	}
	for _, k := range all {
		if k.LastUsed.IsZero() {
			t.Fatalf("%s not touched", k.ID)
		}
	}
}

func TestBefore(t *testing.T) {
	// The Lua comparison of decimal strings, checked against Go's.
	cl := newCluster(t).client(t)
	nums := []int64{0, 1, 9, 10, -1, -9, -10, 99, 100, 1 << 53, 1<<53 + 1, 1795000000000000000, 1795000000000000001, -6795364578871345152}
	for _, a := range nums {
		for _, b := range nums {
			got, err := cl.Eval(context.Background(), prelude+`return before(ARGV[1], ARGV[2]) and 1 or 0`, nil, a, b).Int()
			if err != nil {
				t.Fatal(err)
			}
			if (got == 1) != (a < b) {
				t.Errorf("before(%d, %d) = %v", a, b, got == 1)
			}
		}
	}
}

// A create or rotation whose reply was lost is retried by the client
// (once, on a broken connection) with the same nonce: the retry succeeds
// without writing again; another write of the same id is refused.
func TestRetriedWritesAreIdempotent(t *testing.T) {
	d, _ := openTemp(t)
	ctx := context.Background()
	k := testKey(d, "aaaaaaaa")
	expect := func(res string, err error, want string) {
		t.Helper()
		if err != nil || res != want {
			t.Fatalf("= %q, %v; want %q", res, err, want)
		}
	}
	res, err := d.create(ctx, &k, []byte("seed"), "nonce-1")
	expect(res, err, "ok")
	r1 := revision(t, d)
	res, err = d.create(ctx, &k, []byte("other seed"), "nonce-1")
	expect(res, err, "ok")
	res, err = d.create(ctx, &k, nil, "nonce-2")
	expect(res, err, "exists")
	if seed, err := d.TOTP().Seed(ctx, k.ID); err != nil || string(seed) != "seed" || revision(t, d) != r1 {
		t.Fatalf("a retried create wrote again: seed %q, %v; revision moved %v", seed, err, revision(t, d) != r1)
	}
	r := store.Rotation{OldID: k.ID, Next: testKey(d, "bbbbbbbb"), At: t0, GraceUntil: t0.Add(time.Hour)}
	res, err = d.rotate(ctx, &r, "nonce-3")
	expect(res, err, "ok")
	r2 := revision(t, d)
	res, err = d.rotate(ctx, &r, "nonce-3")
	expect(res, err, "ok")
	res, err = d.rotate(ctx, &r, "nonce-4")
	expect(res, err, "rotated")
	if revision(t, d) != r2 {
		t.Fatal("a retried rotation wrote again")
	}
}

// A key's quota round-trips through its hash fields (Get, List and a
// rotation's successor); a key without one stores no quota fields.
func TestKeyQuotaFields(t *testing.T) {
	d, c := openTemp(t)
	ctx := context.Background()
	q := testKey(d, "quotaaaa")
	q.Quota = store.Quota{Limit: 5000, Per: "month"}
	mustCreate(t, d, q, nil)
	nq := testKey(d, "noquotaa")
	nq.Created = t0.Add(time.Second)
	mustCreate(t, d, nq, nil)
	if got := mustGet(t, d, "quotaaaa").Quota; got != q.Quota {
		t.Fatalf("Get quota %+v, want %+v", got, q.Quota)
	}
	if got := mustGet(t, d, "noquotaa").Quota; !got.IsZero() || got.Per != "" {
		t.Fatalf("a key without a quota reads %+v", got)
	}
	all, err := d.Keys().List(ctx)
	if err != nil || len(all) != 2 || all[0].Quota != q.Quota || !all[1].Quota.IsZero() {
		t.Fatalf("List = %+v, %v", all, err)
	}
	cl := c.client(t)
	var withQuota, without []string
	iter := cl.Scan(ctx, 0, "*", 0).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		if cl.Type(ctx, k).Val() != "hash" {
			continue
		}
		switch {
		case strings.HasSuffix(k, "quotaaaa"):
			for _, v := range cl.HMGet(ctx, k, "quota_limit", "quota_per").Val() {
				s, _ := v.(string)
				withQuota = append(withQuota, s)
			}
		case strings.HasSuffix(k, "noquotaa"):
			if n := cl.HExists(ctx, k, "quota_limit").Val(); n {
				without = append(without, "quota_limit")
			}
		}
	}
	if strings.Join(withQuota, "/") != "5000/month" || len(without) != 0 {
		t.Fatalf("stored fields %q, stray %q", withQuota, without)
	}
	next := testKey(d, "nextnext")
	next.Quota = q.Quota
	if err := d.Keys().Rotate(ctx, store.Rotation{OldID: "quotaaaa", Next: next, At: t0, GraceUntil: t0}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, d, "nextnext").Quota; got != q.Quota {
		t.Fatalf("successor quota %+v", got)
	}
}
