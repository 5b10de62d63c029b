package route

import (
	"errors"
	"net/url"
	pathpkg "path"
	"strings"
	"testing"
	"unicode/utf8"
)

// normCase is one Normalize case: either the expected pair or the expected
// rejection reason.
type normCase struct {
	name          string
	in            string
	path, escaped string
	err           error
}

var normCases = []normCase{
	// Already canonical: returned as is.
	{name: "root", in: "/", path: "/", escaped: "/"},
	{name: "static", in: "/v1/orders", path: "/v1/orders", escaped: "/v1/orders"},
	{name: "kept sub-delims", in: "/v1/a:b@c$d&e+f=g~h-i_j.k", path: "/v1/a:b@c$d&e+f=g~h-i_j.k", escaped: "/v1/a:b@c$d&e+f=g~h-i_j.k"},
	{name: "plus is not space", in: "/v1/a+b", path: "/v1/a+b", escaped: "/v1/a+b"},
	{name: "canonical escape", in: "/v1/orders/a%20b", path: "/v1/orders/a b", escaped: "/v1/orders/a%20b"},
	{name: "canonical unicode", in: "/v1/caf%C3%A9", path: "/v1/café", escaped: "/v1/caf%C3%A9"},
	{name: "emoji", in: "/v1/%F0%9F%98%80", path: "/v1/😀", escaped: "/v1/%F0%9F%98%80"},
	{name: "three dots literal", in: "/v1/orders/...", path: "/v1/orders/...", escaped: "/v1/orders/..."},
	{name: "dotted names literal", in: "/v1/.well-known/a..b", path: "/v1/.well-known/a..b", escaped: "/v1/.well-known/a..b"},
	{name: "dots then semicolon deeper", in: "/v1/...;x", path: "/v1/...;x", escaped: "/v1/...%3Bx"},

	// Slashes.
	{name: "trailing slash", in: "/v1/orders/", path: "/v1/orders", escaped: "/v1/orders"},
	{name: "double slash", in: "/v1//orders", path: "/v1/orders", escaped: "/v1/orders"},
	{name: "leading double slash", in: "//v1/orders", path: "/v1/orders", escaped: "/v1/orders"},
	{name: "many slashes", in: "//v1///orders//", path: "/v1/orders", escaped: "/v1/orders"},
	{name: "only slashes", in: "///", path: "/", escaped: "/"},

	// Dot segments.
	{name: "leading dot", in: "/./v1/orders", path: "/v1/orders", escaped: "/v1/orders"},
	{name: "inner dot", in: "/v1/./orders", path: "/v1/orders", escaped: "/v1/orders"},
	{name: "trailing dot", in: "/v1/orders/.", path: "/v1/orders", escaped: "/v1/orders"},
	{name: "dotdot", in: "/v1/orders/../admin", path: "/v1/admin", escaped: "/v1/admin"},
	{name: "encoded dotdot", in: "/v1/orders/%2e%2e/admin", path: "/v1/admin", escaped: "/v1/admin"},
	{name: "encoded dotdot upper", in: "/v1/orders/%2E%2E/admin", path: "/v1/admin", escaped: "/v1/admin"},
	{name: "half encoded dotdot", in: "/v1/orders/.%2e/admin", path: "/v1/admin", escaped: "/v1/admin"},
	{name: "half encoded dotdot 2", in: "/v1/orders/%2E./admin", path: "/v1/admin", escaped: "/v1/admin"},
	{name: "encoded dot", in: "/v1/orders/%2e/1", path: "/v1/orders/1", escaped: "/v1/orders/1"},
	{name: "trailing dotdot", in: "/v1/orders/..", path: "/v1", escaped: "/v1"},
	{name: "dotdot to root", in: "/v1/..", path: "/", escaped: "/"},
	{name: "dotdot after double slash", in: "/v1//../admin", path: "/admin", escaped: "/admin"},
	{name: "long path", in: "/" + strings.Repeat("segment/", 40) + "./x/../", path: "/" + strings.Repeat("segment/", 39) + "segment", escaped: "/" + strings.Repeat("segment/", 39) + "segment"},
	{name: "dot runs", in: "/v1/orders/....//", path: "/v1/orders/....", escaped: "/v1/orders/...."},

	// Decoding once, re-escaping canonically.
	{name: "encoded letter", in: "/v1/%6frders", path: "/v1/orders", escaped: "/v1/orders"},
	{name: "encoded letter upper", in: "/v1/%6Frders", path: "/v1/orders", escaped: "/v1/orders"},
	{name: "encoded capital", in: "/v1/orders/%41", path: "/v1/orders/A", escaped: "/v1/orders/A"},
	{name: "encoded plus", in: "/v1/a%2Bb", path: "/v1/a+b", escaped: "/v1/a+b"},
	{name: "lower-case hex", in: "/v1/a%3fb", path: "/v1/a?b", escaped: "/v1/a%3Fb"},
	{name: "encoded hash", in: "/v1/a%23b", path: "/v1/a#b", escaped: "/v1/a%23b"},
	{name: "lower-case unicode", in: "/v1/caf%c3%a9", path: "/v1/café", escaped: "/v1/caf%C3%A9"},
	{name: "raw unicode", in: "/v1/café", path: "/v1/café", escaped: "/v1/caf%C3%A9"},
	{name: "fullwidth dots are literal", in: "/v1/%EF%BC%8E%EF%BC%8E/admin", path: "/v1/．．/admin", escaped: "/v1/%EF%BC%8E%EF%BC%8E/admin"},
	{name: "raw semicolon escaped", in: "/v1/orders;x=1", path: "/v1/orders;x=1", escaped: "/v1/orders%3Bx=1"},
	{name: "raw comma escaped", in: "/v1/a,b", path: "/v1/a,b", escaped: "/v1/a%2Cb"},
	{name: "raw bang escaped", in: "/v1/a!b", path: "/v1/a!b", escaped: "/v1/a%21b"},
	{name: "raw braces escaped", in: "/v1/{id}", path: "/v1/{id}", escaped: "/v1/%7Bid%7D"},
	{name: "semicolon segment then dotdot", in: "/v1/a%3Bb/..", path: "/v1", escaped: "/v1"},
	{name: "replacement character is literal", in: "/v1/%EF%BF%BD", path: "/v1/\ufffd", escaped: "/v1/%EF%BF%BD"},
	{name: "lone semicolon segment", in: "/v1/;/x", path: "/v1/;/x", escaped: "/v1/%3B/x"},

	// Rejected.
	{name: "empty", in: "", err: errNotAbsolute},
	{name: "relative", in: "v1/orders", err: errNotAbsolute},
	{name: "asterisk", in: "*", err: errNotAbsolute},
	{name: "absolute URL", in: "http://evil.test/v1", err: errNotAbsolute},
	{name: "above root", in: "/..", err: errAboveRoot},
	{name: "above root then path", in: "/../v1/orders", err: errAboveRoot},
	{name: "above root deeper", in: "/v1/../..", err: errAboveRoot},
	{name: "above root encoded", in: "/%2e%2e", err: errAboveRoot},
	{name: "above root after slashes", in: "//..", err: errAboveRoot},
	{name: "above root mixed", in: "/v1/./../.%2E/etc/passwd", err: errAboveRoot},
	{name: "encoded slash", in: "/v1/orders%2F1", err: errEncodedSlash},
	{name: "encoded slash lower", in: "/v1/orders%2f1", err: errEncodedSlash},
	{name: "encoded slash traversal", in: "/v1/..%2f..%2fadmin", err: errEncodedSlash},
	{name: "encoded NUL", in: "/v1/orders/1%00", err: errControl},
	{name: "encoded LF", in: "/v1/orders/1%0a", err: errControl},
	{name: "encoded CRLF injection", in: "/v1/orders/1%0D%0AX-Injected:%201", err: errControl},
	{name: "encoded unit separator", in: "/v1/orders/1%1F", err: errControl},
	{name: "encoded DEL", in: "/v1/orders/1%7f", err: errControl},
	{name: "raw NUL", in: "/v1/orders/1\x00", err: errControl},
	{name: "raw tab", in: "/v1/\torders", err: errControl},
	{name: "raw DEL", in: "/v1/\x7f", err: errControl},
	{name: "encoded backslash", in: "/v1/orders%5c..%5cadmin", err: errBackslash},
	{name: "raw backslash", in: "/v1\\admin", err: errBackslash},
	{name: "raw backslash traversal", in: "/v1/..\\..\\admin", err: errBackslash},
	{name: "double-encoded dotdot", in: "/v1/%252e%252e/admin", err: errEncodedPercent},
	{name: "double-encoded slash", in: "/v1/orders%252F1", err: errEncodedPercent},
	{name: "encoded percent", in: "/v1/100%25", err: errEncodedPercent},
	{name: "lone percent", in: "/v1/%", err: errBadEscape},
	{name: "short escape", in: "/v1/%4", err: errBadEscape},
	{name: "non-hex escape", in: "/v1/%zz", err: errBadEscape},
	{name: "IIS unicode escape", in: "/v1/%u002e%u002e/admin", err: errBadEscape},
	{name: "percent percent", in: "/v1/%%30", err: errBadEscape},
	{name: "escape with space", in: "/v1/% 1", err: errBadEscape},
	{name: "encoded C1 control", in: "/v1/a%C2%85b", err: errControl},
	{name: "raw C1 control", in: "/v1/a\u009bb", err: errControl},
	{name: "raw question mark", in: "/v1?x=1", err: errDelimiter},
	{name: "raw hash", in: "/v1#frag", err: errDelimiter},
	{name: "overlong dots", in: "/v1/%C0%AE%C0%AE/admin", err: errInvalidUTF8},
	{name: "overlong slash", in: "/v1/..%C0%AFadmin", err: errInvalidUTF8},
	{name: "invalid byte", in: "/v1/%FF", err: errInvalidUTF8},
	{name: "raw invalid byte", in: "/v1/\xff", err: errInvalidUTF8},
	{name: "truncated sequence", in: "/v1/%C3", err: errInvalidUTF8},
	{name: "invalid UTF-8 in canonical path", in: "/v1/%C3%28", err: errInvalidUTF8},
	{name: "surrogate", in: "/v1/%ED%A0%80", err: errInvalidUTF8},
	{name: "tomcat dotdot semicolon", in: "/v1/..;/admin", err: errDotSemicolon},
	{name: "tomcat dot semicolon", in: "/v1/.;/admin", err: errDotSemicolon},
	{name: "tomcat jsessionid", in: "/v1/..;jsessionid=1/admin", err: errDotSemicolon},
	{name: "encoded dotdot semicolon", in: "/v1/%2e%2e%3b/admin", err: errDotSemicolon},
	{name: "encoded semicolon", in: "/v1/..%3B/admin", err: errDotSemicolon},
}

