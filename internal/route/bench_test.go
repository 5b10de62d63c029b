package route

import (
	"fmt"
	"testing"
)

// benchSpecs returns 50 routes shaped like a typical API: ten resources with
// list, create, get, update and a nested action.
func benchSpecs() []Spec[int] {
	resources := []string{"orders", "customers", "products", "invoices", "payments", "shipments", "refunds", "carts", "reviews", "users"}
	var specs []Spec[int]
	add := func(name, method, path string) {
		specs = append(specs, Spec[int]{Name: name, Methods: []string{method}, Path: path, Value: len(specs)})
	}
	for _, r := range resources {
		add("list-"+r, "GET", "/v1/"+r)
		add("create-"+r, "POST", "/v1/"+r)
		add("get-"+r, "GET", "/v1/"+r+"/{id}")
		add("update-"+r, "PUT", "/v1/"+r+"/{id}")
		add("items-"+r, "GET", "/v1/"+r+"/{id}/items/{item}")
	}
	return specs
}

func BenchmarkLookup(b *testing.B) {
	tbl, err := Build(benchSpecs())
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name, method, path string
		want               Status
	}{
		{"static", "GET", "/v1/users", Found},
		{"param", "GET", "/v1/users/8d2f1c/items/42", Found},
		{"404", "GET", "/v1/nothing/here", NotFound},
		{"405", "DELETE", "/v1/users/8d2f1c", MethodNotAllowed},
		{"escaped", "GET", "/v1/users/caf%C3%A9", Found},
		{"normalise", "GET", "/v1//users/./8d2f1c/", Found},
		{"normalise-escape", "GET", "/v1/users/%6frders/../caf%c3%a9", Found},
		{"bad-path", "GET", "/v1/users/..%2fadmin", BadPath},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if res := tbl.Lookup(tc.method, tc.path); res.Status != tc.want {
					b.Fatalf("%v, want %v", res.Status, tc.want)
				}
			}
		})
	}
}

func BenchmarkNormalize(b *testing.B) {
	for _, p := range []string{"/v1/users/8d2f1c/items/42", "/v1/users/caf%C3%A9", "/v1//users/./8d2f1c/"} {
		b.Run(fmt.Sprintf("%q", p), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Normalize(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBuild(b *testing.B) {
	specs := benchSpecs()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(specs); err != nil {
			b.Fatal(err)
		}
	}
}
