package gateway

import (
	"io"
	"net/http"
	"strings"
	"testing"
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
