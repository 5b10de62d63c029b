package audit

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// benchRecord is a typical request record; each op submits a copy (the
// writer owns what it is given).
func benchRecord() Record {
	r := *sample(1)
	r.Query = "q=shoes&page=2"
	return r
}

// BenchmarkWriter measures the writer alone: records/s through
// redaction, canonical encoding, hashing, chaining and write(2), under
// each fsync policy.
func BenchmarkWriter(b *testing.B) {
	for _, policy := range []SyncPolicy{SyncInterval, SyncNever, SyncEvery} {
		b.Run(string(policy), func(b *testing.B) {
			w := openT(b, Options{File: tempFile(b), Sync: policy, QueueSize: 8192, BlockTimeout: time.Minute, Redact: contractNames})
			tmpl := benchRecord()
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				r := tmpl
				if err := w.Submit(&r); err != nil {
					b.Fatal(err)
				}
			}
			closeT(b, w) // everything written and fsynced
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
		})
	}
}

// BenchmarkEncode is the writer's CPU work per record (no I/O): a
// request record, and one carrying headers and a JSON body.
func BenchmarkEncode(b *testing.B) {
	w := &Writer{red: NewRedactor(contractNames)}
	plain := benchRecord()
	rich := benchRecord()
	rich.Headers = http.Header{"User-Agent": {"curl/8.5"}, "Authorization": {"Bearer x"}}
	rich.Body = json.RawMessage(`{"name":"ops","scopes":["orders:read"],"password":"x"}`)
	for name, tmpl := range map[string]Record{"request": plain, "headers+body": rich} {
		b.Run(name, func(b *testing.B) {
			var buf []byte
			prev := ZeroHash
			b.ReportAllocs()
			for range b.N {
				r := tmpl
				w.prepare(&r)
				r.PrevHash = prev
				buf, prev = appendLine(buf[:0], &r)
			}
		})
	}
}

// BenchmarkSubmitEnqueue is Submit's own cost on the request path: the
// clock stops while the queue is drained, so no Submit ever waits.
func BenchmarkSubmitEnqueue(b *testing.B) {
	w := openT(b, Options{File: tempFile(b), QueueSize: 4096})
	defer closeT(b, w)
	tmpl := benchRecord()
	b.ReportAllocs()
	for i := range b.N {
		if i%2048 == 0 {
			b.StopTimer()
			for w.Stats().QueueDepth > 0 {
				time.Sleep(100 * time.Microsecond)
			}
			b.StartTimer()
		}
		r := tmpl
		if err := w.Submit(&r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSubmit is Submit from parallel handlers while the writer
// drains concurrently on the same cores (throughput-bound).
func BenchmarkSubmit(b *testing.B) {
	w := openT(b, Options{File: tempFile(b), QueueSize: 1 << 16, BlockTimeout: time.Minute})
	defer closeT(b, w)
	tmpl := benchRecord()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := tmpl
			if err := w.Submit(&r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSubmitWait is the request-path cost when the handler waits
// for write(2) (group commit under parallel load).
func BenchmarkSubmitWait(b *testing.B) {
	w := openT(b, Options{File: tempFile(b)})
	defer closeT(b, w)
	tmpl := benchRecord()
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := tmpl
			if err := w.SubmitWait(ctx, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
