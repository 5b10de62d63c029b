package gateway

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
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

// TestAbortedStreamIsAudited: an upstream that dies mid-body aborts the
// client's response, and the request still gets its audit record.
func TestAbortedStreamIsAudited(t *testing.T) {
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(200)
		w.Write([]byte("partial"))
		http.NewResponseController(w).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}), nil)
	req, _ := http.NewRequest("GET", e.base+"/v1/orders", nil)
	req.Header.Set("X-Request-Id", "req-aborted")
	resp, err := e.client1.Do(req)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Fatal("the client saw a complete response from a failed stream")
	}
	for _, r := range readAudit(t, e.auditFile) {
		if r["request_id"] == "req-aborted" {
			if r["code"] != "upstream-error" {
				t.Fatalf("aborted stream record: %v", r)
			}
			return
		}
	}
	t.Fatal("no audit record for the aborted request")
}
