package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/audit"
)

var auditNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func runAuditCmd(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	a := &auditCmd{stdout: &o, stderr: &e, now: func() time.Time { return auditNow }}
	code = a.run(args)
	return code, o.String(), e.String()
}

// auditFile writes n request records one minute apart, ending at
// auditNow: record i has status 200 (even) or 401 (odd), identity
// "alice" or "bob", route "orders" or "admin".
func auditFile(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	w, err := audit.Open(audit.Options{File: path})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		r := &audit.Record{
			Time: auditNow.Add(time.Duration(i-n+1) * time.Minute), RequestID: "r" + string(rune('a'+i)),
			ClientIP: netip.MustParseAddr("192.0.2.1"), Method: "GET", Route: "orders", Path: "/v1/orders", Status: 200,
			Identity: audit.Identity{Subject: "alice", Auth: "jwt"},
		}
		if i%2 == 1 {
			r.Status, r.Code, r.Identity, r.Route = 401, "unauthenticated", audit.Identity{Subject: "bob", Auth: "api_key", KeyID: "k7Hq2xYz"}, "admin"
		}
		if err := w.Submit(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAuditVerifyExitCodes(t *testing.T) {
	path := auditFile(t, 20)
	if code, out, errOut := runAuditCmd("verify", path); code != 0 || out != "ok: 20 records\n" || errOut != "" {
		t.Fatalf("intact: %d %q %q", code, out, errOut)
	}

	b, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(b), "\n")
	lines[16] = strings.Replace(lines[16], `"status":200`, `"status":201`, 1)
	tampered := filepath.Join(t.TempDir(), "tampered.jsonl")
	os.WriteFile(tampered, []byte(strings.Join(lines, "")), 0o600)
	if code, out, _ := runAuditCmd("verify", tampered); code != 1 || out != "line 17: hash mismatch\n" {
		t.Fatalf("tampered: %d %q", code, out)
	}

	deleted := filepath.Join(t.TempDir(), "deleted.jsonl")
	os.WriteFile(deleted, []byte(strings.Join(append(lines[:4:4], lines[5:]...), "")), 0o600)
	if code, out, _ := runAuditCmd("verify", deleted); code != 1 || !strings.HasPrefix(out, "line 5: prev_hash mismatch") {
		t.Fatalf("deleted: %d %q", code, out)
	}

	for _, args := range [][]string{
		{"verify", filepath.Join(t.TempDir(), "missing.jsonl")},
		{"verify", path, filepath.Join(t.TempDir(), "missing.jsonl")},
		{"verify"},
		{"verify", "--bogus", path},
		{"verify", "--prev", "xyz", path},
		{"tail", filepath.Join(t.TempDir(), "missing.jsonl")},
		{"tail", "-n", "-1", path},
		{"tail", path, path},
		{"query", "--since", "yesterday", path},
		{"query", "--status", "abc", path},
		{"query", filepath.Join(t.TempDir(), "missing.jsonl")},
		{},
		{"frobnicate"},
	} {
		code, out, errOut := runAuditCmd(args...)
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and one line on stderr", args, code, out, errOut)
		}
	}
	if code, _, errOut := runAuditCmd("verify", filepath.Join(t.TempDir(), "missing.jsonl")); code != 2 || !strings.Contains(errOut, "no such file") {
		t.Fatalf("missing file: %d %q", code, errOut)
	}
	// Flags after the file are accepted.
	if code, out, _ := runAuditCmd("verify", path, "--prev", audit.ZeroHash); code != 0 || out != "ok: 20 records\n" {
		t.Fatalf("flags after the file: %d %q", code, out)
	}
}

func TestAuditVerifyRotatedSeries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	w, err := audit.Open(audit.Options{File: path, MaxSize: 600})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		if err := w.SubmitWait(context.Background(), &audit.Record{Route: "r", Status: 200 + i, Path: "/x"}); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	files, _ := audit.Files(path)
	if len(files) < 3 {
		t.Fatalf("files %v", files)
	}
	if code, out, _ := runAuditCmd("verify", "--all", path); code != 0 || out != "ok: 6 records\n" {
		t.Fatalf("--all: %d %q", code, out)
	}
	if code, out, _ := runAuditCmd(append([]string{"verify"}, files...)...); code != 0 || out != "ok: 6 records\n" {
		t.Fatalf("series: %d %q", code, out)
	}
	code, out, _ := runAuditCmd("verify", files[1], files[0])
	if code != 1 || !strings.HasPrefix(out, files[1]+": line 1: prev_hash") {
		t.Fatalf("out of order: %d %q", code, out)
	}
}

func TestAuditTail(t *testing.T) {
	path := auditFile(t, 20)
	code, out, _ := runAuditCmd("tail", "-n", "3", path)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 3 || !strings.Contains(lines[2], `"request_id":"rt"`) || !strings.Contains(lines[0], `"request_id":"rr"`) {
		t.Fatalf("tail: %d %q", code, out)
	}
	if code, out, _ := runAuditCmd("tail", path); code != 0 || strings.Count(out, "\n") != 10 {
		t.Fatalf("default tail: %d %d lines", code, strings.Count(out, "\n"))
	}
	if code, out, _ := runAuditCmd("tail", "-n", "100", path); code != 0 || strings.Count(out, "\n") != 20 {
		t.Fatalf("tail beyond the file: %d %d lines", code, strings.Count(out, "\n"))
	}
}

func TestAuditQuery(t *testing.T) {
	path := auditFile(t, 20)
	count := func(args ...string) int {
		t.Helper()
		code, out, errOut := runAuditCmd(append(append([]string{"query"}, args...), path)...)
		if code != 0 {
			t.Fatalf("%q: %d %q", args, code, errOut)
		}
		n := 0
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if l == "" {
				continue
			}
			var r audit.Record
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("output is not JSON lines: %q", l)
			}
			n++
		}
		return n
	}
	for _, c := range []struct {
		args []string
		want int
	}{
		{nil, 20},
		{[]string{"--status", "401"}, 10},
		{[]string{"--status", "4xx"}, 10},
		{[]string{"--status", "2xx"}, 10},
		{[]string{"--identity", "bob"}, 10},
		{[]string{"--identity", "k7Hq2xYz"}, 10},
		{[]string{"--identity", "carol"}, 0},
		{[]string{"--route", "orders", "--status", "401"}, 0},
		{[]string{"--since", "4m30s"}, 5},
		{[]string{"--since", auditNow.Add(-2 * time.Minute).Format(time.RFC3339)}, 3},
		{[]string{"--since", "1h", "--until", "10m", "--identity", "alice"}, 5},
		{[]string{"--type", "request"}, 20},
		{[]string{"--type", "alert"}, 0},
	} {
		if got := count(c.args...); got != c.want {
			t.Errorf("query %q: %d records, want %d", c.args, got, c.want)
		}
	}
	// A line that is not a record: the rest is still printed, exit 1.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("garbage\n")
	f.Close()
	code, out, errOut := runAuditCmd("query", "--status", "401", path)
	if code != 1 || strings.Count(out, "\n") != 10 || !strings.Contains(errOut, "line 21") {
		t.Fatalf("garbage line: %d %d %q", code, strings.Count(out, "\n"), errOut)
	}
}

func TestRunAuditEntryPoint(t *testing.T) {
	path := auditFile(t, 2)
	var o, e bytes.Buffer
	if code := runAudit(context.Background(), []string{"verify", path}, &o, &e); code != 0 || o.String() != "ok: 2 records\n" {
		t.Fatalf("runAudit: %d %q %q", code, o.String(), e.String())
	}
}
