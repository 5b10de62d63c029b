// Package store defines what apiguard keeps between requests and between
// processes: API key records, TOTP enrolments, used-TOTP markers and
// revocations. It holds the contracts (Store, Keys, TOTP), the record
// types and the secret material every backend shares: the keyed hash of
// API keys (Hasher, under hmac.key) and the master keys that encrypt
// recoverable secrets at rest (Keyring, under master.key).
//
// Backends live in subpackages (sqlite now, redis later) and are chosen by
// backend.Open from the configured DSN.
//
// Security contract:
//   - A plaintext API key never reaches a store: only its HMAC-SHA-256
//     under the server secret (hmac.key) is kept, compared in constant time.
//   - TOTP seeds are kept encrypted with AES-256-GCM under the current
//     master key; each record names the id of the master key that sealed it
//     and is bound to its enrolment id (GCM additional data), so sealed
//     values cannot be swapped between records.
//   - Secret files are created 0600 from crypto/rand and refused when
//     readable or writable by group or others.
//   - Every change that can affect an authentication decision (create,
//     revoke, rotate) increments the store's Revision, so caches in other
//     processes can notice it cheaply.
package store
