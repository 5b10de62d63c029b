package config

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"
)

// FuzzParse: whatever the input, Parse returns either a configuration or an
// *Error whose every line has a message, and never panics or hangs.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(head + route("")))
	if b, err := os.ReadFile("testdata/apiguard.yaml"); err == nil {
		f.Add(b)
	}
	for _, tc := range unknownFieldCases {
		f.Add([]byte(tc.src))
	}
	for _, tc := range validationCases {
		f.Add([]byte(tc.src))
	}
	for _, s := range []string{
		"", "~", "[]", "a: *b", "a: &a [*a]", "<<: {}", "!!binary x", "server: {listen: \"${X}\"}",
		"server: {admin_token: \"${SECRET}\"}", "store: redis://:${SECRET}@h:1/0", "---\n---\n",
		"routes: [{name: a, auth: [none, jwt]}]", "server: {limits: {max_body: 99999999999999999999GiB}}",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	for name, content := range contractFiles {
		writeFile(f, dir, name, content, 0o600)
	}
	env := envMap(map[string]string{"X": "127.0.0.1:1", "SECRET": "s3cret", "EMPTY": ""})
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 16<<10 {
			t.Skip("larger inputs are exercised by the size-limit tests; the YAML parser is slow on them")
		}
		c, err := parse(data, dir, env)
		if (c == nil) == (err == nil) {
			t.Fatalf("config %v and error %v", c != nil, err)
		}
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || len(ce.Errors) == 0 {
				t.Fatalf("error %T %v is not a non-empty *Error", err, err)
			}
			for _, fe := range ce.Errors {
				if fe.Msg == "" {
					t.Fatalf("empty message at %q", fe.Path)
				}
			}
			return
		}
		_ = Lint(c, now)
		_ = c.Unenforced()
		if _, err := json.Marshal(c); err != nil {
			t.Fatalf("marshal: %v", err)
		}
	})
}
