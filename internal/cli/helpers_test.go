package cli

import (
	"bytes"
	"regexp"
	"sync"
	"testing"
	"time"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitForLog polls the log until a line contains key (a JSON key prefix
// like `"admin":"`) and returns the value after it.
func waitForLog(t *testing.T, b *syncBuffer, key string) string {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(key) + `([^"]+)"`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(b.String()); m != nil {
			return m[1]
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
	t.Fatalf("log never had %s:\n%s", key, b.String())
	return ""
}
