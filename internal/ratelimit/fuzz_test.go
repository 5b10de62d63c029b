package ratelimit

import (
	"reflect"
	"testing"
)

// FuzzParseHeader: any input either fails or parses into items that
// format back into a canonical form that parses to the same items.
func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{
		`"orders";q=600;w=60, "orders-quota";q=10000;w=86400`,
		`"orders";r=49;t=1`, `"a\"b";r=-1`, ` "a" , "b";x=1`, `"a";r=1;r=2`, `"`, `,`, `"a";*=1`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		items, err := ParseHeader(in)
		if err != nil {
			return
		}
		out := FormatHeader(items)
		again, err := ParseHeader(out)
		if err != nil {
			t.Fatalf("%q -> %q: %v", in, out, err)
		}
		if !reflect.DeepEqual(items, again) {
			t.Fatalf("%q -> %+v -> %q -> %+v", in, items, out, again)
		}
		if FormatHeader(again) != out {
			t.Fatalf("not canonical: %q", out)
		}
	})
}

// FuzzFormat: whatever route name NewStage accepts and whatever counts a
// backend reports, the stage's headers parse back to exactly those values.
func FuzzFormat(f *testing.F) {
	f.Add("list-orders", int64(600), int64(60), int64(49), int64(1))
	f.Add(`we"ird\name`, int64(1), int64(2592000), int64(0), int64(0))
	f.Fuzz(func(t *testing.T, name string, q, w, r, tt int64) {
		if validPolicyName(name) != nil {
			return
		}
		clamp := func(n int64) int64 { return n % 1_000_000_000_000_000 }
		q, w, r, tt = clamp(q), clamp(w), clamp(r), clamp(tt)
		pol := appendPolicy(nil, name, q, w)
		pol = append(pol, ", "...)
		pol = appendPolicy(pol, name+"-quota", q, w)
		items, err := ParseHeader(string(pol))
		if err != nil {
			t.Fatalf("%q: %v", pol, err)
		}
		want := []Item{{name, []Param{{"q", q}, {"w", w}}}, {name + "-quota", []Param{{"q", q}, {"w", w}}}}
		if !reflect.DeepEqual(items, want) {
			t.Fatalf("%q: %+v", pol, items)
		}
		v := appendItem(appendItem(nil, itemPrefix(name), r, tt), itemPrefix(name+"-quota"), r, tt)
		items, err = ParseHeader(headerValue(v)[0])
		if err != nil || len(items) != 2 || items[1].Name != name+"-quota" {
			t.Fatalf("%q: %+v %v", v, items, err)
		}
		if got, _ := items[0].Get("r"); got != r {
			t.Fatalf("r %d != %d", got, r)
		}
		if got, _ := items[0].Get("t"); got != tt {
			t.Fatalf("t %d != %d", got, tt)
		}
	})
}
