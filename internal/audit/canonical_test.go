package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"net/netip"
	"testing"
	"time"
)

// goldenLine is the line of the fixed record below. Changing it changes
// every hash ever written: it must never change.
const (
	goldenLine = `{"bytes_in":42,"bytes_out":118,"client_ip":"203.0.113.7","duration_ms":12.346,"hash":"` + goldenHash + `","identity":{"auth":"api_key","key_id":"k7Hq2xYz","subject":"k7Hq2xYz"},"method":"POST","path":"/v1/orders","prev_hash":"` + ZeroHash + `","request_id":"req-a","route":"orders.create","scopes":["orders:read","orders:write"],"status":201,"time":"2026-11-27T12:00:00.123456Z","type":"request","upstream_status":201}`
	goldenHash = "29e3a623506a5bfdbe3efceac802fe75be8a2c314f0545fccdf9e03e32d5eb22"
)

func TestCanonicalGolden(t *testing.T) {
	r := sample(0)
	r.PrevHash = ZeroHash
	line, hash := appendLine(nil, r)
	if string(line) != goldenLine+"\n" {
		t.Fatalf("line\n%s\nwant\n%s", line, goldenLine)
	}
	if hash != goldenHash {
		t.Fatalf("hash %s, want %s", hash, goldenHash)
	}
	// Independently: the SHA-256 of encoding/json's sorted-map encoding of
	// the line without hash (no HTML-escaped characters here).
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "hash")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	if got := hex.EncodeToString(sum[:]); got != hash {
		t.Fatalf("encoding/json rehash %s, writer %s", got, hash)
	}
}

// trickyRecord exercises escaping, non-ASCII, extras and a float.
func trickyRecord() *Record {
	return &Record{
		Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.FixedZone("x", 3600)), Type: TypeAlert,
		Detector: "auth-failures", Detail: "40 invalid keys in 3s <from> \"a\" & \\ \n\t\x01\u2028 é 😀 \xff",
		Query: "a=1&b=<2>", Findings: []string{"sqli:query.q", ""},
		Headers:    map[string][]string{"X-B": {"2"}, "User-Agent": {"curl/8", "x"}, "Accept": nil},
		Body:       json.RawMessage(`{"b":[1,2.50,-0,1e2,true,null],"a":{"z":"ü","y":-0.25}}`),
		DurationMS: 0.0004, ClientIP: netip.MustParseAddr("2001:db8::1"),
	}
}

// trickyHash was computed independently with Python (and Node.js with
// sorted keys and JSON.stringify agrees):
//
//	r = json.loads(line); h = r.pop("hash")
//	sha256(json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
const trickyHash = "2b6ddae91256fc97fe36db4f163ba00f60a776a5d9f3d83cdf0f10063c2cd9bb"

func TestCanonicalTricky(t *testing.T) {
	w := &Writer{red: NewRedactor(nil)}
	r := trickyRecord()
	w.prepare(r)
	r.PrevHash = ZeroHash
	line, hash := appendLine(nil, r)
	if hash != trickyHash {
		t.Errorf("hash %s, want %s", hash, trickyHash)
	}
	if h, prev, reason := checkLine(bytes.TrimSuffix(line, []byte("\n"))); reason != "" || h != hash || prev != ZeroHash {
		t.Fatalf("checkLine: %q %s %s", reason, h, prev)
	}
	for _, want := range []string{`"body":{"a":{"y":-0.25,"z":"ü"},"b":[1,2.5,0,100,true,null]}`, `"query":"a=1&b=<2>"`,
		`"headers":{"Accept":[],"User-Agent":["curl/8","x"],"X-B":["2"]}`, `"findings":["sqli:query.q",""]`,
		`"detail":"40 invalid keys in 3s <from> \"a\" & \\ \n\t\u0001` + "\u2028 é 😀 \uFFFD\"", `"time":"2026-01-02T02:04:05.000006Z"`,
		`"type":"alert"`, `"client_ip":"2001:db8::1"`} {
		if !bytes.Contains(line, []byte(want)) {
			t.Errorf("line lacks %s", want)
		}
	}
	if bytes.Contains(line, []byte("duration_ms")) {
		t.Error("0.0004 ms rounds to 0, omitted on a non-request record")
	}
}

