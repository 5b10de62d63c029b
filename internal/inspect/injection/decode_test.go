package injection

import (
	"strings"
	"testing"
)

func TestURLDecode(t *testing.T) {
	tests := []struct {
		in, want string
		plus     bool
		changed  bool
	}{
		{"a%20b", "a b", false, true},
		{"a+b", "a+b", false, false},
		{"a+b", "a b", true, true},
		{"100% cotton", "100% cotton", false, false},
		{"%", "%", false, false},
		{"%4", "%4", false, false},
		{"%zz", "%zz", false, false},
		{"%2527", "%27", false, true},
		{"%u003C", "<", false, true},
		{"%U003c", "<", false, true},
		{"%uD83D%uDE00", "😀", false, true},
		{"%uD83D", "\uFFFD", false, true},
		{"%u12", "%u12", false, false},
		{"%c0%ae", "\xc0\xae", false, true},
	}
	for _, tt := range tests {
		got, changed := urlDecode(nil, tt.in, tt.plus)
		if string(got) != tt.want || changed != tt.changed {
			t.Errorf("urlDecode(%q, %v) = %q, %v; want %q, %v", tt.in, tt.plus, got, changed, tt.want, tt.changed)
		}
	}
}

func TestHTMLDecode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"&lt;script&gt;", "<script>"},
		{"&lt;script&gt", "<script>"}, // legacy references need no ';'
		{"&#60;&#x3C;&#X3c;", "<<<"},
		{"&#0000106avascript", "javascript"},
		{"&#x6A;", "j"},
		{"&#99999999999;", "\uFFFD"},
		{"&#0;", "\uFFFD"},
		{"&colon;&lpar;&rpar;&Tab;&NewLine;", ":()\t\n"},
		{"&unknown;", "&unknown;"},
		{"Tom & Jerry", "Tom & Jerry"},
		{"&", "&"},
		{"&#", "&#"},
		{"&#x;", "&#x;"},
		{"AT&T", "AT&T"},
	}
	for _, tt := range tests {
		if got, _ := htmlDecode(nil, tt.in); string(got) != tt.want {
			t.Errorf("htmlDecode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// No entity may be longer decoded than written.
	for name, v := range namedEntities {
		if len(v) > len(name)+1 {
			t.Errorf("&%s; decodes to %q, longer than its reference", name, v)
		}
	}
}

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{`\u003cscript\u003e`, "<script>"},
		{`\"quoted\" \\ \/`, `"quoted" \ /`},
		{`a\nb\tc\rd\be\ff`, "a\nb\tc\rd\be\ff"},
		{`\x3c\X3C`, "<<"},
		{`\u{3c}\u{1F600}`, "<😀"},
		{`\ud83d\ude00`, "😀"},
		{`\ud83d`, "\uFFFD"},
		{`\u{110000}`, "\uFFFD"},
		{`\u{}`, `\u{}`},
		{`\u12`, `\u12`},
		{`\x4`, `\x4`},
		{`C:\Users\new`, "C:\\Users\new"},
		{`\`, `\`},
		{`\q`, `\q`},
		{`\'`, `'`},
	}
	for _, tt := range tests {
		if got, _ := unescape(nil, tt.in); string(got) != tt.want {
			t.Errorf("unescape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHasJNDI(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"${jndi:ldap://x}", true},
		{"${jndi:ldap://x", true}, // unclosed: judged on what it holds
		{"${${upper:j}${upper:n}${upper:d}${upper:i}:x}", true},
		{"${${lower:${lower:jndi}}:x}", true},
		{"${j${k8s:k5:-ND}i:x}", true},
		{strings.Repeat("${", maxLookupDepth+1) + "x", true}, // nesting beyond the bound
		{"${env:HOME}", false},
		{"${jndi}", false},
		{"$jndi:x", false},
		{"{jndi:x}", false},
		{"${lower:jnd}i:x}", false},
		{"", false},
		{"$", false},
		{"${", false},
	}
	for _, tt := range tests {
		if got, _ := hasJNDI(tt.in, nil); got != tt.want {
			t.Errorf("hasJNDI(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestDecodeRounds: the decoders undo layered encodings, in any order,
// up to the bound, and no further.
func TestDecodeRounds(t *testing.T) {
	sc := &scanner{}
	for _, v := range []string{
		"%253Cscript%253E",         // URL twice
		"&#x25;3Cscript&#x25;3E",   // HTML then URL
		"%26lt%3Bscript%26gt%3B",   // URL then HTML
		`%5Cu003cscript%5Cu003e`,   // URL then escape
		`\u0026lt;script\u0026gt;`, // escape then HTML
		"%25253Cscript%25253E",     // URL three times
	} {
		if got := sc.judge(v); got != ruleXSS {
			t.Errorf("judge(%q) = %q, want xss", v, got)
		}
	}
	if got := sc.judge("%2525253Cscript%2525253E"); got != ruleNone { // four times: beyond the bound
		t.Errorf("four URL encodings: judge = %q, want none (maxDecodeRounds is 3)", got)
	}
}

func TestFoldWidth(t *testing.T) {
	for in, want := range map[string]string{
		"＜script＞alert（1）＜／script＞": "<script>alert(1)</script>",
		"ｊａｖａｓｃｒｉｐｔ：":               "javascript:",
		"～＿｀｛｝":                     "~_`{}",
		"（株）東京":                     "(株)東京",
		"plain":                     "plain",
		"\xef\xbc":                  "\xef\xbc",
	} {
		if got, _ := foldWidth(nil, in); string(got) != want {
			t.Errorf("foldWidth(%q) = %q, want %q", in, got, want)
		}
	}
}
