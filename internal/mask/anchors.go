package mask

import "bytes"

// anchor finds candidates by one byte: at tells, for that byte at b[i],
// where a candidate starts (or -1). Candidates start at most back bytes
// before the anchor byte, or at most ahead bytes after it.
type anchor struct {
	c           byte
	back, ahead int
	at          func(b []byte, i int) int
}

// next returns the first candidate start in [p, lim), or lim.
func (a *anchor) next(b []byte, p, lim int) int {
	from, end := max(0, p-a.ahead), min(len(b), lim+a.back)
	for from < end {
		i := bytes.IndexByte(b[from:end], a.c)
		if i < 0 {
			break
		}
		i += from
		from = i + 1
		if s := a.at(b, i); s >= p && s < lim {
			return s
		}
	}
	return lim
}

// hasAt reports whether b[i:] starts with s (false when i < 0).
func hasAt(b []byte, i int, s string) bool {
	return i >= 0 && bytes.HasPrefix(b[i:], []byte(s))
}

// isGitHubKind reports the letter of a GitHub token prefix gh?_.
func isGitHubKind(c byte) bool {
	return c == 'p' || c == 'o' || c == 'u' || c == 's' || c == 'r'
}

func isSep(c byte) bool { return c == '_' || c == '-' || c == '.' }

// secretAt returns where an AWS secret key name that has "secret" (any
// case) at b[i:i+6] starts: at "aws" before it (with or without a
// separator), else at "secret".
func secretAt(b []byte, i int) int {
	if i < 0 || !hasPrefixFold(b[i:], "secret") {
		return -1
	}
	if i >= 4 && isSep(b[i-1]) && hasPrefixFold(b[i-4:], "aws") {
		return i - 4
	}
	if i >= 3 && hasPrefixFold(b[i-3:], "aws") {
		return i - 3
	}
	return i
}

// The anchors of class secrets.
var (
	anchorJWT = &anchor{c: 'J', back: 2, at: func(b []byte, i int) int {
		if hasAt(b, i-2, "eyJ") {
			return i - 2
		}
		return -1
	}}
	anchorAWSKeyID = &anchor{c: 'I', back: 2, at: func(b []byte, i int) int {
		switch {
		case hasAt(b, i-2, "AKIA"), hasAt(b, i-2, "ASIA"):
			return i - 2
		case hasAt(b, i-1, "AIza"):
			return i - 1
		}
		return -1
	}}
	// '_': agk_, gh?_, github_pat_, sk_live_, rk_live_, secret_ (AWS).
	anchorUnderscore = &anchor{c: '_', back: 10, at: func(b []byte, i int) int {
		switch {
		case hasAt(b, i-3, "agk_"), i >= 3 && b[i-3] == 'g' && b[i-2] == 'h' && isGitHubKind(b[i-1]):
			return i - 3
		case hasAt(b, i-6, "github_pat_"):
			return i - 6
		case hasAt(b, i-2, "sk_live_"), hasAt(b, i-2, "rk_live_"):
			return i - 2
		}
		return secretAt(b, i-6)
	}}
	anchorSlack = &anchor{c: 'x', at: func(b []byte, i int) int {
		if hasAt(b, i, "xox") {
			return i
		}
		return -1
	}}
	anchorPEM = &anchor{c: 'G', back: 7, at: func(b []byte, i int) int {
		if hasAt(b, i-7, pemBegin) {
			return i - 7
		}
		return -1
	}}
	// 'K': SecretAccessKey, SECRET_ACCESS_KEY, AWSSecretKey, SECRET_KEY.
	anchorKey = &anchor{c: 'K', back: 18, at: func(b []byte, i int) int {
		for _, e := range [...]int{i, i - 1, i - 6, i - 7} {
			if s := secretAt(b, e-6); s >= 0 {
				return s
			}
		}
		return -1
	}}
	secretAnchors = [...]*anchor{anchorJWT, anchorAWSKeyID, anchorUnderscore, anchorSlack, anchorPEM, anchorKey}
)
