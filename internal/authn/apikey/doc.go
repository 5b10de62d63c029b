// Package apikey implements apiguard's API keys: their format, their
// issuance and rotation, and the api_key authenticator of the identify
// phase.
//
// Format: "agk_" + 32 base62 characters + a 6-character base62 CRC32 of
// the 32 (like GitHub's tokens), 42 characters in all. The first 8 of the
// 32 are the key's public id (shown by `keys list`, used for lookups and
// audit records); the other 24 (≈143 bits from crypto/rand) are the
// secret. The prefix lets secret scanners find leaked keys; the checksum
// rejects typos and truncations before any store lookup.
//
// Security contract:
//   - The plaintext key exists only in the Issued value returned once at
//     creation or rotation. Stores keep only HMAC-SHA-256 of the key under
//     the server secret, verified in constant time.
//   - Key.String, GoString and LogValue redact the secret, so a Key can be
//     logged by mistake without leaking it; Plaintext is explicit.
//   - Denials are 401 with the generic detail "invalid API key": the key,
//     and why it failed (unknown, wrong secret, expired, revoked), go only
//     to the error's internal cause, which never contains the secret.
//   - A key revoked by any process stops working on a running gateway
//     within about one second: the authenticator's cache is dropped when
//     the store's revision changes (polled every 250 ms), and bypassed
//     when the revision could not be read for a second.
package apikey
