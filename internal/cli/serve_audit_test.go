package cli

import (
	"context"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// With audit.stdout, every record also goes to stdout (the same line as
// in the file), and shutdown flushes it.
func TestServeCopiesAuditRecordsToStdout(t *testing.T) {
	path := writeConfig(t, "audit: {stdout: true}\n")
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- Run(context.Background(), []string{"serve", "-c", path}, &stdout, &stderr) }()
	api := waitForLog(t, &stderr, `"api":"`)
	req, _ := http.NewRequest("GET", "http://"+api+"/a", nil)
	req.Header.Set("X-Request-Id", "stdout-sink-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	out := stdout.String()
	if !strings.Contains(out, `"request_id":"stdout-sink-1"`) || !strings.Contains(out, `"hash":"`) {
		t.Fatalf("stdout lacks the audit record:\n%s", out)
	}
}
