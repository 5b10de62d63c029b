package redis

import (
	"context"
	"testing"
)

// The request-path reads and writes over loopback: one round trip each.

func BenchmarkGet(b *testing.B) {
	d, _ := openTemp(b)
	mustCreate(b, d, testKey(d, "aaaaaaaa"), nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Keys().Get(ctx, "aaaaaaaa"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetParallel(b *testing.B) {
	d, _ := openTemp(b)
	mustCreate(b, d, testKey(d, "aaaaaaaa"), nil)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := d.Keys().Get(ctx, "aaaaaaaa"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkMarkUsed(b *testing.B) {
	d, _ := openTemp(b)
	mustCreate(b, d, testKey(d, "aaaaaaaa"), []byte("seed"))
	ctx := context.Background()
	step := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		step++
		if used, err := d.TOTP().MarkUsed(ctx, "aaaaaaaa", step); err != nil || used {
			b.Fatal(used, err)
		}
	}
}

func BenchmarkSeed(b *testing.B) {
	d, _ := openTemp(b)
	mustCreate(b, d, testKey(d, "aaaaaaaa"), []byte("0123456789abcdefghij"))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.TOTP().Seed(ctx, "aaaaaaaa"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRevision(b *testing.B) {
	d, _ := openTemp(b)
	mustCreate(b, d, testKey(d, "aaaaaaaa"), nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Revision(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
