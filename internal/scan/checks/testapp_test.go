package checks

import (
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// shop is a small API for the checks' end-to-end tests. Each flaw is off
// by default (the fixed twin); a test turns on the one its check finds.
type shop struct {
	flaws  map[string]bool
	secret string

	mu     sync.Mutex
	orders []map[string]any
	hits   int
}

const shopSpec = `openapi: 3.0.3
info: {title: shop, version: "1"}
security: [{bearer: []}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Order:
      type: object
      required: [item, quantity]
      properties:
        id: {type: integer, readOnly: true}
        item: {type: string, example: apple}
        quantity: {type: integer, minimum: 1}
paths:
  /login:
    post:
      security: []
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                username: {type: string, example: alice}
                password: {type: string, example: alice-pw}
      responses: {"200": {description: ok}}
  /orders:
    get:
      responses: {"200": {description: ok}}
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Order'}
      responses: {"201": {description: created}}
  /orders/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses: {"200": {description: ok}}
  /search:
    get:
      parameters: [{name: q, in: query, schema: {type: string}, example: apple}]
      responses: {"200": {description: ok}}
  /hello:
    get:
      security: []
      parameters: [{name: name, in: query, schema: {type: string}, example: world}]
      responses: {"200": {description: ok}}
  /me:
    get:
      responses: {"200": {description: ok}}
`

func newShop(flaws ...string) *shop {
	s := &shop{flaws: map[string]bool{}, secret: "k7Qz-9vL2x!pW4rT8mN1bY6cF3hJ0dS5"}
	for _, f := range flaws {
		s.flaws[f] = true
	}
	if s.flaws["weak-secret"] {
		s.secret = "secret"
	}
	s.orders = []map[string]any{
		{"id": 1, "owner": "alice", "item": "apple", "quantity": 2},
		{"id": 2, "owner": "bob", "item": "pear", "quantity": 1},
	}
	return s
}

func (s *shop) sign(claims map[string]any) string {
	h := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	c, _ := json.Marshal(claims)
	in := h + "." + b64.EncodeToString(c)
	return in + "." + hmacSign("HS256", s.secret, in)
}

// tokenFor returns a valid token for user.
func (s *shop) tokenFor(user string) string {
	now := time.Now()
	return s.sign(map[string]any{"sub": user, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
}

// user authenticates r, honouring the JWT flaws.
func (s *shop) user(r *http.Request) string {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok && s.flaws["secret-in-url"] {
		raw, ok = r.URL.Query().Get("access_token"), true
	}
	if !ok || raw == "" {
		return ""
	}
	t, err := parseToken(raw)
	if err != nil {
		return ""
	}
	switch alg := t.alg(); {
	case strings.EqualFold(alg, "none"):
		if !s.flaws["alg-none"] {
			return ""
		}
	case alg == "HS256":
		want := hmacSign("HS256", s.secret, t.parts[0]+"."+t.parts[1])
		if !s.flaws["sig-unverified"] && !hmac.Equal([]byte(want), []byte(t.parts[2])) {
			return ""
		}
	default:
		return ""
	}
	exp, _ := t.claims["exp"].(float64)
	if !s.flaws["expired"] && time.Unix(int64(exp), 0).Before(time.Now()) {
		return ""
	}
	sub, _ := t.claims["sub"].(string)
	return sub
}

func (s *shop) headers(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if !s.flaws["headers"] {
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
	}
	if r.TLS != nil && !s.flaws["tls-weak"] {
		h.Set("Strict-Transport-Security", "max-age=63072000")
	}
	if s.flaws["banner"] {
		h.Set("Server", "Express/4.17.1")
		h.Set("X-Powered-By", "PHP/7.4.3")
	}
	if o := r.Header.Get("Origin"); o != "" && s.flaws["cors"] {
		h.Set("Access-Control-Allow-Origin", o)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *shop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.headers(w, r)
	if !s.flaws["no-ratelimit"] && s.flaws["ratelimit"] {
		s.mu.Lock()
		s.hits++
		over := s.hits > 30
		s.mu.Unlock()
		if over {
			w.Header().Set("Retry-After", "60")
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "slow down"})
			return
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("GET /orders", s.authed(s.list))
	mux.HandleFunc("POST /orders", s.authed(s.create))
	mux.HandleFunc("GET /orders/{id}", s.authed(s.get))
	mux.HandleFunc("GET /search", s.authed(s.search))
	mux.HandleFunc("GET /hello", s.hello)
	mux.HandleFunc("GET /me", s.authed(s.me))
	if s.flaws["inventory"] {
		mux.HandleFunc("GET /debug/vars", func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 200, map[string]any{"memstats": map[string]int{"Alloc": 1}, "cmdline": []string{"/app"}})
		})
	}
	if s.flaws["methods"] {
		mux.HandleFunc("TRACE /", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "message/http")
			fmt.Fprintf(w, "TRACE %s HTTP/1.1\r\n", r.URL.Path)
			_ = r.Header.Write(w)
		})
	}
	mux.ServeHTTP(w, r)
}

