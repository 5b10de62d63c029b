package app

import (
	"fmt"
	"html"
	"net/http"
	"runtime"
)

// The handlers below serve the undocumented endpoints listed in routes
// (inventory.undocumented). Every value in them is fake.

// adminPage answers GET /admin: an "internal" console, open to anyone.
func (a *api) adminPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<!doctype html>\n<html><head><title>Shop admin</title></head><body>\n<h1>Shop admin console</h1>\n<ul>\n")
	for _, u := range a.s.listUsers() {
		fmt.Fprintf(w, "<li>#%d %s (%s) role=%s</li>\n", u.ID, html.EscapeString(u.Username), html.EscapeString(u.Email), html.EscapeString(u.Role))
	}
	fmt.Fprint(w, "</ul>\n<p><a href=\"/debug/vars\">runtime variables</a> · <a href=\"/.env\">environment</a></p>\n</body></html>\n")
}

// debugInfo answers GET /debug: build and deployment details.
func (a *api) debugInfo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"service":     "shop-api",
		"environment": "production",
		"debug":       true,
		"go_version":  runtime.Version(),
		"database":    "postgres://app@db.internal:5432/shop",
		"cache":       "redis://cache.internal:6379/0",
		"build":       map[string]string{"commit": "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "branch": "main"},
	})
}

// debugVars answers GET /debug/vars, shaped like expvar's output.
func (a *api) debugVars(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"cmdline":        []string{"/srv/app/shop-api", "-config", "/srv/app/config/production.yaml"},
		"requests_total": a.requests.Load(),
		"goroutines":     runtime.NumGoroutine(),
		"memstats":       map[string]any{"Alloc": 4718592, "NumGC": 12},
	})
}

// dotEnv answers GET /.env with the deployment's (fake) environment file.
// JWT_SECRET is the real one: see JWTSecret.
func (a *api) dotEnv(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprint(w, `# shop-api production settings (FAKE VALUES: a deliberately vulnerable example)
APP_ENV=production
APP_DEBUG=true
DB_HOST=db.internal
DB_USER=app
DB_PASSWORD=example-not-a-real-password
JWT_SECRET=`+JWTSecret+`
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
`)
}
