package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apiguard/apiguard/internal/pipeline"
)

var jsonSeeds = []string{
	validOrder, `{}`, `[]`, `null`, `1e400`, `-0`, `"\ud800"`, `{"a":1,"a":2}`, `{"a":{"b":[1,{"c":null}]}}`,
	`[1,]`, `{"a" 1}`, `{"a":1}}`, ` {"a":"\u00e9"} `, "\xef\xbb\xbf{}", `123456789012345678901234567890`,
	strings.Repeat("[", 70) + strings.Repeat("]", 70),
}

// FuzzDecodeJSON: decodeJSON accepts only what encoding/json accepts, and
// then means the same thing by it.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodeJSON(data)
		if err != nil {
			if !errors.Is(err, errMalformedJSON) && err != errDuplicateName && err != errTooDeep {
				t.Fatalf("unexpected error %v", err)
			}
			if err == errMalformedJSON && json.Valid(data) && utf8.Valid(data) {
				t.Fatalf("refused valid JSON %q", data)
			}
			return
		}
		if !json.Valid(data) || !utf8.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		var want any
		if err := d.Decode(&want); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if !reflect.DeepEqual(v, want) {
			t.Fatalf("decoded %#v, encoding/json %#v", v, want)
		}
	})
}

// Fields and reasons are made of the document's words and the fixed
// vocabulary only: whatever a request holds, nothing of it comes back but
// member names that are plain identifiers.
var (
	safeField  = regexp.MustCompile(`^(body|query|path|header|cookie)(\.[A-Za-z0-9_$@-]{1,64}|\[\d+\]|\[\?\])*$`)
	safeReason = regexp.MustCompile(`^(is required|unexpected property|must match pattern|is invalid|cannot be decoded|` +
		`malformed JSON(: duplicate member name|: nested too deeply)?|` +
		`must be (>=|<=|>|<) \d+|must be (a|an) (string|integer|number|boolean|object|array)( or null)?|` +
		`must be a valid (email|date-time)|must be one of: open, shipped, cancelled|` +
		`must be at (least|most) \d+ (characters|items)|has too (many|few) items|` +
		`is not encoded as the operation declares|must not contain (duplicate items|reserved characters))$`)
)

func FuzzRequest(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add("status=open&limit=5", "acme-1", s)
	}
	f.Add("status=%ff&limit=1e3&limit=2", "a\x00", `{"sku":"ABC-1234","quantity":2,"email":"a@b.co","items":[{"sku":"x","<a>":1}]}`)
	s := mustLoad(f, specFiles[1])
	st := mustOperation(f, s, "/v1/orders", "GET", "POST").RequestStage(4096)
	f.Fuzz(func(t *testing.T, query, tenant, body string) {
		for _, method := range []string{"GET", "POST"} {
			r, err := http.NewRequest(method, "http://gw/v1/orders?"+url.PathEscape(query), strings.NewReader(body))
			if err != nil {
				return
			}
			r.URL.RawQuery = query
			r.Header.Set("Content-Type", "application/json")
			r.Header["X-Tenant"] = []string{tenant}
			r.Header.Set("Cookie", "session=abcdefghij")
			x := &pipeline.Exchange{In: r}
			err = st.Check(t.Context(), x)
			if p := asProblem(err); p != nil {
				if p.Status != 400 && p.Status != 413 && p.Status != 415 {
					t.Fatalf("status %d: %v", p.Status, p)
				}
				for _, e := range p.Errors {
					if !safeField.MatchString(e.Field) || !safeReason.MatchString(e.Detail) {
						t.Fatalf("unexpected violation %q: %q", e.Field, e.Detail)
					}
				}
			} else if err != nil {
				t.Fatalf("not a problem: %v", err)
			}
			if err == nil || asProblem(err).Status == 400 {
				got, _ := io.ReadAll(r.Body)
				if string(got) != body {
					t.Fatalf("body replayed as %q", got)
				}
			}
		}
	})
}

func FuzzResponse(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add(200, "application/json", s)
	}
	f.Add(201, "application/problem+json; charset=x", leakyOrder)
	s := mustLoad(f, specFiles[0])
	o := mustOperation(f, s, "/v1/orders", "GET", "POST")
	filter, _ := o.ResponseFilter(ModeReport, WithMaxResponseBody(2048))
	f.Fuzz(func(t *testing.T, status int, contentType, body string) {
		if status < 100 || status > 599 {
			return
		}
		for _, method := range []string{"GET", "POST", "HEAD"} {
			r := resp(status, contentType, body)
			x := &pipeline.Exchange{In: req(method, "/v1/orders", "")}
			if err := filter.Filter(x, r); err != nil {
				t.Fatal(err)
			}
			if got, _ := io.ReadAll(r.Body); string(got) != body {
				t.Fatalf("body passed on as %q", got)
			}
			for _, finding := range x.Findings {
				field, reason, _ := strings.Cut(strings.TrimPrefix(finding, findingPrefix), ": ")
				if field == "status" || field == "header.Content-Type" || strings.HasPrefix(field, "not validated") ||
					strings.HasSuffix(field, "more findings") || strings.Contains(field, "more findings (") {
					continue
				}
				if !safeField.MatchString(field) {
					t.Fatalf("unexpected field in %q", finding)
				}
				_ = reason
			}
		}
	})
}
