package ratelimit

import (
	"reflect"
	"testing"
)

func TestFormatParse(t *testing.T) {
	b := appendPolicy(nil, "list-orders", 600, 60)
	b = append(b, ", "...)
	b = appendPolicy(b, "list-orders-quota", 10000, 86400)
	if got := string(b); got != `"list-orders";q=600;w=60, "list-orders-quota";q=10000;w=86400` {
		t.Fatalf("policy %q", got)
	}
	v := appendItem(nil, itemPrefix("list-orders"), 49, 1)
	v = appendItem(v, itemPrefix("list-orders-quota"), 9999, 3600)
	if got := string(v); got != `"list-orders";r=49;t=1, "list-orders-quota";r=9999;t=3600` {
		t.Fatalf("ratelimit %q", got)
	}
	items, err := ParseHeader(string(v))
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{
		{Name: "list-orders", Params: []Param{{"r", 49}, {"t", 1}}},
		{Name: "list-orders-quota", Params: []Param{{"r", 9999}, {"t", 3600}}},
	}
	if !reflect.DeepEqual(items, want) {
		t.Fatalf("%+v", items)
	}
	if r, ok := items[1].Get("r"); !ok || r != 9999 {
		t.Fatal("Get")
	}
	if got := string(appendSFString(nil, `a"b\c`)); got != `"a\"b\\c"` {
		t.Fatalf("escape %q", got)
	}
}

func TestParseHeader(t *testing.T) {
	good := map[string]int{
		`"a";r=1;t=2`:                1,
		` "a";r=1 ,	"b";t=-3 `:       2,
		`"a"`:                        1,
		`"a\"\\";r=0`:                1,
		`"a"; r=1`:                   1,
		`"x";q=999999999999999;w=60`: 1,
	}
	for in, n := range good {
		items, err := ParseHeader(in)
		if err != nil || len(items) != n {
			t.Errorf("%q: %v %v", in, items, err)
		}
	}
	for _, in := range []string{
		``, `a`, `"a`, `"a";`, `"a";r`, `"a";r=`, `"a";R=1`, `"a";r=1.5`, `"a";r=x`, `"a",`, `"a" "b"`,
		`"a";r=1;r=2`, `"a";r=1234567890123456`, "\"\x01\"", `"a\x"`, `"é"`, `"a";r=--1`,
	} {
		if items, err := ParseHeader(in); err == nil {
			t.Errorf("%q accepted: %+v", in, items)
		}
	}
}

func TestHeaderValue(t *testing.T) {
	short := headerValue([]byte("abc"))
	if len(short) != 1 || cap(short) != 1 || short[0] != "abc" {
		t.Fatalf("%q", short)
	}
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'x'
	}
	if v := headerValue(long); v[0] != string(long) {
		t.Fatal("long value")
	}
	if n := testing.AllocsPerRun(100, func() { _ = headerValue([]byte("\"orders\";r=49;t=1")) }); n > 1 {
		t.Fatalf("%v allocations, want 1", n)
	}
}
