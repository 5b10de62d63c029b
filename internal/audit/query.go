package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Filter selects records (`apiguard audit query`). Zero fields match
// everything.
type Filter struct {
	// Since and Until bound the record's time (inclusive, exclusive).
	Since, Until time.Time
	// Identity matches identity.subject or identity.key_id.
	Identity string
	// Status matches the status exactly; StatusClass its hundreds (4 for
	// 4xx).
	Status, StatusClass int
	Route, Type         string
}

// Match reports whether r is selected.
func (f *Filter) Match(r *Record) bool {
	switch {
	case !f.Since.IsZero() && r.Time.Before(f.Since),
		!f.Until.IsZero() && !r.Time.Before(f.Until),
		f.Identity != "" && r.Identity.Subject != f.Identity && r.Identity.KeyID != f.Identity,
		f.Status != 0 && r.Status != f.Status,
		f.StatusClass != 0 && r.Status/100 != f.StatusClass,
		f.Route != "" && r.Route != f.Route,
		f.Type != "" && recordType(r) != f.Type:
		return false
	}
	return true
}

func recordType(r *Record) string {
	if r.Type == "" {
		return TypeRequest
	}
	return r.Type
}

// Scan reads the records of path in order and calls fn with each line
// (without its newline), its 1-based number, and the decoded record or
// the reason it could not be decoded. fn's error stops the scan and is
// returned.
func Scan(path string, fn func(line int, raw []byte, rec *Record, err error) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 256<<10)
	for n := 1; ; n++ {
		b, _, err := readLine(r)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if b == nil {
			return nil
		}
		var rec Record
		var decErr error
		if len(b) > maxLine {
			decErr = fmt.Errorf("line longer than 64 MiB")
		} else {
			decErr = json.Unmarshal(b, &rec)
		}
		if decErr != nil {
			if err := fn(n, b, nil, decErr); err != nil {
				return err
			}
			continue
		}
		if err := fn(n, b, &rec, nil); err != nil {
			return err
		}
	}
}
