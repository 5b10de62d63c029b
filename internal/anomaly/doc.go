// Package anomaly detects attacks in live traffic and answers them: it
// raises alerts, and for rules with action block, refuses the offending
// client IP or identity for a while on every replica (through the
// store's Blocks). docs/anomaly.md is the operator's view.
//
// # Detectors
//
// The gateway feeds every answered request to Engine.Observe as an
// Event. Detectors count per client IP (IPv4 address, or IPv6 /64: one
// client can use any address of its /64) or per identity (the Subject,
// else "key:<KeyID>"):
//
//	detector             counts                                        per       default
//	auth_failures        401 answers                                   IP, id    20 in 10s
//	credential_stuffing  distinct credentials failing with 401         IP        10 in 1m
//	enumeration          distinct (route, object id) answered 403/404  identity  30 in 1m
//	traffic_spike        requests, against the identity's own EWMA     identity  >= 300 in 1m and
//	                     baseline (time constant 1h, warm-up 30m)                > 10x baseline
//	injection_repeat     requests refused by the injection filter      IP        5 in 1m
//
// A detector fires when its count in the sliding window reaches the
// threshold, and then not again for that offender until its cooldown
// ends (defaults: 1m for auth_failures, 10m for traffic_spike, 5m for the
// others). Every default action is alert: blocking is chosen per rule
// (Rule.Action, Rule.BlockFor; defaults 15m, 1h for credential_stuffing
// and injection_repeat).
//
// Windows are two fixed buckets of the window's length weighted by the
// elapsed fraction (cur + prev·(1−f)): exact for evenly spread events,
// and a burst straddling a bucket boundary is counted in full within a
// few events of the threshold (40 failures in 4 s always fire by the
// 22nd, within 2.2 s). Distinct counts use a 128-bit linear-counting
// bitmap per bucket: exact while values do not collide, within about
// ±10% at 64 (hence MaxDistinctThreshold), so enumeration may fire a few
// objects early. traffic_spike keeps an exponentially weighted moving
// average of the identity's completed windows, bias-corrected so a young
// history is not underestimated; it cannot fire before WarmUp, and an
// identity idle for hours that resumes above the threshold at ten times
// its faded baseline does fire (raise the threshold for batch clients).
//
// # Cost and memory
//
// Observe is O(1): one or two short critical sections of lock-striped
// tables (256 shards), no I/O, no allocation. Requests that are neither
// failures nor authenticated (public 200s) touch no table at all, and
// per-IP state is only kept for failing clients. The tables have a fixed
// capacity (IPCapacity, IdentityCapacity; about 88 and 96 bytes per
// entry, 9 MiB with the defaults) allocated by New: they never grow,
// whatever the number of distinct clients. A new key replaces, within
// its bucket of 8, an idle entry first, else the one with the fewest
// events: a flood of one-shot addresses displaces other one-shot
// addresses, not an attacker with a burst in progress. Keys are not
// stored, only 64-bit hashes under per-process random seeds (two keys
// whose hashes collide would share counters; nobody outside can aim at
// that).
//
// # Alerts
//
// An alert is queued for Engine.Run, which stores the block (action
// block) and calls the Sink; the gateway's sink writes the audit record
// (type alert) and counts apiguard_alerts_total{detector}, and the
// webhook subpackage posts signed batches. Alerts pass a global token
// bucket (AlertRate per second, AlertBurst at once: 10 and 20) so a
// distributed attack cannot flood the audit log or the webhook; alerts
// withheld by it or by a full queue are counted (Stats) and reported in
// the next alert's Suppressed.
//
// # Blocks
//
// BlockList is each replica's in-memory copy of the store's blocks:
// Blocked is a lock-free map lookup, Refresh reloads the list when the
// store's blocks revision changed (Run polls it), and a block this
// replica adds is in force here at once. Requests refused by a block
// (Refusal: 403, code client-blocked, Retry-After) must be fed to
// Observe with that code: they are ignored, so a blocked client neither
// extends nor re-triggers its block.
//
// Security: an identity block can lock out a legitimate user whose
// credentials (or API key id) an attacker presents: auth_failures per
// identity with action block turns failed logins into a denial of
// service against the victim. An IP block refuses everyone behind that
// address (NAT, proxies not listed in trusted_proxies). Choose blocking
// per rule with that in mind; keep BlockFor short.
package anomaly
