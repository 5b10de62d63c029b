package mask

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

func response(status int, ct string, body []byte) *http.Response {
	h := http.Header{"Content-Length": {strconv.Itoa(len(body))}}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	return &http.Response{
		StatusCode: status, Header: h, ContentLength: int64(len(body)),
		Body:    io.NopCloser(bytes.NewReader(body)),
		Request: httptest.NewRequest(http.MethodGet, "/", nil),
	}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFilterContentTypes(t *testing.T) {
	f := allClasses(t)
	if f.Name() != "mask" {
		t.Fatal(f.Name())
	}
	body := `{"pan":4111111111111111,"t":"` + fakeGitHub + `"}`
	for _, c := range []struct {
		ct, want string
	}{
		{"application/json", `{"pan":"****1111","t":"[REDACTED]"}`},
		{"application/json; charset=utf-8", `{"pan":"****1111","t":"[REDACTED]"}`},
		{"Application/Problem+JSON", `{"pan":"****1111","t":"[REDACTED]"}`},
		{"application/vnd.api+json", `{"pan":"****1111","t":"[REDACTED]"}`},
		{"application/x-ndjson", `{"pan":"****1111","t":"[REDACTED]"}`},
		{"text/plain", `{"pan":****1111,"t":"[REDACTED]"}`},
		{"text/html; charset=ISO-8859-1", `{"pan":****1111,"t":"[REDACTED]"}`},
		{"text/event-stream", `{"pan":****1111,"t":"[REDACTED]"}`},
		{"application/xml", `{"pan":****1111,"t":"[REDACTED]"}`},
		{"application/soap+xml", `{"pan":****1111,"t":"[REDACTED]"}`},
		{"application/x-www-form-urlencoded", `{"pan":****1111,"t":"[REDACTED]"}`},
		{"", `{"pan":****1111,"t":"[REDACTED]"}`}, // no Content-Type: text
		{"image/png", body},
		{"application/octet-stream", body},
		{"application/pdf", body},
		{"multipart/form-data; boundary=x", body},
		{"application/grpc", body},
	} {
		resp := response(200, c.ct, []byte(body))
		if err := f.Filter(&pipeline.Exchange{}, resp); err != nil {
			t.Fatalf("%s: %v", c.ct, err)
		}
		masked := c.want != body
		if masked && (resp.ContentLength != -1 || resp.Header.Get("Content-Length") != "") {
			t.Errorf("%s: Content-Length kept: %d %q", c.ct, resp.ContentLength, resp.Header.Get("Content-Length"))
		}
		if !masked && (resp.ContentLength != int64(len(body)) || resp.Header.Get("Content-Length") == "") {
			t.Errorf("%s: an untouched response lost its length", c.ct)
		}
		if got := readBody(t, resp); got != c.want {
			t.Errorf("%s: %s", c.ct, got)
		}
	}
}

func TestFilterHeaders(t *testing.T) {
	f := allClasses(t)
	resp := response(200, "application/json", []byte(`{"pan":"4111111111111111"}`))
	resp.Header.Set("Content-MD5", "x")
	resp.Header.Set("Digest", "sha-256=x")
	resp.Header.Set("Content-Digest", "sha-256=:x:")
	resp.Header.Set("Accept-Ranges", "bytes")
	resp.Header.Set("ETag", `"v1"`)
	if err := f.Filter(nil, resp); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"Content-Length", "Content-Md5", "Digest", "Content-Digest", "Accept-Ranges"} {
		if resp.Header.Get(h) != "" {
			t.Errorf("%s kept", h)
		}
	}
	if resp.Header.Get("ETag") != `"v1"` || resp.ContentLength != -1 {
		t.Errorf("ETag %q, ContentLength %d", resp.Header.Get("ETag"), resp.ContentLength)
	}
}

