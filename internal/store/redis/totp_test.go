package redis

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/apiguard/apiguard/internal/store"
	"github.com/apiguard/apiguard/internal/totp"
)

func TestSeedIsSealedAtRest(t *testing.T) {
	d, c := openTemp(t)
	ctx := context.Background()
	seed := []byte("\x01\x02plain-seed-marker\x03\x04")
	mustCreate(t, d, testKey(d, "aaaaaaaa"), seed)
	mustCreate(t, d, testKey(d, "bbbbbbbb"), nil)
	got, err := d.TOTP().Seed(ctx, "aaaaaaaa")
	if err != nil || !bytes.Equal(got, seed) {
		t.Fatalf("Seed = %q, %v", got, err)
	}
	if _, err := d.TOTP().Seed(ctx, "bbbbbbbb"); !errors.Is(err, store.ErrNotEnrolled) {
		t.Fatalf("Seed of an unenrolled key: %v", err)
	}
	if _, err := d.TOTP().Seed(ctx, "nope0000"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Seed of an unknown key: %v", err)
	}
	all := dumpAll(t, c.client(t))
	if !bytes.Contains(all, []byte("ci aaaaaaaa")) || !bytes.Contains(all, []byte("master_key_id")) {
		t.Fatal("control: the scan does not see the stored records")
	}
	for _, needle := range [][]byte{seed, []byte("plain-seed-marker"),
		[]byte(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(seed)),
		[]byte(hex.EncodeToString(seed)), []byte(base64.StdEncoding.EncodeToString(seed)),
		[]byte(base64.RawURLEncoding.EncodeToString(seed))} {
		if bytes.Contains(all, needle) {
			t.Errorf("the seed is in Redis in plaintext (%q)", needle)
		}
	}
	// The plaintext key neither (only its HMAC).
	if bytes.Contains(all, []byte("agk_aaaaaaaa")) {
		t.Error("a plaintext key is in Redis")
	}
}

// dumpAll returns every key name and value in the server, SCANned with
// a client of its own.
func dumpAll(t *testing.T, c *goredis.Client) []byte {
	t.Helper()
	ctx := context.Background()
	var out bytes.Buffer
	iter := c.Scan(ctx, 0, "*", 100).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		out.WriteString(k + "\n")
		typ, err := c.Type(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		var vals []string
		switch typ {
		case "string":
			v, err := c.Get(ctx, k).Result()
			if err != nil {
				t.Fatal(err)
			}
			vals = []string{v}
		case "hash":
			m, err := c.HGetAll(ctx, k).Result()
			if err != nil {
				t.Fatal(err)
			}
			for f, v := range m {
				vals = append(vals, f, v)
			}
		case "set":
			if vals, err = c.SMembers(ctx, k).Result(); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("%s: unexpected type %s", k, typ)
		}
		for _, v := range vals {
			out.WriteString(v + "\n")
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
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
	fresh, _ := openTemp(t)
	mustCreate(t, fresh, testKey(fresh, "cccccccc"), []byte("seed"))
	if used, err := fresh.TOTP().MarkUsed(ctx, "cccccccc", 0); used || err != nil {
		t.Fatalf("step 0 of a fresh enrolment = %v, %v; want accepted", used, err)
	}
}

// Two replicas (two handles, so two connection pools) race with one step:
// exactly one is admitted.
func TestMarkUsedRaceAdmitsOne(t *testing.T) {
	c := newCluster(t)
	d, other := c.open(t), c.open(t)
	mustCreate(t, d, testKey(d, "aaaaaaaa"), []byte("seed"))
	for step := int64(42); step < 52; step++ {
		var wg sync.WaitGroup
		var mu sync.Mutex
		fresh := 0
		start := make(chan struct{})
		for i := range 16 {
			h := d
			if i%2 == 1 {
				h = other
			}
			wg.Go(func() {
				<-start
				used, err := h.TOTP().MarkUsed(context.Background(), "aaaaaaaa", step)
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
		close(start)
		wg.Wait()
		if fresh != 1 {
			t.Fatalf("step %d: %d of 16 concurrent uses were accepted, want 1", step, fresh)
		}
	}
}

// A code accepted by one replica's verifier is a replay on another's.
func TestTOTPCodeUsableOnceAcrossReplicas(t *testing.T) {
	c := newCluster(t)
	cli, gw1, gw2 := c.open(t), c.open(t), c.open(t)
	seed, err := totp.NewSeed()
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, cli, testKey(cli, "aaaaaaaa"), seed)
	now := time.Now()
	code, err := totp.Code(seed, now)
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	v1, v2 := totp.NewVerifier(gw1, totp.WithClock(clock)), totp.NewVerifier(gw2, totp.WithClock(clock))
	if err := v1.Verify(context.Background(), "aaaaaaaa", code); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if err := v2.Verify(context.Background(), "aaaaaaaa", code); !errors.Is(err, totp.ErrReplayed) {
		t.Fatalf("the same code on another replica: %v, want ErrReplayed", err)
	}
}
