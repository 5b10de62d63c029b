package redis

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

// keyFields are the fields Get reads, in the order decodeKey expects.
var keyFields = []string{"name", "hash", "scopes", "created", "expires", "last_used",
	"revoked_at", "rotated_to", "grace_until", "totp_id", "quota_limit", "quota_per"}

// hmgetArgs is HMGET <key> keyFields..., with the key's slot (1) left to
// fill: the fields are boxed once, not on every Get.
var hmgetArgs = func() []any {
	a := []any{"hmget", nil}
	for _, f := range keyFields {
		a = append(a, f)
	}
	return a
}()

// encodeKey returns the field/value pairs a new key record is written
// with: what the sqlite store stores on insert (name, hash, scopes,
// created, expires, quota) and the enrolment id, if any.
func encodeKey(k *store.Key, totpID string) ([]any, error) {
	scopes := k.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	js, err := json.Marshal(scopes)
	if err != nil {
		return nil, err
	}
	kv := []any{"name", k.Name, "hash", string(k.Hash[:]), "scopes", string(js), "created", nanos(k.Created)}
	if !k.Expires.IsZero() {
		kv = append(kv, "expires", nanos(k.Expires))
	}
	if totpID != "" {
		kv = append(kv, "totp_id", totpID)
	}
	if !k.Quota.IsZero() {
		kv = append(kv, "quota_limit", strconv.FormatInt(k.Quota.Limit, 10), "quota_per", k.Quota.Per)
	}
	return kv, nil
}

// decodeKey builds the record of id from the values of keyFields; ok is
// false when the record does not exist.
func decodeKey(id string, v []any) (k store.Key, ok bool, err error) {
	if len(v) != len(keyFields) {
		return k, false, fmt.Errorf("key %s: %d fields read", id, len(v))
	}
	str := func(i int) string { s, _ := v[i].(string); return s }
	hash, exists := v[1].(string)
	if !exists {
		return k, false, nil
	}
	if len(hash) != len(k.Hash) {
		return k, true, fmt.Errorf("key %s: stored hash has %d bytes", id, len(hash))
	}
	k.ID, k.Name, k.RotatedTo = id, str(0), str(7)
	copy(k.Hash[:], hash)
	if err := json.Unmarshal([]byte(str(2)), &k.Scopes); err != nil {
		return k, true, fmt.Errorf("key %s: scopes: %w", id, err)
	}
	for i, dst := range [...]*time.Time{3: &k.Created, 4: &k.Expires, 5: &k.LastUsed, 6: &k.RevokedAt, 8: &k.GraceUntil} {
		if dst == nil || v[i] == nil {
			continue
		}
		if *dst, err = parseNanos(str(i)); err != nil {
			return k, true, fmt.Errorf("key %s: %s: %w", id, keyFields[i], err)
		}
	}
	_, k.TOTP = v[9].(string)
	if ql, ok := v[10].(string); ok {
		n, err := strconv.ParseInt(ql, 10, 64)
		if err != nil || n <= 0 {
			return k, true, fmt.Errorf("key %s: quota_limit %q", id, ql)
		}
		k.Quota = store.Quota{Limit: n, Per: str(11)}
	}
	return k, true, nil
}

func nanos(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

func parseNanos(s string) (time.Time, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, n).UTC(), nil
}
