package scan

import (
	"net/http"
	"regexp"
	"strings"
)

// keep is how many characters of a secret evidence keeps.
const keep = 6

// secretPatterns match credentials and personal data that evidence must
// never show whole. Each match keeps a short prefix.
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*`),                           // JWT
	regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)`), // PEM key
	regexp.MustCompile(`\b(agk_|sk_live_|sk_test_|rk_live_|ghp_|gho_|github_pat_|xox[abpr]-|AKIA|ASIA|AIza|glpat-)[A-Za-z0-9_\-]{8,}`),
	regexp.MustCompile(`\$2[aby]?\$\d\d\$[./A-Za-z0-9]{53}`), // bcrypt
	regexp.MustCompile(`\$argon2[a-z]*\$[^\s"']+`),           // argon2
	regexp.MustCompile(`\b(?:\d[ -]?){12,18}\d\b`),           // card-number-shaped
	regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`),              // SSN
	regexp.MustCompile(`(?i)((?:password|passwd|secret|token|api[_-]?key|apikey|access[_-]?token|client[_-]?secret|private[_-]?key)"?\s*[:=]\s*"?)([^"&\s,}]{3,})`),
	regexp.MustCompile(`(?i)(bearer|basic|apikey)\s+([A-Za-z0-9._~+/=-]{8,})`),
}

// Mask hides secrets in s, keeping a short prefix of each so a reader can
// still tell which value it was.
func Mask(s string) string {
	for i, re := range secretPatterns {
		s = re.ReplaceAllStringFunc(s, func(m string) string {
			switch i {
			case len(secretPatterns) - 2, len(secretPatterns) - 1: // name=value, scheme value
				sub := re.FindStringSubmatch(m)
				if len(sub) == 3 {
					return sub[1] + maskValue(sub[2])
				}
			case 1:
				return "-----BEGIN PRIVATE KEY-----…[masked]"
			}
			return maskValue(m)
		})
	}
	return s
}

func maskValue(v string) string {
	if strings.HasSuffix(v, "…") {
		return v // already masked
	}
	n := min(keep, len(v)/2)
	return v[:n] + "…"
}

// sensitiveHeader reports whether a header's whole value is a secret.
func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key", "x-otp":
		return true
	}
	return strings.Contains(n, "token") || strings.Contains(n, "secret") || strings.Contains(n, "key") ||
		strings.Contains(n, "auth")
}

// MaskHeader returns a header value fit for evidence.
func MaskHeader(name, value string) string {
	if !sensitiveHeader(name) {
		return Mask(value)
	}
	if scheme, rest, ok := strings.Cut(value, " "); ok && len(scheme) < 10 {
		return scheme + " " + maskValue(rest)
	}
	return maskValue(value)
}

// maskHeaders is used when quoting request headers in evidence.
func maskHeaders(h http.Header) []string {
	var out []string
	for _, k := range sortedKeys(h) {
		for _, v := range h[k] {
			out = append(out, k+": "+MaskHeader(k, v))
		}
	}
	return out
}