// TestCanonicalRoundTrip: a line read back into a Record (as `audit
// query` does) encodes to the same line, and the generic canonicaliser
// is a fixed point on it.
func TestCanonicalRoundTrip(t *testing.T) {
	w := &Writer{red: NewRedactor(nil)}
	for i, r := range []*Record{sample(1), trickyRecord(), {Type: TypeReload, Time: t0}, {Time: t0},
		{Time: t0, Route: "orders-v0", Status: 200, Code: "x", Detail: "y", Deprecated: true, Version: "v0", UpstreamStatus: 200}} {
		w.prepare(r)
		r.PrevHash = ZeroHash
		line, hash := appendLine(nil, r)
		line = bytes.TrimSuffix(line, []byte("\n"))
		var back Record
		if err := json.Unmarshal(line, &back); err != nil {
			t.Fatal(err)
		}
		if back.Hash != hash {
			t.Fatalf("%d: hash %s read back as %s", i, hash, back.Hash)
		}
		again, hash2 := appendLine(nil, &back)
		if string(bytes.TrimSuffix(again, []byte("\n"))) != string(line) || hash2 != hash {
			t.Fatalf("%d: round trip\n%s\n%s", i, line, again)
		}
		canon, err := CanonicalJSON(line)
		if err != nil || string(canon) != string(line) {
			t.Fatalf("%d: CanonicalJSON changed the line (%v)\n%s\n%s", i, err, line, canon)
		}
	}
}

func TestRequestRecordAlwaysHasCounters(t *testing.T) {
	r := &Record{Time: t0, Type: TypeRequest, PrevHash: ZeroHash}
	line, _ := appendLine(nil, r)
	for _, k := range []string{`"status":0`, `"duration_ms":0`, `"bytes_in":0`, `"bytes_out":0`, `"prev_hash"`, `"hash"`, `"time"`, `"type":"request"`} {
		if !bytes.Contains(line, []byte(k)) {
			t.Errorf("%s missing from %s", k, line)
		}
	}
	for _, k := range []string{"code", "identity", "scopes", "upstream_status", "client_ip", "query", "body"} {
		if bytes.Contains(line, []byte(`"`+k+`"`)) {
			t.Errorf("empty %s not omitted: %s", k, line)
		}
	}
}

func TestAppendFloat(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0", math.Copysign(0, -1): "0", 1: "1", 12.5: "12.5", 0.001: "0.001", 1e-6: "0.000001", 1e-7: "1e-7",
		123456789: "123456789", 1e20: "100000000000000000000", 1e21: "1e+21", -2.25: "-2.25",
		math.NaN(): "0", math.Inf(1): "0", 0.30000000000000004: "0.30000000000000004",
	} {
		if got := string(appendFloat(nil, f)); got != want {
			t.Errorf("appendFloat(%v) = %s, want %s", f, got, want)
		}
		// encoding/json agrees on finite values.
		if !math.IsNaN(f) && !math.IsInf(f, 0) && f != 0 {
			if b, _ := json.Marshal(f); string(b) != want {
				t.Errorf("encoding/json writes %v as %s, we %s", f, b, want)
			}
		}
	}
}

func TestAppendString(t *testing.T) {
	for in, want := range map[string]string{
		"":             `""`,
		"plain":        `"plain"`,
		`q"b\`:         `"q\"b\\"`,
		"\b\f\n\r\t":   `"\b\f\n\r\t"`,
		"\x00\x1f\x7f": `"\u0000\u001f` + "\x7f\"",
		"<&>":          `"<&>"`,
		"\u2028é😀":     "\"\u2028é😀\"",
		"a\xffb\xc3":   "\"a\uFFFDb\uFFFD\"",
	} {
		if got := string(appendString(nil, in)); got != want {
			t.Errorf("appendString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestCanonicalJSONNumbers(t *testing.T) {
	for in, want := range map[string]string{
		`[1e-7,1E2,2.50,-0,-0.0,0.1,1e21,12345678901234567890,{"b":1,"a":[]}]`: `[1e-7,100,2.5,0,0,0.1,1e+21,12345678901234567890,{"a":[],"b":1}]`,
		` { "x" : "\u003c\u2028\ud83d\ude00" } `:                               "{\"x\":\"<\u2028😀\"}",
	} {
		got, err := CanonicalJSON([]byte(in))
		if err != nil || string(got) != want {
			t.Errorf("CanonicalJSON(%s) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{``, `{`, `{"a":1} x`, `1e999`, `{"a":1}{}`} {
		if got, err := CanonicalJSON([]byte(bad)); err == nil {
			t.Errorf("CanonicalJSON(%q) = %s, want an error", bad, got)
		}
	}
}

func TestAppendTime(t *testing.T) {
	for _, tm := range []time.Time{t0, {}, time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 1000, time.FixedZone("y", -7200)), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(1e9, 123456789)} {
		if got, want := string(appendTime(nil, tm)), tm.UTC().Format(TimeFormat); got != want {
			t.Errorf("appendTime(%v) = %s, want %s", tm, got, want)
		}
	}
}
