package mask

import "bytes"

// tokenRule is a credential recognised by a fixed prefix followed by a
// body of one byte class.
type tokenRule struct {
	prefix string
	body   uint8 // byte class of the body
	min    int   // body length, at least
	exact  bool  // the body is exactly min bytes long
}

// tokenRules are the high-confidence prefixed credentials. A rule that is
// not exact masks the whole body however long it is.
var tokenRules = [...]tokenRule{
	{"AKIA", cUpper, 16, true},  // AWS access key id
	{"ASIA", cUpper, 16, true},  // AWS temporary access key id
	{"AIza", cB64URL, 35, true}, // Google API key
	{"agk_", cAlnum, 8, false},  // apiguard API key (a truncated key is still partly secret)
	{"ghp_", cAlnum, 36, false}, // GitHub personal access token
	{"gho_", cAlnum, 36, false}, // GitHub OAuth token
	{"ghu_", cAlnum, 36, false}, // GitHub user-to-server token
	{"ghs_", cAlnum, 36, false}, // GitHub server-to-server token
	{"ghr_", cAlnum, 36, false}, // GitHub refresh token
	{"github_pat_", cWord, 22, false},
	{"xoxa-", cDash, 10, false}, // Slack tokens
	{"xoxb-", cDash, 10, false},
	{"xoxp-", cDash, 10, false},
	{"xoxo-", cDash, 10, false},
	{"xoxs-", cDash, 10, false},
	{"xoxr-", cDash, 10, false},
	{"sk_live_", cAlnum, 10, false}, // Stripe secret key
	{"rk_live_", cAlnum, 10, false}, // Stripe restricted key
}

// tokenFirst indexes tokenRules by the first byte of their prefix.
var tokenFirst = func() (t [256][]uint8) {
	for i, r := range tokenRules {
		t[r.prefix[0]] = append(t[r.prefix[0]], uint8(i))
	}
	return t
}()

// matchToken returns the match of a prefixed credential at the start of w.
func matchToken(w []byte) match {
	for _, i := range tokenFirst[w[0]] {
		r := &tokenRules[i]
		if !bytes.HasPrefix(w, []byte(r.prefix)) {
			continue
		}
		body := w[len(r.prefix):]
		if !r.exact {
			if len(body) >= r.min && span(body[:r.min], r.body) == r.min {
				return match{n: len(r.prefix) + r.min, class: classSecrets, skip: skipSet, set: r.body}
			}
			continue
		}
		lim := min(len(body), r.min+1)
		if span(body[:lim], r.body) != r.min {
			continue
		}
		if len(body) > r.min && (isAlnum(body[r.min]) || isMaskStart(body[r.min])) {
			continue
		}
		return match{n: len(r.prefix) + r.min, class: classSecrets}
	}
	return match{}
}

// isMaskStart reports the first byte of a replacement ("[REDACTED]",
// "****1111"). A fixed-length value directly followed by one is not
// matched: it was longer before that part was masked, so masking it now
// would make masking the output differ from the output (not idempotent).
func isMaskStart(c byte) bool { return c == '[' || c == '*' }
