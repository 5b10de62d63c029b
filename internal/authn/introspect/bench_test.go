package introspect

import (
	"context"
	"testing"
)

// BenchmarkAuthenticateCached is the common case: a token whose answer
// is cached (bearer extraction, SHA-256, cache lookup, principal copy).
func BenchmarkAuthenticateCached(b *testing.B) {
	e := newEnv(b, nil)
	tok := "2YotnFZFEjr1zCsicMWpAA.9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
	e.idp.set(tok, e.active(""))
	x := exchange("Bearer " + tok)
	ctx := context.Background()
	if _, err := e.a.Authenticate(ctx, x); err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.a.Authenticate(ctx, x); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := e.a.Authenticate(ctx, x); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	if e.idp.hits.Load() != 1 {
		b.Fatalf("hits %d", e.idp.hits.Load())
	}
}

// BenchmarkAuthenticateUncached includes the call to a loopback endpoint
// (cache_ttl 0).
func BenchmarkAuthenticateUncached(b *testing.B) {
	e := newEnv(b, nil, WithCacheSize(0))
	e.idp.set("tok", e.active(""))
	x := exchange("Bearer tok")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.a.Authenticate(context.Background(), x); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAnswer(b *testing.B) {
	body := []byte(`{"active":true,"sub":"alice","client_id":"web","scope":"orders:read orders:write","exp":1893553445,"iat":1893549845,"token_type":"Bearer","aud":"orders"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseAnswer(body); err != nil {
			b.Fatal(err)
		}
	}
}
