package openapi

import (
	"regexp"
	"strings"
	"testing"
)

// patternCases are patterns compilePattern accepts (fast) or leaves to the
// regexp, with inputs on which Match must answer as the regexp does.
var patternCases = []struct {
	name, pattern string
	fast          bool
	inputs        []string
}{
	// the bench's patterns
	{"customer id", `^cus_[0-9a-z]{1,32}$`, true, []string{"cus_4242", "cus_", "cus_" + strings.Repeat("a", 32),
		"cus_" + strings.Repeat("a", 33), "cus_ABC", "cus_42\x00", "cus_4\xff", "cus_é", "", "xcus_1", "cus_1\n", "cus_1x"}},
	{"sku", `^SKU-[0-9]{4,8}$`, true, []string{"SKU-1001", "SKU-100", "SKU-12345678", "SKU-123456789", "sku-1001",
		"SKU-1001\n", "SKU-10\x8001", "SKU-1001\xc0"}},
	// counts, groups, greediness
	{"star", `^[a-z]*$`, true, []string{"", "abc", "abC", "\x80", "a\x00"}},
	{"empty", `^$`, true, []string{"", "a", "\n", "\x00"}},
	{"quest plus star", `^a?b+c*$`, true, []string{"b", "abbc", "ac", "abcb", "aabc", "bccc"}},
	{"groups and lazy", `^(?:ab)(c)[d-f]+?$`, true, []string{"abcd", "abcdef", "abc", "abcg"}},
	{"nul and ascii range", `^\x00[\x01-\x7f]{0,3}$`, true, []string{"\x00", "\x00\x7f\x01a", "\x00\x00", "\x00abcd", "\x00\x80"}},
	{"open repeat", `^[a-c]{2,}z$`, true, []string{"abz", "az", "abcabcz", "abc"}},
	{"zero repeat", `^a{0}b$`, true, []string{"b", "ab", ""}},
	{"perl classes", `^[\w-]{3,5}\.json$`, true, []string{"a-b.json", "ab.json", "abcdef.json", "a_b-c.json", "abc.jso"}},
	{"same set apart", `^a*ba*$`, true, []string{"aabaa", "b", "ab", "aab a", "aa"}},
	{"fixed then variable", `^[a-z][a-z0-9]*$`, true, []string{"a", "a1b2", "1a", ""}},
	{"case-insensitive digits", `(?i)^[0-9]+$`, true, []string{"12", "", "1a"}},
	{"spaces", `^\s*$`, true, []string{"", " \t\r\n\f", " \v", "x"}},
	{"text anchors", `\A[a-z]+\z`, true, []string{"abc", "", "abc\n"}},
	{"64 steps", `^` + strings.Repeat("a", 64) + `$`, true, []string{strings.Repeat("a", 64), strings.Repeat("a", 63)}},
	// left to the regexp
	{"search", `[0-9]`, false, []string{"a1b", "1", "abc", ""}},
	{"begin only", `^[0-9]`, false, []string{"1a", "a1"}},
	{"end only", `[0-9]$`, false, []string{"a1", "1a"}},
	{"alternation", `^a|b$`, false, []string{"ax", "xb", "x"}},
	{"dot", `^.$`, false, []string{"a", "é", "\n", "\xff"}},
	{"negated class", `^[^a]$`, false, []string{"b", "a", "é", "\xff"}},
	{"non-ascii literal", `^é$`, false, []string{"é", "e"}},
	{"case-folded literal", `(?i)^a$`, false, []string{"a", "A"}},
	{"case-folded class", `(?i)^[k]$`, false, []string{"k", "K", "\u212a"}},
	{"unicode class", `^\pL+$`, false, []string{"abc", "é", "1"}},
	{"overlap", `^[a-z]*[a-z]$`, false, []string{"ab", "a", ""}},
	{"overlap with quest", `^a?a$`, false, []string{"a", "aa"}},
	{"overlap of repeats", `^[0-9]{1,3}[0-9]{2}$`, false, []string{"123", "12345", "12"}},
	{"overlap past an optional step", `^a*b?a$`, false, []string{"aa", "aba", "a"}},
	{"repeated string", `^(ab)+$`, false, []string{"abab", "aba"}},
	{"multi-line", `(?m)^a$`, false, []string{"a", "b\na"}},
	{"word boundary", `^a\b$`, false, []string{"a"}},
	{"65 steps", `^` + strings.Repeat("a", 65) + `$`, false, []string{strings.Repeat("a", 65)}},
	{"doubled anchor", `^^a$`, false, []string{"a"}},
	{"anchor inside", `^a$b$`, false, []string{"a", "ab"}},
	{"not a regexp", `^(a$`, false, nil},
}

// patternInputs are inputs every pattern case is also matched against.
var patternInputs = []string{"", "\x00", "\x80", "\xff", "a\xc3", "é", "\xef\xbf\xbd", "a", "aa", "0"}

func TestStringPattern(t *testing.T) {
	for _, tc := range patternCases {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := compilePattern(tc.pattern); ok != tc.fast {
				t.Fatalf("compilePattern(%q): %v, want %v", tc.pattern, ok, tc.fast)
			}
			re, err := regexp.Compile(tc.pattern)
			if err != nil {
				return
			}
			p := newStringPattern(re)
			if p.fast != tc.fast {
				t.Fatalf("fast %v, want %v", p.fast, tc.fast)
			}
			for _, in := range append(tc.inputs, patternInputs...) {
				if got, want := p.Match([]byte(in)), re.Match([]byte(in)); got != want {
					t.Errorf("Match(%q) = %v, regexp %v", in, got, want)
				}
			}
		})
	}
}

// FuzzFastPattern: on a pattern regexp compiles and compilePattern
// accepts, the steps answer as the regexp does on any input.
func FuzzFastPattern(f *testing.F) {
	for _, tc := range patternCases {
		for _, in := range append(tc.inputs, patternInputs...) {
			f.Add(tc.pattern, []byte(in))
		}
	}
	f.Fuzz(func(t *testing.T, pattern string, input []byte) {
		if len(pattern) > 100 || len(input) > 2048 {
			return // (longer ones would only slow the fuzzer's minimizing)
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return
		}
		steps, ok := compilePattern(pattern)
		if !ok {
			return
		}
		p := &stringPattern{re: re, fast: true}
		p.prefix, p.steps = literalPrefix(steps)
		if got, want := p.Match(input), re.Match(input); got != want {
			t.Fatalf("pattern %q, input %q: Match %v, regexp %v", pattern, input, got, want)
		}
	})
}

// BenchmarkPattern: the bench's patterns on matching values, by the
// regexp and by the steps.
func BenchmarkPattern(b *testing.B) {
	for _, c := range []struct{ name, pattern, input string }{
		{"customer", `^cus_[0-9a-z]{1,32}$`, "cus_4242"},
		{"sku", `^SKU-[0-9]{4,8}$`, "SKU-1001"},
	} {
		re := regexp.MustCompile(c.pattern)
		p := newStringPattern(re)
		if !p.fast {
			b.Fatalf("%s: not fast", c.pattern)
		}
		in := []byte(c.input)
		for _, m := range []struct {
			name  string
			match func([]byte) bool
		}{{"regexp", re.Match}, {"fast", p.Match}} {
			b.Run(c.name+"/"+m.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if !m.match(in) {
						b.Fatal("no match")
					}
				}
			})
		}
	}
}
