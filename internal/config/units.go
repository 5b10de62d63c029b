package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The custom scalar types implement goccy/go-yaml's InterfaceUnmarshaler
// (UnmarshalYAML(func(any) error) error): the decoder hands them the
// already-decoded value (string, integer, time.Time...), which keeps ${ENV}
// expansion (done on the AST) visible to them.

// ParseSize parses a byte count: a plain integer ("512"), or an integer with
// a unit: B, KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB (powers
// of 1000). Units are case-insensitive; one space may separate them.
// Negative and overflowing values are refused.
func ParseSize(s string) (Size, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, errors.New("must be a size such as 1MiB, 16KiB or 512")
	}
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9') {
		i++
	}
	num, unit := t[:i], strings.TrimSpace(t[i:])
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("%q: must not be negative", s)
	}
	if num == "" {
		return 0, fmt.Errorf("%q: must be a size such as 1MiB, 16KiB or 512", s)
	}
	mult, ok := sizeUnits[strings.ToLower(unit)]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q (use B, KiB, MiB, GiB, TiB, KB, MB, GB or TB)", s, unit)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q: too large", s)
	}
	return Size(n * mult), nil
}

var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
}

// String formats the size with the largest binary unit that divides it
// exactly ("1MiB", "16KiB"), else in bytes ("1500B").
func (s Size) String() string {
	n := int64(s)
	for _, u := range []struct {
		name string
		mult int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// Bytes returns the size as an int64 byte count.
func (s Size) Bytes() int64 { return int64(s) }

// MarshalText formats the size as String does.
func (s Size) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalYAML implements goccy/go-yaml's InterfaceUnmarshaler.
func (s *Size) UnmarshalYAML(unmarshal func(any) error) error {
	var v any
	if err := unmarshal(&v); err != nil {
		return err
	}
	switch x := v.(type) {
	case string:
		n, err := ParseSize(x)
		if err != nil {
			return err
		}
		*s = n
		return nil
	case int64:
		if x < 0 {
			return fmt.Errorf("%d: must not be negative", x)
		}
		*s = Size(x)
		return nil
	case uint64:
		if x > math.MaxInt64 {
			return fmt.Errorf("%d: too large", x)
		}
		*s = Size(x)
		return nil
	}
	return errors.New("must be a size such as 1MiB, 16KiB or 512")
}

// ParseDuration parses a duration: Go's syntax ("30s", "5m", "1h30m",
// "250ms") plus a leading whole number of days ("30d", "1d12h"). Negative
// durations are refused; "0" is zero.
func ParseDuration(s string) (Duration, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("%q: must not be negative", s)
	}
	if strings.HasPrefix(t, "+") {
		t = t[1:]
	}
	var days time.Duration
	if i := strings.IndexByte(t, 'd'); i > 0 && isDigits(t[:i]) {
		n, err := strconv.ParseInt(t[:i], 10, 64)
		if err != nil || n > int64(math.MaxInt64/(24*time.Hour)) {
			return 0, fmt.Errorf("%q: too large", s)
		}
		days = time.Duration(n) * 24 * time.Hour
		t = t[i+1:]
		if t == "" {
			return Duration(days), nil
		}
	}
	if isDigits(t) && t != "0" {
		return 0, fmt.Errorf("%q: needs a unit, e.g. 30s, 5m, 1h or 30d", s)
	}
	d, err := time.ParseDuration(t)
	if err != nil || strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		return 0, fmt.Errorf("%q: must be a duration such as 30s, 5m, 1h30m or 30d", s)
	}
	if d > time.Duration(math.MaxInt64)-days {
		return 0, fmt.Errorf("%q: too large", s)
	}
	return Duration(days + d), nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Duration returns d as a time.Duration.
func (d Duration) Duration() time.Duration { return time.Duration(d) }

// String formats d compactly: "30d", "1h30m", "5m", "30s", "250ms", "0s".
func (d Duration) String() string {
	td := time.Duration(d)
	if td == 0 {
		return "0s"
	}
	var b strings.Builder
	if td < 0 {
		return td.String()
	}
	if days := td / (24 * time.Hour); days > 0 && td%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(days), 10) + "d"
	}
	if td%time.Second != 0 {
		return td.String()
	}
	h, m, s := td/time.Hour, (td%time.Hour)/time.Minute, (td%time.Minute)/time.Second
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s > 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}

// MarshalText formats the duration as String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalYAML implements goccy/go-yaml's InterfaceUnmarshaler.
func (d *Duration) UnmarshalYAML(unmarshal func(any) error) error {
	var v any
	if err := unmarshal(&v); err != nil {
		return err
	}
	switch x := v.(type) {
	case string:
		n, err := ParseDuration(x)
		if err != nil {
			return err
		}
		*d = n
		return nil
	case int64, uint64:
		if i, ok := x.(int64); ok && i < 0 {
			return fmt.Errorf("%d: must not be negative", i)
		}
		if fmt.Sprint(x) == "0" {
			*d = 0
			return nil
		}
		return fmt.Errorf("%[1]v: needs a unit, e.g. %[1]vs, %[1]vm or %[1]vh", x)
	}
	return errors.New("must be a duration such as 30s, 5m, 1h30m or 30d")
}

// ParseDate parses a calendar date ("2026-01-01", taken as midnight UTC) or
// an RFC 3339 time ("2026-01-01T12:00:00Z"), returned in UTC.
func ParseDate(s string) (Date, error) {
	t := strings.TrimSpace(s)
	if d, err := time.Parse(time.DateOnly, t); err == nil {
		return Date{d.UTC()}, nil
	}
	if d, err := time.Parse(time.RFC3339, t); err == nil {
		return Date{d.UTC()}, nil
	}
	return Date{}, fmt.Errorf("%q: must be a date (2026-01-01) or an RFC 3339 time (2026-01-01T00:00:00Z)", s)
}

// String formats the date as YYYY-MM-DD when it is midnight UTC, else as
// RFC 3339; the zero Date is "".
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	t := d.UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

// MarshalText formats the date as String does.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// MarshalJSON formats the date as a JSON string (String's form); it
// overrides the method promoted from time.Time.
func (d Date) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(d.String())), nil }

// UnmarshalYAML implements goccy/go-yaml's InterfaceUnmarshaler. An
// unquoted date may reach it as a string or, tagged !!timestamp, as a
// time.Time: both are accepted.
func (d *Date) UnmarshalYAML(unmarshal func(any) error) error {
	var v any
	if err := unmarshal(&v); err != nil {
		return err
	}
	switch x := v.(type) {
	case string:
		n, err := ParseDate(x)
		if err != nil {
			return err
		}
		*d = n
		return nil
	case time.Time:
		*d = Date{x.UTC()}
		return nil
	}
	return errors.New("must be a date (2026-01-01) or an RFC 3339 time")
}
