package injection

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/apiguard/apiguard/internal/problem"
)

func TestNewStage(t *testing.T) {
	for _, mode := range []string{ModeBlock, ModeReport} {
		s, err := NewStage(mode)
		if err != nil || s == nil || s.Name() != "waf" {
			t.Errorf("NewStage(%q) = %v, %v", mode, s, err)
		}
	}
	for _, mode := range []string{ModeOff, ""} {
		if s, err := NewStage(mode); s != nil || err != nil {
			t.Errorf("NewStage(%q) = %v, %v; want no stage", mode, s, err)
		}
	}
	if _, err := NewStage("Block"); err == nil {
		t.Error("NewStage accepted an unknown mode")
	}
}

// TestCauses pins the denial and how each location is named.
func TestCauses(t *testing.T) {
	s := newStage(t, ModeBlock)
	form := func(body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/v1/x", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	withHeader := func(name, v string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/v1/x", nil)
		r.Header.Set(name, v)
		return r
	}
	rawJSON := func(body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/v1/x", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	tests := []struct {
		r    *http.Request
		want string
	}{
		{httptest.NewRequest(http.MethodGet, "/v1/items?page=2&q="+url.QueryEscape("' OR '1'='1"), nil), `sqli in query "q"`},
		{httptest.NewRequest(http.MethodGet, "/v1/items/%3Cscript%3Ealert(1)%3C%2Fscript%3E", nil), `xss in path segment 3`},
		{httptest.NewRequest(http.MethodGet, "/v1/users?a=1&user%5B%24ne%5D=x", nil), `nosql in query name #2`},
		{httptest.NewRequest(http.MethodGet, "/v1/x?"+url.QueryEscape(strings.Repeat("k", 50))+"=;id", nil), `cmdi in query "` + strings.Repeat("k", 40) + `..."`},
		{withHeader("User-Agent", "() { :; }; /bin/bash -c id"), `cmdi in header "User-Agent"`},
		{withHeader("X-Api-Version", "${jndi:ldap://x/a}"), `jndi in header "X-Api-Version"`},
		{withHeader("Referer", "https://example.com/?q=%7B%7B7*7%7D%7D"), `ssti in header "Referer"`},
		{withHeader("Cookie", "theme=dark; pref=../../etc/passwd"), `traversal in cookie "pref"`},
		{postJSON("/v1/x", map[string]any{"items": []any{1, map[string]any{"note": "<svg onload=alert(1)>"}}}), `xss in body "$.items[1].note"`},
		{postJSON("/v1/login", map[string]any{"user": map[string]any{"$ne": 1}}), `nosql in body member name in "$.user"`},
		{rawJSON(`{"a b":{"x":"{{7*7}}"}}`), `ssti in body "$[\"a b\"].x"`},
		{rawJSON(`"${jndi:ldap://x}"`), `jndi in body "$"`},
		{rawJSON(`{"a":1} {"b":"' or 1=1--"}`), `sqli in body "$.b"`},
		{rawJSON(`{"a": 1, /* c */ "b": "<script>alert(1)</script>"}`), `xss in body (not parsable as JSON, from offset 9)`},
		{form("a=1&b=" + url.QueryEscape("; cat /tmp/x")), `cmdi in form field "b"`},
		{form("a=1&%24where=1"), `nosql in form field name #2`},
	}
	for _, tt := range tests {
		_, err := run(s, tt.r)
		var p *problem.Error
		if !errors.As(err, &p) {
			t.Errorf("%s %s: err = %v, want a denial (%s)", tt.r.Method, tt.r.URL, err, tt.want)
			continue
		}
		if p.Status != 403 || p.Code != problem.CodeBlocked || p.Detail != "the request was blocked by the injection filter" {
			t.Errorf("denial = %d %s %q", p.Status, p.Code, p.Detail)
		}
		if got := p.Cause.Error(); got != tt.want {
			t.Errorf("%s %s: cause %q, want %q", tt.r.Method, tt.r.URL, got, tt.want)
		}
	}
}

// TestCausesHideValues: no cause repeats the payload it found.
func TestCausesHideValues(t *testing.T) {
	s := newStage(t, ModeBlock)
	for _, a := range readCorpus(t, "attacks.txt", true) {
		if len(a.value) < 6 {
			continue
		}
		places := valuePlacements
		if strings.HasSuffix(a.class, ":key") {
			places = keyPlacements
		}
		for _, p := range places {
			if cause := blocked(t, errOf(run(s, p.make(a.value)))); strings.Contains(cause, a.value) {
				t.Errorf("cause %q repeats the payload", cause)
			}
		}
	}
}