func TestNormalize(t *testing.T) {
	for _, tc := range normCases {
		t.Run(tc.name, func(t *testing.T) {
			path, escaped, err := Normalize(tc.in)
			if tc.err != nil {
				if err != tc.err || !errors.Is(err, ErrBadPath) {
					t.Fatalf("Normalize(%q) = (%q, %q, %v), want error %v", tc.in, path, escaped, err, tc.err)
				}
				if path != "" || escaped != "" {
					t.Fatalf("Normalize(%q) returned (%q, %q) with its error", tc.in, path, escaped)
				}
				return
			}
			if err != nil || path != tc.path || escaped != tc.escaped {
				t.Fatalf("Normalize(%q) = (%q, %q, %v), want (%q, %q, nil)", tc.in, path, escaped, err, tc.path, tc.escaped)
			}
			checkNormalized(t, tc.in, path, escaped)
		})
	}
}

// checkNormalized asserts the invariants of every accepted path.
func checkNormalized(t *testing.T, in, path, escaped string) {
	t.Helper()
	if path == "" || path[0] != '/' || (len(path) > 1 && path[len(path)-1] == '/') {
		t.Fatalf("%q: path %q is not absolute without a trailing slash", in, path)
	}
	for _, seg := range strings.Split(path[1:], "/") {
		if path != "/" && (seg == "" || seg == "." || seg == "..") {
			t.Fatalf("%q: path %q has an empty or dot segment", in, path)
		}
	}
	if !utf8.ValidString(path) || strings.ContainsFunc(path, func(r rune) bool { return r < 0x20 || 0x7f <= r && r <= 0x9f }) {
		t.Fatalf("%q: path %q has invalid UTF-8 or a control character", in, path)
	}
	if strings.ContainsAny(path, `\%`) {
		t.Fatalf("%q: path %q has a backslash or percent sign", in, path)
	}
	if got, err := url.PathUnescape(escaped); err != nil || got != path {
		t.Fatalf("%q: PathUnescape(%q) = %q, %v; want %q", in, escaped, got, err, path)
	}
	if want := referenceEscape(path); escaped != want {
		t.Fatalf("%q: escaped %q, want url.PathEscape per segment %q", in, escaped, want)
	}
	if p2, e2, err := Normalize(escaped); err != nil || p2 != path || e2 != escaped {
		t.Fatalf("%q: not idempotent: Normalize(%q) = (%q, %q, %v)", in, escaped, p2, e2, err)
	}
	if u := (url.URL{Path: path, RawPath: escaped}); u.EscapedPath() != escaped {
		t.Fatalf("%q: net/url would send %q, not %q", in, u.EscapedPath(), escaped)
	}
	if dec, err := url.PathUnescape(in); err == nil && pathpkg.Clean(dec) != path {
		t.Fatalf("%q: path.Clean of the decoded input is %q, not %q", in, pathpkg.Clean(dec), path)
	}
}

