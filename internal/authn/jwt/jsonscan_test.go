package jwt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

func TestObjectMembers(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // name=value;... or an error
	}{
		{`{}`, ``},
		{` { } `, ``},
		{`{"a":1}`, `a=1;`},
		{`{"a" : "x,}" , "b":[1,{"c":"]"}],"d":{"e":[]},"f":null,"g":true,"h":-1.5e3}`, `a="x,}";b=[1,{"c":"]"}];d={"e":[]};f=null;g=true;h=-1.5e3;`},
		{`{"a\"b":"\\","\u0061":2}`, `a"b="\\";a=2;`},
		{`{"a":1,"a":2}`, `error`},
		{`{"a":1,"\u0061":2}`, `error`},
		{`{"a":1,}`, `error`},
		{`{"a":1}{}`, `error`},
		{`[1]`, `error`},
		{`"a"`, `error`},
		{``, `error`},
		{`{"a":1`, `error`},
	} {
		var got bytes.Buffer
		err := objectMembers([]byte(tc.in), func(n, v []byte) error {
			got.WriteString(string(n) + "=" + string(v) + ";")
			return nil
		})
		if err != nil {
			got.Reset()
			got.WriteString("error")
		}
		if got.String() != tc.want {
			t.Errorf("objectMembers(%s) = %s, want %s", tc.in, got.String(), tc.want)
		}
	}
	// Repeats are found past the inline table too.
	var b bytes.Buffer
	b.WriteString("{")
	for i := range 40 {
		fmt.Fprintf(&b, `"k%d":0,`, i)
	}
	b.WriteString(`"k1":1}`)
	if err := objectMembers(b.Bytes(), func(_, _ []byte) error { return nil }); !errors.Is(err, errDuplicate) {
		t.Errorf("40 members with a repeat: %v", err)
	}
}

// FuzzObjectMembers checks the member scanner against encoding/json.
func FuzzObjectMembers(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"b":[{"c":"]"}]}`, `{"a\"":"\u00e9"}`, `{"alg":"RS256","alg":"none"}`, `[]`, `{"a":{"b":{"c":[1,2,{"d":"}"}]}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got := map[string]json.RawMessage{}
		err := objectMembers(in, func(n, v []byte) error {
			got[string(n)] = append(json.RawMessage(nil), v...)
			return nil
		})
		var want map[string]json.RawMessage
		jerr := json.Unmarshal(in, &want)
		if err != nil {
			if jerr == nil && !errors.Is(err, errDuplicate) && want != nil {
				t.Fatalf("refused %q (%v) that encoding/json decodes", in, err)
			}
			return
		}
		if jerr != nil || want == nil {
			t.Fatalf("accepted %q that encoding/json refuses (%v)", in, jerr)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d members, encoding/json %d", in, len(got), len(want))
		}
		for k, v := range want {
			if !bytes.Equal(got[k], v) {
				t.Fatalf("%q: member %q = %s, encoding/json %s", in, k, got[k], v)
			}
		}
	})
}
