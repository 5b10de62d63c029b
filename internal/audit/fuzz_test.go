package audit

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
)

// FuzzCanonicalRecord: whatever a record holds, its line is valid JSON,
// verifies, is a fixed point of the generic canonicaliser (what verify
// recomputes) and reads back into the same line.
func FuzzCanonicalRecord(f *testing.F) {
	f.Add("/v1/orders", "detail", "a=1&token=x", "alice", "X-Api-Key", "v", 201, int64(42), 12.5, []byte(`{"a":[1,2.5]}`), int64(0))
	f.Add("\x00\xff\"\\", "\u2028<&>", "%zz=&=", "", "", "", 0, int64(-1), math.Inf(1), []byte(`x`), int64(-62135596800))
	f.Add("agk_12345678", "eyJhbGciOi.eyJ9.", "", "é", "\xff", "\xfe", -5, int64(math.MaxInt64), 1e-9, []byte(`1e400`), int64(253402300799))
	w := &Writer{red: NewRedactor(contractNames)}
	f.Fuzz(func(t *testing.T, path, detail, query, subject, hk, hv string, status int, bytesIn int64, dur float64, body []byte, unix int64) {
		r := &Record{
			Time: time.Unix(unix%253402300799, 0), Path: path, Detail: detail, Query: query, Status: status,
			BytesIn: bytesIn, DurationMS: dur, Identity: Identity{Subject: subject}, Findings: []string{path, hv},
			Headers: map[string][]string{hk: {hv}, "X": nil}, Body: body,
		}
		w.prepare(r)
		r.PrevHash = ZeroHash
		line, hash := appendLine(nil, r)
		line = bytes.TrimSuffix(line, []byte("\n"))
		if !json.Valid(line) {
			t.Fatalf("invalid JSON: %s", line)
		}
		h, prev, reason := checkLine(line)
		if reason != "" || h != hash || prev != ZeroHash {
			t.Fatalf("checkLine: %q (%s %s)\n%s", reason, h, prev, line)
		}
		var back Record
		if err := json.Unmarshal(line, &back); err != nil {
			t.Fatalf("read back: %v\n%s", err, line)
		}
		again, _ := appendLine(nil, &back)
		if !bytes.Equal(bytes.TrimSuffix(again, []byte("\n")), line) {
			t.Fatalf("read back differs:\n%s\n%s", line, again)
		}
	})
}

// FuzzVerifyLine: the line parser never panics; what it accepts is
// canonical, and CanonicalJSON is idempotent.
func FuzzVerifyLine(f *testing.F) {
	r := sample(1)
	r.PrevHash = ZeroHash
	line, _ := appendLine(nil, r)
	f.Add(bytes.TrimSuffix(line, []byte("\n")))
	f.Add([]byte(`{"hash":"` + ZeroHash + `","prev_hash":"` + ZeroHash + `"}`))
	f.Add([]byte(`{"a":[1e5,-0,"\u00e9\ud800"],"b":{}}`))
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, _, reason := checkLine(b); reason == "" {
			if c, err := CanonicalJSON(b); err != nil || !bytes.Equal(c, b) {
				t.Fatalf("accepted a non-canonical line: %s", b)
			}
		}
		c, err := CanonicalJSON(b)
		if err != nil {
			return
		}
		if !json.Valid(c) {
			t.Fatalf("CanonicalJSON(%q) = %q, not JSON", b, c)
		}
		if c2, err := CanonicalJSON(c); err != nil || !bytes.Equal(c, c2) {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", b, c, c2, err)
		}
	})
}
