package scan

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
)

func TestDiscoverFollowsLinks(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<a href="/users">u</a> <a href="https://elsewhere.example/x">x</a> <script src="/app.js"></script>`))
	})
	mux.HandleFunc("GET /users", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"items":[{"id":1,"self":"/users/1"}],"next":"/users?page=2"}`))
	})
	mux.HandleFunc("GET /users/1", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{}`)) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	c := NewClient(ClientOptions{Target: u, Rate: 1000})
	tg := NewTarget(u)
	if err := Discover(context.Background(), c, tg); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range tg.Ops {
		got = append(got, op.Path)
	}
	for _, want := range []string{"/", "/users", "/users/1"} {
		if !slices.Contains(got, want) {
			t.Fatalf("discovered %v, missing %s", got, want)
		}
	}
	if tg.Source != "discovered" {
		t.Fatalf("source %q", tg.Source)
	}
}

func TestDiscoverFindsSpec(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v3/api-docs", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(spec30))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	tg := NewTarget(u)
	if err := Discover(context.Background(), NewClient(ClientOptions{Target: u, Rate: 1000}), tg); err != nil {
		t.Fatal(err)
	}
	if tg.Spec == nil || len(tg.Ops) != 3 || tg.Prefix != "/api/v2" {
		t.Fatalf("source %q, %d ops, prefix %q", tg.Source, len(tg.Ops), tg.Prefix)
	}
}
