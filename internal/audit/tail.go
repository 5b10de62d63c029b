package audit

import (
	"bytes"
	"errors"
	"io"
	"os"
)

// tailChunk is how much is read at a time when scanning a file backwards.
const tailChunk = 64 << 10

// lineStart returns the offset just after the last '\n' in [0, end) of
// f, or 0 when there is none.
func lineStart(f io.ReaderAt, end int64) (int64, error) {
	buf := make([]byte, tailChunk)
	for end > 0 {
		off := max(end-tailChunk, 0)
		b := buf[:end-off]
		if _, err := f.ReadAt(b, off); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			return off + int64(i) + 1, nil
		}
		end = off
	}
	return 0, nil
}

// readRange reads [from, to) of f.
func readRange(f io.ReaderAt, from, to int64) ([]byte, error) {
	b := make([]byte, to-from)
	if _, err := f.ReadAt(b, from); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b, nil
}

// LastLines returns the last n complete lines of the file at path,
// oldest first, without their newlines (an incomplete last line is
// returned too, as the last element).
func LastLines(path string, n int) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	end := st.Size()
	var out [][]byte
	if end > 0 {
		last, err := readRange(f, end-1, end)
		if err != nil {
			return nil, err
		}
		if last[0] == '\n' {
			end-- // the final newline ends the last line; it does not start an empty one
		}
	}
	for len(out) < n && end > 0 {
		start, err := lineStart(f, end)
		if err != nil {
			return nil, err
		}
		line, err := readRange(f, start, end)
		if err != nil {
			return nil, err
		}
		out = append(out, line)
		end = start - 1
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}