func TestFilterNoBody(t *testing.T) {
	f := allClasses(t)
	body := []byte(`{"pan":"4111111111111111"}`)
	head := response(200, "application/json", body)
	head.Request.Method = http.MethodHead
	upgrade := response(101, "application/json", body)
	for name, resp := range map[string]*http.Response{
		"204": response(204, "application/json", body), "304": response(304, "application/json", body),
		"101": upgrade, "HEAD": head,
	} {
		b := resp.Body
		if err := f.Filter(nil, resp); err != nil || resp.Body != b || resp.Header.Get("Content-Length") == "" {
			t.Errorf("%s: touched (%v)", name, err)
		}
	}
	resp := response(200, "application/json", nil)
	resp.Body = http.NoBody
	if err := f.Filter(nil, resp); err != nil || resp.Body != http.NoBody {
		t.Error("NoBody touched")
	}
	none, _ := New(nil)
	resp = response(200, "application/json", body)
	if err := none.Filter(nil, resp); err != nil || readBody(t, resp) != string(body) || resp.ContentLength != int64(len(body)) {
		t.Error("a filter without classes must not touch responses")
	}
}

func TestFilterRefuses(t *testing.T) {
	f := allClasses(t)
	body := []byte(`{"pan":"4111111111111111"}`)
	for name, resp := range map[string]*http.Response{
		"br":       withHeader(response(200, "application/json", body), "Content-Encoding", "br"),
		"deflate":  withHeader(response(200, "text/plain", body), "Content-Encoding", "deflate"),
		"two":      withHeader(response(200, "text/plain", body), "Content-Encoding", "gzip, br"),
		"206":      response(206, "application/json", body),
		"utf-16":   response(200, "application/json; charset=UTF-16", body),
		"utf-32le": response(200, "text/plain; charset=\"utf-32le\"", body),
	} {
		err := f.Filter(nil, resp)
		var p *problem.Error
		if !errors.As(err, &p) || p.Status != http.StatusBadGateway || p.Code != problem.CodeUpstreamError {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Refusing is only for bodies that would be masked.
	if err := f.Filter(nil, withHeader(response(200, "image/png", body), "Content-Encoding", "br")); err != nil {
		t.Error(err)
	}
}

func withHeader(resp *http.Response, k, v string) *http.Response {
	resp.Header.Set(k, v)
	return resp
}

func gzipped(t *testing.T, s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFilterGzip(t *testing.T) {
	f := allClasses(t)
	body := pad + `{"pan":"4111111111111111","password":"x"}` + pad
	for i := 0; i < 3; i++ { // the gzip reader is recycled between bodies
		resp := withHeader(response(200, "application/json", gzipped(t, body)), "Content-Encoding", "gzip")
		if err := f.Filter(nil, resp); err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("Content-Encoding") != "" || !resp.Uncompressed || resp.ContentLength != -1 {
			t.Fatalf("headers %v", resp.Header)
		}
		if got := readBody(t, resp); got != pad+`{"pan":"****1111","password":"[REDACTED]"}`+pad {
			t.Fatalf("gzip: %.100s", strings.TrimSpace(got))
		}
	}
	for name, b := range map[string][]byte{"corrupt": []byte("\x1f\x8b\x08\x00garbage"), "empty": nil, "truncated": gzipped(t, body)[:40]} {
		resp := withHeader(response(200, "application/json", b), "Content-Encoding", "x-gzip")
		if err := f.Filter(nil, resp); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(resp.Body); err == nil {
			t.Errorf("%s gzip read without error", name)
		}
	}
}

func TestAcceptIdentity(t *testing.T) {
	h := http.Header{"Accept-Encoding": {"gzip, br"}, "Range": {"bytes=0-10"}, "If-Range": {`"v1"`}, "Accept": {"application/json"}}
	AcceptIdentity(h)
	if h.Get("Accept-Encoding") != "identity" || h.Get("Range") != "" || h.Get("If-Range") != "" || h.Get("Accept") == "" {
		t.Fatal(h)
	}
}

func TestFilterReport(t *testing.T) {
	var got []Counts
	var gotX *pipeline.Exchange
	f, _ := New([]string{"pan", "ssn", "secrets"}, WithReport(func(x *pipeline.Exchange, c Counts) {
		gotX = x
		got = append(got, c)
	}))
	x := &pipeline.Exchange{RequestID: "r1"}
	resp := response(200, "application/json", []byte(`{"a":"4111111111111111","b":[4111111111111111],"s":"123-45-6789","password":"x","t":"`+fakeJWT+`"}`))
	if err := f.Filter(x, resp); err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if len(got) != 1 || got[0] != (Counts{PAN: 2, SSN: 1, Secrets: 2}) || gotX != x {
		t.Fatalf("%+v", got)
	}
	// Closed before its end: reported once, at Close.
	got = nil
	resp = response(200, "application/json", []byte(`{"a":"4111111111111111"}`+pad))
	_ = f.Filter(x, resp)
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if len(got) != 1 || got[0] != (Counts{}) {
		t.Fatalf("%+v", got)
	}
}

// TestReverseProxy wires the filter as the gateway does: the client gets
// the masked body, chunked, with no Content-Length.
func TestReverseProxy(t *testing.T) {
	f := allClasses(t)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "identity" {
			t.Errorf("Accept-Encoding %q", r.Header.Get("Accept-Encoding"))
		}
		body := []byte(`{"pan":"4111111111111111","ssn":"123-45-6789"}` + pad)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	defer upstream.Close()
	target, _ := url.Parse(upstream.URL)
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			AcceptIdentity(pr.Out.Header)
		},
		ModifyResponse: func(resp *http.Response) error { return f.Filter(nil, resp) },
	}
	gw := httptest.NewServer(proxy)
	defer gw.Close()
	resp, err := http.Get(gw.URL)
	if err != nil {
		t.Fatal(err)
	}
	got := readBody(t, resp)
	if got != `{"pan":"****1111","ssn":"[REDACTED]"}`+pad {
		t.Fatalf("%.80s", got)
	}
	if resp.ContentLength != -1 || len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
		t.Fatalf("length %d, transfer %v", resp.ContentLength, resp.TransferEncoding)
	}
}