// referenceEscape escapes each segment with url.PathEscape.
func referenceEscape(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

func TestShouldEscapeMatchesPathEscape(t *testing.T) {
	for c := 0; c < 256; c++ {
		s := string([]byte{byte(c)})
		if want := url.PathEscape(s) != s; shouldEscape(byte(c)) != want {
			t.Errorf("shouldEscape(%#02x) = %v, url.PathEscape escapes it: %v", c, !want, want)
		}
	}
}

func TestNormalizeErrorsHideThePath(t *testing.T) {
	secret := "/v1/agk_secretvalue%00"
	_, _, err := Normalize(secret)
	if err == nil || strings.Contains(err.Error(), "agk_") {
		t.Fatalf("Normalize(%q) error = %v: want a reason without the path", secret, err)
	}
}

func TestNormalizeAllocations(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"/v1/orders/123/items/7", 0},
		{"/v1/orders/a%20b", 1},
		{"/v1//orders/./123/", 1},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := testing.AllocsPerRun(100, func() {
				if _, _, err := Normalize(tc.in); err != nil {
					t.Fatal(err)
				}
			})
			if got > tc.want {
				t.Fatalf("Normalize(%q): %v allocations, want at most %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestPlainBytes(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := c != '%' && c != '/' && !shouldEscape(byte(c))
		if isPlain(byte(c)) != want {
			t.Errorf("isPlain(%#02x) = %v, want %v", c, !want, want)
		}
	}
}
