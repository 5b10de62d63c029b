package redis

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestSlogAdapter(t *testing.T) {
	var buf bytes.Buffer
	a := slogAdapter{slog.New(slog.NewJSONHandler(&buf, nil))}
	a.Printf(context.Background(), "dial %s: %v", "127.0.0.1:1", "refused")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["level"] != "WARN" || rec["msg"] != "dial 127.0.0.1:1: refused" || rec["component"] != "redis" {
		t.Fatalf("%v", rec)
	}
	if bytes.Count(buf.Bytes(), []byte(`"msg"`)) != 1 {
		t.Fatalf("duplicate keys: %s", buf.Bytes())
	}
}
