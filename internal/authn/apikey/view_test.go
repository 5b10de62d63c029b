package apikey

import (
	"testing"
	"time"
)

func TestParseLifetime(t *testing.T) {
	for in, want := range map[string]time.Duration{"1s": time.Second, "30d": 30 * 24 * time.Hour, "1d12h": 36 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := ParseLifetime(in, false); err != nil || got != want {
			t.Errorf("ParseLifetime(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"0", "-1h", "1y", "36501d", "abc", "10"} {
		if _, err := ParseLifetime(in, false); err == nil {
			t.Errorf("ParseLifetime(%q) accepted", in)
		}
	}
	if d, err := ParseLifetime("0", true); err != nil || d != 0 {
		t.Errorf("grace 0: %v %v", d, err)
	}
}
