package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// rotatedTime is the timestamp in a rotated file's name: UTC, sortable,
// no colons.
const rotatedTime = "20060102T150405.000000000Z"

// Recovery says where a Writer's chain continued from when it opened.
type Recovery struct {
	// LastHash is the hash the first new record chains to (ZeroHash for
	// a new chain).
	LastHash string
	// From is the file LastHash was read from: the active file, the
	// newest rotated file (when the active one was missing or empty), or
	// "" for a new chain.
	From string
	// TornBytes is the size of an incomplete last record that was cut
	// off the active file (a write torn by a crash), at TornOffset.
	TornBytes, TornOffset int64
}

// splitName returns the stem and extension of the active file's name:
// data/audit.jsonl → data/audit, .jsonl.
func splitName(active string) (stem, ext string) {
	ext = filepath.Ext(active)
	return strings.TrimSuffix(active, ext), ext
}

// RotatedName is the name a file rotated at t gets:
// <stem>-<UTC time to the nanosecond><ext>, e.g.
// data/audit-20261127T120000.000000000Z.jsonl for data/audit.jsonl.
// Names sort in rotation order, and before the active file's.
func RotatedName(active string, t time.Time) string {
	stem, ext := splitName(active)
	return stem + "-" + t.UTC().Format(rotatedTime) + ext
}

// Files returns the rotated files of the active file, oldest first,
// followed by the active file when it exists: the arguments Verify needs
// for the whole chain.
func Files(active string) ([]string, error) {
	stem, ext := splitName(active)
	matches, err := filepath.Glob(globEscape(stem) + "-*" + globEscape(ext))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		ts := strings.TrimSuffix(strings.TrimPrefix(m, stem+"-"), ext)
		if _, err := time.Parse(rotatedTime, ts); err == nil {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	if _, err := os.Stat(active); err == nil {
		out = append(out, active)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return out, nil
}

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

// openActive opens (creating, 0600) and locks the active file, repairs
// a torn tail and finds the hash to chain from.
func openActive(path string) (f *os.File, size int64, start time.Time, rec Recovery, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, 0, time.Time{}, rec, err
	}
	f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, 0, time.Time{}, rec, err
	}
	fail := func(err error) (*os.File, int64, time.Time, Recovery, error) {
		f.Close()
		return nil, 0, time.Time{}, rec, fmt.Errorf("%s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		return fail(err)
	}
	st, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	size = st.Size()
	if size, rec, err = repairTail(f, size); err != nil {
		return fail(err)
	}
	if size == 0 {
		if err := syncDir(path); err != nil {
			return fail(err)
		}
		rec.LastHash, rec.From, err = lastOfRotated(path)
		if err != nil {
			return fail(err)
		}
		return f, 0, time.Time{}, rec, nil
	}
	rec.From = path
	if rec.LastHash, err = lastHash(f, size); err != nil {
		return fail(err)
	}
	return f, size, firstTime(f), rec, nil
}

// repairTail cuts an incomplete last line (no final newline and not a
// valid record) off f, and completes a valid one that only lacks its
// newline. It returns the new size.
func repairTail(f *os.File, size int64) (int64, Recovery, error) {
	var rec Recovery
	if size == 0 {
		return 0, rec, nil
	}
	last, err := readRange(f, size-1, size)
	if err != nil || last[0] == '\n' {
		return size, rec, err
	}
	start, err := lineStart(f, size)
	if err != nil {
		return size, rec, err
	}
	tail, err := readRange(f, start, size)
	if err != nil {
		return size, rec, err
	}
	if _, _, reason := checkLine(tail); reason == "" {
		if _, err := f.WriteAt([]byte{'\n'}, size); err != nil {
			return size, rec, err
		}
		return size + 1, rec, f.Sync()
	}
	if err := f.Truncate(start); err != nil {
		return size, rec, err
	}
	rec.TornBytes, rec.TornOffset = size-start, start
	return start, rec, f.Sync()
}

// lastHash verifies the last line of f (which ends with a newline) on
// its own and returns its hash. A damaged last record is an error: the
// writer does not extend a chain it cannot vouch for.
func lastHash(f *os.File, size int64) (string, error) {
	start, err := lineStart(f, size-1)
	if err != nil {
		return "", err
	}
	line, err := readRange(f, start, size-1)
	if err != nil {
		return "", err
	}
	hash, _, reason := checkLine(line)
	if reason != "" {
		return "", fmt.Errorf("the last record (at byte %d) is damaged: %s; run `apiguard audit verify` and move the file aside to start a new chain", start, reason)
	}
	return hash, nil
}

// lastOfRotated returns the last hash of the newest rotated file of
// active, or ZeroHash when there is none.
func lastOfRotated(active string) (hash, from string, err error) {
	files, err := Files(active)
	if err != nil {
		return "", "", err
	}
	for i := len(files) - 1; i >= 0; i-- {
		p := files[i]
		if p == active {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			return "", "", err
		}
		st, err := f.Stat()
		if err != nil || st.Size() == 0 {
			f.Close()
			if err != nil {
				return "", "", err
			}
			continue // an empty rotated file: look further back
		}
		if last, err := readRange(f, st.Size()-1, st.Size()); err != nil || last[0] != '\n' {
			f.Close()
			return "", "", fmt.Errorf("%s: does not end with a complete record", p)
		}
		hash, err = lastHash(f, st.Size())
		f.Close()
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", p, err)
		}
		return hash, p, nil
	}
	return ZeroHash, "", nil
}

// firstTime returns the time of the file's first record, the start of
// its age; zero when it cannot be read.
func firstTime(f *os.File) time.Time {
	buf := make([]byte, tailChunk)
	n, _ := f.ReadAt(buf, 0)
	line, _, _ := strings.Cut(string(buf[:n]), "\n")
	var r struct {
		Time time.Time `json:"time"`
	}
	if json.Unmarshal([]byte(line), &r) != nil {
		return time.Time{}
	}
	return r.Time
}

// syncDir fsyncs the directory of path, so that a created or renamed
// file survives a machine crash. Best effort: some file systems refuse
// to fsync a directory.
func syncDir(path string) error {
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	_ = d.Sync()
	return d.Close()
}
