package audit

import (
	"encoding/json"
	"net/netip"
	"time"
)

// Record types: the `type` field of every record.
const (
	TypeRequest = "request"
	TypeAlert   = "alert"
	TypeAdmin   = "admin"
	TypeReload  = "reload"
)

// ZeroHash is the prev_hash of the very first record of a chain.
const ZeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Redacted replaces every redacted value.
const Redacted = "[REDACTED]"

// TimeFormat is how `time` is written: RFC 3339, UTC, microseconds.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// Record is one audit record: one JSON line of the audit file.
//
// The contract fields (BEHAVIOUR.md "Audit") are time, type, request_id,
// client_ip, method, route, path, status, code, identity, scopes,
// upstream_status, duration_ms, bytes_in, bytes_out, prev_hash and hash.
// The extras are deprecated and version (who still calls an old API
// version), findings (non-blocking WAF findings), detector (the
// anomaly detector of an alert), detail (a human-readable cause), query
// (the raw query string, redacted), headers (selected request headers,
// redacted) and body (a JSON document such as an admin action's payload,
// redacted at any depth).
//
// Empty fields are omitted, except that time, type, prev_hash and hash
// are always present and a request record always carries status,
// duration_ms, bytes_in and bytes_out (0 is meaningful there).
//
// The JSON tags describe the file format for readers (json.Unmarshal);
// the writer uses its own canonical encoder, never encoding/json.
type Record struct {
	// Time is when the event happened; the writer stamps Submit's time
	// when it is zero. Written in UTC with microseconds (TimeFormat).
	Time time.Time `json:"time"`
	// Type is TypeRequest (the default when empty), TypeAlert,
	// TypeAdmin or TypeReload.
	Type      string     `json:"type"`
	RequestID string     `json:"request_id,omitempty"`
	ClientIP  netip.Addr `json:"client_ip,omitzero"`
	Method    string     `json:"method,omitempty"`
	// Route is the matched route's name.
	Route  string `json:"route,omitempty"`
	Path   string `json:"path,omitempty"`
	Status int    `json:"status,omitempty"`
	// Code is the problem code of an error response.
	Code           string   `json:"code,omitempty"`
	Identity       Identity `json:"identity,omitzero"`
	Scopes         []string `json:"scopes,omitempty"`
	UpstreamStatus int      `json:"upstream_status,omitempty"`
	// DurationMS is written rounded to the microsecond (3 decimals).
	DurationMS float64 `json:"duration_ms,omitempty"`
	BytesIn    int64   `json:"bytes_in,omitempty"`
	BytesOut   int64   `json:"bytes_out,omitempty"`

	// Deprecated marks a request to a deprecated route; Version is the
	// API version of its route (its path's first segment, e.g. "v0").
	Deprecated bool   `json:"deprecated,omitempty"`
	Version    string `json:"version,omitempty"`

	Findings []string            `json:"findings,omitempty"`
	Detector string              `json:"detector,omitempty"`
	Detail   string              `json:"detail,omitempty"`
	Query    string              `json:"query,omitempty"`
	Headers  map[string][]string `json:"headers,omitempty"`
	Body     json.RawMessage     `json:"body,omitempty"`

	// PrevHash and Hash are set by the writer; values set by the caller
	// are overwritten.
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// Identity is who a request proved to be.
type Identity struct {
	Subject string `json:"subject,omitempty"`
	// Auth is the method: api_key, jwt, introspection, mtls.
	Auth string `json:"auth,omitempty"`
	// KeyID is the API key's public id (never the key).
	KeyID string `json:"key_id,omitempty"`
}

// IsZero reports whether no field is set.
func (id Identity) IsZero() bool { return id == Identity{} }

// SetDuration sets DurationMS from d.
func (r *Record) SetDuration(d time.Duration) { r.DurationMS = float64(d) / float64(time.Millisecond) }
