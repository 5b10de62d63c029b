// Package injection is the gateway's injection filter: the pipeline stage
// named "waf" of the inspect phase, built from a route's waf policy by
// NewStage (block, report or off).
//
// # Security contract
//
// The stage looks for attacks in what a client sends, one value at a
// time, and in the decoded forms that a lenient upstream might see:
//
//   - path segments, each percent-decoded;
//   - query parameter names and values (split on '&' only, decoded as
//     application/x-www-form-urlencoded; malformed escapes kept as they
//     are);
//   - the User-Agent header, the Referer (the part before '?' and each
//     parameter of its query) and each Cookie value, which applications
//     log, store and reflect; every other header value, Authorization
//     included, is searched for JNDI lookups only (Log4Shell was sent in
//     any logged header). X-Forwarded-Host, X-Forwarded-Proto and
//     Forwarded need no more: the gateway replaces them before proxying
//     (and keeps a client's X-Forwarded-For only from trusted proxies);
//   - the body, when its Content-Type is application/json, text/json or
//     any +json type, application/x-www-form-urlencoded, or absent with a
//     body that starts with '{' or '[': each JSON string, member names
//     included, is inspected on its own, unescaped, by a streaming
//     tokenizer (jsonWalker), so JSON punctuation never counts against a
//     request; each form field like a query parameter. Other bodies
//     (multipart, XML, plain text, binary) are not inspected.
//
// Every value is judged as it is, then after each decoding step that
// changes it, for up to three rounds of: percent-decoding (%XX and IIS
// %uXXXX, so double encoding is undone in two rounds), HTML character
// references (named, decimal and hexadecimal, with or without ';'),
// backslash escapes (JSON's \uXXXX and \", JavaScript's \xHH and \u{H}),
// and fullwidth forms of ASCII (＜script＞, as NFKC normalisation reads it).
// Overlong UTF-8 and fullwidth dots and slashes are read as '.' and '/'
// where path traversal is judged.
//
// The rules, tried in this order on each form of a value (rule ids are
// what causes and findings name):
//
//   - jndi: a Log4j ${jndi:...} lookup, after resolving the nested
//     lookups used to hide it (${${lower:j}ndi:, ${${::-j}..., ${env:X:-j});
//   - traversal: ../ and ..\ (also ..;/ and dot-dot at a value's end),
//     in any of the decoded spellings, a value that is just "..", and
//     absolute paths to well-known sensitive files (/etc/passwd,
//     /proc/self/, win.ini, WEB-INF/web.xml, file:///);
//   - cmdi: a shell separator or substitution (; | || & && newline `...`
//     $(...) <(...) {a,b}) followed by a known command, with ${IFS},
//     quote and backslash obfuscation, /bin/ prefixes and wildcard paths
//     (/???/c?t) undone; commands that are English words (cat, id,
//     sleep, ping, echo) count only with an argument shaped like an
//     attack's (a path, nothing, a number, an option); also Shellshock
//     ("() {" at the start of a value) and Bash substring expansion;
//   - ssti: a template expression ({{ }}, {% %}, ${ }, #{ }, *{ }, %{ },
//     <% %>, <# >, #set(, @( ), Smarty {php} and {system(...)}) whose
//     content is an expression of the kind exploits use: arithmetic on
//     literals, a dunder, a type reference (T(...), @java...), or an
//     identifier such as config, self, constructor, getRuntime; and
//     engine-probing polyglots (${{<%[%'"}});
//   - nosql: a name that is a MongoDB-style operator ("$where", "$ne";
//     any "$" name but JSON Schema's $schema, $id, $ref, $defs, ...) or
//     holds one in brackets (user[$ne], as qs, PHP and Rails expand it),
//     and an operator written as a member inside a value ({"$gt": ""});
//   - xss: libinjection's HTML5 check (run only when a '<' or a risky
//     attribute assignment is present), a "<script" tag anywhere, a
//     javascript:, vbscript: or data:text/html URL at a value's start
//     (with the tabs and newlines browsers ignore), and JavaScript string
//     breakouts ('-alert(1)-'). Style attributes without url(),
//     expression() and the like, and XML declarations, do not count;
//   - sqli: libinjection's SQL check, run when a quote is followed by SQL
//     syntax or the words and punctuation of a value make a query
//     fragment (a SQL keyword, or a logic word next to a comparison, a
//     comment or a number), ignoring fingerprints shaped like program
//     code (if (a && b) {...}); plus rules for what libinjection lets
//     through: admin' #, '; SHUTDOWN--, 1 or true, WAITFOR DELAY.
//
// In block mode the first detection denies the request with
// problem.New(403, "blocked", "the request was blocked by the injection
// filter"); its Cause (for logs and audit, never for the client) names
// the rule and where: `sqli in query "q"`, `xss in body "$.items[2].note"`,
// `nosql in query name #3`. It never contains the value; names taken from
// the request are quoted and cut to 40 bytes, and a name that is itself
// the detection is given by its ordinal. In report mode every detection
// (at most 8 per request) is appended to the exchange's Findings as
// "waf: " followed by the same text, and the request goes on.
//
// # The request body
//
// This stage is the one place in the pipeline where a stage replaces the
// request's Body (the request is otherwise read-only to stages): it reads
// up to the body limit into a buffer and puts the body back together as
// that buffer followed by the unread rest of the original, so the
// upstream receives exactly the bytes the client sent, streamed as
// before beyond the limit. Closing it closes the original. A body over
// max_body found while reading is answered 413 payload-too-large; any
// other read error is kept and handed to the proxy when it reads that far,
// so the exchange fails as it would have without inspection.
//
// # Limits
//
// Inspection is bounded, so a request cannot make the gateway do more
// than a fixed amount of work: at most WithBodyLimit bytes of the body
// (default 64 KiB), at most WithMaxValues values (default 10000) and
// WithTimeBudget of wall-clock time (default 5 ms, reading the body
// excluded; the clock is read every 32 values). Each decoded form costs
// at most the length of the value; JSON nesting is bounded (256 levels);
// template and lookup scans are linear. What lies beyond a limit is
// forwarded uninspected and the request gets a finding "waf: inspection
// incomplete: <reason>" (also in block mode); with WithStrictLimits,
// block mode denies such requests instead. Compressed bodies (a
// Content-Encoding other than identity) are not decompressed: they are
// forwarded uninspected with such a finding, or denied under
// WithStrictLimits. A JSON body that stops being JSON (a syntax error,
// comments, NaN) is inspected from that point on as one raw value.
//
// # What it does not do
//
// It is a filter in front of applications, not a substitute for
// parameterised queries, output encoding and sandboxed templates: it
// recognises the known shapes of attacks and misses new ones. Full SQL
// statements, shell command lines ("cd /tmp && ls"), template
// expressions ({{ 7*7 }}), Log4j lookups and markup such as "<script>"
// or "<iframe>" are blocked wherever they appear, including in fields
// that legitimately carry code or documentation: such a route should use
// waf: report (or off). Relative paths ("../images/a.png") count as
// traversal, and a command after a newline in a multi-line text field
// ("Steps:\ncurl https://...") as command injection. Bodies of other
// content types, XML and multipart are not inspected; the OpenAPI stage
// is where a route restricts what it accepts.
//
// # Performance
//
// Rules are compiled into tables at package initialisation; a value that
// holds none of the bytes a rule needs costs one table look-up per byte
// (see classify), and libinjection, the most expensive check, runs only
// on the few values that could be SQL or HTML. Scanners and their
// buffers are pooled: inspecting values allocates nothing; a request with
// a body allocates the buffer of the part inspected and the replaying
// body (two allocations). bench_test.go measures typical requests.
package injection
