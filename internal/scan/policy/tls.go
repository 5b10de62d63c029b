package policy

import (
	"context"
	"fmt"

	"github.com/apiguard/apiguard/internal/scan"
)

// tlsCheck compares the target with server.tls and server.hsts, reading
// the probes (no new request): a TLS configuration needs an https target,
// and its responses need the configured Strict-Transport-Security.
type tlsCheck struct{ st *state }

var tlsMeta = meta("tls", scan.Medium, "API8:2023", "Gateway's TLS or HSTS differs from its configuration",
	"server.tls serves the API over HTTPS and server.hsts sets Strict-Transport-Security; scan the https listener, and check that the running gateway uses this configuration.")

func (tlsCheck) Info() scan.Meta { return tlsMeta }

func (tlsCheck) Estimate(*scan.Env) int { return 0 }

func (c tlsCheck) Run(_ context.Context, env *scan.Env) []scan.Finding {
	cfg := c.st.cfg
	if cfg.Server.TLS == nil {
		return nil
	}
	if env.Target.Base.Scheme != "https" {
		return []scan.Finding{tlsMeta.Wide("server.tls is set but the target " + env.Target.Base.String() + " is plain HTTP")}
	}
	want := cfg.Server.HSTSValue
	for _, x := range env.Client.Exchanges() {
		if x.TLS == nil {
			continue
		}
		if got := x.Header.Get("Strict-Transport-Security"); got != want {
			return []scan.Finding{tlsMeta.Wide(fmt.Sprintf("Strict-Transport-Security is %q, configured %q\n%s", got, want, x.Evidence("", "Strict-Transport-Security")))}
		}
		break
	}
	return nil
}
