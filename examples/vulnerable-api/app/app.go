package app

import (
	"bytes"
	"net/http"
	"net/http/httputil"
	"sync/atomic"
)

// api is the handler's state.
type api struct {
	s        *store
	requests atomic.Int64 // shown by /debug/vars
}

// route is one operation the handler serves. Documented routes are
// exactly the operations of ../openapi.yaml (a test keeps them in step);
// the others are the API's undocumented surface.
type route struct {
	method, path string
	documented   bool
	handle       func(*api, http.ResponseWriter, *http.Request)
}

// routes is the whole API. Path templates use the same {name} syntax as
// OpenAPI and http.ServeMux.
var routes = []route{
	{"POST", "/api/v1/login", true, (*api).login},
	{"GET", "/api/v1/users", true, (*api).listUsers},
	{"POST", "/api/v1/users", true, (*api).createUser},
	{"GET", "/api/v1/users/me", true, (*api).getMe},
	{"PATCH", "/api/v1/users/me", true, (*api).updateMe},
	{"GET", "/api/v1/orders", true, (*api).listOrders},
	{"POST", "/api/v1/orders", true, (*api).createOrder},
	{"GET", "/api/v1/orders/{id}", true, (*api).getOrder},
	{"PUT", "/api/v1/orders/{id}", true, (*api).updateOrder},
	{"GET", "/api/v1/products", true, (*api).searchProducts},
	{"GET", "/api/v1/greeting", true, (*api).greeting},

	// DELIBERATELY VULNERABLE (methods.unexpected): methods the spec does
	// not document, still served on a documented path.
	{"PATCH", "/api/v1/orders/{id}", false, (*api).updateOrder},
	{"DELETE", "/api/v1/orders/{id}", false, (*api).deleteOrder},

	// DELIBERATELY VULNERABLE (inventory.undocumented): live endpoints the
	// spec does not mention: an admin page, debug output, the previous
	// API version and a leaked configuration file. All answer 200 to
	// anyone.
	{"GET", "/admin", false, (*api).adminPage},
	{"GET", "/debug", false, (*api).debugInfo},
	{"GET", "/debug/vars", false, (*api).debugVars},
	{"GET", "/api/v0/users", false, (*api).listUsers},
	{"GET", "/.env", false, (*api).dotEnv},
}

// NewHandler returns the vulnerable API with freshly seeded state. Each
// call has its own state.
func NewHandler() http.Handler { return newHandler(newStore()) }

func newHandler(s *store) http.Handler {
	a := &api{s: s}
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.HandleFunc(rt.method+" "+rt.path, func(w http.ResponseWriter, r *http.Request) { rt.handle(a, w, r) })
	}
	return a.wrap(mux)
}

// wrap adds what every response gets: the banners, the CORS policy and
// the TRACE and OPTIONS handling.
//
// DELIBERATELY VULNERABLE (headers.missing): nothing here, nor anywhere
// else, sets X-Content-Type-Options: nosniff, X-Frame-Options, a CSP
// frame-ancestors directive or Cache-Control: no-store.
//
// DELIBERATELY VULNERABLE (ratelimit.missing): no request is ever
// refused for coming too often.
//
// DELIBERATELY VULNERABLE (tls.missing, tls.weak): the API is served over
// plain HTTP and over TLS 1.0+ (see ../main.go and WeakTLSConfig), and
// never sends Strict-Transport-Security.
func (a *api) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.requests.Add(1)
		h := w.Header()
		// DELIBERATELY VULNERABLE (headers.banner): software and exact
		// versions (both with known CVEs) advertised to every client.
		h.Set("Server", "Apache/2.4.49 (Unix)")
		h.Set("X-Powered-By", "PHP/7.4.3")

		// DELIBERATELY VULNERABLE (cors.permissive): any Origin is echoed
		// back with credentials allowed, so any web site a logged-in user
		// visits can read their data.
		if origin := r.Header.Get("Origin"); origin != "" {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Add("Vary", "Origin")
		}

		switch r.Method {
		case http.MethodOptions:
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS, TRACE")
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			}
			h.Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
			return
		case http.MethodTrace:
			// DELIBERATELY VULNERABLE (methods.unexpected): TRACE echoes
			// the request, its Authorization and Cookie headers included
			// (cross-site tracing).
			dump, err := httputil.DumpRequest(r, false)
			if err != nil {
				dump = []byte(r.Method + " " + r.RequestURI + "\r\n")
			}
			h.Set("Content-Type", "message/http")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(bytes.TrimRight(dump, "\r\n"))
			_, _ = w.Write([]byte("\r\n"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
