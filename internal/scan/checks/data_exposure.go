package checks

import (
	"context"
	"regexp"
	"strings"

	"github.com/apiguard/apiguard/internal/mask"
	"github.com/apiguard/apiguard/internal/scan"
)

// dataExposure reports responses that carry card numbers (Luhn-valid),
// SSNs, password hashes, private keys or credentials. It reads the
// baseline responses and sends nothing.
type dataExposure struct{}

var dataExposureMeta = scan.Meta{
	ID: "data.exposure", Severity: scan.High, OWASP: "API3:2023",
	Title:       "Responses expose sensitive data",
	Remediation: "Return only the fields a client needs (never password hashes, keys or full card numbers); in apiguard, response.mask: [pan, ssn, secrets] redacts card numbers, SSNs and credentials in responses.",
}

type detector struct {
	what string
	re   *regexp.Regexp
	ok   func(m []string) bool
}

var detectors = []detector{
	{"card number", regexp.MustCompile(`\b(?:\d[ -]?){12,18}\d\b`), func(m []string) bool { return isPAN(m[0]) }},
	{"social security number", regexp.MustCompile(`\b(\d{3})-(\d{2})-(\d{4})\b`), func(m []string) bool {
		return m[1] != "000" && m[1] != "666" && m[1][0] != '9' && m[2] != "00" && m[3] != "0000"
	}},
	{"password hash", regexp.MustCompile(`\$2[aby]?\$\d\d\$[./A-Za-z0-9]{53}|\$argon2(?:id|i|d)\$|\$[56]\$[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43,}|\bpbkdf2_sha256\$`), nil},
	{"password field", regexp.MustCompile(`(?i)"(password|passwd|password_hash|passwordhash|pwd|pass_hash)"\s*:\s*"([^"]{3,})"`), unmaskedValue},
	{"private key", regexp.MustCompile(`-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----`), nil},
	{"credential", regexp.MustCompile(`\b(?:AKIA[0-9A-Z]{16}|sk_live_[0-9a-zA-Z]{16,}|ghp_[0-9A-Za-z]{36}|xox[bpar]-[0-9A-Za-z-]{10,}|agk_[0-9A-Za-z]{32}[0-9A-Za-z]{6}|AIza[0-9A-Za-z_-]{35})\b`), nil},
	{"secret field", regexp.MustCompile(`(?i)"(api_?key|apikey|secret|client_secret|secret_key|access_key|private_key|aws_secret_access_key)"\s*:\s*"([^"]{6,})"`), unmaskedValue},
}

// unmaskedValue reports a field value (m[2]) that is not already masked
// by a gateway or the API itself ("[REDACTED]", "****", "****1111").
func unmaskedValue(m []string) bool {
	v := strings.TrimSpace(m[2])
	if strings.EqualFold(v, "[REDACTED]") || strings.EqualFold(v, "REDACTED") || strings.EqualFold(v, "[FILTERED]") {
		return false
	}
	stars := strings.TrimLeft(v, "*xX")
	return len(stars) == len(v) || len(v)-len(stars) < 3 || len(stars) > 4
}

// isPAN reports a plausible card number (scheme prefix and length,
// Luhn-valid), ignoring separators.
func isPAN(s string) bool {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	return mask.IsCardNumber(d)
}

// sensitive returns what kind of sensitive data body holds and the match.
func sensitive(body string) (what, match string) {
	for _, d := range detectors {
		for _, m := range d.re.FindAllStringSubmatch(body, 20) {
			if d.ok == nil || d.ok(m) {
				return d.what, m[0]
			}
		}
	}
	return "", ""
}

func (dataExposure) Info() scan.Meta { return dataExposureMeta }

func (dataExposure) Estimate(*scan.Env) int { return 0 }

func (dataExposure) Run(_ context.Context, env *scan.Env) []scan.Finding {
	var out []scan.Finding
	for _, op := range env.Target.Ops {
		x := env.Baseline(op)
		if !x.OK() || len(x.Body) == 0 {
			continue
		}
		if what, m := sensitive(string(x.Body)); what != "" {
			out = append(out, dataExposureMeta.Finding(op.Method, opPath(op), "response carries a "+what+":\n"+x.Evidence(m)))
		}
	}
	return out
}
