package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func TestAdminListener(t *testing.T) {
	e := newEnv(t, echo(), nil)
	admin := "http://" + e.gw.Addr.Admin
	e.do("GET", "/v1/orders", nil)
	e.do("GET", "/missing", nil)
	for _, c := range []struct {
		path, token string
		status      int
		contains    string
	}{
		{"/healthz", "", 200, "ok"},
		{"/readyz", "", 200, "ready"},
		{"/metrics", "", 200, `apiguard_requests_total{code="200",route="list-orders"} 1`},
		{"/metrics", "", 200, "apiguard_request_duration_seconds_bucket"},
		{"/api/routes", "", 401, "unauthenticated"},
		{"/api/routes", "wrong", 401, "unauthenticated"},
		{"/api/routes", "s3cret-admin-token-x", 401, "unauthenticated"},
		{"/api/unknown", "", 401, "unauthenticated"},
		{"/api/routes", "s3cret-admin-token", 200, `"name":"list-orders"`},
		{"/api/routes", "s3cret-admin-token", 200, `"policy":{"name":"list-orders","methods":["GET"],"path":"/v1/orders","upstream":"app"`},
	} {
		t.Run(c.path+"/"+c.token, func(t *testing.T) {
			req, _ := http.NewRequest("GET", admin+c.path, nil)
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status || !strings.Contains(string(b), c.contains) {
				t.Fatalf("%d %s, want %d containing %q", resp.StatusCode, b, c.status, c.contains)
			}
			if strings.Contains(string(b), "s3cret-admin-token") {
				t.Fatal("admin token leaked")
			}
		})
	}
}

func TestAdminReload(t *testing.T) {
	e := newEnv(t, echo(), nil)
	e.rewriteConfig(func(y string) string { return y + extraRoute })
	req, _ := http.NewRequest("POST", "http://"+e.gw.Addr.Admin+"/api/reload", nil)
	req.Header.Set("Authorization", "Bearer s3cret-admin-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("reload: %d", resp.StatusCode)
	}
	if resp, _ := e.do("GET", "/v1/invoices", nil); resp.StatusCode != 200 {
		t.Fatalf("route not added by admin reload: %d", resp.StatusCode)
	}
}

// adminCall sends one admin API request with the right token.
func (e *env) adminCall(method, path, body string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, "http://"+e.gw.Addr.Admin+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer s3cret-admin-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAdminKeysCreateListRevoke(t *testing.T) {
	e := newEnv(t, echo(), apiKeyYAML)
	code, body := e.adminCall("POST", "/api/keys", `{"name":"ci","scopes":["orders:read"],"expires":"30d"}`)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var created struct{ ID, Key, Status string }
	if err := json.Unmarshal([]byte(body), &created); err != nil || created.ID == "" || !strings.HasPrefix(created.Key, "agk_") {
		t.Fatalf("create body %s (%v)", body, err)
	}
	if resp, _ := e.do("GET", "/k/orders", nil, "X-API-Key", created.Key); resp.StatusCode != 200 {
		t.Fatalf("new key refused: %d", resp.StatusCode)
	}
	code, body = e.adminCall("GET", "/api/keys", "")
	if code != 200 || !strings.Contains(body, `"id":"`+created.ID+`"`) || strings.Contains(body, created.Key) || strings.Contains(body, "hash") {
		t.Fatalf("list: %d %s", code, body)
	}
	if code, body = e.adminCall("POST", "/api/keys/"+created.ID+"/revoke", ""); code != 200 {
		t.Fatalf("revoke: %d %s", code, body)
	}
	// Revocation is seen by the authenticator (it polls the store's revision).
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, _ := e.do("GET", "/k/orders", nil, "X-API-Key", created.Key)
		if resp.StatusCode == 401 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("revoked key still admitted: %d", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond) // polling an eventually consistent cache, not synchronising goroutines
	}
	if code, _ = e.adminCall("DELETE", "/api/keys/nope", ""); code != 404 {
		t.Fatalf("revoke unknown: %d", code)
	}
	raw, _ := os.ReadFile(e.auditFile)
	audit := string(raw)
	for _, want := range []string{"key created: " + created.ID, "key revoked: " + created.ID} {
		if !strings.Contains(audit, want) {
			t.Fatalf("audit lacks %q", want)
		}
	}
	if strings.Contains(audit, created.Key) || strings.Contains(e.logText(), created.Key) {
		t.Fatal("the new key leaked into the audit log or logs")
	}
}

func TestAdminKeysRefusesBadInput(t *testing.T) {
	e := newEnv(t, echo(), apiKeyYAML)
	for _, c := range []struct{ name, body, want string }{
		{"unknown field", `{"name":"a","admin":true}`, "malformed JSON"},
		{"no name", `{"scopes":["a"]}`, "name"},
		{"bad lifetime", `{"name":"a","expires":"forever"}`, "expires"},
		{"bad quota", `{"name":"a","quota":"lots"}`, "quota"},
		{"two values", `{"name":"a"}{"name":"b"}`, "more than one"},
		{"wrong type", `{"name":1}`, "must be string"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, body := e.adminCall("POST", "/api/keys", c.body)
			if code != 400 || !strings.Contains(body, c.want) || !strings.Contains(body, `"code":"invalid-request"`) {
				t.Fatalf("%d %s, want 400 mentioning %q", code, body, c.want)
			}
		})
	}
}
