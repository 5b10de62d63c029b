package checks

import (
	"context"
	"regexp"

	"github.com/apiguard/apiguard/internal/scan"
)

// headersBanner reports response headers that name the software behind
// the API or its version (Server, X-Powered-By, ...). It reads the
// exchanges so far and sends nothing.
type headersBanner struct{}

var headersBannerMeta = scan.Meta{
	ID: "headers.banner", Severity: scan.Low, OWASP: "API8:2023",
	Title:       "Response headers reveal software or versions",
	Remediation: "Remove Server, X-Powered-By and similar headers: in apiguard, response.strip_headers (default: server, x-powered-by, x-aspnet-version).",
}

var bannerHeaders = []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator", "X-Runtime", "X-Version"}

// revealing matches a version number or a well-known server product.
var revealing = regexp.MustCompile(`(?i)\d+\.\d+|\b(express|php|asp\.net|nginx|apache|iis|tomcat|jetty|werkzeug|gunicorn|uvicorn|kestrel|openresty|envoy|node|django|flask|rails|puma|servlet|jboss|wildfly|weblogic|caddy|lighttpd|python|ruby|java|go-http|next\.js)\b`)

func (headersBanner) Info() scan.Meta { return headersBannerMeta }

func (headersBanner) Estimate(*scan.Env) int { return 0 }

func (headersBanner) Run(_ context.Context, env *scan.Env) []scan.Finding {
	for _, x := range env.Client.Exchanges() {
		var named []string
		for _, h := range bannerHeaders {
			v := x.Header.Get(h)
			if v != "" && (h != "Server" || revealing.MatchString(v)) {
				named = append(named, h)
			}
		}
		if len(named) > 0 {
			return []scan.Finding{headersBannerMeta.Wide(x.Evidence("", named...))}
		}
	}
	return nil
}
