package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// scanTarget is a tiny API: GET /items (JSON). banner adds an
// X-Powered-By header (a low finding).
func scanTarget(t *testing.T, banner bool) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		if banner {
			h.Set("X-Powered-By", "Express 4.17")
		}
		if r.Method == http.MethodGet && r.URL.Path == "/items" {
			h.Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[]`))
			return
		}
		if r.Method != http.MethodGet {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

const scanSpec = `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /items:
    get:
      responses: {"200": {description: ok}}
`

func writeSpec(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(p, []byte(scanSpec), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScanExitCodes(t *testing.T) {
	clean, _ := scanTarget(t, false)
	flawed, _ := scanTarget(t, true)
	spec := writeSpec(t)
	base := []string{"scan", "--openapi", spec, "--rate", "1000", "--quiet", "--checks", "headers.banner,headers.missing,tls.missing"}
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"clean below fail-on", []string{"--target", clean.URL, "--fail-on", "high"}, 0},
		{"low finding, fail-on low", []string{"--target", flawed.URL}, 1},
		{"low finding, fail-on medium", []string{"--target", flawed.URL, "--fail-on", "medium", "--checks", "headers.banner"}, 0},
		{"plain http is medium", []string{"--target", clean.URL, "--fail-on", "medium"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := run(append(append([]string{}, base...), tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, out, stderr)
			}
		})
	}
}

func TestScanUsageErrors(t *testing.T) {
	srv, _ := scanTarget(t, false)
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	_ = os.WriteFile(bad, []byte("swagger: '2.0'\n"), 0o600)
	for _, args := range [][]string{
		{"scan"},
		{"scan", "--bogus"},
		{"scan", "--target", "ftp://x"},
		{"scan", "--target", srv.URL, "--format", "pdf"},
		{"scan", "--target", srv.URL, "--fail-on", "critical"},
		{"scan", "--target", srv.URL, "--openapi", "/nonexistent.yaml"},
		{"scan", "--target", srv.URL, "--openapi", bad},
		{"scan", "--target", srv.URL, "-c", "/nonexistent/apiguard.yaml"},
		{"scan", "--target", srv.URL, "--auth", "no-colon"},
		{"scan", "--target", srv.URL, "--checks", "nope"},
		{"scan", "--target", "http://127.0.0.1:1", "--quiet"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, stderr := run(args...)
			lines := strings.Count(strings.TrimSpace(stderr), "\n") + 1
			if code != 2 || stderr == "" || lines > 1 || strings.Contains(stderr, "goroutine") {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
		})
	}
}

func TestScanDryRunSendsNothing(t *testing.T) {
	srv, n := scanTarget(t, false)
	code, out, _ := run("scan", "--target", srv.URL, "--openapi", writeSpec(t), "--dry-run")
	if code != 0 || n.Load() != 0 || !strings.Contains(out, "op GET /items") || !strings.Contains(out, "check ratelimit.missing") {
		t.Fatalf("exit %d, %d requests\n%s", code, n.Load(), out)
	}
}

func TestScanJSONToFileWithinBudget(t *testing.T) {
	srv, n := scanTarget(t, true)
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := run("scan", "--target", srv.URL, "--openapi", writeSpec(t), "--format", "json", "--out", out,
		"--rate", "1000", "--max-requests", "30")
	if code != 1 || stdout != "" {
		t.Fatalf("exit %d stdout %q stderr %s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "apiguard scan: target") {
		t.Fatalf("no banner: %q", stderr)
	}
	if n.Load() > 30 {
		t.Fatalf("target saw %d requests, budget 30", n.Load())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Target   string
		Findings []struct{ Check string }
		Summary  map[string]int
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Target != srv.URL || len(doc.Findings) == 0 {
		t.Fatalf("%v %s", err, b)
	}
}

func TestScanInterrupted(t *testing.T) {
	srv, _ := scanTarget(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e strings.Builder
	code := Run(ctx, []string{"scan", "--target", srv.URL, "--openapi", writeSpec(t), "--quiet"}, &o, &e)
	if code != 2 || !strings.Contains(e.String(), "interrupted") || !strings.Contains(o.String(), "INTERRUPTED") {
		t.Fatalf("exit %d\n%s\n%s", code, o.String(), e.String())
	}
}
