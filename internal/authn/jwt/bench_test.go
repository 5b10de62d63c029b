package jwt

import (
	"context"
	"runtime"
	"strings"
	"testing"

	gojwt "github.com/golang-jwt/jwt/v5"
)

// BenchmarkAuthenticate compares a full Authenticate (bearer extraction,
// pre-parse, issuer and key choice, golang-jwt parse and verify, our
// pinned checks, principal copy) with golang-jwt alone and with the bare
// signature check, and shows the verified-token cache.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	for _, alg := range []string{"RS256", "ES256"} {
		b.Run(alg, func(b *testing.B) {
			cold := newEnv(b, WithCacheSize(0))
			warm := newEnv(b)
			var tok string
			var pub any
			var method gojwt.SigningMethod
			if alg == "RS256" {
				tok, pub, method = cold.rs256(cold.claims()), &cold.k.rsa1.PublicKey, gojwt.SigningMethodRS256
			} else {
				tok, pub, method = cold.es256(cold.claims()), &cold.k.ec256.PublicKey, gojwt.SigningMethodES256
			}
			x := exchange("Bearer " + tok)

			b.Run("signature-only", func(b *testing.B) {
				i := strings.LastIndexByte(tok, '.')
				sig, _ := b64.DecodeString(tok[i+1:])
				measure(b, func() {
					if err := method.Verify(tok[:i], sig, pub); err != nil {
						b.Fatal(err)
					}
				})
			})
			b.Run("golang-jwt", func(b *testing.B) {
				p := gojwt.NewParser(
					gojwt.WithValidMethods([]string{alg}), gojwt.WithExpirationRequired(),
					gojwt.WithIssuer(testIssuer), gojwt.WithAudience(testAudience),
					gojwt.WithLeeway(30e9), gojwt.WithTimeFunc(cold.clock.now))
				kf := func(*gojwt.Token) (any, error) { return pub, nil }
				measure(b, func() {
					if _, err := p.ParseWithClaims(tok, &gojwt.RegisteredClaims{}, kf); err != nil {
						b.Fatal(err)
					}
				})
			})
			b.Run("apiguard-nocache", func(b *testing.B) {
				measure(b, func() {
					if _, err := cold.a.Authenticate(ctx, x); err != nil {
						b.Fatal(err)
					}
				})
			})
			b.Run("apiguard-cached", func(b *testing.B) {
				if _, err := warm.a.Authenticate(ctx, x); err != nil {
					b.Fatal(err)
				}
				measure(b, func() {
					if _, err := warm.a.Authenticate(ctx, x); err != nil {
						b.Fatal(err)
					}
				})
			})
			b.Run("apiguard-cached-parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := warm.a.Authenticate(ctx, x); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}

// BenchmarkRefuse measures what refusing costs: a forged signature (the
// full check) and a 1 MiB token (refused from its size).
func BenchmarkRefuse(b *testing.B) {
	ctx := context.Background()
	e := newEnv(b)
	forged := sign(b, gojwt.SigningMethodRS256, e.k.attacker, "rsa1", nil, e.claims())
	parts := strings.Split(forged, ".")
	huge := parts[0] + "." + strings.Repeat("A", 1<<20) + "." + parts[2]
	for _, tc := range []struct{ name, tok string }{{"forged-RS256", forged}, {"1MiB", huge}, {"alg-none", "eyJhbGciOiJub25lIn0.e30."}} {
		x := exchange("Bearer " + tc.tok)
		b.Run(tc.name, func(b *testing.B) {
			measure(b, func() {
				if _, err := e.a.Authenticate(ctx, x); err == nil {
					b.Fatal("accepted")
				}
			})
		})
	}
}

// measure runs f b.N times on one locked OS thread and reports, besides
// ns/op and allocations, that thread's CPU time per op.
func measure(b *testing.B, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	start := threadCPU()
	for b.Loop() {
		f()
	}
	if end := threadCPU(); start >= 0 && end >= 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}
