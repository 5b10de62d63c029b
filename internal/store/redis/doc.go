// Package redis is the shared store backend (store: redis://HOST:PORT/DB,
// or rediss:// for TLS): API keys, TOTP enrolments, used-TOTP markers and
// revocations live in one Redis server, so any number of gateway replicas
// and the CLI see the same keys. The client is the rate limiter's
// (ratelimit/redis.NewClient): short timeouts, and a reconnect after the
// server restarts.
//
// # Round trips
//
// Open is one round trip (it fails when the server cannot be reached).
// Get is one HMGET; Seed, MarkUsed, Create, Revoke and Rotate are one
// Lua script each (EVALSHA), atomic in Redis; Revision is one GET;
// TouchLastUsed is one pipeline (a script per 500 keys); List is SMEMBERS
// then one pipeline of HMGETs. MarkUsed compares the step with the last
// used one inside its script: of two replicas racing with one code,
// exactly one is admitted.
//
// # Key layout
//
// Every key starts with a prefix (DefaultPrefix, "apiguard:"; the rate
// limiter's keys, apiguard:rl: and apiguard:q:, do not collide):
//
//	apiguard:key:<id>    hash: one API key record
//	    name, hash (32 raw bytes: HMAC-SHA-256 of the key), scopes (JSON
//	    array), created, expires, last_used, revoked_at, grace_until
//	    (Unix nanoseconds, decimal; absent = never), rotated_to, totp_id
//	    (the enrolment; absent = none), op (random id of the write that
//	    created it, so a create retried after a lost reply is not refused)
//	apiguard:keys        set: every key id (List)
//	apiguard:totp:<eid>  hash: one TOTP enrolment (eid: the id of the key
//	    it was created with; a rotated key's successor shares it)
//	    seed (nonce || AES-256-GCM ciphertext, raw bytes), master_key_id,
//	    last_step (the last used time step; absent = none)
//	apiguard:totps       set: every enrolment id (Rekey)
//	apiguard:rev         string: the revision counter, INCRed by every
//	    create, revoke and rotate (it starts at a random value, so a
//	    server that lost its data never repeats a revision seen before)
//	apiguard:meta        hash: layout (1), hmac_key_id and master_key_id,
//	    the public ids of the secrets every process must share
//
// Keys never expire. Run Redis with persistence (AOF) and
// maxmemory-policy noeviction: an evicted or lost enrolment fails step-up
// closed, but a rolled-back used-step marker would let a code be replayed
// within its 90 s window, and restoring an old snapshot brings back keys
// revoked since: revoke them again after a restore. Scripts read the
// enrolment a key names, so the store needs one Redis server (a primary,
// as the URL names it), not Redis Cluster.
//
// # Secrets
//
// The server secret of the key hash (HMAC) and the master key that seals
// TOTP seeds must be the same in every process that uses the store. They
// are read, in this order of precedence:
//
//   - APIGUARD_HMAC_KEY and APIGUARD_MASTER_KEY (32 bytes in hex or
//     base64), when set;
//   - else the files hmac.key and master.key in the secrets directory:
//     WithSecretsDir, else $APIGUARD_SECRETS_DIR, else DefaultSecretsDir
//     ("secrets", relative to the working directory). A missing file is
//     created from crypto/rand with mode 0600 (in a directory created
//     0700); copy the files to every replica. A file accessible by group
//     or others is refused (for a Kubernetes secret volume, use
//     defaultMode 0400 or 0600 and no group access).
//
// Open records the public ids of both secrets in apiguard:meta the first
// time and refuses to open the store with any other secret
// (ErrSecretsMismatch), so a replica with its own generated secret fails
// at start instead of refusing every key. Create and Rotate check them
// again in their script, so a seed is only ever sealed under the master
// key every process knows.
//
// Rekey rotates master.key in the secrets directory of the process that
// runs it (with a backup master.key.<old id>), re-seals every seed in one
// script and records the new id in apiguard:meta. Other replicas read
// the re-sealed seeds once master.key (and the backup) are copied to
// their secrets directory, without a restart; until then their step-up
// checks fail closed, and they refuse to start.
//
// # Security contract
//
//   - Redis never holds a plaintext API key (only its HMAC-SHA-256 under
//     the server secret) nor a plaintext TOTP seed: seeds are sealed with
//     AES-256-GCM exactly as the sqlite store seals them (store.Keyring,
//     additional data "apiguard totp seed\x00" + enrolment id, with the
//     master key id beside), so neither a read of Redis nor a swap of two
//     sealed values yields a usable seed.
//   - A TOTP step is accepted at most once across every replica.
//   - A revocation is visible to every replica's next read; running
//     authenticators see it within a second (they poll Revision).
//   - Errors never contain the DSN's password.
//   - Failures (server down, timeouts of the client: 500 ms to connect,
//     read or write, unless the URL says otherwise) are returned as
//     errors, never guessed; callers fail closed.
package redis
