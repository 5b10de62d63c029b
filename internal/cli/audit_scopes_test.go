package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/audit"
)

// scopesFixture writes a configuration whose routes need scopes and an
// audit file of a key that holds three scopes and uses one.
func scopesFixture(t *testing.T) (cfgPath, auditPath string) {
	t.Helper()
	dir := t.TempDir()
	cfgPath = filepath.Join(dir, "apiguard.yaml")
	auditPath = filepath.Join(dir, "data", "audit.jsonl")
	y := `upstreams: {app: {url: "http://127.0.0.1:9001"}}
identities: {api_key: {}}
defaults: {auth: [api_key]}
routes:
  - {name: orders, methods: [GET], path: /v1/orders, upstream: app, scopes: ['orders:read']}
  - {name: refund, methods: [POST], path: /v1/refund, upstream: app, scopes: ['orders:refund']}
`
	if err := os.WriteFile(cfgPath, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := audit.Open(audit.Options{File: auditPath})
	if err != nil {
		t.Fatal(err)
	}
	key := audit.Identity{Subject: "key:ci", Auth: "api_key", KeyID: "k7Hq2xYz"}
	granted := []string{"orders:read", "orders:refund", "orders:write"}
	for i, rec := range []*audit.Record{
		{Route: "orders", Status: 200},
		{Route: "refund", Status: 403, Code: "forbidden"}, // denied: not a use
		{Route: "orders", Status: 200},
	} {
		rec.Time, rec.Identity, rec.Scopes = auditNow.Add(time.Duration(i-10)*time.Minute), key, granted
		if err := w.Submit(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return cfgPath, auditPath
}

func TestAuditScopesSuggestsTheNarrowerSet(t *testing.T) {
	cfg, file := scopesFixture(t)
	code, out, errOut := runAuditCmd("scopes", "-c", cfg, "--since", "30d")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "k7Hq2xYz") || !strings.Contains(out, "narrow to [orders:read] (unused: orders:refund,orders:write)") {
		t.Fatalf("report:\n%s", out)
	}
	code, out, _ = runAuditCmd("scopes", "-c", cfg, "--json", file)
	var rep []audit.ScopeUsage
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || len(rep) != 1 || rep[0].Requests != 2 ||
		strings.Join(rep[0].Used, ",") != "orders:read" {
		t.Fatalf("json: %d %s", code, out)
	}
	// A period with nothing in it.
	if code, out, _ = runAuditCmd("scopes", "-c", cfg, "--since", "1m"); code != 0 || !strings.Contains(out, "no authenticated requests") {
		t.Fatalf("empty period: %d %q", code, out)
	}
}

func TestAuditScopesUsage(t *testing.T) {
	cfg, _ := scopesFixture(t)
	for _, args := range [][]string{
		{"scopes"},
		{"scopes", "-c", filepath.Join(t.TempDir(), "missing.yaml")},
		{"scopes", "-c", cfg, "--since", "yesterday"},
		{"scopes", "-c", cfg, filepath.Join(t.TempDir(), "none.jsonl")},
	} {
		if code, _, errOut := runAuditCmd(args...); code != 2 || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}
