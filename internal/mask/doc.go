// Package mask redacts card numbers, US Social Security numbers and
// credentials in upstream responses before they reach the client
// (response.mask: pan, ssn, secrets). It is a response filter: Filter
// wraps the response body in a streaming reader; nothing is buffered
// whole.
//
// # Replacement rules
//
//   - A card number keeps its last four digits: "****1111". The digits and
//     their separators are replaced, in a string or in text ("paid with
//     4111 1111 1111 1111." → "paid with ****1111."); a card number that
//     is a JSON number becomes a string ({"pan":4111111111111111} →
//     {"pan":"****1111"}).
//   - Everything else becomes "[REDACTED]" (Redacted): the matched bytes
//     only, so {"t":"Bearer <jwt>"} → {"t":"Bearer [REDACTED]"}; quoted
//     ("[REDACTED]") if it stands outside a JSON string.
//   - The string value of a credential-named JSON field is replaced
//     whole: {"password":"hunter2"} → {"password":"[REDACTED]"}.
//
// Valid JSON stays valid JSON: replacements never contain quotes,
// backslashes or control bytes, and never start or end inside an escape
// sequence. Masking is idempotent: masking masked output changes nothing.
//
// # What is caught
//
// pan: 13–19 digits with a valid Luhn check digit and a card scheme's
// prefix and length (see plausibleIIN: Visa, Mastercard, Amex, Discover,
// Diners, JCB, UnionPay, Maestro, Mir, RuPay, Troy), either contiguous or
// as a first group of four digits followed by groups of 3–6 digits, all
// separated by the same single space or dash. The number must not be
// part of a word, identifier, decimal number or longer digit run, nor
// follow "*" (already masked).
//
// ssn: AAA-GG-SSSS with dashes, excluding numbers never issued (area 000,
// 666 or 900–999, group 00, serial 0000), not part of a longer number.
//
// secrets, by shape: AWS access key ids (AKIA/ASIA + 16), AWS secret
// access keys (40 base64 characters assigned to a name such as
// aws_secret_access_key, AWS_SECRET_KEY or SecretAccessKey with ':' or
// '='), PEM private key blocks ("-----BEGIN ... PRIVATE KEY-----"
// through the END line, base64 bodies with their line breaks, raw or as
// JSON escapes), JWTs and JWEs ("eyJ" header, '.', payload, '.', ...),
// apiguard API keys (agk_, also truncated ones), GitHub tokens (ghp_,
// gho_, ghu_, ghs_, ghr_, github_pat_), Slack tokens (xoxa-, xoxb-,
// xoxp-, xoxo-, xoxs-, xoxr-), Stripe live keys (sk_live_, rk_live_) and
// Google API keys (AIza + 35). A token must start a word (not follow a
// letter or digit); prefixed tokens are masked however long they are.
//
// secrets, by name (JSON only): the non-empty string value of a field
// whose name, lower-cased without '_', '-', '.' and spaces, ends with
// password, passwd, passphrase, passwordhash, passworddigest, secret,
// secretkey, secretaccesskey, apikey, privatekey, accesstoken,
// refreshtoken, idtoken, authtoken, sessiontoken, bearertoken, apitoken,
// authorization or setcookie, or is token, pwd or cookie. So
// client_secret, X-Api-Key and refreshToken are masked, while token_type,
// csrf_token, next_page_token and private_key_id are not.
//
// Masking "secrets" on a route that issues tokens (an OAuth token
// endpoint, a login answering {"access_token": ...}) masks what the
// client needs: configure such routes without it.
//
// # Bodies
//
// KindOf decides by Content-Type: JSON (application/json, +json) and
// NDJSON are masked as JSON, text/* (also XML, JavaScript, YAML, form
// data, and a missing Content-Type) as text, text/event-stream as text
// event by event. Anything else (images, application/octet-stream, PDF,
// archives, protobuf, multipart) passes untouched, as do 1xx, 204 and 304
// responses and answers to HEAD.
//
// A masked body changes length: Filter removes Content-Length (and the
// digests of the original bytes, and Accept-Ranges) and sets
// resp.ContentLength to -1, so the server sends it chunked or in HTTP/2
// DATA frames. A gzip body (Content-Encoding gzip or x-gzip) is
// decompressed and sent as identity. Filter refuses (502 upstream-error,
// before any byte is sent) a body it cannot inspect: any other
// Content-Encoding, a UTF-16 or UTF-32 charset, or a 206 partial
// response. AcceptIdentity, applied to the upstream request of a masked
// route, avoids the first and the last.
//
// # Streaming and its bounds
//
// Whether something is a secret is decided from at most Window (8 KiB)
// bytes from its first byte: only a JWT may need that much, every other
// pattern under 128 bytes. A body is read in rounds of up to 32 KiB and
// the last Window bytes are held back until more input (or its end)
// decides them, so a secret split across reads is still caught, and a
// body of any size is masked with at most about 120 KiB of (pooled)
// buffers: 40 KiB of input, and the output of one round. What
// follows a decided match (the rest of a long JWT or token, a PEM body, a
// masked JSON value) is consumed without lookahead, so it is masked
// however long it is. Event streams and NDJSON are masked one event or
// line at a time, and each is passed on as soon as it is complete; other
// bodies that pause mid-stream are passed on up to Window bytes behind
// the upstream. If the upstream fails mid-body, the body ends with its
// error, without the held-back bytes.
//
// The fast path finds candidates without looking at each byte in Go:
// digits and ':' are classified 64 bytes at a time, each credential prefix
// is found with bytes.IndexByte on one of its rarer bytes, and the JSON
// string state is kept by counting quotes between backslashes; detectors
// and the JSON lexer run only around candidates and matches. The work is
// linear in the input whatever it contains.
//
// # What is not caught
//
// This is a safety net for mistakes, not a way to make an API safe to
// return such data. Not caught: anything encoded (JSON \u escapes inside
// a value, percent-encoding, base64, HTML entities, compression other
// than gzip, which is refused); card numbers with other separators
// (dots, slashes), split over several fields or inside longer digit
// runs; SSNs without dashes or with spaces; tokens glued to a preceding
// letter or digit; credentials that have no distinctive shape (passwords
// and opaque tokens in text, or in JSON fields with other names or
// non-string values; a name with escapes in it); unprefixed keys of other
// providers and generic high-entropy strings; anything in the bodies of
// content types that are not inspected.
package mask
