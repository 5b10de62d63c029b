package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// chainFile writes n records with the writer and returns the file's lines.
func chainFile(t *testing.T, n int) (string, [][]byte) {
	t.Helper()
	path := tempFile(t)
	w := openT(t, Options{File: path})
	for i := range n {
		submitAll(t, w, sample(i))
	}
	closeT(t, w)
	return path, readLines(t, path)
}

// forge makes a record that verifies on its own, chained to prev.
func forge(prev string, status int) []byte {
	r := sample(7)
	r.Status = status
	r.PrevHash = prev
	line, _ := appendLine(nil, r)
	return bytes.TrimSuffix(line, []byte("\n"))
}

func hashOf(t *testing.T, line []byte) string {
	h, _, reason := checkLine(line)
	if reason != "" {
		t.Fatal(reason)
	}
	return h
}

func TestVerifyCatchesTampering(t *testing.T) {
	const n = 10
	cases := []struct {
		name   string
		tamper func(t *testing.T, lines [][]byte) []byte // returns the new file
		line   int
		reason string
	}{
		{"edited value", func(t *testing.T, l [][]byte) []byte {
			l[4] = bytes.Replace(l[4], []byte(`"status":201`), []byte(`"status":200`), 1)
			return join(l)
		}, 5, ReasonHashMismatch},
		{"edited and rehashed", func(t *testing.T, l [][]byte) []byte {
			l[4] = forge(hashOf(t, l[3]), 500)
			return join(l)
		}, 6, ReasonChainBroken},
		{"deleted", func(t *testing.T, l [][]byte) []byte { return join(slices.Delete(l, 3, 4)) }, 4, ReasonChainBroken},
		{"deleted first", func(t *testing.T, l [][]byte) []byte { return join(l[1:]) }, 1, ReasonBadStart},
		{"reordered", func(t *testing.T, l [][]byte) []byte {
			l[2], l[3] = l[3], l[2]
			return join(l)
		}, 3, ReasonChainBroken},
		{"inserted", func(t *testing.T, l [][]byte) []byte {
			return join(slices.Insert(l, 5, forge(hashOf(t, l[4]), 200)))
		}, 7, ReasonChainBroken},
		{"inserted unhashed", func(t *testing.T, l [][]byte) []byte {
			return join(slices.Insert(l, 5, bytes.Replace(l[4], []byte(`"status":201`), []byte(`"status":204`), 1)))
		}, 6, ReasonHashMismatch},
		{"truncated in the middle", func(t *testing.T, l [][]byte) []byte {
			l[6] = l[6][:len(l[6])/2]
			return join(l)
		}, 7, ""},
		{"torn last line", func(t *testing.T, l [][]byte) []byte {
			b := join(l)
			return b[:len(b)-20]
		}, 10, ReasonTorn},
		{"blank line", func(t *testing.T, l [][]byte) []byte {
			return join(slices.Insert(l, 2, []byte{}))
		}, 3, ReasonEmptyLine},
		{"whitespace added", func(t *testing.T, l [][]byte) []byte {
			l[1] = bytes.Replace(l[1], []byte(`,"method"`), []byte(`, "method"`), 1)
			return join(l)
		}, 2, ReasonNotCanonical},
		{"duplicate key", func(t *testing.T, l [][]byte) []byte {
			l[1] = bytes.Replace(l[1], []byte(`{`), []byte(`{"status":500,`), 1)
			return join(l)
		}, 2, ReasonNotCanonical},
		{"hash removed", func(t *testing.T, l [][]byte) []byte {
			l[8] = bytes.Replace(l[8], []byte(`"hash"`), []byte(`"hush"`), 1)
			return join(l)
		}, 9, "missing or malformed hash"},
		{"upper-case hash", func(t *testing.T, l [][]byte) []byte {
			l[0] = bytes.ToUpper(l[0])
			return join(l)
		}, 1, ""},
		{"not an object", func(t *testing.T, l [][]byte) []byte {
			l[0] = []byte(`[1,2]`)
			return join(l)
		}, 1, "not a JSON object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path, lines := chainFile(t, n)
			if err := os.WriteFile(path, c.tamper(t, lines), 0o600); err != nil {
				t.Fatal(err)
			}
			res, err := Verify(path)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK() {
				t.Fatal("tampered file verified")
			}
			f := res.Failure
			if f.Line != c.line || f.File != path || (c.reason != "" && f.Reason != c.reason) || res.Records != c.line-1 {
				t.Fatalf("failure %+v after %d records; want line %d %q", f, res.Records, c.line, c.reason)
			}
		})
	}
}

func join(lines [][]byte) []byte { return append(bytes.Join(lines, []byte("\n")), '\n') }

func TestVerifyIntactAndEmpty(t *testing.T) {
	path, _ := chainFile(t, 3)
	mustVerify(t, 3, path)
	empty := filepath.Join(t.TempDir(), "empty.jsonl")
	os.WriteFile(empty, nil, 0o600)
	if res := mustVerify(t, 0, empty); res.LastHash != ZeroHash {
		t.Fatal(res.LastHash)
	}
	if _, err := Verify(filepath.Join(t.TempDir(), "missing.jsonl")); !os.IsNotExist(err) {
		t.Fatalf("missing file: %v", err)
	}
}
