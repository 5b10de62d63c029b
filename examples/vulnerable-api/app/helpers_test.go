package app

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// env is a running API and a client for it.
type env struct {
	t   *testing.T
	srv *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := httptest.NewServer(NewHandler())
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv}
}

// response is a finished exchange.
type response struct {
	status int
	header http.Header
	body   string
	tls    bool
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, r.body)
	}
}

// do sends method path (path may carry a query) with body (JSON when not
// empty) and header lines "Name: value".
func (e *env) do(method, path, body string, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b), tls: resp.TLS != nil}
}

// login returns a token for a seeded user, through POST /api/v1/login.
func (e *env) login(user, password string) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/login", `{"username":"`+user+`","password":"`+password+`"}`)
	if r.status != 200 {
		e.t.Fatalf("login %s: %d %s", user, r.status, r.body)
	}
	var out loginResponse
	r.json(e.t, &out)
	return out.Token
}

func bearer(tok string) string { return "Authorization: Bearer " + tok }

// me returns the user a credential authenticates as ("" with the status
// when it does not).
func (e *env) me(headers ...string) (string, int) {
	e.t.Helper()
	r := e.do("GET", "/api/v1/users/me", "", headers...)
	if r.status != 200 {
		return "", r.status
	}
	var u User
	r.json(e.t, &u)
	return u.Username, r.status
}

// forge builds a JWT from a header and claims, with sig as its signature.
func forge(header, claims, sig string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + "." + sig
}

// luhn reports whether digits (spaces ignored) pass the Luhn check.
func luhn(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return len(s) >= 13 && sum%10 == 0
}
