package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/audit"
)

// crashChildEnv, when set, makes the test binary run `serve -c <value>`
// instead of the tests: the process the crash test kills.
const crashChildEnv = "APIGUARD_TEST_SERVE_CONFIG"

func TestMain(m *testing.M) {
	if cfg := os.Getenv(crashChildEnv); cfg != "" {
		os.Exit(Run(context.Background(), []string{"serve", "-c", cfg}, io.Discard, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestSIGKILLUnderLoadLosesOnlyInFlightRecords runs the gateway as a
// separate process, loads it from 8 clients, kills it with SIGKILL
// mid-load, and checks the audit file: every request whose response a
// client received completely has its record, and the chain verifies
// (after the torn tail, if any, is repaired by reopening the file).
func TestSIGKILLUnderLoadLosesOnlyInFlightRecords(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	}))
	defer up.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "apiguard.yaml")
	y := fmt.Sprintf(`server: {listen: "127.0.0.1:0", admin: ""}
upstreams: {app: {url: %q}}
defaults: {auth: none}
routes:
  - {name: a, methods: [GET], path: /a, upstream: app}
`, up.URL)
	if err := os.WriteFile(cfg, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+cfg)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	api := listenAddrFrom(t, stderr)

	var (
		mu        sync.Mutex
		completed []string // request ids whose response was fully read
		sent      atomic.Int64
		wg        sync.WaitGroup
	)
	stop := make(chan struct{})
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 5 * time.Second}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("crash-%d-%d", c, i)
				req, _ := http.NewRequest("GET", "http://"+api+"/a", nil)
				req.Header.Set("X-Request-Id", id)
				sent.Add(1)
				resp, err := client.Do(req)
				if err != nil {
					return // the gateway is gone
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode == 200 && string(b) == `{"ok":true}` {
					mu.Lock()
					completed = append(completed, id)
					mu.Unlock()
				}
			}
		}()
	}
	for sent.Load() < 400 { // under load: kill it mid-stream
		time.Sleep(time.Millisecond) // polling a counter, not synchronising
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	cmd.Wait()
	close(stop)
	wg.Wait()

	file := filepath.Join(dir, "data", "audit.jsonl")
	w, err := audit.Open(audit.Options{File: file}) // repairs a torn last record, as a restart does
	if err != nil {
		t.Fatalf("reopen after the crash: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := audit.Verify(file)
	if err != nil || res.Failure != nil {
		t.Fatalf("chain after the crash: %v %+v", err, res.Failure)
	}
	recorded := map[string]bool{}
	if err := audit.Scan(file, func(_ int, _ []byte, r *audit.Record, err error) error {
		if err == nil {
			recorded[r.RequestID] = true
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(completed) < 100 {
		t.Fatalf("only %d requests completed before the kill: not under load", len(completed))
	}
	for _, id := range completed {
		if !recorded[id] {
			t.Fatalf("request %s was answered but its record is lost (%d answered, %d records)", id, len(completed), len(recorded))
		}
	}
	t.Logf("%d answered, %d recorded (the difference were in flight)", len(completed), len(recorded))
}

// listenAddrFrom reads the child's JSON log until it says where the API
// listens.
func listenAddrFrom(t *testing.T, r io.Reader) string {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if _, rest, ok := strings.Cut(sc.Text(), `"api":"`); ok {
				addr, _, _ := strings.Cut(rest, `"`)
				found <- addr
				break
			}
		}
		io.Copy(io.Discard, r)
	}()
	select {
	case addr := <-found:
		return addr
	case <-time.After(20 * time.Second):
		t.Fatal("the gateway never said where it listens")
		return ""
	}
}
