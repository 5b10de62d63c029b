package checks

import (
	"context"

	"github.com/apiguard/apiguard/internal/scan"
)

// tlsMissing reports a target served over plain HTTP. It sends nothing:
// the baseline already proved the API answers over http://.
type tlsMissing struct{}

var tlsMissingMeta = scan.Meta{
	ID: "tls.missing", Severity: scan.Medium, OWASP: "API8:2023",
	Title:       "The API is served over plain HTTP",
	Remediation: "Serve the API over HTTPS only: set server.tls (cert_file, key_file) in apiguard.yaml, and server.redirect_http so plain HTTP only answers 308 to https.",
}

func (tlsMissing) Info() scan.Meta { return tlsMissingMeta }

func (tlsMissing) Estimate(*scan.Env) int { return 0 }

func (tlsMissing) Run(_ context.Context, env *scan.Env) []scan.Finding {
	if env.Target.Base.Scheme != "http" {
		return nil
	}
	for _, x := range env.Client.Exchanges() {
		if x.URL.Scheme == "http" && x.Status > 0 {
			return []scan.Finding{tlsMissingMeta.Wide("answered over plain HTTP (no TLS):\n" + x.Evidence(""))}
		}
	}
	return nil
}
