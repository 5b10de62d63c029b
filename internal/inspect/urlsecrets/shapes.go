package urlsecrets

import "strings"

// Kinds of secret-shaped values, as named in causes.
const (
	KindJWT        = "JWT"
	KindAPIKey     = "API key (agk_)"
	KindAWS        = "AWS access key"
	KindGitHub     = "GitHub token"
	KindGitLab     = "GitLab token"
	KindSlack      = "Slack token"
	KindStripe     = "Stripe secret key"
	KindGoogle     = "Google API key"
	KindNPM        = "npm token"
	KindSendGrid   = "SendGrid key"
	KindOpenAI     = "OpenAI or Anthropic key"
	KindPrivateKey = "private key"
	KindURLPass    = "URL with a password"
)

// SecretKind returns the kind of credential found in v (a decoded query
// value or name), or "" when there is none. It looks for the shapes that
// identify credentials on their own, anywhere in v, at a word boundary:
// JWTs (three base64url segments, the first starting with "eyJ"),
// apiguard API keys (agk_ and 32 or more base62 characters: a key has
// 38, and a truncated key is still a key), AWS access key ids (AKIA or
// ASIA and 16 characters), GitHub (ghp_, gho_, ghu_, ghs_, ghr_,
// github_pat_), GitLab (glpat-), Slack (xoxa-, xoxb-, xoxp-, xoxr-,
// xoxs-, hooks.slack.com/services/), Stripe (sk_live_, sk_test_, rk_...),
// Google (AIza), npm (npm_), SendGrid (SG.x.y), OpenAI (sk-proj-, sk-
// and 48 characters) and Anthropic (sk-ant-) keys, PEM private keys, and
// URLs with a password (scheme://user:pass@host). Publishable keys
// (pk_live_) are not secrets.
func SecretKind(v string) string {
	if len(v) < 8 {
		return ""
	}
	urls := strings.Contains(v, "://")
	for i := 0; i < len(v); i++ {
		if i > 0 && isWordChar(v[i-1]) {
			continue
		}
		if k := shapeAt(v[i:], urls); k != "" {
			return k
		}
	}
	return ""
}

// tokenKind returns KindJWT or KindAPIKey when v holds one (the shapes
// looked for in path segments), else "".
func tokenKind(v string) string {
	for i := 0; i < len(v); i++ {
		if i > 0 && isWordChar(v[i-1]) {
			continue
		}
		switch {
		case v[i] == 'e' && isJWT(v[i:]):
			return KindJWT
		case v[i] == 'a' && strings.HasPrefix(v[i:], "agk_") && run(v[i+4:], isBase62) >= 32:
			return KindAPIKey
		}
	}
	return ""
}

