package injection

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/pipeline"
)

// Pools of the free-text fields of typicalOrder: ordinary values, with a
// few that look dangerous (an apostrophe, "&", a search URL with
// "select").
var (
	benchNames    = []string{"Mary O'Connor-Smith", "Jean-Luc Picard", "Zoë Saldaña", "Ben Okafor", "Anna Kowalska"}
	benchStreets  = []string{"221B Baker St., Apt. #4", "12 Rue de Rivoli", "1600 Amphitheatre Pkwy", "Flat 3, 2 High Street", "Hauptstraße 5"}
	benchNotes    = []string{"Please leave the parcel at the back door; don't ring the bell, the baby's asleep. Thanks!", "Deliver after 6pm please", "Call on arrival", "", "Gate code 4512, then second door on the left"}
	benchMessages = []string{"Happy birthday, Jean-Luc! Hope you like it & see you at 5pm :)", "Congratulations on the new job!", "", "Merry Christmas from all of us", "Get well soon"}
	benchRefs     = []string{"https://example.com/search?q=select+the+best&page=2", "https://example.com/", "https://example.com/products/mugs", "", "https://news.example.org/article/123"}
)

// typicalOrder is a benign JSON request of about 1 KB: names, an address,
// free-text notes, nested items, numbers and booleans.
func typicalOrder(i int) map[string]any {
	pick := func(p []string) string { return p[i%len(p)] }
	return map[string]any{
		"order_id": fmt.Sprintf("ORD-2024-%05d", i),
		"customer": map[string]any{
			"id": "550e8400-e29b-41d4-a716-446655440000", "name": pick(benchNames),
			"email": "mary.oconnor+shop@example.com", "phone": "+1 (555) 123-4567",
			"address": map[string]any{"line1": pick(benchStreets), "city": "London",
				"postcode": "NW1 6XE", "country": "GB"},
		},
		"items": []any{
			map[string]any{"sku": "ABC-123_xyz", "name": "Men's T-shirt (XL) - 100% cotton", "qty": 2, "price": 19.99},
			map[string]any{"sku": "USB-C-1M", "name": "USB-C to USB-A adapter, 1m", "qty": 1, "price": 9.5},
			map[string]any{"sku": "MUG-01", "name": "\"Deluxe\" coffee mug", "qty": 1, "price": 12},
		},
		"notes":    pick(benchNotes),
		"gift":     i%2 == 0,
		"message":  pick(benchMessages),
		"coupon":   "SAVE20",
		"currency": "USD",
		"total":    61.47,
		"tags":     []string{"priority", "gift-wrap", "2024/holiday"},
		"created":  "2024-01-15T10:30:00Z",
		"channel":  "web",
		"referrer": pick(benchRefs),
		"shipping": map[string]any{"method": "express", "carrier": "UPS", "insured": true,
			"window": "Mon-Fri 9am-5pm", "instructions": "Leave with the concierge (front desk)"},
		"client": map[string]any{"app": "shop-web/4.12.0", "locale": "en-GB", "timezone": "Europe/London"},
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// reusableBody lets a benchmark hand the same bytes to every iteration
// without allocating.
type reusableBody struct{ bytes.Reader }

func (*reusableBody) Close() error { return nil }

func benchRequest(b *testing.B, s *Stage, r *http.Request, body []byte) {
	b.Helper()
	rb := &reusableBody{}
	x := &pipeline.Exchange{In: r}
	ctx := context.Background()
	b.SetBytes(int64(len(body) + len(r.URL.RawQuery)))
	measure(b, func() {
		if body != nil {
			rb.Reset(body)
			r.Body = rb
		}
		if err := s.Check(ctx, x); err != nil {
			b.Fatal(err)
		}
		if body != nil {
			if _, err := io.Copy(io.Discard, r.Body); err != nil { // what the proxy would do
				b.Fatal(err)
			}
		}
	})
}

// measure runs f b.N times on one locked OS thread and reports its CPU
// time per operation besides the wall time.
func measure(b *testing.B, f func()) {
	b.Helper()
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

func jsonRequest(target string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
	r.Header.Set("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
	r.Header.Set("Accept", "application/json")
	return r
}

// BenchmarkCheck measures the stage on benign traffic: a 1 KB and a 10 KB
// JSON request and a GET with a query (targets: 20 µs, 100 µs).
func BenchmarkCheck(b *testing.B) {
	s := newStage(b, ModeBlock)
	small := mustJSON(typicalOrder(1))
	orders := make([]any, 0, 10)
	for i := range 10 {
		orders = append(orders, typicalOrder(i))
	}
	orders = append(orders, map[string]any{"comment": strings.Repeat("Imported from the legacy system; see ticket #4411. ", 6)})
	large := mustJSON(map[string]any{"batch": "import-7", "orders": orders})
	b.Run(fmt.Sprintf("json-%dB", len(small)), func(b *testing.B) {
		benchRequest(b, s, jsonRequest("/v1/orders", small), small)
	})
	b.Run(fmt.Sprintf("json-%dB", len(large)), func(b *testing.B) {
		benchRequest(b, s, jsonRequest("/v1/orders/batch", large), large)
	})
	// A yardstick for the machine: encoding/json decoding the same bodies.
	for _, body := range [][]byte{small, large} {
		b.Run(fmt.Sprintf("reference-json.Unmarshal-%dB", len(body)), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			measure(b, func() {
				var v any
				if err := json.Unmarshal(body, &v); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
	// The worst benign case: a 10 KB body made only of the benign corpus,
	// every value of which was chosen to look dangerous.
	var corpus []any
	n := 0
	for _, v := range readCorpus(b, "benign.txt", false) {
		if n > 9000 {
			break
		}
		if _, err := run(s, postJSON("/", map[string]any{"text": v.value})); err != nil {
			continue // one of the known false positives
		}
		corpus = append(corpus, map[string]any{"text": v.value})
		n += len(v.value) + 12
	}
	adversarial := mustJSON(corpus)
	b.Run(fmt.Sprintf("json-%dB-benign-corpus", len(adversarial)), func(b *testing.B) {
		benchRequest(b, s, jsonRequest("/v1/notes", adversarial), adversarial)
	})
	b.Run("query-get", func(b *testing.B) {
		r := httptest.NewRequest(http.MethodGet, "/v1/products/ABC-123/reviews?q=100%25+cotton+t-shirt&sort=-rating&page=2&per_page=50&filter=verified&lang=en-US", nil)
		r.Header.Set("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15")
		r.Header.Set("Referer", "https://shop.example.com/products/ABC-123?utm_source=news&utm_medium=email")
		r.Header.Set("Cookie", "session=abc123; theme=dark; consent=yes")
		benchRequest(b, s, r, nil)
	})
}

// BenchmarkValue measures the rules on single values.
func BenchmarkValue(b *testing.B) {
	sc := &scanner{}
	for _, v := range []string{"ABC-123", "Mary O'Connor-Smith", strings.Repeat("The quick brown fox jumps over the lazy dog. ", 4), "%3Cscript%3Ealert(1)%3C%2Fscript%3E"} {
		b.Run(fmt.Sprintf("%d", len(v)), func(b *testing.B) {
			measure(b, func() { sc.judge(v) })
		})
	}
}

// BenchmarkPathological measures 64 KiB values made of one repeated
// opener or separator, the worst cases of the rules' scans (each is
// linear in the value; the time budget cannot interrupt one value).
func BenchmarkPathological(b *testing.B) {
	sc := &scanner{}
	for _, p := range []string{"<<", "{{", "\\\\", ";;", "&#", "${", "' or "} {
		v := strings.Repeat(p, (64<<10)/len(p))
		b.Run(fmt.Sprintf("%q", p), func(b *testing.B) {
			b.SetBytes(int64(len(v)))
			measure(b, func() { sc.judge(v) })
		})
	}
}
