// Package audit writes apiguard's audit log: one JSON record per line,
// hash-chained, redacted before anything is written, and verifies it.
//
// # Format
//
// Each line is a Record in canonical JSON (keys sorted, no insignificant
// whitespace; see CanonicalJSON for numbers and string escaping), so the
// line itself is the exact form that is hashed, plus its hash member:
// `hash` is the lowercase hex SHA-256 of the record's canonical JSON
// without `hash`, and `prev_hash` is the previous record's hash (64
// zeros for the very first record). An RFC 8785 (JCS) implementation
// reproduces a hash (integers beyond 2^53 inside a body aside); so do Node's JSON.stringify with sorted keys and
// Python's `json.dumps(rec, sort_keys=True, separators=(",", ":"),
// ensure_ascii=False)`, except, for Python, on a number that needs an
// exponent (only possible inside a JSON body).
//
// Every record has time (RFC 3339 UTC with microseconds), type
// (request, alert, admin, reload), prev_hash and hash; see Record for
// the other fields and the extras (findings, detector, detail, query,
// headers, body).
//
// # Files and rotation
//
// The active file is Options.File (audit.file, e.g. data/audit.jsonl),
// created 0600 in a directory created 0700, and locked (flock) against a
// second writer. With Options.MaxSize or MaxAge it is rotated between two
// records: fsynced and renamed to <stem>-<UTC time>.jsonl
// (data/audit-20261127T120000.000000000Z.jsonl), and the first record of
// the new active file names the last hash of the rotated one. Rotated
// names sort in order and before the active file, so
// `apiguard audit verify data/audit*.jsonl` checks the whole chain.
// Removing old rotated files is left to the operator; VerifyFrom checks
// a chain whose beginning was removed.
//
// # Guarantees
//
//   - Nothing is written unredacted: header values, query parameters
//     and JSON body fields at any depth whose name matches audit.redact
//     (see Redactor) become "[REDACTED]", and API-key- and JWT-shaped
//     values are masked in every string field (MaskSecrets).
//   - Records are chained in the order Submit accepted them, across
//     restarts (Open continues from the last record of the file, or of
//     the newest rotated file when the active one is missing or empty)
//     and across rotations.
//   - An accepted record is not dropped silently: write failures are
//     retried until the queue is full, and then Submit fails closed
//     (ErrQueueFull, the gateway answers 503). Every loss at Close is
//     counted (Stats.Lost) and returned.
//   - Each batch is handed to the kernel with one write(2) as soon as it
//     is dequeued, so a crash of the process loses only records still
//     queued; SubmitWait returns once its record is in the kernel (in
//     every sync policy) or on disk (SyncEvery). fsync runs every second
//     by default (SyncInterval), bounding what a machine crash loses.
//   - A crash in the middle of a write leaves an incomplete last line.
//     Open detects it (the file does not end with a newline and the tail
//     is not a valid record), reports it (Recovery, log) and truncates
//     it, and the chain continues from the last complete record. Open
//     refuses a file whose last complete record does not verify.
//
// # What the chain does and does not prove
//
// Verify detects any change to a record (hash mismatch), any deleted,
// inserted or reordered record (prev_hash mismatch at the next line), a
// record cut in the middle of the file, a non-canonical line (edited,
// duplicated keys) and a torn last record. It cannot detect, by itself:
//
//   - an attacker with write access who rewrites the whole chain from
//     the first changed record on (a hash chain has no secret: it
//     detects edits, it does not prevent recomputation);
//   - records removed from the end of the newest file, or whole files
//     removed from either end of a rotated series.
//
// Both need the last hash kept somewhere the attacker cannot write
// (Writer.LastHash): periodically anchoring it in another system (a
// remote log, a transparency log, a signed checkpoint record) is the
// follow-up that turns detection of tail truncation and re-chaining into
// a guarantee. Open verifies only the last record of an existing file,
// not the whole chain: run `apiguard audit verify`.
//
// Free text (Detail, Findings) is masked for secret shapes only: callers
// must not put credentials there. A JSON document embedded inside a JSON
// string is not parsed for names.
package audit
