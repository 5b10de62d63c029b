// Package route is apiguard's immutable, compiled route table and the path
// normaliser that runs in front of it on every request.
//
// # Role
//
// [Build] compiles the configured routes once (at load or reload); the
// resulting [Table] is read-only and safe for concurrent use. Ambiguity is a
// load-time error: two routes with the same shape that share a method are
// rejected, so at request time exactly one route (or none) answers.
// [Table.Lookup] normalises the request path and matches it, answering
// [Found], [NotFound] (404), [MethodNotAllowed] (405, with the Allow value) or
// [BadPath] (400).
//
// # Security contract
//
// A request must not reach a route it was not meant for by encoding tricks,
// and what the table matched must be exactly what the upstream receives:
//
//   - Matching is done on the normalised, decoded path ([Result.Path]).
//   - The upstream must be sent [Result.EscapedPath], and nothing derived from
//     the raw request path. With net/http set both fields of the outgoing URL:
//     out.URL.Path = res.Path and out.URL.RawPath = res.EscapedPath (then
//     out.URL.EscapedPath() == res.EscapedPath).
//   - Path and EscapedPath always agree: url.PathUnescape(EscapedPath) ==
//     Path, and Normalize(EscapedPath) returns the same pair (idempotence).
//
// # Normalisation rules
//
// [Normalize] takes the raw escaped path (r.URL.EscapedPath(), or the path
// part of the request-target) and applies these rules:
//
//  1. The path must start with "/" (so "*" and absolute URLs are rejected).
//  2. Rejected (an error wrapping [ErrBadPath]; the gateway answers 400):
//     control characters, raw or encoded (%00-%1F, %7F, and the C1 controls
//     U+0080-U+009F); malformed percent-encoding ("%", "%4", "%zz",
//     "%u002e"); an encoded slash %2F; a backslash, raw or encoded (%5C); a
//     raw "?" or "#" (they cannot be part of a correctly split path); an
//     encoded percent sign %25; a decoded path that is not valid UTF-8 (this
//     rejects overlong forms such as %C0%AE); a ".." that climbs above the
//     root; a dot segment carrying a ";" parameter ("..;", see below).
//  3. Every other percent-escape is decoded exactly once.
//  4. Empty segments are dropped: "//" collapses to "/" and a trailing slash is
//     removed (except for the root "/").
//  5. "." and ".." segments are resolved after decoding, so "%2e", "%2E%2e"
//     and ".%2e" count as dots.
//  6. The output is re-escaped canonically: each segment is written as
//     url.PathEscape writes it (upper-case hex; unreserved characters and
//     "$&+:=@" raw; everything else, including "!'()*,;" and non-ASCII,
//     percent-encoded).
//
// Choices made, and why:
//
//   - %25 is rejected rather than decoded. A decoded "%" would be sent on as
//     %25, and an upstream (or a proxy in between) that decodes twice would
//     then see a second round of escapes the gateway never matched:
//     "%252e%252e" is "../" one decode later. APIs rarely need a literal "%"
//     in a path segment; the double-decoding risk outweighs it.
//   - ";" is an ordinary character: "/v1/orders;x=1" matches the literal
//     segment "orders;x=1", never "orders". Because ";" is sent on as %3B, an
//     upstream that strips matrix parameters (Tomcat, Jetty, some Spring
//     setups) sees a literal character, not a delimiter. As defence in depth a
//     segment that would be a dot segment once a matrix parameter is stripped
//     (".;x", "..;", "..;jsessionid=1", also encoded) is rejected: it has no
//     legitimate use and is the classic Tomcat traversal ("/public/..;/admin").
//   - "..." and other dot runs are literal segments, as RFC 3986 says.
//   - Unicode look-alikes (fullwidth "．" U+FF0E, "／" U+FF0F) are literal
//     characters. An upstream that applies NFKC normalisation to paths could
//     turn them into "." or "/": such upstreams are out of scope here.
//   - Matching is case-sensitive and byte-exact. An upstream that matches
//     case-insensitively, or trims trailing dots or spaces (IIS and other
//     Windows servers), serves "/v1/admin" for "/v1/ADMIN" or "/v1/admin.";
//     if a laxer "/v1/{x}" route points at it, the stricter "/v1/admin" route
//     can be bypassed. Give every route to such an upstream the same
//     protection, or make the upstream match exactly.
//   - Errors carry a fixed reason and never the path (which may hold a secret).
//
// # Templates
//
// A template is "/" or a sequence of "/segment" where a segment is either all
// literal or exactly one "{name}" parameter; the last segment may be a
// catch-all "{name...}", which matches one or more remaining segments (so
// "/files/{p...}" does not match "/files": route that separately if wanted).
// Parameter names match [A-Za-z_][A-Za-z0-9_]* and are unique within a
// template. Literal segments must be what a normalised path can contain: no
// empty, "." or ".." segments, no "%" (write the decoded character), no "{",
// "}", "\", "?", "#" or control characters.
//
// # Precedence
//
// Segments match exactly and case-sensitively. Of all templates matching a
// path, comparing segment by segment from the left, a literal beats a
// parameter, which beats a catch-all; the most specific template that allows
// the method wins. A route with GET also answers HEAD (and its Allow lists
// HEAD); OPTIONS is never implied.
package route
