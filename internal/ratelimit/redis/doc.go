// Package redis is the Redis backend of package ratelimit: GCRA limits and
// calendar quotas whose state every replica shares.
//
// Each decision is one round trip: EVALSHA of a small Lua script (EVAL
// once when the server has lost its script cache, e.g. after a restart).
// The GCRA script reads the key's TAT, decides on Redis's own clock
// (TIME, in microseconds), writes the new TAT only when the request
// passes, and sets PEXPIRE to the moment the budget is full again, so
// idle keys vanish. The quota script INCRs a per-window counter unless the
// limit is reached and gives it an EXPIREAT an hour after the window. All
// keys start with a prefix (DefaultPrefix "apiguard:"):
//
//	apiguard:rl:<route>:<kind>:<value>            GCRA TAT, µs
//	apiguard:q:<route>:id:<identity>:<d|m><n>     quota count of window n
//
// Every replica therefore draws from one budget: see the accuracy bound
// in package ratelimit. Failures (server down, timeout after
// DefaultTimeout or the request's deadline) are returned as errors, never
// guessed: the stage fails closed (503) unless on_store_error is allow.
// The go-redis client reconnects by itself when the server comes back,
// also on the same address after a restart.
//
// Measured over loopback on the 2-core development machine (shared with
// other work, redis-server on the same cores): one decision p50 ≈ 80–90
// µs, p99 ≈ 170–180 µs; with 16 concurrent callers ≈ 17 000 decisions/s.
package redis
