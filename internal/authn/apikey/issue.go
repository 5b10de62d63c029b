package apikey

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/apiguard/apiguard/internal/store"
	"github.com/apiguard/apiguard/internal/totp"
)

// Spec describes a key to issue.
type Spec struct {
	Name   string
	Scopes []string
	// TTL is the key's lifetime; zero means it never expires.
	TTL time.Duration
	// TOTP enrols the key for step-up with a new seed.
	TOTP bool
	// Quota is the key's own quota, enforced on every route (counted
	// across routes); the zero value means none.
	Quota store.Quota
}

// Issued is a newly issued key. Key and TOTPURI are the only copies of
// the secrets: show them once.
type Issued struct {
	Key    Key
	Record store.Key
	// TOTPURI is the otpauth:// enrolment URI of a new TOTP seed; empty
	// when none was created.
	TOTPURI string
}

// ErrInvalidSpec reports an unusable name or scope.
var ErrInvalidSpec = errors.New("invalid key spec")

// Limits on names and scopes.
const (
	MaxNameLen  = 64
	MaxScopeLen = 128
	MaxScopes   = 64
)

// idAttempts bounds retries on an id collision (62^8 ids: rare).
const idAttempts = 3

// Issue creates a key in st and returns it with its plaintext.
func Issue(ctx context.Context, st store.Store, spec Spec, now time.Time) (Issued, error) {
	if err := spec.Validate(); err != nil {
		return Issued{}, err
	}
	var seed []byte
	if spec.TOTP {
		var err error
		if seed, err = totp.NewSeed(); err != nil {
			return Issued{}, err
		}
		defer clear(seed)
	}
	rec := store.Key{Name: spec.Name, Scopes: normalizeScopes(spec.Scopes), Created: now.UTC(), TOTP: spec.TOTP, Quota: spec.Quota}
	if spec.TTL > 0 {
		rec.Expires = rec.Created.Add(spec.TTL)
	}
	iss, err := insert(st, rec, func(r store.Key) error { return st.Keys().Create(ctx, r, seed) })
	if err != nil || seed == nil {
		return iss, err
	}
	iss.TOTPURI, err = totp.URI(totpAccount(iss.Record), seed)
	return iss, err
}

// Rotate replaces key oldID by a new key with the same name, scopes,
// lifetime, quota and TOTP enrolment (the successor's quota is counted
// afresh: counters are per key id). The old key stays valid for grace (zero:
// invalid at once).
func Rotate(ctx context.Context, st store.Store, oldID string, grace time.Duration, now time.Time) (Issued, error) {
	if grace < 0 {
		return Issued{}, fmt.Errorf("%w: negative grace period", ErrInvalidSpec)
	}
	old, err := st.Keys().Get(ctx, oldID)
	if err != nil {
		return Issued{}, err
	}
	now = now.UTC()
	rec := store.Key{Name: old.Name, Scopes: old.Scopes, Created: now, TOTP: old.TOTP, Quota: old.Quota}
	if !old.Expires.IsZero() {
		rec.Expires = now.Add(old.Expires.Sub(old.Created))
	}
	return insert(st, rec, func(r store.Key) error {
		return st.Keys().Rotate(ctx, store.Rotation{OldID: oldID, Next: r, At: now, GraceUntil: now.Add(grace)})
	})
}

// insert generates a key for rec and stores it with put, drawing a new
// key when the id is taken.
func insert(st store.Store, rec store.Key, put func(store.Key) error) (Issued, error) {
	for attempt := 1; ; attempt++ {
		k, err := Generate()
		if err != nil {
			return Issued{}, err
		}
		rec.ID, rec.Hash = k.ID(), st.Hasher().Sum(k.Plaintext())
		err = put(rec)
		if err == nil {
			return Issued{Key: k, Record: rec}, nil
		}
		if !errors.Is(err, store.ErrExists) || attempt == idAttempts {
			return Issued{}, err
		}
	}
}

func totpAccount(k store.Key) string { return k.Name + " (" + k.ID + ")" }

// Validate checks the name, scopes and lifetime (Issue calls it).
func (s *Spec) Validate() error {
	if err := validName(s.Name); err != nil {
		return err
	}
	if s.TTL < 0 {
		return fmt.Errorf("%w: negative lifetime", ErrInvalidSpec)
	}
	if err := ValidQuota(s.Quota); err != nil {
		return err
	}
	if len(s.Scopes) > MaxScopes {
		return fmt.Errorf("%w: more than %d scopes", ErrInvalidSpec, MaxScopes)
	}
	for _, sc := range s.Scopes {
		if err := validScope(sc); err != nil {
			return err
		}
	}
	return nil
}

// MaxQuota bounds a key's quota limit (the counters are 32 bits).
const MaxQuota = math.MaxInt32

// ValidQuota accepts the zero quota (none) or 1..MaxQuota per day or
// month.
func ValidQuota(q store.Quota) error {
	if q.IsZero() && q.Per == "" {
		return nil
	}
	if q.Limit <= 0 || q.Limit > MaxQuota {
		return fmt.Errorf("%w: a quota is between 1 and %d requests", ErrInvalidSpec, MaxQuota)
	}
	if q.Per != "day" && q.Per != "month" {
		return fmt.Errorf("%w: a quota is per day or per month, not %q", ErrInvalidSpec, q.Per)
	}
	return nil
}

// ParseQuota parses "N/day" or "N/month" (the --quota flag).
func ParseQuota(s string) (store.Quota, error) {
	n, per, ok := strings.Cut(s, "/")
	if !ok {
		return store.Quota{}, fmt.Errorf("%w: quota %q is not N/day or N/month", ErrInvalidSpec, s)
	}
	limit, err := strconv.ParseInt(n, 10, 64)
	if err != nil || n == "" || n[0] == '+' || n[0] == '-' {
		return store.Quota{}, fmt.Errorf("%w: quota %q is not N/day or N/month", ErrInvalidSpec, s)
	}
	q := store.Quota{Limit: limit, Per: per}
	if err := ValidQuota(q); err != nil {
		return store.Quota{}, err
	}
	return q, nil
}

func validName(n string) error {
	switch {
	case n == "":
		return fmt.Errorf("%w: a name is required", ErrInvalidSpec)
	case !utf8.ValidString(n) || utf8.RuneCountInString(n) > MaxNameLen:
		return fmt.Errorf("%w: a name is valid UTF-8 of at most %d characters", ErrInvalidSpec, MaxNameLen)
	}
	for _, r := range n {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: the name has a control character", ErrInvalidSpec)
		}
	}
	return nil
}

// validScope accepts an RFC 6749 scope-token: printable ASCII without
// space, '"' or '\'.
func validScope(s string) error {
	if s == "" || len(s) > MaxScopeLen {
		return fmt.Errorf("%w: a scope has 1 to %d characters", ErrInvalidSpec, MaxScopeLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return fmt.Errorf("%w: scope %q has a character outside RFC 6749 scope-token", ErrInvalidSpec, s)
		}
	}
	return nil
}

// normalizeScopes sorts and deduplicates.
func normalizeScopes(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}
