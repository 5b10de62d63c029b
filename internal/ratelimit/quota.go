package ratelimit

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/apiguard/apiguard/internal/config"
)

// Period is the length of a quota window.
type Period uint8

// Quota periods. Windows are calendar-aligned in UTC.
const (
	// Day windows start at 00:00 UTC.
	Day Period = iota + 1
	// Month windows start at 00:00 UTC on the 1st.
	Month
)

// String is the configuration spelling: day or month.
func (p Period) String() string {
	switch p {
	case Day:
		return "day"
	case Month:
		return "month"
	}
	return "Period(" + strconv.Itoa(int(p)) + ")"
}

// maxQuota bounds Quota.Limit so a window's count fits 32 bits.
const maxQuota = math.MaxInt32

// Quota is a compiled quota: Limit requests per calendar Period (UTC).
type Quota struct {
	Limit  int64
	Period Period
}

// NewQuota compiles a configured quota.
func NewQuota(cfg config.Quota) (Quota, error) {
	if cfg.Limit <= 0 || cfg.Limit > maxQuota {
		return Quota{}, fmt.Errorf("ratelimit: quota limit must be between 1 and %d", maxQuota)
	}
	switch cfg.Per {
	case "day":
		return Quota{Limit: int64(cfg.Limit), Period: Day}, nil
	case "month":
		return Quota{Limit: int64(cfg.Limit), Period: Month}, nil
	}
	return Quota{}, fmt.Errorf("ratelimit: quota per must be day or month, not %q", cfg.Per)
}

// Window is one calendar window of a quota: [Start, End) in UTC. ID
// numbers the windows of its Period (days or months since 1970-01),
// so a counter knows when its window has passed.
type Window struct {
	Period     Period
	ID         int64
	Start, End time.Time
}

// Window returns the window that contains now.
func (q Quota) Window(now time.Time) Window {
	u := now.UTC()
	y, m, d := u.Date()
	if q.Period == Month {
		start := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		return Window{Period: Month, ID: int64(y-1970)*12 + int64(m-1), Start: start, End: start.AddDate(0, 1, 0)}
	}
	start := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return Window{Period: Day, ID: start.Unix() / 86400, Start: start, End: start.AddDate(0, 0, 1)}
}

// Seconds is the window's length in seconds (86400 for a day; 28 to 31
// days for a month): the w of its RateLimit-Policy item.
func (w Window) Seconds() int64 { return int64(w.End.Sub(w.Start) / time.Second) }

// Contains reports whether t falls in the window.
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

// Tag names the window in storage keys: "d20513" or "m675".
func (w Window) Tag() string {
	c := byte('d')
	if w.Period == Month {
		c = 'm'
	}
	return string(c) + strconv.FormatInt(w.ID, 10)
}

// QuotaDecision is the outcome of one request against a quota window.
type QuotaDecision struct {
	// Allowed reports whether the request passes (and was counted).
	Allowed bool
	// Remaining is how many more requests the window admits.
	Remaining int64
}
