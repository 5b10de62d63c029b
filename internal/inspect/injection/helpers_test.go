package injection

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

// sample is one line of a corpus.
type sample struct {
	class, value string
	line         int
}

// readCorpus reads a testdata file: lines starting with "# " (or just
// "#") and blank lines are skipped; with tagged, each line is
// CLASS<TAB>VALUE. The character ¶ stands for a newline.
func readCorpus(t testing.TB, name string, tagged bool) []sample {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []sample
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if l == "" || l == "#" || strings.HasPrefix(l, "# ") {
			continue
		}
		s := sample{value: l, line: n}
		if tagged {
			var ok bool
			if s.class, s.value, ok = strings.Cut(l, "\t"); !ok {
				t.Fatalf("%s:%d: no class tag", name, n)
			}
		}
		s.value = strings.ReplaceAll(s.value, "¶", "\n")
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// placement puts a value somewhere in a request.
type placement struct {
	name string
	make func(v string) *http.Request
}

func jsonBody(v any) *bytes.Reader {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return bytes.NewReader(b)
}

func postJSON(target string, v any) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, jsonBody(v))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// valuePlacements are where the rates test puts a value.
var valuePlacements = []placement{
	{"query value", func(v string) *http.Request {
		return httptest.NewRequest(http.MethodGet, "/v1/items?page=2&q="+url.QueryEscape(v), nil)
	}},
	{"JSON string", func(v string) *http.Request {
		return postJSON("/v1/items", map[string]any{"name": "Widget", "qty": 2, "note": v, "tags": []string{"a", "b"}})
	}},
	{"path segment", func(v string) *http.Request {
		return httptest.NewRequest(http.MethodGet, "/v1/items/"+url.PathEscape(v)+"/reviews", nil)
	}},
}

// keyPlacements are where the rates test puts a name.
var keyPlacements = []placement{
	{"query name", func(k string) *http.Request {
		return httptest.NewRequest(http.MethodGet, "/v1/users?"+url.QueryEscape(k)+"=1", nil)
	}},
	{"JSON member name", func(k string) *http.Request {
		return postJSON("/v1/login", map[string]any{"username": "alice", "password": map[string]any{k: "x"}})
	}},
}

func newStage(t testing.TB, mode string, opts ...Option) *Stage {
	t.Helper()
	s, err := NewStage(mode, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s.(*Stage)
}

// run checks r and returns the exchange and the error.
func run(s *Stage, r *http.Request) (*pipeline.Exchange, error) {
	x := &pipeline.Exchange{In: r}
	err := s.Check(context.Background(), x)
	return x, err
}

// blocked returns the cause of a 403 blocked denial, "" when allowed;
// any other error fails the test.
func blocked(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var p *problem.Error
	if !errors.As(err, &p) || p.Status != http.StatusForbidden || p.Code != problem.CodeBlocked {
		t.Fatalf("unexpected error %v", err)
	}
	if p.Cause == nil {
		t.Fatal("denial without a cause")
	}
	return p.Cause.Error()
}
