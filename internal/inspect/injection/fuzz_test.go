package injection

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// seedValues are every eighth attack and benign value of the corpora,
// for the fuzzers' seeds (few enough for a short fuzzing run to get past
// its baseline).
func seedValues(f *testing.F) []string {
	var out []string
	for i, s := range append(readCorpus(f, "attacks.txt", true), readCorpus(f, "benign.txt", false)...) {
		if i%8 == 0 {
			out = append(out, s.value)
		}
	}
	return out
}

// checkDecoder: a decoder never panics, never grows its input, and
// reports a change exactly when its output differs.
func checkDecoder(t *testing.T, name string, in string, out []byte, changed bool) {
	t.Helper()
	if len(out) > len(in) {
		t.Fatalf("%s(%q) grew to %q", name, in, out)
	}
	if !changed && string(out) != in {
		t.Fatalf("%s(%q) = %q but reported no change", name, in, out)
	}
}

func FuzzURLDecode(f *testing.F) {
	for _, s := range seedValues(f) {
		f.Add(s, false)
	}
	f.Add("%uD83D%uDE00%c0%ae%2", true)
	f.Fuzz(func(t *testing.T, s string, plus bool) {
		out, changed := urlDecode(nil, s, plus)
		checkDecoder(t, "urlDecode", s, out, changed)
	})
}

func FuzzHTMLDecode(f *testing.F) {
	for _, s := range seedValues(f) {
		f.Add(s)
	}
	f.Add("&#x0000000003c;&lt&#99999999999999;&amp")
	f.Fuzz(func(t *testing.T, s string) {
		out, changed := htmlDecode(nil, s)
		checkDecoder(t, "htmlDecode", s, out, changed)
	})
}

func FuzzUnescape(f *testing.F) {
	for _, s := range seedValues(f) {
		f.Add(s)
	}
	f.Add(`\ud83d\ude00\u{10FFFF}\x41\'\`)
	f.Fuzz(func(t *testing.T, s string) {
		out, changed := unescape(nil, s)
		checkDecoder(t, "unescape", s, out, changed)
		// A JSON string literal decodes as encoding/json decodes it.
		b, err := json.Marshal(s)
		if err != nil || !utf8.ValidString(s) {
			return
		}
		got, _ := unescape(nil, string(b[1:len(b)-1]))
		if string(got) != s {
			t.Fatalf("unescape(%s) = %q, want %q", b, got, s)
		}
	})
}

func FuzzFoldWidth(f *testing.F) {
	for _, s := range seedValues(f) {
		f.Add(s)
	}
	f.Add("＜script＞\xef\xbc")
	f.Fuzz(func(t *testing.T, s string) {
		out, changed := foldWidth(nil, s)
		checkDecoder(t, "foldWidth", s, out, changed)
	})
}

func FuzzJNDI(f *testing.F) {
	for _, s := range seedValues(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, buf := hasJNDI(s, nil)
		if len(buf) > len(s) {
			t.Fatalf("resolved %d bytes from %d", len(buf), len(s))
		}
		// A lookup that starts with jndi: is found, whatever follows.
		if ok, _ := hasJNDI("${jndi:"+s, nil); !ok {
			t.Fatalf("${jndi:%s not found", s)
		}
	})
}

// FuzzJSONWalker: the walker never panics, always terminates, and on a
// valid JSON text hands over exactly the strings encoding/json decodes,
// member names included.
func FuzzJSONWalker(f *testing.F) {
	f.Add([]byte(`{"a":"b","c":[1,"d",{"e":null}],"f":"\u003c\"\\"}`))
	f.Add([]byte(`[[[["x"]]]] {"y":"z"}`))
	f.Add([]byte(`{"a":1,}`))
	f.Add(mustJSON(typicalOrder(1)))
	for _, s := range seedValues(f) {
		f.Add(mustJSON(map[string]any{s: []any{s, 1, true}}))
	}
	s := newStage(f, ModeReport)
	f.Fuzz(func(t *testing.T, data []byte) {
		sc := &scanner{}
		sc.reset(s)
		var got []string
		sc.json.visit = func(v string, _ bool) { got = append(got, strings.Clone(v)) }
		sc.jsonBody(data, false)
		if !json.Valid(data) || !utf8.Valid(data) {
			return
		}
		var want []string
		dec := json.NewDecoder(bytes.NewReader(data))
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			if v, ok := tok.(string); ok {
				want = append(want, v)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("walker saw %q, encoding/json %q", got, want)
		}
	})
}

// FuzzCheck: for any query and body the stage returns nil or a denial,
// and the upstream reads the exact body.
func FuzzCheck(f *testing.F) {
	for _, v := range seedValues(f) {
		f.Add("q="+v, []byte(`{"a":`+string(mustJSON(v))+`}`), "application/json")
	}
	f.Add("a[$ne]=1", []byte("a=1&b=%3Cscript"), "application/x-www-form-urlencoded")
	block := newStage(f, ModeBlock, WithBodyLimit(1024))
	f.Fuzz(func(t *testing.T, query string, body []byte, ct string) {
		r := httptest.NewRequest(http.MethodPost, "/v1/x", bytes.NewReader(body))
		r.URL.RawQuery = query
		r.Header["Content-Type"] = []string{ct}
		_, err := run(block, r)
		if err != nil {
			if p := blocked(t, err); p == "" {
				t.Fatalf("unexpected error %v", err)
			}
		}
		got, rerr := io.ReadAll(r.Body)
		if rerr != nil || !bytes.Equal(got, body) {
			t.Fatalf("upstream read %q (%v), want %q", got, rerr, body)
		}
	})
}

// FuzzJudge: the rules never panic on any value, decoded or not.
func FuzzJudge(f *testing.F) {
	for _, s := range seedValues(f) {
		f.Add(s)
	}
	sc := &scanner{}
	f.Fuzz(func(t *testing.T, s string) {
		r := sc.judge(s)
		if r2 := sc.judge(s); r2 != r {
			t.Fatalf("judge(%q) = %q then %q", s, r, r2)
		}
	})
}
