package app

import (
	"fmt"
	"net/http"
)

// greeting answers GET /api/v1/greeting?name=: a small HTML page.
//
// DELIBERATELY VULNERABLE (injection.xss): name is written into the HTML
// as is, so ?name=<script>...</script> runs in the visitor's browser (on
// this origin, whose CORS policy trusts everyone anyway). Correct code:
// html/template, or html.EscapeString(name).
func (a *api) greeting(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "world"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html>\n<html><head><title>Greeting</title></head>\n<body><h1>Hello, %s!</h1></body></html>\n", name)
}
