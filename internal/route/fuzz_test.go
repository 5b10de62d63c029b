package route

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func FuzzNormalize(f *testing.F) {
	for _, tc := range normCases {
		f.Add(tc.in)
	}
	for _, tc := range ordersCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		path, escaped, err := Normalize(in)
		if err != nil {
			if !errors.Is(err, ErrBadPath) || path != "" || escaped != "" {
				t.Fatalf("Normalize(%q) = (%q, %q, %v)", in, path, escaped, err)
			}
			return
		}
		checkNormalized(t, in, path, escaped)
		// The fast paths must agree with decoding and rebuilding from scratch.
		if p2, e2, err := rebuild(in); err != nil || p2 != path || e2 != escaped {
			t.Fatalf("rebuild(%q) = (%q, %q, %v), Normalize gave (%q, %q)", in, p2, e2, err, path, escaped)
		}
	})
}

func FuzzLookup(f *testing.F) {
	for _, tc := range ordersCases {
		f.Add(tc.method, tc.in)
	}
	for _, tc := range precedenceCases {
		f.Add(tc.method, tc.in)
	}
	tables := [][]Spec[string]{ordersSpecs, precedenceSpecs}
	built := make([]*Table[string], len(tables))
	for i, specs := range tables {
		tbl, err := Build(specs)
		if err != nil {
			f.Fatal(err)
		}
		built[i] = tbl
	}
	f.Fuzz(func(t *testing.T, method, in string) {
		for i, tbl := range built {
			want := referenceLookup(tables[i], method, in)
			res := tbl.Lookup(method, in)
			checkResult(t, want, res)
		}
	})
}

// referenceLookup is a deliberately naive Lookup: it tries every template
// against the split path and sorts the matches by precedence.
func referenceLookup(specs []Spec[string], method, in string) lookupCase {
	want := lookupCase{method: method, in: in}
	path, escaped, err := Normalize(in)
	if err != nil {
		want.status = BadPath
		return want
	}
	want.path, want.escaped = path, escaped
	var matches []Spec[string]
	for _, s := range specs {
		if _, ok := referenceMatch(s.Path, path); ok {
			matches = append(matches, s)
		}
	}
	slices.SortStableFunc(matches, func(a, b Spec[string]) int {
		return slices.Compare(referenceKinds(a.Path), referenceKinds(b.Path))
	})
	allow := map[string]bool{}
	for _, s := range matches {
		if referenceAllows(s.Methods, method) {
			want.status, want.route = Found, s.Name
			want.params, _ = referenceMatch(s.Path, path)
			return want
		}
		for _, m := range s.Methods {
			allow[m] = true
			if m == "GET" {
				allow["HEAD"] = true
			}
		}
	}
	if len(matches) == 0 {
		want.status = NotFound
		return want
	}
	var names []string
	for m := range allow {
		names = append(names, m)
	}
	slices.Sort(names)
	want.status, want.allow = MethodNotAllowed, strings.Join(names, ", ")
	return want
}

// referenceMatch matches a template against a normalised path and returns
// the parameters.
func referenceMatch(tmpl, path string) (map[string]string, bool) {
	ts, ps := splitPath(tmpl), splitPath(path)
	params := map[string]string{}
	for i, t := range ts {
		switch {
		case strings.HasSuffix(t, "...}"):
			if i >= len(ps) {
				return nil, false
			}
			params[t[1:len(t)-4]] = strings.Join(ps[i:], "/")
			return params, true
		case i >= len(ps):
			return nil, false
		case t[0] == '{':
			params[t[1:len(t)-1]] = ps[i]
		case t != ps[i]:
			return nil, false
		}
	}
	return params, len(ts) == len(ps)
}

// referenceKinds lists a template's segment kinds: 0 literal, 1 parameter,
// 2 catch-all; a smaller list is more specific.
func referenceKinds(tmpl string) []int {
	var kinds []int
	for _, t := range splitPath(tmpl) {
		switch {
		case strings.HasSuffix(t, "...}"):
			kinds = append(kinds, 2)
		case t[0] == '{':
			kinds = append(kinds, 1)
		default:
			kinds = append(kinds, 0)
		}
	}
	return kinds
}

func referenceAllows(methods []string, method string) bool {
	return slices.Contains(methods, method) || method == "HEAD" && slices.Contains(methods, "GET")
}

func splitPath(p string) []string {
	if p == "/" {
		return nil
	}
	return strings.Split(p[1:], "/")
}

// FuzzTemplate builds a one-route table from any template: Build must not
// panic, and a route it accepts must match a path built from its template,
// with the right parameter values.
func FuzzTemplate(f *testing.F) {
	for _, s := range append(slices.Clone(ordersSpecs), precedenceSpecs...) {
		f.Add(s.Path)
	}
	for _, p := range []string{"/v1/{a}/{a}", "/v1/..;", "/{x...}/y", "/a{b}c", "/%41", "/caf\u00e9", "/a,b;c"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, tmpl string) {
		tbl, err := Build([]Spec[string]{{Name: "r", Methods: []string{"GET"}, Path: tmpl, Value: "r"}})
		if err != nil {
			var be *BuildError
			if !errors.As(err, &be) || be.Field != "path" {
				t.Fatalf("Build(%q): %v", tmpl, err)
			}
			return
		}
		path := strings.NewReplacer("...}", "}/more").Replace(tmpl)
		want := map[string]string{}
		for _, seg := range splitPath(tmpl) {
			if strings.HasSuffix(seg, "...}") {
				want[seg[1:len(seg)-4]] = "v-" + seg[1:len(seg)-4] + "/more"
			} else if seg[0] == '{' {
				want[seg[1:len(seg)-1]] = "v-" + seg[1:len(seg)-1]
			}
		}
		for name := range want {
			path = strings.Replace(path, "{"+name+"}", "v-"+name, 1)
		}
		in := referenceEscape(path)
		res := tbl.Lookup("GET", in)
		checkResult(t, lookupCase{method: "GET", in: in, path: path, escaped: in, status: Found, route: "r", params: want}, res)
	})
}
