package openapi

import "testing"

func TestParseContentType(t *testing.T) {
	cases := []struct {
		ct       string
		typ, sub string
		ok       bool
	}{
		{"application/json", "application", "json", true},
		{"Application/JSON", "application", "json", true},
		{"application/json; charset=utf-8", "application", "json", true},
		{"application/json;charset=UTF-8", "application", "json", true},
		{"application/problem+json", "application", "problem+json", true},
		{"text/plain; charset=us-ascii", "text", "plain", true},
		{"", "", "", false},
		{"*/*", "", "", false},
		{"application/*", "", "", false},
		{"application/json; charset", "", "", false},
		{"application/json charset=utf-8", "", "", false},
		{"json", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.ct, func(t *testing.T) {
			typ, sub, ok := parseContentType(tc.ct)
			if typ != tc.typ || sub != tc.sub || ok != tc.ok {
				t.Fatalf("parseContentType(%q) = %q, %q, %v; want %q, %q, %v", tc.ct, typ, sub, ok, tc.typ, tc.sub, tc.ok)
			}
		})
	}
}
