package checks

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"time"

	"github.com/apiguard/apiguard/internal/scan"
)

// tlsWeak reports an HTTPS target that completes a TLS 1.0/1.1 handshake
// (one handshake, counted as a request) or answers without HSTS, or with
// an HSTS max-age under 180 days (from the baseline, no request).
type tlsWeak struct{}

var tlsWeakMeta = scan.Meta{
	ID: "tls.weak", Severity: scan.Medium, OWASP: "API8:2023",
	Title:       "Weak TLS: protocol below 1.2 or no HSTS",
	Remediation: `Accept TLS 1.2 or later only (server.tls.min_version: "1.2" or "1.3") and send Strict-Transport-Security with a max-age of at least a year (server.hsts, on by default with TLS).`,
}

// minHSTS is the shortest HSTS max-age accepted (180 days).
const minHSTS = 180 * 24 * 3600

var maxAgeRE = regexp.MustCompile(`(?i)max-age\s*=\s*"?(\d+)`)

func (tlsWeak) Info() scan.Meta { return tlsWeakMeta }

func (tlsWeak) Estimate(env *scan.Env) int {
	if env.Target.Base.Scheme == "https" {
		return 1
	}
	return 0
}

func (tlsWeak) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	base := env.Target.Base
	if base.Scheme != "https" {
		return nil
	}
	var out []scan.Finding
	if v, ok := legacyHandshake(ctx, env, base.Host); ok {
		out = append(out, tlsWeakMeta.Wide(fmt.Sprintf("TLS handshake to %s offering at most TLS 1.1 succeeded: negotiated %s", base.Host, tls.VersionName(v))))
	}
	for _, x := range env.Client.Exchanges() {
		if x.TLS == nil || x.Status == 0 {
			continue
		}
		h := x.Header.Get("Strict-Transport-Security")
		m := maxAgeRE.FindStringSubmatch(h)
		age := -1
		if m != nil {
			age, _ = strconv.Atoi(m[1])
		}
		if h == "" || age < minHSTS {
			f := tlsWeakMeta.Wide("HTTPS response without an adequate Strict-Transport-Security header:\n" + x.Evidence("", "Strict-Transport-Security"))
			if len(out) == 0 {
				f.Severity = scan.Low
			}
			out = append(out, f)
		}
		break
	}
	if len(out) > 1 {
		out[0].Evidence += "\n\n" + out[1].Evidence
		out = out[:1]
	}
	return out
}

// legacyHandshake tries a TLS handshake capped at TLS 1.1 and returns the
// negotiated version when the server accepts it.
func legacyHandshake(ctx context.Context, env *scan.Env, hostport string) (uint16, bool) {
	if err := env.Client.Take(ctx); err != nil {
		return 0, false
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, "443"
	}
	d := tls.Dialer{
		NetDialer: &net.Dialer{Timeout: 5 * time.Second},
		Config: &tls.Config{
			ServerName: host, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11,
			InsecureSkipVerify: true, //nolint:gosec // only the protocol version is being probed
		},
	}
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := d.DialContext(hctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return 0, false
	}
	defer conn.Close()
	v := conn.(*tls.Conn).ConnectionState().Version
	return v, v < tls.VersionTLS12
}
