package app

import (
	"crypto/tls"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// checkIDs are the scanner's stable check ids (BEHAVIOUR.md, Scanner).
var checkIDs = []string{
	"auth.missing", "jwt.alg-none", "jwt.signature-not-verified", "jwt.expired-accepted",
	"jwt.weak-secret", "ratelimit.missing", "tls.missing", "tls.weak", "headers.missing",
	"headers.banner", "cors.permissive", "errors.verbose", "injection.sql", "injection.xss",
	"secrets.in-url", "data.exposure", "bola.suspected", "mass-assignment",
	"methods.unexpected", "inventory.undocumented",
}

// flaws shows, from the attacker's side, the one instance of each check's
// flaw. Each row runs against a freshly seeded API.
var flaws = map[string]func(t *testing.T, e *env){
	"auth.missing": func(t *testing.T, e *env) {
		if r := e.do("GET", "/api/v1/users", ""); r.status != 200 {
			t.Fatalf("GET /api/v1/users without credentials: %d, want 200", r.status)
		}
		if _, st := e.me(); st != 401 {
			t.Fatalf("control: /users/me without credentials: %d, want 401", st)
		}
	},
	"jwt.alg-none": func(t *testing.T, e *env) {
		tok := forge(`{"alg":"none","typ":"JWT"}`, `{"sub":"1"}`, "")
		if who, st := e.me(bearer(tok)); who != "alice" {
			t.Fatalf("unsigned token: %d, want alice", st)
		}
	},
	"jwt.signature-not-verified": func(t *testing.T, e *env) {
		bob := e.login("bob", BobPassword)
		parts := strings.Split(bob, ".")
		// Bob's signature on a payload that names Alice.
		tampered := forge(`{"alg":"HS256","typ":"JWT"}`, `{"sub":"1","exp":4102444800}`, parts[2])
		if who, st := e.me(bearer(tampered)); who != "alice" {
			t.Fatalf("tampered payload: %d, want alice", st)
		}
		badSig := parts[0] + "." + parts[1] + ".AAAA" + parts[2][4:]
		if who, st := e.me(bearer(badSig)); who != "bob" {
			t.Fatalf("tampered signature: %d, want bob", st)
		}
	},
	"jwt.expired-accepted": func(t *testing.T, e *env) {
		old, err := Token(1, "alice", time.Now().Add(-48*time.Hour)) // expired a day ago, correctly signed
		if err != nil {
			t.Fatal(err)
		}
		if who, st := e.me(bearer(old)); who != "alice" {
			t.Fatalf("expired token: %d, want alice", st)
		}
	},
	"jwt.weak-secret": func(t *testing.T, e *env) {
		tok := e.login("alice", AlicePassword)
		parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return []byte("secret"), nil },
			jwt.WithValidMethods([]string{"HS256"}))
		if err != nil || !parsed.Valid {
			t.Fatalf("login token does not verify with the key %q: %v", "secret", err)
		}
	},
	"ratelimit.missing": func(t *testing.T, e *env) {
		for i := range 200 {
			if r := e.do("GET", "/api/v1/products?q=key", ""); r.status != 200 {
				t.Fatalf("request %d: %d, want 200 (no rate limit)", i, r.status)
			}
		}
	},
	"tls.missing": func(t *testing.T, e *env) {
		if !strings.HasPrefix(e.srv.URL, "http://") || e.do("GET", "/api/v1/products", "").tls {
			t.Fatal("served over TLS")
		}
	},
	"tls.weak": func(t *testing.T, e *env) {
		cfg, err := WeakTLSConfig()
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewUnstartedServer(NewHandler())
		srv.TLS = cfg
		srv.StartTLS()
		defer srv.Close()
		conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), &tls.Config{
			MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11, InsecureSkipVerify: true, //nolint:gosec // the attacker's probe
		})
		if err != nil {
			t.Fatalf("TLS 1.1 handshake refused: %v", err)
		}
		if v := conn.ConnectionState().Version; v != tls.VersionTLS11 {
			t.Errorf("negotiated %s", tls.VersionName(v))
		}
		conn.Close()
		resp, err := srv.Client().Get(srv.URL + "/api/v1/products")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if h := resp.Header.Get("Strict-Transport-Security"); h != "" || resp.TLS == nil {
			t.Fatalf("HSTS over TLS: %q", h)
		}
	},
	"headers.missing": func(t *testing.T, e *env) {
		r := e.do("GET", "/api/v1/users/me", "", bearer(e.login("alice", AlicePassword)))
		for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Cache-Control"} {
			if v := r.header.Get(h); v != "" {
				t.Errorf("%s: %q sent", h, v)
			}
		}
	},
	"headers.banner": func(t *testing.T, e *env) {
		r := e.do("GET", "/api/v1/products", "")
		if r.header.Get("Server") != "Apache/2.4.49 (Unix)" || r.header.Get("X-Powered-By") != "PHP/7.4.3" {
			t.Fatalf("Server %q, X-Powered-By %q", r.header.Get("Server"), r.header.Get("X-Powered-By"))
		}
	},
	"cors.permissive": func(t *testing.T, e *env) {
		r := e.do("GET", "/api/v1/users/me", "", "Origin: https://evil.example", bearer(e.login("alice", AlicePassword)))
		if r.header.Get("Access-Control-Allow-Origin") != "https://evil.example" || r.header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Fatalf("CORS headers %v", r.header)
		}
		pre := e.do("OPTIONS", "/api/v1/orders", "", "Origin: https://evil.example", "Access-Control-Request-Method: DELETE")
		if pre.status != 204 || pre.header.Get("Access-Control-Allow-Origin") != "https://evil.example" {
			t.Fatalf("preflight: %d %v", pre.status, pre.header)
		}
	},
	"errors.verbose": func(t *testing.T, e *env) {
		r := e.do("GET", "/api/v1/orders/abc", "")
		if r.status != 500 {
			t.Fatalf("status %d, want 500", r.status)
		}
		for _, leak := range []string{"panic: strconv.Atoi", "goroutine ", "/srv/app/internal/orders/orders.go:42", "db.internal:5432"} {
			if !strings.Contains(r.body, leak) {
				t.Errorf("body lacks %q:\n%s", leak, r.body)
			}
		}
		if strings.Contains(r.body, `parsing "abc"`) == false {
			t.Errorf("the id is not quoted as Go quotes it: %s", r.body)
		}
	},
	"injection.sql": func(t *testing.T, e *env) {
		count := func(q string) int {
			t.Helper()
			r := e.do("GET", "/api/v1/products?q="+url.QueryEscape(q), "")
			if r.status != 200 {
				t.Fatalf("q=%s: %d %s", q, r.status, r.body)
			}
			var l productList
			r.json(t, &l)
			return l.Count
		}
		r := e.do("GET", "/api/v1/products?q="+url.QueryEscape("'"), "")
		if r.status != 500 || !strings.Contains(r.body, "SQLSTATE 42601") || !strings.Contains(r.body, "unterminated quoted string") {
			t.Fatalf("q=': %d %s", r.status, r.body)
		}
		if r := e.do("GET", "/api/v1/products?q="+url.QueryEscape("x' AND nope = 1 --"), ""); r.status != 500 || !strings.Contains(r.body, `column \"nope\" does not exist`) {
			t.Fatalf("unknown column: %d %s", r.status, r.body)
		}
		if r := e.do("GET", "/api/v1/products?q="+url.QueryEscape("' UNION SELECT 1 --"), ""); !strings.Contains(r.body, `syntax error at or near \"UNION\"`) {
			t.Fatalf("union: %d %s", r.status, r.body)
		}
		if n := count("keyboard"); n != 1 {
			t.Fatalf("baseline q=keyboard: %d rows, want 1", n)
		}
		if n := count("zzz"); n != 0 {
			t.Fatalf("baseline q=zzz: %d rows, want 0", n)
		}
		for _, q := range []string{"' OR '1'='1", "zzz' OR 1=1 --", "zzz' OR 'a'='a' --"} {
			if n := count(q); n != 7 { // 5 published + 2 unpublished
				t.Errorf("q=%s: %d rows, want all 7", q, n)
			}
		}
		if n := count("keyboard' AND '1'='2"); n != 0 {
			t.Errorf("false condition: %d rows, want 0", n)
		}
		if n := count("zzz' OR name ILIKE '%drone%' --"); n != 1 {
			t.Errorf("injected filter: %d rows, want the unpublished drone", n)
		}
	},
	"injection.xss": func(t *testing.T, e *env) {
		payload := `<script>alert(document.domain)</script>`
		r := e.do("GET", "/api/v1/greeting?name="+url.QueryEscape(payload), "")
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(r.body, payload) {
			t.Fatalf("%d %q %s", r.status, r.header.Get("Content-Type"), r.body)
		}
	},
	"secrets.in-url": func(t *testing.T, e *env) {
		tok := e.login("alice", AlicePassword)
		for _, name := range []string{"access_token", "api_key", "token"} {
			r := e.do("GET", "/api/v1/users/me?"+name+"="+tok, "")
			if r.status != 200 || !strings.Contains(r.body, `"username":"alice"`) {
				t.Errorf("?%s=: %d", name, r.status)
			}
		}
	},
	"data.exposure": func(t *testing.T, e *env) {
		body := e.do("GET", "/api/v1/users", "").body
		pan := regexp.MustCompile(`\b\d{4} \d{4} \d{4} \d{4}\b`).FindString(body)
		if !luhn(pan) {
			t.Errorf("no Luhn-valid card number (found %q)", pan)
		}
		for name, re := range map[string]string{
			"SSN":           `\b\d{3}-\d{2}-\d{4}\b`,
			"bcrypt hash":   `\$2b\$12\$[./A-Za-z0-9]{53}`,
			"AWS key id":    `\bAKIA[0-9A-Z]{16}\b`,
			"field ssn":     `"ssn":`,
			"password_hash": `"password_hash":`,
		} {
			if !regexp.MustCompile(re).MatchString(body) {
				t.Errorf("no %s in %s", name, body)
			}
		}
	},
	"bola.suspected": func(t *testing.T, e *env) {
		alice, bob := bearer(e.login("alice", AlicePassword)), bearer(e.login("bob", BobPassword))
		r := e.do("POST", "/api/v1/orders", `{"product_id":2,"quantity":1,"shipping_address":"Alice's flat"}`, alice)
		if r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		var o Order
		r.json(t, &o)
		path := fmt.Sprintf("/api/v1/orders/%d", o.ID)
		if r := e.do("GET", path, "", bob); r.status != 200 || !strings.Contains(r.body, "Alice's flat") {
			t.Fatalf("bob reads alice's order: %d %s", r.status, r.body)
		}
		if r := e.do("PUT", path, `{"shipping_address":"Bob's garage"}`, bob); r.status != 200 {
			t.Fatalf("bob changes alice's order: %d %s", r.status, r.body)
		}
		if r := e.do("GET", path, "", alice); !strings.Contains(r.body, "Bob's garage") {
			t.Fatalf("alice's order after bob's PUT: %s", r.body)
		}
		if r := e.do("GET", "/api/v1/orders/1", "", bob); r.status != 200 || !strings.Contains(r.body, `"owner_id":1`) {
			t.Fatalf("bob reads seeded order 1 of alice: %d %s", r.status, r.body)
		}
	},
	"mass-assignment": func(t *testing.T, e *env) {
		// As a scan does: the spec's example first, then the same with privileged fields.
		if r := e.do("POST", "/api/v1/users", `{"username":"mallory","password":"mallory-pass"}`); r.status != 201 || !strings.Contains(r.body, `"role":"user"`) {
			t.Fatalf("sign-up: %d %s", r.status, r.body)
		}
		r := e.do("POST", "/api/v1/users", `{"username":"mallory","password":"mallory-pass2","role":"admin","is_admin":true}`)
		if r.status != 201 || !strings.Contains(r.body, `"role":"admin"`) || !strings.Contains(r.body, `"is_admin":true`) {
			t.Fatalf("sign-up as admin: %d %s", r.status, r.body)
		}
		mallory := bearer(e.login("mallory", "mallory-pass2"))
		var orders []Order
		e.do("GET", "/api/v1/orders", "", mallory).json(t, &orders)
		if len(orders) != 3 { // everyone's seeded orders: the privilege took effect
			t.Fatalf("admin by sign-up sees %d orders, want 3", len(orders))
		}
		bob := bearer(e.login("bob", BobPassword))
		if r := e.do("PATCH", "/api/v1/users/me", `{"display_name":"B","role":"admin","is_admin":true}`, bob); r.status != 200 {
			t.Fatalf("PATCH: %d %s", r.status, r.body)
		}
		var u User
		e.do("GET", "/api/v1/users/me", "", bob).json(t, &u)
		if u.Role != "admin" || !u.IsAdmin {
			t.Fatalf("bob after PATCH: %+v", u)
		}
	},
	"methods.unexpected": func(t *testing.T, e *env) {
		r := e.do("TRACE", "/api/v1/users/me", "", "Authorization: Bearer echo-me")
		if r.status != 200 || !strings.Contains(r.body, "TRACE /api/v1/users/me") || !strings.Contains(r.body, "Authorization: Bearer echo-me") {
			t.Fatalf("TRACE: %d %s", r.status, r.body)
		}
		alice := bearer(e.login("alice", AlicePassword))
		if r := e.do("PATCH", "/api/v1/orders/1", `{"quantity":3}`, alice); r.status != 200 {
			t.Fatalf("undocumented PATCH: %d %s", r.status, r.body)
		}
		if r := e.do("DELETE", "/api/v1/orders/3", "", alice); r.status != 204 {
			t.Fatalf("undocumented DELETE (of bob's order): %d %s", r.status, r.body)
		}
		if r := e.do("GET", "/api/v1/orders/3", "", alice); r.status != 404 {
			t.Fatalf("deleted order: %d", r.status)
		}
	},
	"inventory.undocumented": func(t *testing.T, e *env) {
		for path, want := range map[string]string{
			"/admin": "Shop admin console", "/debug": "db.internal", "/debug/vars": "cmdline",
			"/api/v0/users": `"ssn"`, "/.env": "JWT_SECRET=secret",
		} {
			if r := e.do("GET", path, ""); r.status != 200 || !strings.Contains(r.body, want) {
				t.Errorf("GET %s: %d, body lacks %q", path, r.status, want)
			}
		}
	},
}

