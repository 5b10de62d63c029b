// Package jwt authenticates requests that carry a JSON Web Token
// (RFC 7519) signed by one of the configured issuers, as a
// pipeline.Authenticator whose Method is "jwt".
//
// # Security contract
//
// A request is ours when its Authorization header is "Bearer <token>" and
// the token is shaped like a JWS compact serialisation: three base64url
// segments separated by two dots, the first starting with "ey" (the
// encoding of '{'). Any other bearer token, or no bearer token at all, is
// pipeline.ErrNoCredential, so that introspection may try. Several
// Authorization headers, one of which carries such a token, are refused
// (which one other components read would be a guess). A token of ours
// that is refused is a 401 problem with error="invalid_token" and a short
// generic detail ("invalid token" or "token expired"); the token and its
// claims never appear in the detail, and the internal reason is the
// problem's Cause, for logs, which wraps one of this package's sentinel
// errors (errors.Is).
//
// A token is accepted only if all of these hold:
//
//   - it is at most MaxTokenSize bytes; a larger one is refused before any
//     base64 decoding, from a bounded look at its prefix;
//   - our own pre-parser (fuzzed) decodes the header: a JSON object without
//     repeated members, whose "alg" is a supported asymmetric algorithm
//     ("none" in any spelling and HS* are always refused), without "crit",
//     "jwk", "jku", "x5u", "x5c", "b64", "zip" or "enc" (no key is ever
//     taken from a token), with a "typ", if any, of JWT or at+jwt, and no
//     nested JWT ("cty": "JWT"). Base64url must be canonical (no padding,
//     no stray bits), so a token has exactly one spelling;
//   - its unverified "iss" selects exactly one configured issuer; the
//     token is then verified with that issuer's keys only, and "alg" must
//     be one of that issuer's algorithms;
//   - the key is chosen by "kid" from the issuer's JWKS and must match the
//     algorithm: kty RSA (≥ 2048 bits) for RS*/PS*, kty EC with the curve
//     of ES256/ES384/ES512, kty OKP Ed25519 for EdDSA, and the JWK's own
//     "alg", when set, equal to the token's; keys with "use" other than
//     "sig", or private material, are never loaded;
//   - the signature verifies, checked before any claim is decoded: before
//     it, the payload is only delimited (a JSON object without repeated
//     members) and its unverified "iss" read, to choose the keys. Only our
//     own pre-parser reads the token: github.com/golang-jwt/jwt/v5 is used
//     for the cryptographic primitive alone, SigningMethod.Verify of the
//     method object of the allow-listed "alg" (e.g. SigningMethodRS256),
//     never for its parser nor its claim validation;
//   - claims, decoded once, after the signature check, by our own decoder
//     with exact (case-sensitive) member names and no repeated member (a
//     second "sub" is refused, not overridden), and then checked by this
//     package alone: "iss" equals the issuer, "aud" contains a configured
//     audience, "exp" is present and not past (with leeway), "nbf" and
//     "iat" not in the future beyond leeway, exp - iat ≤ max_ttl (without
//     "iat": exp - now ≤ max_ttl + leeway), "sub" is a non-empty printable
//     string, and scopes are RFC 6749 scope-tokens.
//
// # Keys
//
// Each issuer's JWKS (jwks_url over HTTP, or jwks_file) is loaded by Start,
// which readiness waits for (Ready). It is refreshed in the background
// (every Cache-Control max-age, bounded to [30s, 5m], default 5m, with
// backoff after failures), and on demand when a token names an unknown
// "kid": at most once per 10 s per issuer, single-flight, the request
// waiting no longer than the fetch timeout (2 s by default) nor past its
// own context. A fetch that fails keeps the last good keys (stale if
// error); a JWKS that is empty, oversized (1 MiB), not JSON or answered
// other than 200 is a failure.
//
// # Verified-token cache
//
// Verified tokens are cached by SHA-256 of the whole token, in a bounded,
// sharded map, so a repeated token skips the signature check. An entry
// is used only while the token is unexpired (judged again on every hit)
// and while the issuer's key set is the one that verified it: any change
// of the JWKS drops every entry of that issuer.
package jwt
