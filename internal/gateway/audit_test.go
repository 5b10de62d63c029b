package gateway

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/audit"
)

func readAudit(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func TestAuditRecords(t *testing.T) {
	e := newEnv(t, echo(), nil)
	resp, _ := e.do("GET", "/v1/orders?page=2", nil, "X-Request-Id", "req-ok")
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	e.do("GET", "/nope?password=hunter2&access_token=tok-SECRET", nil, "X-Request-Id", "req-404",
		"Authorization", "Bearer super-secret-token")
	e.do("POST", "/v1/orders", strings.NewReader(`{"item":"tea"}`), "X-Request-Id", "req-post")
	// Records are written before each response completes: no waiting.
	recs := readAudit(t, e.auditFile)
	byID := map[string]map[string]any{}
	for _, r := range recs {
		if id, ok := r["request_id"].(string); ok {
			byID[id] = r
		}
	}
	ok := byID["req-ok"]
	if ok == nil || ok["route"] != "list-orders" || ok["status"] != float64(200) || ok["upstream_status"] != float64(200) ||
		ok["method"] != "GET" || ok["path"] != "/v1/orders" || ok["client_ip"] != "127.0.0.1" {
		t.Fatalf("success record: %v", ok)
	}
	nf := byID["req-404"]
	if nf == nil || nf["status"] != float64(404) || nf["code"] != "not-found" {
		t.Fatalf("denial record: %v", nf)
	}
	if post := byID["req-post"]; post == nil || post["bytes_in"] != float64(len(`{"item":"tea"}`)) {
		t.Fatalf("bytes_in: %v", post)
	}
	raw, _ := os.ReadFile(e.auditFile)
	for _, secret := range []string{"hunter2", "tok-SECRET", "super-secret-token"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("secret %q reached the audit file", secret)
		}
	}
	res, err := audit.Verify(e.auditFile)
	if err != nil || !res.OK() || res.Records != len(recs) {
		t.Fatalf("chain: %+v %v", res, err)
	}
}