// TestEventsNotHeldBack: a complete event is passed on at once, while the
// upstream keeps the stream open.
func TestEventsNotHeldBack(t *testing.T) {
	f := allClasses(t)
	for _, c := range []struct {
		ct, first, want string
	}{
		{"text/event-stream", "data: 4111111111111111\n\n", "data: ****1111\n\n"},
		{"application/x-ndjson", `{"password":"x"}` + "\n", `{"password":"[REDACTED]"}` + "\n"},
	} {
		pr, pw := io.Pipe()
		resp := response(200, c.ct, nil)
		resp.Body = pr
		if err := f.Filter(nil, resp); err != nil {
			t.Fatal(err)
		}
		go func() { _, _ = pw.Write([]byte(c.first)) }()
		done := make(chan string)
		go func() {
			buf := make([]byte, 100)
			n, _ := io.ReadAtLeast(resp.Body, buf, len(c.want))
			done <- string(buf[:n])
		}()
		select {
		case got := <-done:
			if got != c.want {
				t.Errorf("%s: %q", c.ct, got)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the first event was held back", c.ct)
		}
		_ = pw.Close()
		_ = resp.Body.Close()
	}
}

func TestKindOf(t *testing.T) {
	for ct, want := range map[string]Kind{
		"application/json": JSON, "application/merge-patch+json": JSON, "application/json-seq": JSON,
		"application/jsonl": NDJSON, "application/x-jsonlines": NDJSON, "text/event-stream": EventStream,
		"text/csv": Text, "application/javascript": Text, "application/yaml": Text, "": Text,
		"image/svg+xml": Text, "font/woff2": 0, "video/mp4": 0, "application/zip": 0,
	} {
		if k, err := KindOf(ct); err != nil || k != want {
			t.Errorf("KindOf(%q) = %v, %v; want %v", ct, k, err, want)
		}
	}
}
