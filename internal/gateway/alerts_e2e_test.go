package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/authn/apikey"
	storeredis "github.com/apiguard/apiguard/internal/store/redis"
	"github.com/apiguard/apiguard/internal/testutil/redistest"
)

// waitFor polls cond until it holds or the deadline passes (the alert
// pipeline and the block lists are asynchronous by design).
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
	return time.Since(start)
}

// badKeys sends n well-formed but unknown API keys.
func (e *env) badKeys(n int) {
	e.t.Helper()
	for i := range n {
		key := fmt.Sprintf("agk_%032d%06d", i, i)
		if resp, _ := e.do("GET", "/k/orders", nil, "X-API-Key", key); resp.StatusCode != 401 {
			e.t.Fatalf("bad key %d: %d", i, resp.StatusCode)
		}
	}
}

func (e *env) auditText() string {
	b, _ := os.ReadFile(e.auditFile)
	return string(b)
}

func TestFortyInvalidKeysRaiseAnAlertWithinThreeSeconds(t *testing.T) {
	e := newEnv(t, echo(), apiKeyYAML)
	start := time.Now()
	e.badKeys(40)
	sent := time.Since(start)
	// Within 3 s of the attack (measured from its last request, so that a
	// slow, loaded test machine sending the 40 requests does not count).
	took := waitFor(t, 3*time.Second, "auth_failures alert in the audit log", func() bool {
		return strings.Contains(e.auditText(), `"detector":"auth_failures"`)
	})
	t.Logf("40 invalid keys sent in %s; the alert was in the audit log %s after the last", sent, took)
	var alert map[string]any
	for _, r := range readAudit(t, e.auditFile) {
		if r["type"] == "alert" && r["detector"] == "auth_failures" {
			alert = r
		}
	}
	if alert["client_ip"] != "127.0.0.1" || !strings.Contains(fmt.Sprint(alert["detail"]), "authentication failures") {
		t.Fatalf("alert record %v", alert)
	}
	if strings.Contains(e.auditText(), "agk_0000") {
		t.Fatal("a presented key reached the audit log")
	}
	if m := e.metricsText(); !strings.Contains(m, `apiguard_alerts_total{detector="auth_failures"} 1`) {
		t.Fatalf("metrics lack the alert:\n%s", grepLines(m, "apiguard_alerts_total"))
	}
	code, body := e.adminCall("GET", "/api/alerts", "")
	if code != 200 || !strings.Contains(body, `"detector":"auth_failures"`) {
		t.Fatalf("/api/alerts: %d %s", code, body)
	}
	// Still served: the default action is alert, not block.
	if resp, _ := e.do("GET", "/v1/orders", nil); resp.StatusCode != 200 {
		t.Fatalf("alert-only rule blocked the client: %d", resp.StatusCode)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// blockingYAML is apiKeyYAML on a shared Redis store, with the
// auth_failures detector blocking the offending IP.
func blockingYAML(redisURL string) func(string) string {
	return func(y string) string {
		y = strings.Replace(apiKeyYAML(y), "store: sqlite:data/apiguard.db", "store: "+redisURL, 1)
		return strings.Replace(y, "upstreams:\n", "alerts: {auth_failures: {threshold: 5, window: 10s, action: block, block_for: 1m}}\nupstreams:\n", 1)
	}
}

func TestBlocksAreHonouredByAnotherReplicaThroughRedis(t *testing.T) {
	srv := redistest.Start(t)
	t.Setenv(storeredis.SecretsDirEnv, filepath.Join(t.TempDir(), "secrets"))
	a := newEnv(t, echo(), blockingYAML(srv.URL()))
	b := newEnv(t, echo(), blockingYAML(srv.URL()))
	if resp, _ := b.do("GET", "/v1/orders", nil); resp.StatusCode != 200 {
		t.Fatalf("replica B before: %d", resp.StatusCode)
	}
	a.badKeys(5)
	var resp *http.Response
	var body []byte
	waitFor(t, 3*time.Second, "replica A blocks the IP", func() bool {
		resp, body = a.do("GET", "/v1/orders", nil)
		return resp.StatusCode == 403
	})
	mustProblem(t, resp, body, 403, "client-blocked")
	if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After %q", ra)
	}
	if strings.Contains(string(body), "auth_failures") {
		t.Fatal("the refusal tells the client which detector fired")
	}
	took := waitFor(t, 3*time.Second, "replica B honours the block", func() bool {
		resp, _ := b.do("GET", "/v1/orders", nil)
		return resp.StatusCode == 403
	})
	t.Logf("replica B refused the IP %s after A did", took)

	// An operator lifts it through replica B's admin API; A follows.
	code, list := b.adminCall("GET", "/api/blocks", "")
	if code != 200 || !strings.Contains(list, `"value":"127.0.0.1"`) || !strings.Contains(list, `"detector":"auth_failures"`) {
		t.Fatalf("blocks: %d %s", code, list)
	}
	if code, out := b.adminCall("DELETE", "/api/blocks/ip/127.0.0.1", ""); code != 200 {
		t.Fatalf("lift: %d %s", code, out)
	}
	waitFor(t, 3*time.Second, "replica A lifts the block", func() bool {
		resp, _ := a.do("GET", "/v1/orders", nil)
		return resp.StatusCode == 200
	})
	if !strings.Contains(b.auditText(), "block lifted: ip 127.0.0.1") {
		t.Fatal("the lift is not audited")
	}
}

func TestAdminBlocksAnIdentity(t *testing.T) {
	e := newEnv(t, echo(), apiKeyYAML)
	now := time.Now()
	bad := e.issueKey(apikey.Spec{Name: "scraper", Scopes: []string{"orders:read"}}, now)
	good := e.issueKey(apikey.Spec{Name: "app", Scopes: []string{"orders:read"}}, now).Key.Plaintext()
	subject := "key:" + bad.Record.ID
	code, body := e.adminCall("POST", "/api/blocks", `{"kind":"identity","value":"`+subject+`","for":"10m","reason":"scraping"}`)
	if code != 201 || !strings.Contains(body, `"detector":"admin"`) {
		t.Fatalf("add: %d %s", code, body)
	}
	resp, body2 := e.do("GET", "/k/orders", nil, "X-API-Key", bad.Key.Plaintext())
	mustProblem(t, resp, body2, 403, "client-blocked")
	if resp, _ := e.do("GET", "/k/orders", nil, "X-API-Key", good); resp.StatusCode != 200 {
		t.Fatalf("another key is refused: %d", resp.StatusCode)
	}
	for _, c := range []struct{ body, want string }{
		{`{"kind":"ip","value":"not-an-ip","for":"1h"}`, "not an IP"},
		{`{"kind":"host","value":"x","for":"1h"}`, "kind"},
		{`{"kind":"ip","value":"10.0.0.1"}`, "for: required"},
	} {
		if code, out := e.adminCall("POST", "/api/blocks", c.body); code != 400 || !strings.Contains(out, c.want) {
			t.Errorf("%s: %d %s", c.body, code, out)
		}
	}
	if code, _ := e.adminCall("DELETE", "/api/blocks/identity/"+url.PathEscape(subject), ""); code != 200 {
		t.Fatalf("lift: %d", code)
	}
	if resp, _ := e.do("GET", "/k/orders", nil, "X-API-Key", bad.Key.Plaintext()); resp.StatusCode != 200 {
		t.Fatalf("after lifting: %d", resp.StatusCode)
	}
	if code, _ := e.adminCall("DELETE", "/api/blocks/identity/"+url.PathEscape(subject), ""); code != 404 {
		t.Fatalf("lifting twice: %d", code)
	}
}
