package apikey

import (
	"fmt"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/store"
)

// View is what operators see of a key (keys list --json, the admin
// API): never the key or its hash.
type View struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Scopes   []string   `json:"scopes"`
	Created  time.Time  `json:"created"`
	Expires  *time.Time `json:"expires"`
	LastUsed *time.Time `json:"last_used"`
	Status   string     `json:"status"`
	TOTP     bool       `json:"totp"`
	// Quota is "N/day" or "N/month"; omitted when the key has none.
	Quota      string     `json:"quota,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	RotatedTo  string     `json:"rotated_to,omitempty"`
	GraceUntil *time.Time `json:"grace_until,omitempty"`
}

// NewView describes key as of now.
func NewView(key *store.Key, now time.Time) View {
	v := View{ID: key.ID, Name: key.Name, Scopes: key.Scopes, Created: key.Created,
		Expires: timePtr(key.Expires), LastUsed: timePtr(key.LastUsed), Status: string(key.Status(now)),
		TOTP: key.TOTP, RevokedAt: timePtr(key.RevokedAt), RotatedTo: key.RotatedTo}
	if !key.Quota.IsZero() {
		v.Quota = QuotaString(key.Quota)
	}
	if key.RotatedTo != "" {
		v.GraceUntil = timePtr(key.GraceUntil)
	}
	if v.Scopes == nil {
		v.Scopes = []string{}
	}
	return v
}

// QuotaString shows a quota as N/day or N/month, "-" for none.
func QuotaString(q store.Quota) string {
	if q.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%d/%s", q.Limit, q.Per)
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// maxLifetime bounds --expires and --grace (and keeps time arithmetic
// far from overflow).
const maxLifetime = 100 * 365 * 24 * time.Hour

// ParseLifetime reads a duration in the configuration's syntax ("1s",
// "90m", "30d", "1d12h"). "" is zero; zero itself is accepted only when
// allowZero.
func ParseLifetime(s string, allowZero bool) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := config.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("invalid duration %v", err)
	case time.Duration(d) > maxLifetime:
		return 0, fmt.Errorf("duration %q is longer than 100 years", s)
	case d == 0 && !allowZero:
		return 0, fmt.Errorf("duration %q must be positive", s)
	}
	return time.Duration(d), nil
}
