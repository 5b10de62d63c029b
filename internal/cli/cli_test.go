package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/demo"
)

func run(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = Run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"serve", "--bogus"},
		{"serve"},
		{"serve", "-c", "/nonexistent/apiguard.yaml"},
		{"check"},
		{"check", "-c", "/nonexistent/apiguard.yaml"},
		{"version", "extra", "--x"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, stderr := run(args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2", code)
			}
			lines := strings.Count(strings.TrimSpace(stderr), "\n") + 1
			if stderr == "" || lines > 2 || strings.Contains(stderr, "goroutine") {
				t.Fatalf("want one clear line on stderr, got %q", stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := run("version")
	if code != 0 || !strings.HasPrefix(out, "apiguard ") || !strings.Contains(out, "go1.") {
		t.Fatalf("%d %q", code, out)
	}
}

// writeConfig writes a minimal valid configuration (plain HTTP on
// loopback) plus its admin token and returns its path.
func writeConfig(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "admin.token"), []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	y := `server:
  listen: "127.0.0.1:0"
  admin: "127.0.0.1:0"
  admin_token_file: admin.token
upstreams:
  app: {url: "http://127.0.0.1:9"}
defaults: {auth: none, rate_limit: {rate: 10, per: 1s, burst: 5, key: ip}}
routes:
  - name: a
    methods: [GET]
    path: /a
    upstream: app
` + extra
	path := filepath.Join(dir, "apiguard.yaml")
	if err := os.WriteFile(path, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name, extra string
		args        []string
		code        int
		out         string
	}{
		{"valid", "", nil, 0, "ok"},
		{"unknown field", "    colour: red\n", nil, 1, "routes[0].colour: unknown field"},
		{"unknown upstream", "  - {name: b, methods: [GET], path: /b, upstream: nope}\n", nil, 1, `routes[1].upstream`},
		{"overlap", "  - {name: b, methods: [GET], path: /a, upstream: app}\n", nil, 1, "routes[1].path: GET /a is already routed by routes[0]"},
		{"waf off warns", "    waf: off\n", nil, 0, "warning: routes[0].waf"},
		{"waf off strict", "    waf: off\n", []string{"--strict"}, 1, "warning: routes[0].waf"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.extra)
			code, out, stderr := run(append([]string{"check", "-c", path}, tc.args...)...)
			if code != tc.code || !strings.Contains(out, tc.out) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s\nwant %q", code, tc.code, out, stderr, tc.out)
			}
		})
	}
}

// TestServeDrainsOnSIGTERM runs `serve` in-process and sends the process
// a real SIGTERM; serve must drain and return 0.
func TestServeReloadsOnSIGHUPAndDrainsOnSIGTERM(t *testing.T) {
	path := writeConfig(t, "")
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- Run(context.Background(), []string{"serve", "-c", path}, io.Discard, &stderr) }()
	admin := waitForLog(t, &stderr, `"admin":"`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + admin + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("admin listener never came up")
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitForLog(t, &stderr, `"msg":"configuration `) // reloaded
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d after SIGTERM; log:\n%s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not exit after SIGTERM")
	}
	if !strings.Contains(stderr.String(), "drained") {
		t.Fatalf("no drain logged:\n%s", stderr.String())
	}
}

func TestDemoConfigIsValid(t *testing.T) {
	s, err := demo.Prepare("http://127.0.0.1:9", "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(s.Dir)
	path := filepath.Join(s.Dir, "demo.yaml")
	if err := os.WriteFile(path, demo.Config(s), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := run("check", "-c", path); code != 0 {
		t.Fatalf("demo configuration invalid: %s %s", out, stderr)
	}
}

func TestServeBadConfigIsOneLine(t *testing.T) {
	path := writeConfig(t, "    colour: red\n  - {name: b, methods: [GET], path: /b, upstream: nope}\n")
	code, _, stderr := run("serve", "-c", path)
	if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "colour") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestCheckCompileErrorDoesNotPanic(t *testing.T) {
	// Valid for the config schema, refused when the plan is compiled.
	path := writeConfig(t, "    rate_limit: {rate: 100000000, per: 1s, burst: 1, key: ip}\n")
	code, out, stderr := run("check", "-c", path)
	if code != 1 || !strings.Contains(out, "routes[0].rate_limit") || strings.Contains(stderr, "panic") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, stderr)
	}
}
