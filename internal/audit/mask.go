package audit

import "strings"

// MaskSecrets replaces secret-shaped substrings of s with "[REDACTED]",
// whatever field they are in: apiguard API keys ("agk_" followed by at
// least 8 base62 characters: a truncated key is still partly secret) and
// JWT-shaped tokens ("eyJ" + base64url "." base64url "." ...). It is the
// safety net behind name-based redaction: a client that puts its key in
// a path, a request id or an unlisted parameter does not get it written.
func MaskSecrets(s string) string {
	if !mayHoldSecret(s) {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		n := 0
		switch {
		case strings.HasPrefix(s[i:], "agk_"):
			if m := span(s[i+4:], isBase62); m >= 8 {
				n = 4 + m
			}
		case strings.HasPrefix(s[i:], "eyJ"):
			if n = jwtLen(s[i:]); n == 0 {
				// No token starts later in this base64url run either
				// (its first segment would end at the same place): skip
				// it, which keeps the scan linear.
				i += span(s[i:], isBase64URL)
				continue
			}
		}
		if n == 0 {
			i++
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(Redacted)
		i += n
		last = i
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// jwtLen returns the length of the JWT-shaped token at the start of s
// (at least three dot-separated base64url segments, the first two non
// empty), or 0.
func jwtLen(s string) int {
	n := span(s, isBase64URL)
	if n < 8 {
		return 0
	}
	segs := 1
	for n < len(s) && s[n] == '.' {
		m := span(s[n+1:], isBase64URL)
		if segs == 1 && m < 2 {
			return 0
		}
		n += 1 + m
		segs++
	}
	if segs < 3 {
		return 0
	}
	return n
}

func span(s string, ok func(byte) bool) int {
	i := 0
	for i < len(s) && ok(s[i]) {
		i++
	}
	return i
}

func isBase62(c byte) bool { return isLower(c) || isUpper(c) || '0' <= c && c <= '9' }

func isBase64URL(c byte) bool { return isBase62(c) || c == '-' || c == '_' }

// mayHoldSecret is a one-pass pre-check for "agk_" or "eyJ".
func mayHoldSecret(s string) bool {
	for i := 2; i < len(s); i++ {
		switch s[i] {
		case 'J':
			if s[i-1] == 'y' && s[i-2] == 'e' {
				return true
			}
		case '_':
			if i >= 3 && s[i-1] == 'k' && s[i-2] == 'g' && s[i-3] == 'a' {
				return true
			}
		}
	}
	return false
}
