package openapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func TestDecodeJSON(t *testing.T) {
	same := []string{
		`{"a":[1,-0.5e+3,"x",true,false,null,{}]}`, `"\ud83d\ude00"`, `"\ud800"`, `"\udc00\ud800x"`, `"\ud800\u0041"`,
		`"\ud800\ud800\udc00"`, `"\/\b\f\n\r\t\"\\"`, `123456789012345678901234567890`, " [ ] ", `"caf` + "\u00e9" + `"`,
	}
	for _, in := range same {
		got, err := decodeJSON([]byte(in))
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		d := json.NewDecoder(bytes.NewReader([]byte(in)))
		d.UseNumber()
		var want any
		if err := d.Decode(&want); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, encoding/json %#v (%v)", in, got, want, err)
		}
	}
	for in, want := range map[string]error{
		``: errMalformedJSON, `01`: errMalformedJSON, `1.`: errMalformedJSON, `1e`: errMalformedJSON, `+1`: errMalformedJSON,
		`[1,]`: errMalformedJSON, `{"a":1,}`: errMalformedJSON, `{"a" 1}`: errMalformedJSON, `"\x"`: errMalformedJSON,
		`"\u12"`: errMalformedJSON, "\"\t\"": errMalformedJSON, `tru`: errMalformedJSON, `{} {}`: errMalformedJSON,
		"\"\xff\"": errMalformedJSON, "\xef\xbb\xbf{}": errMalformedJSON, `{"a":1,"\u0061":2}`: errDuplicateName,
		`[{"b":{"a":1,"a":1}}]`: errDuplicateName,
	} {
		if _, err := decodeJSON([]byte(in)); err != want {
			t.Errorf("%q: err = %v, want %v", in, err, want)
		}
	}
}
