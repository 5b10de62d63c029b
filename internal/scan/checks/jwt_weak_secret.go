package checks

import (
	"bufio"
	"context"
	"crypto/hmac"
	_ "embed"
	"fmt"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// jwtWeakSecret tries a bundled list of common secrets against the HS*
// signature of a captured or supplied token, offline: it sends nothing.
type jwtWeakSecret struct{}

//go:embed weak_secrets.txt
var weakSecretsFile string

// weakSecrets is the bundled list, one secret a line.
func weakSecrets() []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(weakSecretsFile))
	for sc.Scan() {
		if s := sc.Text(); s != "" {
			out = append(out, s)
		}
	}
	return out
}

var jwtWeakSecretMeta = scan.Meta{
	ID: "jwt.weak-secret", Severity: scan.High, OWASP: "API2:2023",
	Title:       "JWT signed with a guessable secret",
	Remediation: "Sign tokens with asymmetric keys (RS256/ES256) published in a JWKS, or a random HMAC secret of at least 256 bits; apiguard's identities.jwt accepts only the algorithms listed (HS* with a public key is refused).",
}

func (jwtWeakSecret) Info() scan.Meta { return jwtWeakSecretMeta }

func (jwtWeakSecret) Estimate(*scan.Env) int { return 0 }

func (jwtWeakSecret) Run(_ context.Context, env *scan.Env) []scan.Finding {
	if env.JWT.Token == "" {
		return nil
	}
	t, err := parseToken(env.JWT.Token)
	if err != nil || hmacFor(t.alg()) == nil {
		return nil
	}
	in := t.parts[0] + "." + t.parts[1]
	want, err := b64.DecodeString(t.parts[2])
	if err != nil {
		return nil
	}
	list := weakSecrets()
	for _, s := range list {
		got, _ := b64.DecodeString(hmacSign(t.alg(), s, in))
		if hmac.Equal(got, want) {
			env.JWT.Secret = s
			masked := s[:min(2, len(s))] + strings.Repeat("*", max(0, len(s)-2))
			return []scan.Finding{jwtWeakSecretMeta.Wide(fmt.Sprintf(
				"the %s signature of the token (%s…) verifies with the secret %q, found offline in a list of %d common secrets; anyone can mint tokens",
				t.alg(), env.JWT.Token[:min(12, len(env.JWT.Token))], masked, len(list)))}
		}
	}
	return nil
}
