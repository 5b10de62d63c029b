package gateway

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func (e *env) rewriteConfig(edit func(string) string) {
	e.t.Helper()
	b, err := os.ReadFile(e.cfgPath)
	if err != nil {
		e.t.Fatal(err)
	}
	writeFile(e.t, e.cfgPath, edit(string(b)))
}

const extraRoute = "  - {name: invoices, methods: [GET], path: /v1/invoices, upstream: app}\n"

func TestReloadAddsRoute(t *testing.T) {
	e := newEnv(t, echo(), nil)
	if resp, _ := e.do("GET", "/v1/invoices", nil); resp.StatusCode != 404 {
		t.Fatalf("before reload: %d", resp.StatusCode)
	}
	e.rewriteConfig(func(y string) string { return y + extraRoute })
	if err := e.gw.Reload(); err != nil {
		t.Fatal(err)
	}
	if resp, _ := e.do("GET", "/v1/invoices", nil); resp.StatusCode != 200 {
		t.Fatalf("after reload: %d", resp.StatusCode)
	}
}

func TestInvalidReloadKeepsOldConfig(t *testing.T) {
	e := newEnv(t, echo(), nil)
	old := e.gw.Plan()
	for name, edit := range map[string]func(string) string{
		"unknown field":    func(y string) string { return y + "    colour: red\n" },
		"unknown upstream": func(y string) string { return y + "  - {name: x, methods: [GET], path: /x, upstream: nope}\n" },
		"overlap":          func(y string) string { return y + "  - {name: dup, methods: [GET], path: /v1/orders, upstream: app}\n" },
		"not yaml":         func(string) string { return "{{{" },
	} {
		t.Run(name, func(t *testing.T) {
			b, _ := os.ReadFile(e.cfgPath)
			t.Cleanup(func() { writeFile(t, e.cfgPath, string(b)) })
			e.rewriteConfig(edit)
			if err := e.gw.Reload(); err == nil {
				t.Fatal("invalid configuration accepted")
			}
			if e.gw.Plan() != old {
				t.Fatal("plan swapped on an invalid configuration")
			}
			if resp, _ := e.do("GET", "/v1/orders", nil); resp.StatusCode != 200 {
				t.Fatalf("old configuration stopped serving: %d", resp.StatusCode)
			}
		})
	}
	if !strings.Contains(e.logText(), "previous configuration keeps serving") {
		t.Fatal("failed reload not logged")
	}
}

func TestReloadOnFileChange(t *testing.T) {
	e := newEnv(t, echo(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.gw.Watch(ctx); err != nil {
		t.Fatal(err)
	}
	old := e.gw.Plan()
	e.rewriteConfig(func(y string) string { return y + extraRoute })
	deadline := time.Now().Add(10 * time.Second)
	for e.gw.Plan() == old {
		if time.Now().After(deadline) {
			t.Fatal("file change did not reload the plan")
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
	if resp, _ := e.do("GET", "/v1/invoices", nil); resp.StatusCode != 200 {
		t.Fatalf("after file reload: %d", resp.StatusCode)
	}
}

func TestReloadDoesNotCutInFlight(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
		}
		io.WriteString(w, "done")
	}), nil)
	type result struct {
		status int
		body   string
	}
	got := make(chan result, 1)
	go func() {
		resp, err := e.client.Get(e.base + "/slow")
		if err != nil {
			got <- result{0, err.Error()}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- result{resp.StatusCode, string(b)}
	}()
	<-started
	e.rewriteConfig(func(y string) string { return y + extraRoute })
	if err := e.gw.Reload(); err != nil {
		t.Fatal(err)
	}
	close(release)
	if r := <-got; r.status != 200 || r.body != "done" {
		t.Fatalf("in-flight request during reload: %d %q", r.status, r.body)
	}
}

func TestShutdownDrainsInFlight(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "done")
	}), nil)
	got := make(chan int, 1)
	go func() {
		resp, err := e.client.Get(e.base + "/slow")
		if err != nil {
			got <- 0
			return
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	<-started
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- e.gw.Shutdown(ctx)
	}()
	// Readiness turns 503 while draining.
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get("http://" + e.gw.Addr.Admin + "/readyz")
		if err != nil || resp.StatusCode == 503 {
			if resp != nil {
				resp.Body.Close()
			}
			break
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("readyz still 200 while draining")
		}
	}
	select {
	case err := <-done:
		t.Fatalf("shutdown returned before the in-flight request finished: %v", err)
	default:
	}
	close(release)
	if status := <-got; status != 200 {
		t.Fatalf("in-flight request cut by shutdown: %d", status)
	}
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
