package redistest

import (
	"testing"
	"time"
)

func TestStartKillRestart(t *testing.T) {
	s := Start(t)
	if err := ping(s.Addr); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	if err := ping(s.Addr); err == nil {
		t.Fatal("still answering after Kill")
	}
	s.Kill() // idempotent
	start := time.Now()
	s.Restart()
	if err := ping(s.Addr); err != nil {
		t.Fatal(err)
	}
	t.Logf("restart took %s", time.Since(start))
}

func TestTwoServers(t *testing.T) {
	a, b := Start(t), Start(t)
	if a.Addr == b.Addr {
		t.Fatal("same address")
	}
	if a.URL() != "redis://"+a.Addr+"/0" {
		t.Fatal(a.URL())
	}
}