// shapeAt returns the kind of a secret at the start of s; URLs with a
// password are looked for when urls is set.
func shapeAt(s string, urls bool) string {
	switch s[0] {
	case 'e':
		if isJWT(s) {
			return KindJWT
		}
	case 'a':
		if strings.HasPrefix(s, "agk_") && run(s[4:], isBase62) >= 32 {
			return KindAPIKey
		}
	case 'A':
		if (strings.HasPrefix(s, "AKIA") || strings.HasPrefix(s, "ASIA")) && exactRun(s[4:], isUpperAlnum, 16) {
			return KindAWS
		}
		if strings.HasPrefix(s, "AIza") && exactRun(s[4:], isURLSafe, 35) {
			return KindGoogle
		}
	case 'g':
		if len(s) > 4 && s[0] == 'g' && s[1] == 'h' && strings.IndexByte("pousr", s[2]) >= 0 && s[3] == '_' && run(s[4:], isBase62) >= 36 {
			return KindGitHub
		}
		if strings.HasPrefix(s, "github_pat_") && run(s[11:], isWordChar) >= 22 {
			return KindGitHub
		}
		if strings.HasPrefix(s, "glpat-") && run(s[6:], isURLSafe) >= 20 {
			return KindGitLab
		}
	case 'x':
		if len(s) > 5 && strings.HasPrefix(s, "xox") && strings.IndexByte("abprs", s[3]) >= 0 && s[4] == '-' && run(s[5:], isSlackChar) >= 10 {
			return KindSlack
		}
	case 'h':
		if strings.HasPrefix(s, "hooks.slack.com/services/T") {
			return KindSlack
		}
	case 's', 'r':
		if len(s) > 8 && s[1] == 'k' && s[2] == '_' && (strings.HasPrefix(s[3:], "live_") || strings.HasPrefix(s[3:], "test_")) && run(s[8:], isBase62) >= 16 {
			return KindStripe
		}
		if strings.HasPrefix(s, "sk-proj-") && run(s[8:], isURLSafe) >= 20 ||
			strings.HasPrefix(s, "sk-ant-") && run(s[7:], isURLSafe) >= 20 ||
			strings.HasPrefix(s, "sk-") && exactRun(s[3:], isBase62, 48) {
			return KindOpenAI
		}
	case 'n':
		if strings.HasPrefix(s, "npm_") && exactRun(s[4:], isBase62, 36) {
			return KindNPM
		}
	case 'S':
		if strings.HasPrefix(s, "SG.") {
			if n := run(s[3:], isURLSafe); n >= 16 && 3+n < len(s) && s[3+n] == '.' && run(s[4+n:], isURLSafe) >= 30 {
				return KindSendGrid
			}
		}
	case '-':
		if strings.HasPrefix(s, "-----BEGIN ") && strings.Contains(s[:min(len(s), 50)], "PRIVATE KEY") {
			return KindPrivateKey
		}
	}
	if urls && isLetter(s[0]) && urlWithPassword(s) {
		return KindURLPass
	}
	return ""
}

// isJWT reports a JWS or JWE compact serialisation at the start of s:
// "eyJ" and base64url segments separated by dots, the first two at
// least 2 characters long, with three segments at least.
func isJWT(s string) bool {
	if !strings.HasPrefix(s, "eyJ") {
		return false
	}
	n := run(s, isB64URL)
	if n < 10 || n >= len(s) || s[n] != '.' {
		return false
	}
	s = s[n+1:]
	m := run(s, isB64URL)
	return m >= 2 && m < len(s) && s[m] == '.' // the signature may be empty
}

// urlWithPassword reports scheme://user:password@host at the start of s.
func urlWithPassword(s string) bool {
	n := 0
	for n < len(s) && n < 32 && (isAlnum(s[n]) || s[n] == '+' || s[n] == '-' || s[n] == '.') {
		n++
	}
	if !strings.HasPrefix(s[n:], "://") {
		return false
	}
	auth := s[n+3:]
	if i := strings.IndexAny(auth, "/?#"); i >= 0 {
		auth = auth[:i]
	}
	at := strings.LastIndexByte(auth, '@')
	if at < 0 {
		return false
	}
	colon := strings.IndexByte(auth[:at], ':')
	return colon >= 0 && colon < at-1
}

// run returns how many leading bytes of s satisfy ok.
func run(s string, ok func(byte) bool) int {
	n := 0
	for n < len(s) && ok(s[n]) {
		n++
	}
	return n
}

// exactRun reports exactly n leading bytes of s satisfying ok, not
// followed by another word character.
func exactRun(s string, ok func(byte) bool, n int) bool {
	return run(s, ok) == n && (len(s) == n || !isWordChar(s[n]))
}

func isLetter(c byte) bool     { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isAlnum(c byte) bool      { return isLetter(c) || '0' <= c && c <= '9' }
func isBase62(c byte) bool     { return isAlnum(c) }
func isWordChar(c byte) bool   { return isAlnum(c) || c == '_' }
func isURLSafe(c byte) bool    { return isAlnum(c) || c == '_' || c == '-' }
func isB64URL(c byte) bool     { return isURLSafe(c) }
func isUpperAlnum(c byte) bool { return 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' }
func isSlackChar(c byte) bool  { return isAlnum(c) || c == '-' }