func TestEveryCheckHasItsFlaw(t *testing.T) {
	for _, id := range checkIDs {
		t.Run(id, func(t *testing.T) {
			f, ok := flaws[id]
			if !ok {
				t.Fatalf("no instance of %s", id)
			}
			f(t, newEnv(t))
		})
	}
	if len(flaws) != len(checkIDs) {
		t.Errorf("%d flaws for %d check ids", len(flaws), len(checkIDs))
	}
}

// TestCheckIDsMatchContract keeps checkIDs equal to the contract's table
// when the contract is beside the repository (../shared/contract).
func TestCheckIDsMatchContract(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "shared", "contract", "BEHAVIOUR.md"))
	if err != nil {
		t.Skipf("contract not found: %v", err)
	}
	_, scanner, ok := strings.Cut(string(b), "## Scanner")
	if !ok {
		t.Fatal("BEHAVIOUR.md has no Scanner section")
	}
	scanner, _, _ = strings.Cut(scanner, "\n## ")
	var got []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9.-]+)` \\|").FindAllStringSubmatch(scanner, -1) {
		got = append(got, m[1])
	}
	if strings.Join(got, " ") != strings.Join(checkIDs, " ") {
		t.Fatalf("contract check ids:\n%v\nthis test's:\n%v", got, checkIDs)
	}
}
