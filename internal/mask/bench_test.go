package mask

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// sampleJSON returns about size bytes of a realistic API response with
// nothing to mask: ids, timestamps, UUIDs, prices, phone numbers, prose.
func sampleJSON(size int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"order", "shipped", "customer", "the", "parcel", "was", "delivered", "to", "front", "door", "express", "invoice", "refund", "pending", "warehouse"}
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"order_id":"ORD-%08d","uuid":"%08x-%04x-4%03x-a%03x-%012x","created_at":"2026-%02d-%02dT%02d:%02d:%02dZ","ts":%d,`,
			rng.IntN(1e9), rng.IntN(1e8), rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), rng.IntN(1<<12), rng.Uint64()&(1<<48-1),
			1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60), 1700000000000+rng.Int64N(1e11))
		fmt.Fprintf(&b, `"amount":%d.%02d,"currency":"EUR","phone":"+1 555-%03d-%04d","customer":{"name":"Customer %d","email":"user%d@example.com","tier":"gold"},"note":"`,
			rng.IntN(10000), rng.IntN(100), rng.IntN(1000), rng.IntN(10000), i, i)
		for j := 0; j < 8; j++ {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		fmt.Fprintf(&b, `","tags":["a","b"],"active":true,"score":%d}`, rng.IntN(100))
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// The no-match benchmarks measure the fast path: a 1 MiB JSON response
// with nothing to mask, streamed in 32 KiB reads as ReverseProxy does.
// Besides MB/s (wall time) they report cpu-MB/s, from the process's CPU
// time: on a shared machine it moves less with the load.

func BenchmarkStreamJSONNoMatch(b *testing.B) { benchStream(b, sampleJSON(1<<20), JSON) }

func BenchmarkStreamTextNoMatch(b *testing.B) { benchStream(b, sampleJSON(1<<20), Text) }

// BenchmarkStreamJSONMatches has a card, an SSN, a JWT and a password
// field in every record (about one match per 100 bytes).
func BenchmarkStreamJSONMatches(b *testing.B) { benchStream(b, sampleJSONWithSecrets(1<<20), JSON) }

func benchStream(b *testing.B, data []byte, k Kind) {
	f, _ := New([]string{"pan", "ssn", "secrets"})
	src := bytes.NewReader(data)
	buf := make([]byte, 32<<10)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		src.Reset(data)
		if _, err := io.CopyBuffer(io.Discard, onlyReader{f.NewReader(src, k)}, buf); err != nil {
			b.Fatal(err)
		}
	}
	if d := cpuTime() - cpu0; d > 0 {
		b.ReportMetric(float64(len(data))*float64(b.N)/d.Seconds()/1e6, "cpu-MB/s")
	}
}

// cpuTime is the user+system CPU time of the process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sampleJSONWithSecrets is sampleJSON with data to mask in every record.
func sampleJSONWithSecrets(size int) []byte {
	jwt := "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ" + ".c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
	var b bytes.Buffer
	b.WriteString(`[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"card":"4111 1111 1111 1111","ssn":"078-05-1120","session":"%s","password":"hunter%d","note":"paid with 5500000000000004 on 2026-01-15"}`, i, jwt, i)
	}
	b.WriteString(`]`)
	return b.Bytes()
}

// onlyReader hides WriterTo/ReaderFrom so that io.CopyBuffer reads in
// chunks, as httputil.ReverseProxy does.
type onlyReader struct{ io.Reader }