func TestReportMode(t *testing.T) {
	s := newStage(t, ModeReport)
	q := url.Values{}
	for i, v := range []string{"' OR 1=1--", "<script>x</script>", "; id", "../../x", "{{7*7}}", "${jndi:x}", "ok", "fine"} {
		q.Set(string(rune('a'+i)), v)
	}
	q.Set("z", "${jndi:ldap://x}")
	q.Set("y", "{{config}}")
	q.Set("x", "|id")
	x, err := run(s, httptest.NewRequest(http.MethodGet, "/v1/x?"+q.Encode(), nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Findings) != maxFindings {
		t.Fatalf("findings = %q, want %d", x.Findings, maxFindings)
	}
	if x.Findings[0] != `waf: sqli in query "a"` {
		t.Errorf("first finding = %q", x.Findings[0])
	}
	x, err = run(s, httptest.NewRequest(http.MethodGet, "/v1/x?q=shoes", nil))
	if err != nil || len(x.Findings) != 0 {
		t.Errorf("benign request: %v, %q", err, x.Findings)
	}
}

// countingBody records how it was used.
type countingBody struct {
	io.Reader
	closed bool
}

func (b *countingBody) Close() error { b.closed = true; return nil }

// TestBodyReachesUpstream: whatever is inspected, the upstream reads the
// exact bytes sent, and closing the body closes the original.
func TestBodyReachesUpstream(t *testing.T) {
	s := newStage(t, ModeReport, WithBodyLimit(1024))
	small := mustJSON(typicalOrder(1))
	large := mustJSON(map[string]any{"pad": strings.Repeat("a", 5000), "x": "' or 1=1--"})
	for _, tt := range []struct {
		name    string
		body    []byte
		chunked bool
		ct      string
	}{
		{"small", small, false, "application/json"},
		{"small chunked", small, true, "application/json"},
		{"large", large, false, "application/json"},
		{"large chunked", large, true, "application/json"},
		{"form", []byte("a=1&b=%3Cscript%3E"), false, "application/x-www-form-urlencoded"},
		{"not inspected", large, false, "text/plain"},
	} {
		orig := &countingBody{Reader: iotest.HalfReader(bytes.NewReader(tt.body))}
		r := httptest.NewRequest(http.MethodPost, "/v1/x", nil)
		r.Body = orig
		r.ContentLength = int64(len(tt.body))
		if tt.chunked {
			r.ContentLength = -1
		}
		r.Header.Set("Content-Type", tt.ct)
		if _, err := run(s, r); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got, err := io.ReadAll(r.Body)
		if err != nil || !bytes.Equal(got, tt.body) {
			t.Errorf("%s: upstream read %d bytes (%v), want the %d sent", tt.name, len(got), err, len(tt.body))
		}
		if err := r.Body.Close(); err != nil || !orig.closed {
			t.Errorf("%s: Close did not reach the original body", tt.name)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	body := mustJSON(map[string]any{"pad": strings.Repeat("a", 2000), "x": "' or 1=1--"})
	x, err := run(newStage(t, ModeBlock, WithBodyLimit(1024)), postJSON("/v1/x", rawJSONValue(body)))
	if err != nil {
		t.Fatalf("payload beyond the limit: %v", err)
	}
	if len(x.Findings) != 1 || x.Findings[0] != "waf: inspection incomplete: body inspected up to 1024 bytes" {
		t.Errorf("findings = %q", x.Findings)
	}
	_, err = run(newStage(t, ModeBlock, WithBodyLimit(1024), WithStrictLimits()), postJSON("/v1/x", rawJSONValue(body)))
	if cause := blocked(t, err); cause != "inspection incomplete: body inspected up to 1024 bytes" {
		t.Errorf("strict: cause %q", cause)
	}
	// A payload that straddles the limit is inspected as far as it goes.
	body = mustJSON(map[string]any{"a": strings.Repeat("b", 1000), "x": "../../../../etc/passwd" + strings.Repeat("c", 100)})
	if _, err := run(newStage(t, ModeBlock, WithBodyLimit(1024)), postJSON("/v1/x", rawJSONValue(body))); blocked(t, err) == "" {
		t.Error("a payload cut by the limit was not found")
	}
}

// rawJSONValue passes already-encoded JSON through postJSON.
type rawJSONValue []byte

func (j rawJSONValue) MarshalJSON() ([]byte, error) { return j, nil }

func TestValueLimit(t *testing.T) {
	q := strings.Repeat("a=1&", 100) + "b=" + url.QueryEscape("' or 1=1--")
	x, err := run(newStage(t, ModeBlock, WithMaxValues(64)), httptest.NewRequest(http.MethodGet, "/v1/x?"+q, nil))
	if err != nil || len(x.Findings) != 1 || x.Findings[0] != "waf: inspection incomplete: too many values" {
		t.Errorf("over the value limit: %v, %q", err, x.Findings)
	}
	_, err = run(newStage(t, ModeBlock, WithMaxValues(64), WithStrictLimits()), httptest.NewRequest(http.MethodGet, "/v1/x?"+q, nil))
	if blocked(t, err) == "" {
		t.Error("strict: over the value limit was not denied")
	}
}

func TestTimeBudget(t *testing.T) {
	var mu sync.Mutex
	now := time.Unix(1700000000, 0)
	clock := func() time.Time { // every reading is a second later
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	q := strings.Repeat("a=1&", 100)
	x, err := run(newStage(t, ModeBlock, WithClock(clock), WithTimeBudget(time.Millisecond)), httptest.NewRequest(http.MethodGet, "/v1/x?"+q, nil))
	if err != nil || len(x.Findings) != 1 || x.Findings[0] != "waf: inspection incomplete: time budget exceeded" {
		t.Errorf("over the time budget: %v, %q", err, x.Findings)
	}
}

func TestContentTypes(t *testing.T) {
	s := newStage(t, ModeBlock)
	payload := `{"q":"<script>alert(1)</script>"}`
	for ct, inspected := range map[string]bool{
		"application/json":                  true,
		"application/json; charset=utf-8":   true,
		"Application/JSON":                  true,
		"application/vnd.api+json":          true,
		"application/merge-patch+json":      true,
		"text/json":                         true,
		"":                                  true, // sniffed
		"text/plain":                        false,
		"multipart/form-data; boundary=x":   false,
		"application/octet-stream":          false,
		"application/x-www-form-urlencoded": true, // the whole body is one field name
	} {
		r := httptest.NewRequest(http.MethodPost, "/v1/x", strings.NewReader(payload))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		_, err := run(s, r)
		if got := blocked(t, err) != ""; got != inspected {
			t.Errorf("Content-Type %q: blocked = %v, want %v", ct, got, inspected)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/v1/x", strings.NewReader("<script>alert(1)</script>"))
	if _, err := run(s, r); err != nil {
		t.Errorf("a body without Content-Type that is not JSON was inspected: %v", err)
	}
}

func TestCompressedBody(t *testing.T) {
	r := func() *http.Request {
		r := postJSON("/v1/x", map[string]any{"q": "x"})
		r.Header.Set("Content-Encoding", "gzip")
		return r
	}
	x, err := run(newStage(t, ModeBlock), r())
	if err != nil || len(x.Findings) != 1 || x.Findings[0] != `waf: inspection incomplete: body not inspected: content-encoding "gzip"` {
		t.Errorf("gzip body: %v, %q", err, x.Findings)
	}
	if _, err := run(newStage(t, ModeBlock, WithStrictLimits()), r()); blocked(t, err) == "" {
		t.Error("strict: a compressed body was not denied")
	}
}

func TestJSONBodies(t *testing.T) {
	s := newStage(t, ModeBlock)
	for body, want := range map[string]bool{
		`{"a":"\u003cscript\u003ealert(1)\u003c/script\u003e"}`:      true,  // JSON escapes
		`{"a":"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"}`:  true,  // escaped twice
		`{"q":"a","b":[1,2,{"c":"--"}],"d":"'","e":"="}`:             false, // punctuation is not an attack
		`[{"price":"$5"},{"note":"O'Brien & sons; 100% cotton"}]`:    false,
		`{"$schema":"https://json-schema.org/draft/2020-12/schema"}`: false,
		strings.Repeat("[", 300) + "1" + strings.Repeat("]", 300):    false, // deep, then raw: harmless
		`{"a":1,}`:                  false, // trailing comma: tolerated
		`{"a": NaN, "b": "x"}`:      false, // not JSON: the rest is inspected raw
		"\xef\xbb\xbf{\"a\":\"b\"}": false, // BOM
		`{"a":"b"`:                  false, // truncated
		`{"a":"<script>`:            true,  // truncated inside the payload
		`{"a":1}` + "\n" + `{"b":"${jndi:ldap://x}"}`: true, // JSON lines
	} {
		r := httptest.NewRequest(http.MethodPost, "/v1/x", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		_, err := run(s, r)
		if got := blocked(t, err) != ""; got != want {
			t.Errorf("%.60q: blocked = %v, want %v", body, got, want)
		}
	}
}

func TestBodyReadErrors(t *testing.T) {
	s := newStage(t, ModeBlock)
	// Over max_body: the gateway's MaxBytesReader fails the read.
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/v1/x", strings.NewReader(`{"a":"`+strings.Repeat("b", 200)+`"}`))
	r.Header.Set("Content-Type", "application/json")
	r.ContentLength = -1
	r.Body = http.MaxBytesReader(rec, r.Body, 100)
	_, err := run(s, r)
	var p *problem.Error
	if !errors.As(err, &p) || p.Status != http.StatusRequestEntityTooLarge || p.Code != problem.CodePayloadTooLarge {
		t.Errorf("over max_body: err = %v, want 413", err)
	}
	// Another read error reaches the proxy after the bytes read.
	boom := errors.New("connection reset")
	r = httptest.NewRequest(http.MethodPost, "/v1/x", nil)
	r.Header.Set("Content-Type", "application/json")
	r.ContentLength = -1
	r.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"a":"b`), iotest.ErrReader(boom)))
	if _, err := run(s, r); err != nil {
		t.Fatalf("read error: Check = %v, want nil (the proxy reports it)", err)
	}
	got, err := io.ReadAll(r.Body)
	if string(got) != `{"a":"b` || !errors.Is(err, boom) {
		t.Errorf("upstream read %q, %v", got, err)
	}
	// A body shorter than its Content-Length stays short for the proxy.
	r = httptest.NewRequest(http.MethodPost, "/v1/x", strings.NewReader(`{"a":"b"}`))
	r.Header.Set("Content-Type", "application/json")
	r.ContentLength = 50
	if _, err := run(s, r); err != nil {
		t.Fatalf("short body: Check = %v", err)
	}
	if got, err := io.ReadAll(r.Body); string(got) != `{"a":"b"}` || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short body: upstream read %q, %v", got, err)
	}
}

func TestHeaders(t *testing.T) {
	s := newStage(t, ModeBlock)
	r := httptest.NewRequest(http.MethodGet, "/v1/x", nil)
	r.Header.Set("Authorization", "Bearer ' or 1=1--") // credentials: JNDI only
	r.Header.Set("X-Forwarded-Host", "<script>")       // replaced by the gateway
	r.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
	r.Header.Set("Referer", "https://shop.example.com/p/100%25-cotton?q=select+the+best&sort=price")
	r.Header.Set("Cookie", `$Version=1; session="abc123"; theme=dark`)
	if _, err := run(s, r); err != nil {
		t.Errorf("benign headers: %v", err)
	}
	for _, v := range []string{"${jndi:ldap://x}", "%24%7Bjndi:ldap://x%7D", "$%7Bjndi:ldap://x}"} {
		r := httptest.NewRequest(http.MethodGet, "/v1/x", nil)
		r.Header.Set("Authorization", "Bearer "+v)
		if blocked(t, errOf(run(s, r))) == "" {
			t.Errorf("JNDI lookup %q in Authorization was not found", v)
		}
	}
}

// TestConcurrent runs the stage from many goroutines (for -race).
func TestConcurrent(t *testing.T) {
	s := newStage(t, ModeBlock)
	attacks := readCorpus(t, "attacks.txt", true)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := g; i < len(attacks); i += 8 {
				if strings.HasSuffix(attacks[i].class, ":key") {
					continue
				}
				r := valuePlacements[i%len(valuePlacements)].make(attacks[i].value)
				if _, err := run(s, r); err == nil {
					t.Errorf("%q not found", attacks[i].value)
				}
			}
		})
	}
	wg.Wait()
}
