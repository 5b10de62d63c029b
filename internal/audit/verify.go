package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
)

// Failure locates the first record that does not verify.
type Failure struct {
	File string
	// Line is 1-based.
	Line   int
	Reason string
}

func (f *Failure) Error() string { return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Reason) }

// Result is the outcome of Verify.
type Result struct {
	// Records is how many records verified before the first failure (all
	// of them when the chain is intact).
	Records int
	// LastHash is the hash of the last record that verified (the chain's
	// start when none did).
	LastHash string
	// Failure is the first bad record; nil when the chain is intact.
	Failure *Failure
}

// OK reports whether the chain is intact.
func (r Result) OK() bool { return r.Failure == nil }

// Reasons of a Failure.
const (
	ReasonHashMismatch = "hash mismatch"
	ReasonChainBroken  = "prev_hash mismatch (a record was deleted, inserted or reordered before this line)"
	ReasonBadStart     = "prev_hash is not the start of the chain (64 zeros): verify the rotated files first, in order"
	ReasonTorn         = "incomplete last record (a write torn by a crash; the writer removes it when it reopens the file)"
	ReasonNotCanonical = "not in canonical form (edited)"
	ReasonEmptyLine    = "empty line"
)

// maxLine bounds one record; longer lines are a failure, not an
// allocation an attacker controls.
const maxLine = 64 << 20

// Verify checks the hash chain of one audit file, or of a rotated series
// given oldest first with the active file last: each line must be a
// record in canonical form whose hash is the SHA-256 of its canonical
// JSON without hash, whose prev_hash is the previous record's hash
// (across files too), the first one's being 64 zeros. It stops at the
// first bad line. The error is for files that cannot be read; a broken
// chain is a Result with a Failure.
//
// An edited, deleted, reordered or inserted record, a record truncated
// in the middle of the file or a torn last record is reported; records
// removed from the end of the last file are not (see the package
// documentation).
func Verify(paths ...string) (Result, error) { return VerifyFrom(ZeroHash, paths...) }

// VerifyFrom is Verify for a chain whose first record in paths follows
// the record with hash prev (older rotated files were removed).
func VerifyFrom(prev string, paths ...string) (Result, error) {
	res := Result{LastHash: prev}
	for _, p := range paths {
		if err := verifyFile(p, &res); err != nil || res.Failure != nil {
			return res, err
		}
	}
	return res, nil
}

func verifyFile(path string, res *Result) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 256<<10)
	for line := 1; ; line++ {
		b, complete, err := readLine(r)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if b == nil {
			return nil
		}
		fail := func(reason string) {
			res.Failure = &Failure{File: path, Line: line, Reason: reason}
		}
		if len(b) > maxLine {
			fail("line longer than 64 MiB")
			return nil
		}
		hash, prev, reason := checkLine(b)
		switch {
		case reason != "" && !complete:
			fail(ReasonTorn)
		case reason != "":
			fail(reason)
		case prev != res.LastHash && res.Records == 0 && res.LastHash == ZeroHash:
			fail(ReasonBadStart)
		case prev != res.LastHash:
			fail(ReasonChainBroken)
		}
		if res.Failure != nil {
			return nil
		}
		res.Records++
		res.LastHash = hash
	}
}

// readLine returns the next line without its newline, whether it ended
// with one, and nil at the end of the file. Reading stops once a line
// exceeds maxLine (it is returned longer than maxLine).
func readLine(r *bufio.Reader) (line []byte, complete bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		switch {
		case err == nil:
			return line[:len(line)-1], true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			if len(line) > maxLine {
				return line, false, nil
			}
		case errors.Is(err, io.EOF):
			if len(line) == 0 {
				return nil, false, nil
			}
			return line, false, nil
		default:
			return nil, false, err
		}
	}
}

// checkLine verifies one line on its own: a JSON object in canonical
// form with well-formed hash and prev_hash members, hash being the
// SHA-256 of the canonical JSON without it. It returns the two hashes,
// or why the line is bad.
func checkLine(line []byte) (hash, prev, reason string) {
	if len(line) == 0 {
		return "", "", ReasonEmptyLine
	}
	v, err := parseJSON(line)
	if err != nil {
		return "", "", "not valid JSON: " + err.Error()
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return "", "", "not a JSON object"
	}
	hash, ok1 := obj["hash"].(string)
	prev, ok2 := obj["prev_hash"].(string)
	if !ok1 || !isHash(hash) {
		return "", "", "missing or malformed hash"
	}
	if !ok2 || !isHash(prev) {
		return "", "", "missing or malformed prev_hash"
	}
	canon, err := appendValue(make([]byte, 0, len(line)), obj)
	if err != nil {
		return "", "", "not valid JSON: " + err.Error()
	}
	if !bytes.Equal(canon, line) {
		return "", "", ReasonNotCanonical
	}
	delete(obj, "hash")
	unhashed, err := appendValue(canon[:0], obj)
	if err != nil {
		return "", "", "not valid JSON: " + err.Error()
	}
	sum := sha256.Sum256(unhashed)
	if hex.EncodeToString(sum[:]) != hash {
		return "", "", ReasonHashMismatch
	}
	return hash, prev, ""
}

func isHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