func (s *shop) authed(next func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := s.user(r)
		if u == "" && !(s.flaws["auth-missing"] && r.URL.Path == "/me") {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthenticated"})
			return
		}
		next(w, r, u)
	}
}

func (s *shop) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ Username, Password string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.badJSON(w, err)
		return
	}
	if in.Password != in.Username+"-pw" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "bad credentials"})
		return
	}
	writeJSON(w, 200, map[string]string{"token": s.tokenFor(in.Username)})
}

func (s *shop) badJSON(w http.ResponseWriter, err error) {
	if s.flaws["verbose"] {
		w.WriteHeader(500)
		fmt.Fprintf(w, "SyntaxError: %v\n    at JSON.parse (<anonymous>)\n    at Object.<anonymous> (/usr/src/app/server.js:41:17)\n", err)
		return
	}
	writeJSON(w, 400, map[string]string{"error": "malformed JSON"})
}

func (s *shop) visible(o map[string]any, user string) bool {
	return s.flaws["bola"] || o["owner"] == user
}

func (s *shop) list(w http.ResponseWriter, _ *http.Request, user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, o := range s.orders {
		if o["owner"] == user {
			out = append(out, o)
		}
	}
	writeJSON(w, 200, out)
}

func (s *shop) create(w http.ResponseWriter, r *http.Request, user string) {
	body, _ := io.ReadAll(r.Body)
	in := map[string]any{}
	if err := json.Unmarshal(body, &in); err != nil {
		s.badJSON(w, err)
		return
	}
	s.mu.Lock()
	o := map[string]any{"id": len(s.orders) + 1, "owner": user, "item": in["item"], "quantity": in["quantity"], "role": "customer"}
	if s.flaws["mass-assignment"] {
		for k, v := range in {
			o[k] = v
		}
	}
	s.orders = append(s.orders, o)
	s.mu.Unlock()
	writeJSON(w, 201, map[string]any{"id": o["id"], "item": o["item"]})
}

func (s *shop) get(w http.ResponseWriter, r *http.Request, user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orders {
		if fmt.Sprint(o["id"]) == r.PathValue("id") && s.visible(o, user) {
			writeJSON(w, 200, o)
			return
		}
	}
	writeJSON(w, 404, map[string]string{"error": "not found"})
}

// search simulates string-built SQL when the "sql" flaw is on.
func (s *shop) search(w http.ResponseWriter, r *http.Request, user string) {
	q := r.URL.Query().Get("q")
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	if s.flaws["sql"] {
		switch {
		case strings.Contains(q, "' OR '1'='1"):
			out = s.orders
		case strings.Count(q, "'")%2 == 1:
			w.WriteHeader(500)
			fmt.Fprintf(w, `{"error":"SQLITE_ERROR: unrecognized token: \"'%s\""}`, q)
			return
		}
	}
	for _, o := range s.orders {
		if o["item"] == q && o["owner"] == user {
			out = append(out, o)
		}
	}
	writeJSON(w, 200, out)
}

func (s *shop) hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if !s.flaws["xss"] {
		name = html.EscapeString(name)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<html><body><h1>Hello, %s</h1></body></html>", name)
}

func (s *shop) me(w http.ResponseWriter, _ *http.Request, user string) {
	out := map[string]any{"name": user, "card": "**** 1111"}
	if s.flaws["exposure"] {
		out["card"] = "4111 1111 1111 1111"
		out["password_hash"] = "$2b$12$C6UzMDM.H6dfI/f/IKxGhuWWzpaGfk3UWAtnVo8VDJ4gTqlRHfC6i"
	}
	writeJSON(w, 200, out)
}
