package audit

import (
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
)

// credentialHeaders are redacted whatever the configured names: they
// carry credentials by definition.
var credentialHeaders = []string{"authorization", "proxy-authorization", "cookie", "set-cookie"}

// Redactor replaces the values of named headers, query parameters and
// JSON fields with "[REDACTED]", and masks secret-shaped values (see
// MaskSecrets) wherever they appear. The zero of *Redactor (nil) masks
// secret-shaped values only. A Redactor is safe for concurrent use.
//
// A name matches a configured name when they are equal ignoring case, or
// when the configured name's words appear consecutively among the name's
// words (words split at '-', '_', '.', other punctuation and lower→upper
// camel case): with "token" configured, access_token, X-CSRF-Token and
// refreshToken are redacted too; with "card_number", cardNumber. This
// errs towards redacting (token_type is redacted as well).
type Redactor struct {
	exact map[string]bool
	terms [][]string
	// cache memoises Match for the names seen (header names and field
	// names repeat from one request to the next), up to cacheMax names so
	// that an attacker sending endless new names cannot grow it.
	cache  sync.Map // string → bool
	cached atomic.Int32
}

const cacheMax = 4096

// NewRedactor builds a Redactor from names (audit.redact).
func NewRedactor(names []string) *Redactor {
	r := &Redactor{exact: make(map[string]bool, len(names))}
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" || r.exact[n] {
			continue
		}
		r.exact[n] = true
		if w := words(n); len(w) > 0 {
			r.terms = append(r.terms, w)
		}
	}
	return r
}

// Match reports whether values named name are redacted.
func (r *Redactor) Match(name string) bool {
	if r == nil || len(r.exact) == 0 {
		return false
	}
	if m, ok := r.cache.Load(name); ok {
		return m.(bool)
	}
	m := r.match(name)
	if r.cached.Load() < cacheMax && len(name) <= 256 {
		if _, loaded := r.cache.LoadOrStore(name, m); !loaded {
			r.cached.Add(1)
		}
	}
	return m
}

func (r *Redactor) match(name string) bool {
	if r.exact[strings.ToLower(name)] {
		return true
	}
	w := words(name)
	for _, t := range r.terms {
		if containsRun(w, t) {
			return true
		}
	}
	return false
}

// Header returns a redacted copy of h (an http.Header): the values of
// matching names and of Authorization, Proxy-Authorization, Cookie and
// Set-Cookie become "[REDACTED]"; in the others, the credential after an
// authentication scheme ("Bearer ...") and secret-shaped values are
// masked.
func (r *Redactor) Header(h map[string][]string) map[string][]string {
	if h == nil {
		return nil
	}
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		nv := make([]string, len(vs))
		redact := r.Match(k) || isCredentialHeader(k)
		for i, v := range vs {
			if redact {
				nv[i] = Redacted
			} else {
				nv[i] = MaskSecrets(maskScheme(v))
			}
		}
		k = MaskSecrets(k)
		out[k] = append(out[k], nv...)
	}
	return out
}

func isCredentialHeader(k string) bool {
	for _, c := range credentialHeaders {
		if strings.EqualFold(k, c) {
			return true
		}
	}
	return false
}

// authSchemes are HTTP authentication schemes whose parameter is a
// credential.
var authSchemes = []string{"bearer", "basic", "digest", "apikey", "token", "negotiate", "ntlm", "dpop", "hoba", "mutual"}

// maskScheme masks the credential of "<scheme> <credential>".
func maskScheme(v string) string {
	t := strings.TrimLeft(v, " \t")
	sp := strings.IndexAny(t, " \t")
	if sp <= 0 {
		return v
	}
	for _, s := range authSchemes {
		if strings.EqualFold(t[:sp], s) && strings.TrimSpace(t[sp:]) != "" {
			return t[:sp] + " " + Redacted
		}
	}
	return v
}

// Query returns the raw query string with the values of matching
// parameters replaced by "[REDACTED]" and secret-shaped keys or values
// (raw or percent-decoded) masked. Order and encoding of the other
// parameters are kept.
func (r *Redactor) Query(raw string) string {
	var b strings.Builder // used only once a parameter changes
	changed, done, off := false, 0, 0
	for {
		end := strings.IndexByte(raw[off:], '&')
		p := raw[off:]
		if end >= 0 {
			p = raw[off : off+end]
		}
		if q := r.param(p); q != p {
			if !changed {
				b.Grow(len(raw))
				changed = true
			}
			b.WriteString(raw[done:off])
			b.WriteString(q)
			done = off + len(p)
		}
		if end < 0 {
			break
		}
		off += end + 1
	}
	if !changed {
		return raw
	}
	b.WriteString(raw[done:])
	return b.String()
}

// param redacts one key=value pair of a query.
func (r *Redactor) param(p string) string {
	k, v, hasValue := strings.Cut(p, "=")
	uk := unescape(k)
	switch {
	case isSecret(k) || isSecret(uk):
		return Redacted
	case hasValue && (r.Match(uk) || r.Match(k) || isSecret(v) || isSecret(unescape(v))):
		return k + "=" + Redacted
	}
	return p
}

func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func isSecret(s string) bool { return MaskSecrets(s) != s }

// JSON returns doc in canonical form with the value of every member
// whose name matches (at any depth, inside arrays too) replaced by the
// string "[REDACTED]", whatever its type, and secret-shaped strings
// masked. An error means doc is not JSON; the caller must then not
// record it at all.
func (r *Redactor) JSON(doc []byte) ([]byte, error) {
	v, err := parseJSON(doc)
	if err != nil {
		return nil, err
	}
	return appendValue(nil, r.value(v))
}

func (r *Redactor) value(v any) any {
	switch v := v.(type) {
	case string:
		return MaskSecrets(v)
	case []any:
		for i := range v {
			v[i] = r.value(v[i])
		}
	case map[string]any:
		for k, e := range v {
			if mk := MaskSecrets(k); mk != k {
				delete(v, k)
				v[mk] = Redacted
				continue
			}
			if r.Match(k) {
				v[k] = Redacted
			} else {
				v[k] = r.value(e)
			}
		}
	}
	return v
}

// words splits a name into lower-case words at punctuation and camel
// case boundaries ("X-API-Key" → x api key, "cardNumber" → card number).
func words(s string) []string {
	var out []string
	start := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isLower(c) || isUpper(c) || '0' <= c && c <= '9' || c >= 0x80) {
			if start >= 0 {
				out = append(out, strings.ToLower(s[start:i]))
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		p := s[i-1]
		if isUpper(c) && (isLower(p) || p >= 0x80 || '0' <= p && p <= '9' || isUpper(p) && i+1 < len(s) && isLower(s[i+1])) {
			out = append(out, strings.ToLower(s[start:i]))
			start = i
		}
	}
	if start >= 0 {
		out = append(out, strings.ToLower(s[start:]))
	}
	return out
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

// containsRun reports whether run appears consecutively in w.
func containsRun(w, run []string) bool {
	for i := 0; i+len(run) <= len(w); i++ {
		match := true
		for j := range run {
			if w[i+j] != run[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
