package route_test

import (
	"fmt"
	"net/url"

	"github.com/apiguard/apiguard/internal/route"
)

func ExampleTable_Lookup() {
	tbl, err := route.Build([]route.Spec[string]{
		{Name: "list-orders", Methods: []string{"GET"}, Path: "/v1/orders", Value: "orders"},
		{Name: "get-order", Methods: []string{"GET"}, Path: "/v1/orders/{id}", Value: "orders"},
		{Name: "create-order", Methods: []string{"POST"}, Path: "/v1/orders", Value: "orders"},
	})
	if err != nil {
		panic(err)
	}

	res := tbl.Lookup("GET", "/v1//orders/./caf%c3%a9/")
	fmt.Println(res.Status, res.Name, res.Value, res.Params.Get("id"))
	// The upstream receives the normalised path, never the raw one.
	out := url.URL{Scheme: "http", Host: "orders.internal", Path: res.Path, RawPath: res.EscapedPath}
	fmt.Println(out.String())

	res = tbl.Lookup("DELETE", "/v1/orders")
	fmt.Println(res.Status, res.Allow)

	res = tbl.Lookup("GET", "/v1/orders/..%2f..%2fadmin")
	fmt.Println(res.Status, res.Err)
	// Output:
	// Found get-order orders café
	// http://orders.internal/v1/orders/caf%C3%A9
	// MethodNotAllowed GET, HEAD, POST
	// BadPath bad path: encoded slash (%2F)
}

func ExampleNormalize() {
	for _, p := range []string{"/v1/orders/%2e%2e/admin", "/v1/a;b", "/..", "/v1/%252e%252e"} {
		path, escaped, err := route.Normalize(p)
		fmt.Printf("%q %q %v\n", path, escaped, err)
	}
	// Output:
	// "/v1/admin" "/v1/admin" <nil>
	// "/v1/a;b" "/v1/a%3Bb" <nil>
	// "" "" bad path: ".." above the root
	// "" "" bad path: encoded percent sign (%25)
}
