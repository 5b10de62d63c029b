package urlsecrets

import "strings"

// Redacted replaces a credential in a redacted query or path.
const Redacted = "[REDACTED]"

// Redactor redacts queries and paths for logs and audit records, with
// more credential names than the built-in ones (the configuration's
// audit.redact list).
type Redactor struct {
	names map[string]bool
}

// NewRedactor returns a Redactor that also treats names (normalised like
// the built-in names: case, '-', '_' and '.' do not matter) as credential
// names.
func NewRedactor(names ...string) *Redactor {
	m := make(map[string]bool, len(credentialNames)+len(names))
	for k := range credentialNames {
		m[k] = true
	}
	var buf [maxNameLen]byte
	for _, n := range names {
		if k := normalizeName(&buf, n); len(k) > 0 {
			m[string(k)] = true
		}
	}
	return &Redactor{names: m}
}

var defaultRedactor = &Redactor{names: credentialNames}

// Redact returns rawQuery with the value of every credential-named
// parameter, and every value or name that holds a secret-shaped string
// (SecretKind), replaced by [REDACTED]; everything else is kept byte for
// byte, in order. It returns rawQuery itself when there is nothing to
// redact. It is what logs and audit records show of a query.
func Redact(rawQuery string) string { return defaultRedactor.Redact(rawQuery) }

// Redact is the package's Redact with the Redactor's names.
func (r *Redactor) Redact(rawQuery string) string {
	var b strings.Builder
	var kbuf, vbuf [256]byte
	done := 0 // rawQuery[:done] is in b, when b is in use
	for pos := 0; pos < len(rawQuery); {
		end := strings.IndexByte(rawQuery[pos:], '&')
		if end < 0 {
			end = len(rawQuery)
		} else {
			end += pos
		}
		pair := rawQuery[pos:end]
		k, v, hasValue := strings.Cut(pair, "=")
		name := decode(kbuf[:], k)
		redactName := SecretKind(name) != ""
		redactValue := hasValue && v != "" &&
			(redactName || isCredentialName(name, r.names) || SecretKind(decode(vbuf[:], v)) != "")
		if redactName || redactValue {
			if b.Len() == 0 {
				b.Grow(len(rawQuery))
			}
			b.WriteString(rawQuery[done:pos])
			if redactName {
				b.WriteString(Redacted)
			} else {
				b.WriteString(k)
			}
			if hasValue {
				b.WriteByte('=')
				if redactValue {
					b.WriteString(Redacted)
				} else {
					b.WriteString(v)
				}
			}
			done = end
		}
		pos = end + 1
	}
	if done == 0 {
		return rawQuery
	}
	b.WriteString(rawQuery[done:])
	return b.String()
}

// RedactPath returns an escaped path with every segment that holds a
// secret-shaped string (SecretKind) replaced by [REDACTED], or the path
// itself when there is none.
func RedactPath(escapedPath string) string {
	var b strings.Builder
	done := 0
	for pos := 0; pos < len(escapedPath); {
		end := strings.IndexByte(escapedPath[pos:], '/')
		if end < 0 {
			end = len(escapedPath)
		} else {
			end += pos
		}
		var buf [256]byte
		if seg := escapedPath[pos:end]; len(seg) >= 8 && SecretKind(unescape(buf[:], seg, false)) != "" {
			b.WriteString(escapedPath[done:pos])
			b.WriteString(Redacted)
			done = end
		}
		pos = end + 1
	}
	if done == 0 {
		return escapedPath
	}
	b.WriteString(escapedPath[done:])
	return b.String()
}
