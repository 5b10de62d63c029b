package audit

import (
	"maps"
	"slices"
	"time"
)

// ScopeUsage is what one identity was granted and what it used, for
// `apiguard audit scopes`: the evidence to narrow a key's or a client's
// scopes to least privilege.
type ScopeUsage struct {
	// Identity is the API key id when there is one, else the subject.
	Identity string `json:"identity"`
	Subject  string `json:"subject"`
	Auth     string `json:"auth"`
	// Requests counts the identity's requests that passed authorization.
	Requests int       `json:"requests"`
	LastSeen time.Time `json:"last_seen"`
	// Granted are the scopes of the identity's most recent record.
	Granted []string `json:"granted"`
	// Used are the granted scopes that some route it called required.
	Used []string `json:"used"`
	// Unused = Granted - Used: candidates for removal.
	Unused []string `json:"unused"`
}

// ScopeTally accumulates ScopeUsage from request records. routeScopes
// maps a route name to the scopes it requires (from the configuration):
// a request to a route requiring scope s counts as a use of s.
type ScopeTally struct {
	routeScopes map[string][]string
	since       time.Time
	byID        map[string]*scopeAcc
}

type scopeAcc struct {
	u    ScopeUsage
	used map[string]bool
}

// NewScopeTally counts records at or after since (zero: all).
func NewScopeTally(routeScopes map[string][]string, since time.Time) *ScopeTally {
	return &ScopeTally{routeScopes: routeScopes, since: since, byID: map[string]*scopeAcc{}}
}

// Add counts one record. Records that are not authenticated requests,
// are older than since, or were denied authentication or authorization
// (401, 403) are ignored: a denied request used nothing.
func (t *ScopeTally) Add(r *Record) {
	if recordType(r) != TypeRequest || r.Identity.Subject == "" || r.Time.Before(t.since) ||
		r.Status == 401 || r.Status == 403 {
		return
	}
	id := r.Identity.KeyID
	if id == "" {
		id = r.Identity.Auth + ":" + r.Identity.Subject
	}
	acc := t.byID[id]
	if acc == nil {
		acc = &scopeAcc{u: ScopeUsage{Identity: id}, used: map[string]bool{}}
		t.byID[id] = acc
	}
	acc.u.Requests++
	if !r.Time.Before(acc.u.LastSeen) {
		acc.u.LastSeen, acc.u.Subject, acc.u.Auth = r.Time, r.Identity.Subject, r.Identity.Auth
		acc.u.Granted = r.Scopes
	}
	for _, s := range t.routeScopes[r.Route] {
		acc.used[s] = true
	}
}

// Report returns one ScopeUsage per identity, sorted by identity.
func (t *ScopeTally) Report() []ScopeUsage {
	out := make([]ScopeUsage, 0, len(t.byID))
	for _, id := range slices.Sorted(maps.Keys(t.byID)) {
		acc := t.byID[id]
		u := acc.u
		u.Granted = slices.Sorted(slices.Values(u.Granted))
		u.Granted = slices.Compact(u.Granted)
		u.Used, u.Unused = []string{}, []string{}
		for _, s := range u.Granted {
			if acc.used[s] {
				u.Used = append(u.Used, s)
			} else {
				u.Unused = append(u.Unused, s)
			}
		}
		out = append(out, u)
	}
	return out
}
