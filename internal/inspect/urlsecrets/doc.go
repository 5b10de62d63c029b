// Package urlsecrets keeps credentials out of URLs: the pipeline stage
// named "secrets_in_url" of the inspect phase, built for routes with
// block_secrets_in_url: true, and the redaction of queries and paths for
// logs and audit records.
//
// # Security contract
//
// URLs end up in access logs, browser history, Referer headers, proxy
// caches and monitoring tools, so a credential sent in one must be
// treated as leaked. The stage answers 400 secret-in-url ("credentials
// must not be sent in the URL") to a request whose
//
//   - query has a parameter with a non-empty value whose name is a
//     credential name (IsCredentialName: access_token, token, id_token,
//     refresh_token, api_key, apikey, api-key, key, password, passwd, pwd,
//     secret, client_secret, session, sessionid, jwt, auth, authorization
//     and kin, in any case and spelling of separators, also as a part of
//     a bracketed name such as user[password]);
//   - query has a value, or a name, holding a secret-shaped string
//     (SecretKind: a JWT, an apiguard agk_ key, AWS, GitHub, GitLab,
//     Slack, Stripe, Google, npm, SendGrid, OpenAI and Anthropic keys, a
//     PEM private key, a URL with a password), whatever the parameter is
//     called;
//   - path has a segment holding a JWT or an agk_ key.
//
// Values are judged percent-decoded. The denial's Cause, for logs and
// audit only, names the parameter and what was found
// (`credential-named query parameter "access_token"`, `JWT in query
// parameter "q"`, `API key (agk_) in path segment 3`); it never contains
// the value, and a name that is itself a secret is given by its ordinal.
//
// # Choices
//
//   - A credential name with an empty value (?token=) is allowed: nothing
//     was sent.
//   - Signature parameters (signature, sig, X-Amz-Signature) are not
//     credential names: a signature authenticates one URL and cannot be
//     replayed against another. A pre-signed AWS URL is still refused,
//     because its X-Amz-Credential value holds the AKIA/ASIA access key
//     id (and X-Amz-Security-Token is a credential name): an API that
//     must accept pre-signed URLs (or takes them as a query value) needs
//     block_secrets_in_url: false on that route, or the URL in the body.
//   - OAuth authorization codes and state (?code=, ?state=) are not
//     credential names: redirects carry them in the URL by design, and
//     they are single-use.
//   - Provider keys are looked for in the query only; in the path only
//     JWTs and agk_ keys count, since APIs legitimately name resources by
//     access key id (/keys/AKIA...).
//   - "key" is a credential name (Google and many others take ?key=API_KEY):
//     an API whose query uses "key" for something else (a cache or sort
//     key) needs block_secrets_in_url: false on that route.
//
// Redact and RedactPath give what logs and audit records may show of a
// query and a path: the same text with credentials replaced by
// [REDACTED]. A Redactor adds the configuration's audit.redact names.
//
// The checks allocate nothing for queries of ordinary size (values up to
// 256 bytes are decoded on the stack) and are linear in the URL.
package urlsecrets
